"""The sign-in email: its text, and what happens when it cannot be sent (a real SMTP server, and
a port nothing listens on)."""

from __future__ import annotations

import datetime as dt
import logging

from mesaides.registry.settings import SmtpSettings
from mesaides.web.sign_in_mail import send_sign_in_email, sign_in_email

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
LINK = "https://mesaides.example.org/connexion/lien/abc"


def test_the_email_carries_the_link_and_says_how_long_it_lasts(smtp_server):
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, sender="registre@mesaides.test", timeout=5)
    message = sign_in_email("lea@caf.test", LINK, 15, settings.sender, NOW)
    assert send_sign_in_email(settings, message)
    received = smtp_server.wait_for("lea@caf.test")
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert LINK in body and "15 minutes" in body and "ne le transmettez à personne" in body
    assert received["From"] == "registre@mesaides.test" and received["Message-ID"]


def test_a_link_that_cannot_be_sent_is_logged_without_the_link(caplog):
    message = sign_in_email("lea@caf.test", LINK, 15, "registre@mesaides.test", NOW)
    with caplog.at_level(logging.ERROR, logger="mesaides.web.sign_in_mail"):
        assert not send_sign_in_email(SmtpSettings(host="127.0.0.1", port=1, timeout=2), message)
        assert not send_sign_in_email(SmtpSettings(), message)
    assert "the sign-in link to lea@caf.test was not sent" in caplog.text
    assert "no SMTP server configured (MESAIDES_SMTP_HOST)" in caplog.text
    assert "lien/abc" not in caplog.text, "the log holds no credential"
