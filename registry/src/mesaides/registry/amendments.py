"""C1, in one place: the convention has a version number, incremented at each amendment, and
every partner is informed at least 30 days before an amendment applies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.models import Amendment, Partner
from mesaides.registry.notifications import notify

NOTICE_PERIOD = dt.timedelta(days=30)
FIRST_VERSION = 1
"""The convention's version before any amendment recorded here."""


class AmendmentError(ValueError):
    pass


def current_version(session: Session, today: dt.date) -> int:
    """The convention's version in force on ``today``: the last amendment applied by then."""
    applied = session.scalar(select(func.max(Amendment.version)).where(Amendment.applies_on <= today))
    return applied or FIRST_VERSION


def amendments(session: Session) -> list[Amendment]:
    return list(session.scalars(select(Amendment).order_by(Amendment.version.desc())))


def announce(session: Session, now: dt.datetime, summary: str, applies_on: dt.date, *, by: str) -> Amendment:
    """Record an amendment and notify every partner; refused when it applies less than 30 days
    after today (C1) or says nothing."""
    summary = summary.strip()
    if not summary:
        raise AmendmentError("summary: say what the amendment changes")
    earliest = (now + NOTICE_PERIOD).date()
    if applies_on < earliest:
        raise AmendmentError(
            f"applies_on: C1: partners are informed at least 30 days before an amendment applies: "
            f"{applies_on:%Y-%m-%d} is too soon, the earliest is {earliest:%Y-%m-%d}"
        )
    latest = session.scalar(select(func.max(Amendment.version))) or FIRST_VERSION
    amendment = Amendment(version=latest + 1, summary=summary, applies_on=applies_on, announced_at=now, announced_by=by)
    session.add(amendment)
    session.flush()
    audit.record(
        session, now, by, "amendment_announced", f"convention v{amendment.version}", summary, applies_on=applies_on
    )
    notify(
        session,
        now,
        actor=by,
        kind="amendment",
        rule="C1",
        subject=f"convention v{amendment.version}",
        subject_kind="convention",
        title=f"Avenant à la convention : version {amendment.version}, applicable le {applies_on:%d/%m/%Y}",
        body=f"La convention de partenariat passe en version {amendment.version} le {applies_on:%d/%m/%Y} "
        f"(vous en êtes informés au moins 30 jours avant, C1).\n\n{summary}",
        recipients={p.id: [] for p in session.scalars(select(Partner).order_by(Partner.id))},
        details={"amendment": amendment.id, "version": amendment.version, "applies_on": applies_on},
    )
    return amendment
