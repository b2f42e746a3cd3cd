"""The catalogue of Parameters (P2-P4): who declares each, who reads it, its status.

A Parameter is deprecated with a replacement and a removal date: the aides still reading it get
warnings naming all three. It is removed only once no aide depends on it (P4), and never before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.core import RuleSet
from mesaides.registry import audit
from mesaides.registry.models import LIVE_STATUSES, Aide, Parameter, Partner
from mesaides.registry.notifications import notify
from mesaides.registry.statuses import ParameterStatus
from mesaides.registry.transitions import move

ACTIVE, DEPRECATED, REMOVED = ParameterStatus.ACTIVE, ParameterStatus.DEPRECATED, ParameterStatus.REMOVED


class ParameterError(ValueError):
    pass


class ParameterInUse(ParameterError):
    """P4: the Parameter is still read; ``aides`` lists the aides that read it, ``quantities`` the
    other quantities of the installed rules (the core's too) that read it."""

    SHOWN = 12

    def __init__(self, name: str, aides: list[str], quantities: Iterable[str] = ()):
        self.name = name
        self.aides = aides
        self.quantities = list(quantities)
        parts = []
        if aides:
            parts.append(f"{len(aides)} aide{'s' if len(aides) > 1 else ''}: {_some(aides, self.SHOWN)}")
        if self.quantities:
            n = len(self.quantities)
            parts.append(
                f"{n} quantit{'ies' if n > 1 else 'y'} of the installed rules: {_some(self.quantities, self.SHOWN)}"
            )
        super().__init__(f"P4: Parameter {name} cannot be removed: still read by {'; '.join(parts)}")


def _some(names: list[str], shown: int) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


@dataclass(frozen=True)
class ParameterState:
    name: str
    owner: str
    status: str
    label: str
    readers: tuple[str, ...]
    declared: bool
    deprecated_since: dt.date | None
    replacement: str | None
    removal_date: dt.date | None
    removed_at: dt.datetime | None


def readers(session: Session, name: str) -> list[str]:
    """The aides (not removed nor refused) that read ``name``, as of the last sync."""
    rows = session.scalars(select(Aide).where(Aide.status.in_(LIVE_STATUSES)))
    return sorted(a.name for a in rows if name in (a.parameters or ()) or name in (a.reads or ()))


def catalogue(session: Session) -> list[ParameterState]:
    live = list(session.scalars(select(Aide).where(Aide.status.in_(LIVE_STATUSES))))
    out = []
    for p in session.scalars(select(Parameter).order_by(Parameter.name)):
        users = tuple(sorted(a.name for a in live if p.name in (a.parameters or ()) or p.name in (a.reads or ())))
        out.append(
            ParameterState(
                p.name,
                p.owner,
                p.status,
                p.label,
                users,
                p.declared,
                p.deprecated_since,
                p.replacement,
                p.removal_date,
                p.removed_at,
            )
        )
    return out


def _get(session: Session, name: str) -> Parameter:
    row = session.get(Parameter, name)
    if row is None:
        raise ParameterError(f"unknown Parameter {name!r}: sync the distributions first")
    return row


def _partners_reading(session: Session, names: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in session.scalars(select(Aide).where(Aide.name.in_(names))):
        if a.partner_id:
            out.setdefault(a.partner_id, []).append(a.name)
    return out


def deprecate(
    session: Session,
    now: dt.datetime,
    name: str,
    *,
    by: str,
    reason: str,
    replacement: str | None = None,
    removal_date: dt.date | None = None,
) -> Parameter:
    row = _get(session, name)
    if row.status == REMOVED:
        raise ParameterError(f"Parameter {name} is already removed")
    if replacement is not None:
        other = session.get(Parameter, replacement)
        if other is None or other.status != ACTIVE:
            raise ParameterError(f"the replacement {replacement!r} is not an active Parameter")
    if removal_date is not None and removal_date < now.date():
        raise ParameterError(f"the removal date {removal_date} is in the past")
    move(row, DEPRECATED, name=name, what="Parameter")
    row.deprecated_since, row.replacement = now.date(), replacement
    row.removal_date, row.deprecation_reason = removal_date, reason
    audit.record(
        session, now, by, "parameter_deprecated", name, reason, replacement=replacement, removal_date=removal_date
    )
    users = readers(session, name)
    instead = f"Utilisez {replacement} à la place. " if replacement else ""
    when = f"Il sera retiré le {removal_date:%d/%m/%Y}. " if removal_date else ""
    notify(
        session,
        now,
        actor=by,
        kind="parameter_deprecated",
        rule="P4",
        subject=name,
        subject_kind="parameter",
        title=f"Le Parameter {name} est déprécié",
        body=f"Le Parameter {name} est déprécié : {reason}. {instead}{when}Vos aides qui le lisent doivent être mises à jour.",
        recipients=_partners_reading(session, users),
        details={"replacement": replacement, "removal_date": removal_date, "readers": users},
    )
    return row


def remove(session: Session, now: dt.datetime, name: str, *, by: str, reason: str, rules: RuleSet) -> Parameter:
    """P4: remove a Parameter nothing depends on: no aide the registry knows, and no quantity of
    the installed ``rules``, the core's included (``RuleSet.graph.downstream``); refused, with
    who reads it, otherwise."""
    row = _get(session, name)
    if row.status == REMOVED:
        raise ParameterError(f"Parameter {name} is already removed")
    users = readers(session, name)
    quantities = sorted(q for q in rules.graph.downstream(name) if q in rules.quantities and q not in users)
    if users or quantities:
        raise ParameterInUse(name, users, quantities)  # the caller records the refusal (this transaction rolls back)
    move(row, REMOVED, name=name, what="Parameter")
    row.removed_at, row.removed_by, row.removal_reason = now, by, reason
    audit.record(session, now, by, "parameter_removed", name, reason)
    recipients: dict[str, list[str]] = {
        p.id: [] for p in session.scalars(select(Partner).where(Partner.distribution.is_not(None)))
    }
    notify(
        session,
        now,
        actor=by,
        kind="parameter_removed",
        rule="P4",
        subject=name,
        subject_kind="parameter",
        title=f"Le Parameter {name} est retiré",
        body=f"Le Parameter {name} est retiré du catalogue ({reason}) : aucune aide ne le lit plus. "
        "Une distribution qui le lirait encore échoue à `mesaides registry check`.",
        recipients=recipients,
    )
    return row
