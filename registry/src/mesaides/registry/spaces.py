"""What each party's space in the portal shows, read in one transaction: a partner's (what is
addressed to it, what it must do, with the time left) and the operator's (what waits on it).

These are read models: they change nothing. The actions are the facade's methods; who may read
which space is the facade's business (``Registry.partner_space``, ``Registry.operator_space``).
:class:`Figures` holds counts only, for the statistics viewers, who never see the content of a
situation or a message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry import defects
from mesaides.registry.lifecycle import QUALITY, RELIABILITY
from mesaides.registry.models import (
    Acknowledgement,
    Aide,
    Defect,
    ExpertCase,
    Notification,
    Partner,
    Question,
    SignOff,
)
from mesaides.registry.notifications import impact_lines
from mesaides.registry.overdue import ANSWER_WITHIN, DueItem, OverdueItem, due_soon, overdue
from mesaides.registry.parameter_catalogue import ParameterState, catalogue
from mesaides.registry.questions import TO_OPERATOR, TO_PARTNER
from mesaides.registry.statuses import SHOWABLE, AideStatus, DefectStatus

DUE_SOON = dt.timedelta(days=3)
"""How far ahead the operator's space warns of a deadline."""


def days_left(now: dt.datetime, due: dt.datetime) -> int:
    """Whole days from ``now`` to ``due``: 0 on its last day, negative once it ran out."""
    return (due - now) // dt.timedelta(days=1)


@dataclass(frozen=True)
class PartnerInfo:
    id: str
    name: str
    scope: str
    referent_email: str


@dataclass(frozen=True)
class NotificationItem:
    """A notification addressed to one partner, with its answer (A7) if given."""

    id: int
    rule: str
    kind: str
    title: str
    body: str
    created_at: dt.datetime
    requires_ack: bool
    notice: str | None
    closed_at: dt.datetime | None
    aides: tuple[str, ...]
    """This partner's aides concerned."""
    changes: tuple[dict[str, Any], ...]
    """The aides the change set changed (``aide``, ``detail``, ``version``)."""
    impact: tuple[dict[str, Any], ...]
    """The measured impact lines this partner is shown (see ``notifications.impact_lines``)."""
    answer: str | None
    answered_at: dt.datetime | None
    answered_by: str | None
    waiting_for: tuple[str, ...]
    """The partners who have not answered yet (the notice stays until none is left)."""
    due: dt.datetime
    """Pa2: the referent answers within two weeks."""

    @property
    def to_answer(self) -> bool:
        return self.requires_ack and self.answered_at is None


@dataclass(frozen=True)
class AideItem:
    name: str
    label: str
    status: AideStatus
    status_reason: str
    version: str | None
    partner: str | None
    signed_off: frozenset[str]
    """The A6 sign-offs (``reliability``, ``quality``) given to the current rules."""
    expert_cases: int

    @property
    def awaits_reliability(self) -> bool:
        """A6(a): a version the partner has not deemed reliable, which could be shown."""
        return self.status in SHOWABLE and self.version is not None and RELIABILITY not in self.signed_off

    @property
    def awaits_quality(self) -> bool:
        """A6(b): a version the operator has not checked."""
        return self.status in SHOWABLE and self.version is not None and QUALITY not in self.signed_off


@dataclass(frozen=True)
class DefectItem:
    id: int
    aide: str
    partner: str | None
    description: str
    opened_at: dt.datetime
    deadline: dt.datetime
    renewals: int
    status: DefectStatus
    days_left: int
    """A9: whole days left of the correction period (negative once it ran out)."""

    @property
    def renewable(self) -> bool:
        return self.status == DefectStatus.OPEN and self.renewals < defects.MAX_RENEWALS and self.days_left >= 0


@dataclass(frozen=True)
class QuestionItem:
    id: int
    partner: str
    direction: str
    """``to_operator`` (O4) or ``to_partner`` (Pa2)."""
    text: str
    asked_by: str
    asked_at: dt.datetime
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    due: dt.datetime
    days_left: int


@dataclass(frozen=True)
class Figures:
    """Counts only: what a statistics viewer sees."""

    notifications: int = 0
    notifications_to_answer: int = 0
    questions_waiting: int = 0
    defects_open: int = 0
    aides_by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


@dataclass(frozen=True)
class PartnerSpace:
    partner: PartnerInfo
    now: dt.datetime
    notifications: list[NotificationItem]
    aides: list[AideItem]
    defects: list[DefectItem]
    questions: list[QuestionItem]

    @property
    def to_answer(self) -> list[NotificationItem]:
        return [n for n in self.notifications if n.to_answer]

    @property
    def to_sign_off(self) -> list[AideItem]:
        return [a for a in self.aides if a.awaits_reliability]

    @property
    def questions_to_operator(self) -> list[QuestionItem]:
        return [q for q in self.questions if q.direction == TO_OPERATOR]

    @property
    def questions_from_operator(self) -> list[QuestionItem]:
        return [q for q in self.questions if q.direction == TO_PARTNER]

    def figures(self) -> Figures:
        return Figures(
            notifications=len(self.notifications),
            notifications_to_answer=len(self.to_answer),
            questions_waiting=sum(q.answered_at is None for q in self.questions),
            defects_open=len(self.defects),
            aides_by_status=dict(Counter(str(a.status) for a in self.aides)),
        )


@dataclass(frozen=True)
class OperatorSpace:
    now: dt.datetime
    overdue: list[OverdueItem]
    due_soon: list[DueItem]
    suggestions: list[AideItem]
    """A1, A2: suggested aides waiting for a decision."""
    awaiting_quality: list[AideItem]
    """A6(b): versions waiting for the operator's sign-off."""
    parameters: list[ParameterState]
    questions: list[QuestionItem]
    defects: list[DefectItem]
    aides: list[AideItem]
    partners: list[PartnerInfo]

    @property
    def ready_to_publish(self) -> list[AideItem]:
        """A6, G2: versions both sign-offs cover, not public yet (publishing runs the checks)."""
        return [
            a
            for a in self.aides
            if a.status in (AideStatus.DEVELOPMENT, AideStatus.PREVIEW) and {RELIABILITY, QUALITY} <= a.signed_off
        ]

    @property
    def questions_to_answer(self) -> list[QuestionItem]:
        return [q for q in self.questions if q.direction == TO_OPERATOR and q.answered_at is None]

    def figures(self) -> Figures:
        return Figures(
            questions_waiting=len(self.questions_to_answer),
            defects_open=len(self.defects),
            aides_by_status=dict(Counter(str(a.status) for a in self.aides)),
            overdue=len(self.overdue),
        )


def _partner_info(p: Partner) -> PartnerInfo:
    return PartnerInfo(p.id, p.name, p.scope, p.referent_email)


def partner_info(session: Session, partner_id: str) -> PartnerInfo:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise KeyError(f"unknown partner {partner_id!r}")
    return _partner_info(partner)


def _aide_items(session: Session, aides: list[Aide]) -> list[AideItem]:
    names = [a.name for a in aides]
    signed: dict[str, set[str]] = {}
    fingerprints = {a.name: a.fingerprint for a in aides}
    for s in session.scalars(select(SignOff).where(SignOff.aide.in_(names))):
        if s.fingerprint is not None and s.fingerprint == fingerprints.get(s.aide):
            signed.setdefault(s.aide, set()).add(s.kind)
    cases = Counter(session.scalars(select(ExpertCase.aide).where(ExpertCase.aide.in_(names))))
    return [
        AideItem(
            a.name,
            a.label or a.name,
            AideStatus(a.status),
            a.status_reason,
            a.version,
            a.partner_id,
            frozenset(signed.get(a.name, ())),
            cases[a.name],
        )
        for a in aides
    ]


def _defect_items(session: Session, now: dt.datetime, rows: list[Defect]) -> list[DefectItem]:
    partners = {
        name: partner
        for name, partner in session.execute(
            select(Aide.name, Aide.partner_id).where(Aide.name.in_([d.aide for d in rows]))
        )
    }
    return [
        DefectItem(
            d.id,
            d.aide,
            partners.get(d.aide),
            d.description,
            d.opened_at,
            d.deadline,
            d.renewals,
            DefectStatus(d.status),
            days_left(now, d.deadline),
        )
        for d in rows
    ]


def _question_items(now: dt.datetime, rows: list[Question]) -> list[QuestionItem]:
    return [
        QuestionItem(
            q.id,
            q.partner_id,
            q.direction,
            q.text,
            q.asked_by,
            q.asked_at,
            q.answer,
            q.answered_by,
            q.answered_at,
            q.asked_at + ANSWER_WITHIN,
            days_left(now, q.asked_at + ANSWER_WITHIN),
        )
        for q in rows
    ]


def partner_space(session: Session, now: dt.datetime, partner_id: str) -> PartnerSpace:
    """Everything addressed to ``partner_id``, newest first, what waits on it first."""
    info = partner_info(session, partner_id)
    rows = session.execute(
        select(Notification, Acknowledgement)
        .join(Acknowledgement, Acknowledgement.notification_id == Notification.id)
        .where(Acknowledgement.partner_id == partner_id)
        .order_by(Notification.id.desc())
    ).all()
    waiting: dict[int, list[str]] = {}
    ids = [n.id for n, _ in rows]
    for notification_id, other in session.execute(
        select(Acknowledgement.notification_id, Acknowledgement.partner_id).where(
            Acknowledgement.notification_id.in_(ids), Acknowledgement.acknowledged_at.is_(None)
        )
    ):
        waiting.setdefault(notification_id, []).append(other)
    notifications = [
        NotificationItem(
            n.id,
            n.rule,
            n.kind,
            n.title,
            n.body,
            n.created_at,
            n.requires_ack,
            n.notice,
            n.closed_at,
            tuple(ack.impacted_aides or ()),
            tuple((n.details or {}).get("changes") or ()),
            tuple(impact_lines(n.details or {}, ack.impacted_aides or [])),
            ack.answer,
            ack.acknowledged_at,
            ack.by,
            tuple(sorted(waiting.get(n.id, ()))),
            n.created_at + ANSWER_WITHIN,
        )
        for n, ack in rows
    ]
    notifications.sort(key=lambda n: not n.to_answer)  # stable: what to answer first, newest first
    aides = list(session.scalars(select(Aide).where(Aide.partner_id == partner_id).order_by(Aide.name)))
    partner_defects = [d for d in defects.unresolved(session) if d.aide in {a.name for a in aides}]
    questions = list(
        session.scalars(select(Question).where(Question.partner_id == partner_id).order_by(Question.id.desc()))
    )
    return PartnerSpace(
        info,
        now,
        notifications,
        _aide_items(session, aides),
        _defect_items(session, now, partner_defects),
        _question_items(now, questions),
    )


def operator_space(session: Session, now: dt.datetime) -> OperatorSpace:
    """What waits on the operator. Reads only: a correction period that ran out shows as overdue
    (A9) until the next run of the deadlines suspends its aide."""
    aides = _aide_items(session, list(session.scalars(select(Aide).order_by(Aide.name))))
    questions = list(session.scalars(select(Question).order_by(Question.id.desc())))
    return OperatorSpace(
        now,
        overdue(session, now),
        due_soon(session, now, DUE_SOON),
        [a for a in aides if a.status == AideStatus.SUGGESTED],
        [a for a in aides if a.awaits_quality],
        catalogue(session),
        _question_items(now, questions),
        _defect_items(session, now, defects.unresolved(session)),
        aides,
        [_partner_info(p) for p in session.scalars(select(Partner).order_by(Partner.name))],
    )
