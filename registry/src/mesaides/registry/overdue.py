"""What is due, and what is overdue: every deadline the convention sets, in one list.

- a partner's acknowledgement of a notification (Pa2: the referent answers within two weeks);
- a question to a partner (Pa2) or to the operator (O4);
- a suggested aide the operator has not decided on (O4: users' requests);
- a defect's correction period (A9): due on its deadline; once it ran out, the aide is suspended
  and the defect stays overdue until it is resolved or the aide removed;
- a deprecated Parameter's removal date (P4);
- an email still not delivered after retries (overdue only).

:func:`overdue` lists what is late; :func:`due_soon` what falls due within a few days, so that
people are warned before a deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry import defects
from mesaides.registry.models import Acknowledgement, Aide, Notification, OutboxMessage, Parameter, Question
from mesaides.registry.statuses import AideStatus, ParameterStatus

ANSWER_WITHIN = dt.timedelta(days=14)


@dataclass(frozen=True)
class OverdueItem:
    rule: str
    who: str
    """Who must act: a partner id, or ``operator``."""
    what: str
    since: dt.datetime
    days: int

    def __str__(self) -> str:
        return f"[{self.rule}] {self.who}: {self.what} (waiting since {self.since:%Y-%m-%d}, {self.days} days)"


@dataclass(frozen=True)
class DueItem:
    rule: str
    who: str
    what: str
    due: dt.datetime
    days: int
    """Whole days left."""

    def __str__(self) -> str:
        left = "within a day" if self.days == 0 else f"in {self.days} day{'s' if self.days > 1 else ''}"
        return f"[{self.rule}] {self.who}: {self.what} (due {self.due:%Y-%m-%d %H:%M}, {left})"


@dataclass(frozen=True)
class Deadline:
    rule: str
    who: str
    what: str
    due: dt.datetime
    since: dt.datetime
    """Since when it waits (what ``overdue`` counts from)."""
    key: str = ""
    """Names this deadline (and its due date) for good: what a reminder is recorded under."""
    expected: str = ""
    """What is expected, in French, for the reminder emails."""


def _deadlines(session: Session) -> list[Deadline]:
    out: list[Deadline] = []
    rows = session.execute(
        select(Acknowledgement, Notification)
        .join(Notification, Notification.id == Acknowledgement.notification_id)
        .where(Acknowledgement.acknowledged_at.is_(None), Notification.requires_ack.is_(True))
        .order_by(Notification.id)
    ).all()
    for ack, n in rows:
        what = f"has not answered notification #{n.id} ({n.rule}): {n.title}"
        expected = f"votre réponse à la notification n° {n.id} ({n.rule}) : {n.title}"
        key = f"ack:{n.id}:{ack.partner_id}"
        out.append(Deadline("Pa2", ack.partner_id, what, n.created_at + ANSWER_WITHIN, n.created_at, key, expected))
    for q in session.scalars(select(Question).where(Question.answered_at.is_(None))):
        due = q.asked_at + ANSWER_WITHIN
        if q.direction == "to_operator":
            what = f"has not answered question #{q.id} from {q.partner_id}: {q.text}"
            expected = f"la réponse à la question n° {q.id} du partenaire {q.partner_id} : {q.text}"
            out.append(Deadline("O4", "operator", what, due, q.asked_at, f"question:{q.id}", expected))
        else:
            what = f"has not answered question #{q.id}: {q.text}"
            expected = f"votre réponse à la question n° {q.id} de l'opérateur : {q.text}"
            out.append(Deadline("Pa2", q.partner_id, what, due, q.asked_at, f"question:{q.id}", expected))
    for a in session.scalars(select(Aide).where(Aide.status == AideStatus.SUGGESTED)):
        what = f"has not decided on the suggested aide {a.name} (A1)"
        expected = f"la décision sur l'aide suggérée {a.name} (A1)"
        # A suggestion is first seen when it is made (lifecycle.suggest records both).
        suggested_at = a.suggested_at or a.first_seen
        due = suggested_at + ANSWER_WITHIN
        out.append(Deadline("O4", "operator", what, due, suggested_at, f"suggested:{a.name}", expected))
    for d in defects.unresolved(session):
        partner = session.scalar(select(Aide.partner_id).where(Aide.name == d.aide)) or "operator"
        if d.status == defects.EXPIRED:
            what = (
                f"defect #{d.id} on {d.aide} is not resolved: its correction period ran out, the aide is "
                "suspended until it is (or the operator removes it)"
            )
        else:
            what = (
                f"corrects defect #{d.id} on {d.aide} before its correction period runs out, or the aide is suspended"
            )
        expected = (
            f"la correction du défaut n° {d.id} sur l'aide {d.aide} ({d.description}) ; "
            "sans correction, l'aide sera suspendue du simulateur public"
        )
        key = f"defect:{d.id}:{d.deadline:%Y-%m-%dT%H:%M}"  # a renewed period is a new deadline
        out.append(Deadline("A9", partner, what, d.deadline, d.deadline, key, expected))
    deprecated = select(Parameter).where(
        Parameter.status == ParameterStatus.DEPRECATED, Parameter.removal_date.is_not(None)
    )
    for p in session.scalars(deprecated):
        if p.removal_date is None:  # the query leaves them out
            continue
        due = dt.datetime.combine(p.removal_date, dt.time())
        what = f"the Parameter {p.name} is to be removed (deprecated since {p.deprecated_since})"
        expected = (
            f"le retrait du Parameter {p.name} (déprécié depuis le {p.deprecated_since:%d/%m/%Y}) : "
            "le registre le retire à cette date si plus rien ne le lit"
        )
        key = f"parameter:{p.name}:{p.removal_date}"
        out.append(Deadline("P4", "operator", what, due, due, key, expected))
    return out


def deadlines(session: Session) -> list[Deadline]:
    """Every deadline still to meet, late or not (the scheduler's reminders read them)."""
    return _deadlines(session)


def overdue(session: Session, now: dt.datetime) -> list[OverdueItem]:
    items = [
        OverdueItem(d.rule, d.who, d.what, d.since, (now - d.since).days) for d in _deadlines(session) if d.due < now
    ]
    for m in session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)):
        items.append(
            OverdueItem(
                "outbox",
                m.partner_id or m.to_address,
                f"email #{m.id} to {m.to_address} not delivered after {m.attempts} attempts: {m.last_error}",
                m.created_at,
                (now - m.created_at).days,
            )
        )
    return sorted(items, key=lambda i: i.since)


def due_soon(session: Session, now: dt.datetime, within: dt.timedelta) -> list[DueItem]:
    """What falls due between now and ``now + within`` (not yet overdue)."""
    items = [
        DueItem(d.rule, d.who, d.what, d.due, (d.due - now).days)
        for d in _deadlines(session)
        if now <= d.due < now + within
    ]
    return sorted(items, key=lambda i: i.due)
