"""Notifications by email over SMTP (a real local aiosmtpd server) and as a JSON feed per
partner; the outbox keeps every message through failed sends and restarts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from registry_test_partners import START, departement, free_port, national
from sqlalchemy import select

from mesaides.registry import FixedClock, SmtpSettings, open_registry
from mesaides.registry.models import OutboxMessage
from mesaides.registry.testing import OPERATOR

HERE = Path(__file__).parent


def _outbox(registry):
    with registry.database.reading() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_notifications_are_sent_by_email(db_url, clock, deployment, smtp_server):
    registry = open_registry(db_url, clock, smtp=smtp_server.settings, households=100)
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    report = registry.send()
    assert len(report.sent) == 1 and not report.failed
    [message] = smtp_server.messages
    assert message["To"] == "referent@nat.example.org"
    assert message["From"] == "registre@mesaides.test"
    assert message["Subject"].startswith("[mesaides] [G3] Nouvelle aide territoriale")
    body = message.get_payload(decode=True).decode("utf-8")
    assert "dep_bonus" in body and "notification n° 1" in body and "espace partenaires" in body
    assert "mesaides registry acknowledge" not in body, "a partner answers in its space or through the API"
    assert registry.send().sent == []  # nothing twice
    registry.close()


def test_a_notification_survives_a_failed_smtp_send_and_a_restart(db_url, deployment, smtp_server, tmp_path):
    # 1. A process records a notification, then dies before sending anything.
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        sys.path.insert(0, {str(HERE)!r})
        from registry_test_partners import Deployment, departement, national
        from mesaides.registry import FixedClock, SmtpSettings, open_registry
        from mesaides.registry.testing import OPERATOR
        registry = open_registry({db_url!r}, FixedClock({START!r}), smtp=SmtpSettings(host="127.0.0.1", port=1), households=50)
        registry.sync(Deployment(Path({str(tmp_path / "partners")!r})).rules(national(), departement()), by=OPERATOR, measure=False)
        os._exit(9)  # killed: no send, no clean shutdown
    """)
    died = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ}, timeout=120
    )
    assert died.returncode == 9, died.stderr

    # 2. Restarted, the registry tries to send while the SMTP server is unreachable.
    clock = FixedClock(START)
    unreachable = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    registry = open_registry(db_url, clock, smtp=unreachable, households=50)
    [message] = _outbox(registry)
    assert message.sent_at is None and message.attempts == 0
    report = registry.send()
    assert list(report.failed) == [message.id] and report.sent == []
    [message] = _outbox(registry)
    assert message.attempts == 1 and message.sent_at is None and "ConnectionRefusedError" in message.last_error
    assert any("not delivered after 1 attempts" in str(i) for i in registry.overdue())
    registry.close()

    # 3. Restarted again with a working server: the retry waits for its delay, then delivers.
    registry = open_registry(db_url, clock, smtp=smtp_server.settings, households=50)
    assert registry.send().sent == [] and registry.send().waiting == 1
    clock.advance(minutes=5)
    assert registry.send().sent == [message.id]
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == message.message_id
    [message] = _outbox(registry)
    assert message.attempts == 2 and message.sent_at is not None
    assert registry.send().sent == []
    actions = [e.action for e in registry.audit_log(limit=10)]
    assert "email_failed" in actions and "email_sent" in actions
    registry.close()


def test_without_an_smtp_host_messages_wait_in_the_outbox(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    report = registry.send()
    assert report.sent == [] and report.waiting == 1


def test_a_json_feed_per_partner(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    registry.sync(deployment.rules(national("1.1.0", montant=600.0), departement()), by=OPERATOR, measure=False)
    feed = registry.feed("dep")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    [item] = feed["items"]
    assert item["title"].startswith("[A8] L'aide « Minimum de test » (minimum_test)")
    assert item["_mesaides"]["impacted_aides"] == ["dep_bonus"]
    assert item["_mesaides"]["requires_acknowledgement"] is True
    nat_titles = [i["title"] for i in registry.feed("nat")["items"]]
    assert nat_titles == ["[G3] Nouvelle aide territoriale : « Bonus départemental » (dep_bonus)"]
