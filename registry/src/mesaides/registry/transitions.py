"""Every change of status, checked against the transition tables of :mod:`mesaides.registry.statuses`
and written to the audit log. Below the modules of each rule (lifecycle, defects, Parameters) so
that each can use it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.models import Aide
from mesaides.registry.statuses import AideStatus, StatusTransitionError, _Status


class LifecycleError(ValueError):
    """An operation on an aide the convention does not allow, with the reason."""


def get_aide(session: Session, name: str) -> Aide:
    aide = session.get(Aide, name)
    if aide is None:
        raise LifecycleError(f"unknown aide {name!r} (not suggested, and not registered by a synced distribution)")
    return aide


def set_status(session: Session, aide: Aide, status: AideStatus | str, now: dt.datetime, by: str, reason: str) -> None:
    """Move ``aide`` to ``status``, recording who, when and why; a move the convention does not
    allow (:data:`mesaides.registry.statuses.TRANSITIONS`) raises :class:`StatusTransitionError`."""
    status = AideStatus(status)
    before = AideStatus(aide.status)
    if not before.can_become(status):
        raise StatusTransitionError(aide.name, before, status)
    audit.record(session, now, by, "aide_status", aide.name, reason, before=aide.status, after=status)
    aide.status, aide.status_reason, aide.status_changed_at, aide.status_changed_by = status, reason, now, by


def move(row: object, status: _Status, *, name: str, what: str) -> None:
    """Move a Parameter or a defect (``row.status``) to ``status``, refusing a move its table does not list."""
    before = type(status)(row.status)  # type: ignore[attr-defined]
    if not before.can_become(status):
        raise StatusTransitionError(name, before, status, what)
    row.status = status  # type: ignore[attr-defined]
