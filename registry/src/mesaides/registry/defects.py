"""A9: defects. The operator notifies a partner of an aide's defect; the partner has 15 days to
correct it, a period the operator can renew 3 times. When the period runs out unfixed, the aide
is suspended from the public deployment, and its removal follows the impact rules (A10, A7).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.impacts import AideChange, AideView, ChangeSet, announce_change_set, impacted_by_aide
from mesaides.registry.lifecycle import LifecycleError, get_aide, set_status
from mesaides.registry.models import LIVE_STATUSES, REMOVED, SUSPENDED, Aide, Defect, Partner
from mesaides.registry.notifications import notify

CORRECTION_PERIOD = dt.timedelta(days=15)
MAX_RENEWALS = 3
OPEN, RESOLVED, EXPIRED = "open", "resolved", "expired"


def _get(session: Session, defect_id: int) -> Defect:
    defect = session.get(Defect, defect_id)
    if defect is None:
        raise LifecycleError(f"no defect #{defect_id}")
    if defect.status != OPEN:
        raise LifecycleError(f"defect #{defect_id} is {defect.status}")
    return defect


def _tell_partner(
    session: Session, now: dt.datetime, by: str, aide: Aide, kind: str, title: str, body: str, defect: Defect
) -> None:
    if aide.partner_id:
        notify(
            session,
            now,
            actor=by,
            kind=kind,
            rule="A9",
            subject=aide.name,
            subject_kind="aide",
            title=title,
            body=body,
            recipients={aide.partner_id: [aide.name]},
            details={"defect": defect.id, "deadline": defect.deadline},
        )


def notify_defect(session: Session, now: dt.datetime, name: str, *, by: str, description: str) -> Defect:
    aide = get_aide(session, name)
    if aide.status not in LIVE_STATUSES:
        raise LifecycleError(f"aide {name} is {aide.status}")
    if not description.strip():
        raise LifecycleError("describe the defect (--description)")
    defect = Defect(aide=name, description=description, opened_by=by, opened_at=now, deadline=now + CORRECTION_PERIOD)
    session.add(defect)
    session.flush()
    audit.record(session, now, by, "defect_notified", name, description, defect=defect.id, deadline=defect.deadline)
    _tell_partner(
        session,
        now,
        by,
        aide,
        "defect",
        f"Défaut signalé sur l'aide {name} (n° {defect.id})",
        f"L'opérateur signale un défaut sur l'aide {name} : {description}\n\n"
        f"Vous avez jusqu'au {defect.deadline:%d/%m/%Y} pour le corriger (15 jours, A9). Sans correction, "
        "l'aide sera suspendue du simulateur public.",
        defect,
    )
    return defect


def renew(session: Session, now: dt.datetime, defect_id: int, *, by: str, reason: str) -> Defect:
    defect = _get(session, defect_id)
    if defect.renewals >= MAX_RENEWALS:
        raise LifecycleError(
            f"A9: the correction period of defect #{defect_id} was already renewed {MAX_RENEWALS} times"
        )
    if now > defect.deadline:
        raise LifecycleError(f"A9: the correction period of defect #{defect_id} ran out on {defect.deadline:%Y-%m-%d}")
    defect.renewals += 1
    defect.deadline = defect.deadline + CORRECTION_PERIOD
    audit.record(
        session,
        now,
        by,
        "defect_renewed",
        defect.aide,
        reason,
        defect=defect.id,
        renewals=defect.renewals,
        deadline=defect.deadline,
    )
    aide = get_aide(session, defect.aide)
    _tell_partner(
        session,
        now,
        by,
        aide,
        "defect_renewed",
        f"Délai de correction prolongé : aide {aide.name} (défaut n° {defect.id})",
        f"Le délai de correction du défaut n° {defect.id} est prolongé jusqu'au {defect.deadline:%d/%m/%Y} "
        f"(renouvellement {defect.renewals} sur {MAX_RENEWALS}, A9). {reason}",
        defect,
    )
    return defect


def resolve(session: Session, now: dt.datetime, defect_id: int, *, by: str, reason: str) -> Defect:
    defect = _get(session, defect_id)
    defect.status, defect.closed_at, defect.closed_by, defect.close_reason = RESOLVED, now, by, reason
    audit.record(session, now, by, "defect_resolved", defect.aide, reason, defect=defect.id)
    return defect


def expire_defects(session: Session, now: dt.datetime, *, by: str = "registry") -> list[Defect]:
    """Suspend the aides whose correction period ran out (A9), telling the partners of the
    aides that may depend on them (A10, with the A7 notice on those aides)."""
    expired = list(session.scalars(select(Defect).where(Defect.status == OPEN, Defect.deadline < now)))
    for defect in expired:
        defect.status, defect.closed_at, defect.closed_by = EXPIRED, now, by
        defect.close_reason = f"not corrected by {defect.deadline:%Y-%m-%d}"
        aide = session.get(Aide, defect.aide)
        audit.record(
            session,
            now,
            by,
            "defect_expired",
            defect.aide,
            defect.close_reason,
            defect=defect.id,
            renewals=defect.renewals,
        )
        if aide is None or aide.status in (SUSPENDED, REMOVED):
            continue
        set_status(
            session, aide, SUSPENDED, now, by, f"A9: defect #{defect.id} not corrected by {defect.deadline:%Y-%m-%d}"
        )
        _tell_partner(
            session,
            now,
            by,
            aide,
            "aide_suspended",
            f"Aide {aide.name} suspendue (défaut n° {defect.id})",
            f"Le défaut n° {defect.id} ({defect.description}) n'a pas été corrigé avant le {defect.deadline:%d/%m/%Y} : "
            "l'aide est suspendue du simulateur public (A9).",
            defect,
        )
        announce_suspension(session, now, by, aide)
    return expired


def announce_suspension(session: Session, now: dt.datetime, by: str, aide: Aide, kind: str = "suspended") -> None:
    view = _view(aide)
    others = [
        _view(a) for a in session.scalars(select(Aide).where(Aide.status.in_(LIVE_STATUSES), Aide.name != aide.name))
    ]
    change = AideChange(aide.name, kind, view, aide.status_reason, aide.version or "")
    change_set = ChangeSet(kind)
    change_set.add(change, impacted_by_aide(view, others, specific=set(), kind=kind))
    names = {p.id: p.name for p in session.scalars(select(Partner))}
    announce_change_set(session, now, by, change_set, names, None)


def _view(a: Aide) -> AideView:
    return AideView(
        a.name, a.label, a.owner or "", a.partner_id, frozenset(a.reads or ()), frozenset(a.parameters or ())
    )
