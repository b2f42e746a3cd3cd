"""O4 and Pa2: what has waited more than two weeks for an answer.

- a partner's acknowledgement of a notification (Pa2: the referent answers within two weeks);
- a question to a partner (Pa2) or to the operator (O4);
- a suggested aide the operator has not decided on (O4: users' requests);
- an email still not delivered after retries;
- a correction period that ran out (A9), until the next run suspends the aide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry.models import SUGGESTED, Acknowledgement, Aide, Defect, Notification, OutboxMessage, Question

ANSWER_WITHIN = dt.timedelta(days=14)


@dataclass(frozen=True)
class OverdueItem:
    rule: str
    who: str
    """Who must answer: a partner id, or ``operator``."""
    what: str
    since: dt.datetime
    days: int

    def __str__(self) -> str:
        return f"[{self.rule}] {self.who}: {self.what} (waiting since {self.since:%Y-%m-%d}, {self.days} days)"


def overdue(session: Session, now: dt.datetime) -> list[OverdueItem]:
    limit = now - ANSWER_WITHIN
    items: list[OverdueItem] = []

    def add(rule: str, who: str, what: str, since: dt.datetime) -> None:
        items.append(OverdueItem(rule, who, what, since, (now - since).days))

    rows = session.execute(
        select(Acknowledgement, Notification)
        .join(Notification, Notification.id == Acknowledgement.notification_id)
        .where(
            Acknowledgement.acknowledged_at.is_(None),
            Notification.requires_ack.is_(True),
            Notification.created_at < limit,
        )
        .order_by(Notification.id)
    ).all()
    for ack, n in rows:
        add("Pa2", ack.partner_id, f"has not answered notification #{n.id} ({n.rule}): {n.title}", n.created_at)
    for q in session.scalars(select(Question).where(Question.answered_at.is_(None), Question.asked_at < limit)):
        if q.direction == "to_operator":
            add("O4", "operator", f"has not answered question #{q.id} from {q.partner_id}: {q.text}", q.asked_at)
        else:
            add("Pa2", q.partner_id, f"has not answered question #{q.id}: {q.text}", q.asked_at)
    for a in session.scalars(select(Aide).where(Aide.status == SUGGESTED, Aide.suggested_at < limit)):
        add("O4", "operator", f"has not decided on the suggested aide {a.name} (A1)", a.suggested_at)
    for m in session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)):
        add(
            "outbox",
            m.partner_id or m.to_address,
            f"email #{m.id} to {m.to_address} not delivered after {m.attempts} attempts: {m.last_error}",
            m.created_at,
        )
    for d in session.scalars(select(Defect).where(Defect.status == "open", Defect.deadline < now)):
        add(
            "A9",
            "operator",
            f"the correction period of defect #{d.id} on {d.aide} ran out: the aide is to be suspended",
            d.deadline,
        )
    return sorted(items, key=lambda i: i.since)
