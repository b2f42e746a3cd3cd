"""Sending the outbox over SMTP, with retries.

Each message is marked sent in its own transaction right after the SMTP server accepts it;
a failure records the error and schedules a retry with an increasing delay. Delivery is at least
once: a process killed between the server's acceptance and the commit sends that message again
(with the same Message-ID, so mail clients can tell). Before sending, a process claims the
message by a conditional update (its next attempt moved :data:`CLAIM_FOR` ahead), so that two
senders at once (two servers' schedulers, a cron tick) never both send it.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.clock import Clock
from mesaides.registry.database import Database, rows_matched
from mesaides.registry.models import OutboxMessage
from mesaides.registry.settings import SmtpSettings

FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_RETRY = dt.timedelta(hours=6)
CLAIM_FOR = dt.timedelta(minutes=10)
"""How long a claimed message is left to its sender before another may try it (a sender that died)."""


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    waiting: int = 0
    """Messages not yet due for a retry, or not sent because no SMTP server is configured."""


@dataclass(frozen=True)
class OutboxEntry:
    """One email of the outbox, as ``mesaides registry outbox`` lists it."""

    id: int
    state: str
    """``sent``, ``pending`` (not tried yet) or ``failing`` (tried, to be retried)."""
    to: str
    partner: str | None
    notification: int | None
    subject: str
    created_at: dt.datetime
    attempts: int
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    last_error: str | None

    def __str__(self) -> str:
        if self.state == "sent":
            when = f"sent {self.sent_at:%Y-%m-%d %H:%M}"
        elif self.state == "pending":
            when = f"pending since {self.created_at:%Y-%m-%d %H:%M}"
        else:
            when = (
                f"failing after {self.attempts} attempts, next {self.next_attempt_at:%Y-%m-%d %H:%M}: {self.last_error}"
            )
        about = f" (notification #{self.notification})" if self.notification else ""
        return f"#{self.id} {self.state:<7} to {self.to} [{self.partner or '-'}]{about}: {self.subject} — {when}"


def outbox_entries(session: Session, *, pending_only: bool = False, partner: str | None = None) -> list[OutboxEntry]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if pending_only:
        query = query.where(OutboxMessage.sent_at.is_(None))
    if partner is not None:
        query = query.where(OutboxMessage.partner_id == partner)
    out = []
    for m in session.scalars(query):
        state = "sent" if m.sent_at is not None else ("failing" if m.attempts else "pending")
        out.append(
            OutboxEntry(
                m.id,
                state,
                m.to_address,
                m.partner_id,
                m.notification_id,
                m.subject,
                m.created_at,
                m.attempts,
                m.sent_at,
                None if m.sent_at else m.next_attempt_at,
                m.last_error,
            )
        )
    return out


def retry_delay(attempts: int) -> dt.timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def build_email(message: OutboxMessage, settings: SmtpSettings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at.replace(tzinfo=dt.UTC))
    email.set_content(message.body)
    return email


def deliver(email: EmailMessage, settings: SmtpSettings) -> None:
    if settings.ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(email)


def flush_outbox(
    database: Database, clock: Clock, settings: SmtpSettings, *, actor: str = "registry", limit: int = 200
) -> SendReport:
    """Send every message that is due; one transaction per message."""
    report = SendReport()
    now = clock.now()
    with database.reading() as session:
        due = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
        unsent = (
            session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) or 0
        )
        report.waiting = unsent - len(due)
    if not settings.host:
        report.waiting += len(due)
        return report
    for message_id in due:
        with database.transaction() as session:
            claimed = rows_matched(
                session,
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + CLAIM_FOR),
            )
        if not claimed:  # another sender has it, or sent it
            continue
        with database.transaction() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.sent_at is not None:
                continue
            try:
                deliver(build_email(message, settings), settings)
            except (OSError, smtplib.SMTPException) as exc:
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.next_attempt_at = now + retry_delay(message.attempts)
                report.failed[message_id] = message.last_error
                audit.record(
                    session,
                    now,
                    actor,
                    "email_failed",
                    message.to_address,
                    message.last_error,
                    outbox=message_id,
                    attempts=message.attempts,
                )
                continue
            message.attempts += 1
            message.sent_at = now
            message.last_error = None
            report.sent.append(message_id)
            audit.record(
                session,
                now,
                actor,
                "email_sent",
                message.to_address,
                "",
                outbox=message_id,
                notification=message.notification_id,
            )
    return report
