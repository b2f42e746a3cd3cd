"""Notifications to partners, their acknowledgements, and the email outbox.

A notification is written with its recipients and one outbox message per recipient in the same
transaction, so that a message is never lost if the process dies before it is sent. A
notification that carries a notice (A7, G3) stays open until every recipient acknowledges.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.models import Acknowledgement, Notification, OutboxMessage, Partner
from mesaides.registry.notices import ACKNOWLEDGE_HELP

NOTICE_BY_PARTNER = "notice_by_partner"
NO_INTERACTION = "no_interaction"
UPDATED = "updated"


class NotificationError(ValueError):
    pass


def notify(
    session: Session,
    now: dt.datetime,
    *,
    actor: str,
    kind: str,
    rule: str,
    subject: str,
    subject_kind: str,
    title: str,
    body: str,
    recipients: Mapping[str, Iterable[str]],
    requires_ack: bool = False,
    notice: str | None = None,
    notice_aides: Iterable[str] = (),
    notice_by_partner: Mapping[str, Iterable[str]] | None = None,
    details: Mapping[str, Any] | None = None,
    sync_id: int | None = None,
) -> Notification | None:
    """Record a notification to ``recipients`` (partner id -> the aides of theirs concerned).

    ``notice_aides`` show the notice until every recipient answers; with ``notice_by_partner``
    instead, each aide shows it only until the partners it concerns have answered (A7)."""
    if not recipients:
        return None
    details = dict(details or {})
    if notice_by_partner is not None:
        details[NOTICE_BY_PARTNER] = {p: sorted(set(a)) for p, a in notice_by_partner.items()}
        notice_aides = {a for aides in notice_by_partner.values() for a in aides}
    notification = Notification(
        kind=kind,
        rule=rule,
        subject=subject,
        subject_kind=subject_kind,
        title=title,
        body=body,
        details=audit.plain(details),
        sync_id=sync_id,
        created_at=now,
        requires_ack=requires_ack,
        notice=notice,
        notice_aides=sorted(set(notice_aides)),
    )
    session.add(notification)
    session.flush()
    partners = {p.id: p for p in session.scalars(select(Partner).where(Partner.id.in_(list(recipients))))}
    for partner_id, aides in sorted(recipients.items()):
        aides = sorted(set(aides))
        session.add(Acknowledgement(notification_id=notification.id, partner_id=partner_id, impacted_aides=aides))
        partner = partners.get(partner_id)
        if partner is None or not partner.referent_email:
            audit.record(
                session,
                now,
                actor,
                "email_skipped",
                partner_id,
                "Pa2: the partner names no referent email",
                notification=notification.id,
            )
            continue
        session.add(
            OutboxMessage(
                notification_id=notification.id,
                partner_id=partner_id,
                to_address=partner.referent_email,
                subject=f"[mesaides] [{rule}] {title}",
                body=email_body(notification, partner_id, aides),
                message_id=f"<mesaides.{notification.id}.{partner_id}.{uuid.uuid4().hex[:12]}@registry.mesaides>",
                created_at=now,
                next_attempt_at=now,
            )
        )
    audit.record(
        session,
        now,
        actor,
        "notify",
        subject,
        f"{rule}: {title}",
        notification=notification.id,
        kind=kind,
        recipients=sorted(recipients),
        notice=notice,
    )
    return notification


def impact_lines(details: Mapping[str, Any], aides: Iterable[str]) -> list[dict[str, Any]]:
    """The measured impact lines a recipient whose aides concerned are ``aides`` is shown (by
    email and in its space): of a change set, those of the changed aides and of its own."""
    impact = list(details.get("impact") or [])
    changed = {c["aide"] for c in details.get("changes") or ()}
    if changed:
        own = set(aides)
        impact = [m for m in impact if m["aide"] in changed or m["aide"] in own]
    return impact


def email_body(notification: Notification, partner_id: str, aides: list[str]) -> str:
    lines = [notification.title, "", notification.body.strip(), ""]
    if aides:
        lines += ["Vos aides concernées : " + ", ".join(aides), ""]
    impact = impact_lines(notification.details, aides)
    if impact:
        lines.append("Impact mesuré sur la population de référence (ménages) :")
        for m in impact:
            if m.get("error"):  # the technical reason is in `mesaides registry impact`
                lines.append(f"  - {m['aide']} : non mesuré (voir `mesaides registry impact --subject {m['subject']}`)")
                continue
            lines.append(
                f"  - {m['aide']} ({m['owner']}) : {m['gained']} gagnent l'aide, {m['lost']} la perdent, "
                f"{m['changed']} montants changent (moyenne {m['mean_change']:+.2f} €, "
                f"plus forte hausse {m['largest_increase']:+.2f} €, plus forte baisse {m['largest_decrease']:+.2f} €)"
            )
        lines.append("")
    if notification.requires_ack:
        lines.append(ACKNOWLEDGE_HELP.format(id=notification.id, partner=partner_id))
    lines.append(
        f"Notification n° {notification.id} ({notification.rule}), {notification.created_at:%Y-%m-%d %H:%M} UTC."
    )
    return "\n".join(lines) + "\n"


def acknowledge(
    session: Session,
    now: dt.datetime,
    notification_id: int,
    partner_id: str,
    *,
    by: str,
    updated: bool = False,
    comment: str = "",
) -> Notification:
    """A7: a partner confirms there is no interaction, or that it updated its aides."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise NotificationError(f"no notification #{notification_id}")
    ack = session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.notification_id == notification_id, Acknowledgement.partner_id == partner_id
        )
    )
    if ack is None:
        raise NotificationError(f"notification #{notification_id} was not sent to partner {partner_id!r}")
    if ack.acknowledged_at is not None:
        raise NotificationError(
            f"partner {partner_id!r} already acknowledged notification #{notification_id} on {ack.acknowledged_at:%Y-%m-%d}"
        )
    ack.acknowledged_at = now
    ack.answer = UPDATED if updated else NO_INTERACTION
    ack.by = by
    ack.comment = comment
    audit.record(
        session,
        now,
        by,
        "acknowledge",
        notification.subject,
        comment,
        notification=notification_id,
        partner=partner_id,
        answer=ack.answer,
    )
    close_if_answered(session, notification, now, by)
    return notification


def close_if_answered(session: Session, notification: Notification, now: dt.datetime, actor: str) -> bool:
    if notification.closed_at is not None:
        return True
    pending = session.scalars(
        select(Acknowledgement).where(
            Acknowledgement.notification_id == notification.id, Acknowledgement.acknowledged_at.is_(None)
        )
    ).all()
    if pending:
        return False
    notification.closed_at = now
    lifted = f"; the {notification.notice} notice is lifted" if notification.notice else ""
    audit.record(
        session,
        now,
        actor,
        "notification_closed",
        notification.subject,
        f"every recipient answered{lifted}",
        notification=notification.id,
    )
    return True


def open_notices(session: Session) -> list[Notification]:
    """Notifications whose notice (A7, G3) users still see."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.notice.is_not(None), Notification.closed_at.is_(None))
            .order_by(Notification.id)
        )
    )


def aides_showing_notice(notification: Notification, waiting: Iterable[str]) -> list[str]:
    """A7: the aides that still show the notice of ``notification`` while ``waiting`` partners
    have not answered."""
    by_partner = (notification.details or {}).get(NOTICE_BY_PARTNER)
    if by_partner is None:
        return list(notification.notice_aides)
    return sorted({a for p in waiting for a in by_partner.get(p, ())})


def waiting_for(session: Session, notification_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Acknowledgement.partner_id).where(
                Acknowledgement.notification_id == notification_id, Acknowledgement.acknowledged_at.is_(None)
            )
        )
    )
