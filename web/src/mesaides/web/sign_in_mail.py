"""The email that carries a sign-in link, sent with the registry's SMTP settings.

It is sent at once, not through the registry's outbox: the outbox keeps every message's body in
the database until it is purged, and this body holds a credential (the link's token, stored
elsewhere only as a hash). A message the SMTP server refuses is logged and lost; the person asks
for another link, as the sign-in page says.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mesaides.registry.mailer import deliver
from mesaides.registry.settings import SmtpSettings

log = logging.getLogger(__name__)

SUBJECT = "Votre lien de connexion à l'espace partenaires de mesaides"


def sign_in_email(to: str, link: str, minutes: int, sender: str, now) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = SUBJECT
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(
        f"""Bonjour,

Vous avez demandé à vous connecter à l'espace partenaires de mesaides.
Ouvrez ce lien, puis confirmez la connexion sur la page qui s'affiche :

{link}

Ce lien est personnel : ne le transmettez à personne. Il ne sert qu'une fois et n'est valable
que {minutes} minutes. Passé ce délai, demandez-en un nouveau depuis la page de connexion.

Si vous n'avez pas fait cette demande, ignorez ce message : personne ne peut se connecter
sans ce lien.

— Le registre de mesaides
"""
    )
    return email


def send_sign_in_email(settings: SmtpSettings, email: EmailMessage) -> bool:
    """Send it; ``False`` (and a log line naming the error, not the link) when it cannot be."""
    if not settings.host:
        log.error("no SMTP server configured (MESAIDES_SMTP_HOST): the sign-in link to %s was not sent", email["To"])
        return False
    try:
        deliver(email, settings)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("the sign-in link to %s was not sent: %s: %s", email["To"], type(exc).__name__, exc)
        return False
    return True
