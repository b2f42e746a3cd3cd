"""Questions between the operator and partners, each to be answered within two weeks
(O4 for the operator, Pa2 for a partner's referent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.models import Partner, Question
from mesaides.registry.notifications import notify

TO_OPERATOR, TO_PARTNER = "to_operator", "to_partner"


class QuestionError(ValueError):
    pass


def ask(session: Session, now: dt.datetime, partner_id: str, text: str, *, by: str, to_operator: bool) -> Question:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise QuestionError(f"unknown partner {partner_id!r}")
    q = Question(
        partner_id=partner_id,
        direction=TO_OPERATOR if to_operator else TO_PARTNER,
        text=text,
        asked_by=by,
        asked_at=now,
    )
    session.add(q)
    session.flush()
    audit.record(session, now, by, "question_asked", partner_id, text, question=q.id, direction=q.direction)
    if not to_operator:
        notify(
            session,
            now,
            actor=by,
            kind="question",
            rule="Pa2",
            subject=partner_id,
            subject_kind="partner",
            title=f"Question de l'opérateur (n° {q.id})",
            body=f"{text}\n\nMerci de répondre sous deux semaines (Pa2) : mesaides registry answer {q.id} --text ...",
            recipients={partner_id: []},
            details={"question": q.id},
        )
    return q


def answer(session: Session, now: dt.datetime, question_id: int, text: str, *, by: str) -> Question:
    q = session.get(Question, question_id)
    if q is None:
        raise QuestionError(f"no question #{question_id}")
    if q.answered_at is not None:
        raise QuestionError(f"question #{question_id} was answered on {q.answered_at:%Y-%m-%d}")
    q.answer, q.answered_by, q.answered_at = text, by, now
    audit.record(session, now, by, "question_answered", q.partner_id, text, question=q.id)
    return q
