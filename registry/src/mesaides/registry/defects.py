"""A9, in one place: defects and removals. The operator notifies a partner of an aide's defect;
the partner has 15 days to correct it, a period the operator can renew 3 times. When the period
runs out unfixed, the aide is suspended from the public deployment and stays so until the defect
is resolved; the operator may then remove it. A partner removes an aide it no longer grants.
Suspensions and removals follow the impact rules (A10, A7).

Other modules ask this one: whether an aide may be shown again (:func:`correction_problems`),
whether it was removed under A9 (:func:`removed_under_a9`), which aides a run-out period
suspends before the next command applies it (:func:`suspended_in_effect`), what is due.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.impacts import AideChange, AideView, ChangeSet, announce_change_set, impacted_by_aide
from mesaides.registry.models import LIVE_STATUSES, Aide, Defect, Partner
from mesaides.registry.notifications import notify
from mesaides.registry.statuses import AideStatus, DefectStatus
from mesaides.registry.transitions import LifecycleError, get_aide, move, set_status

CORRECTION_PERIOD = dt.timedelta(days=15)
MAX_RENEWALS = 3
OPEN, RESOLVED, EXPIRED = DefectStatus.OPEN, DefectStatus.RESOLVED, DefectStatus.EXPIRED
SUSPENDED, REMOVED = AideStatus.SUSPENDED, AideStatus.REMOVED
REMOVAL_REASON = "A9: "
"""How the reason of an aide removed under A9 starts (by the operator, or at its partner's request)."""


def _get(session: Session, defect_id: int, *statuses: DefectStatus) -> Defect:
    defect = session.get(Defect, defect_id)
    if defect is None:
        raise LifecycleError(f"no defect #{defect_id}")
    if defect.status not in (statuses or (OPEN,)):
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
    """The partner corrected the defect, in time or after its aide was suspended (which can then
    be shown again: :func:`correction_problems`)."""
    defect = _get(session, defect_id, OPEN, EXPIRED)
    move(defect, RESOLVED, name=f"#{defect.id}", what="defect")
    defect.closed_at, defect.closed_by, defect.close_reason = now, by, reason
    audit.record(session, now, by, "defect_resolved", defect.aide, reason, defect=defect.id)
    return defect


def expire_defects(session: Session, now: dt.datetime, *, by: str = "registry") -> list[Defect]:
    """Suspend the aides whose correction period ran out (A9), telling the partners of the
    aides that may depend on them (A10, with the A7 notice on those aides)."""
    expired = list(session.scalars(select(Defect).where(Defect.status == OPEN, Defect.deadline < now)))
    for defect in expired:
        move(defect, EXPIRED, name=f"#{defect.id}", what="defect")
        defect.closed_at, defect.closed_by = now, by
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
        announce_suspension(
            session, now, by, aide, f"défaut n° {defect.id} non corrigé avant le {defect.deadline:%d/%m/%Y}"
        )
    return expired


def announce_suspension(
    session: Session, now: dt.datetime, by: str, aide: Aide, detail: str, kind: str = "suspended"
) -> None:
    """A10: the partners of the aides that read a suspended or removed aide are told (``detail``,
    in French, says why), and those aides carry the A7 notice."""
    view = _view(aide)
    others = [
        _view(a) for a in session.scalars(select(Aide).where(Aide.status.in_(LIVE_STATUSES), Aide.name != aide.name))
    ]
    change = AideChange(aide.name, kind, view, detail, aide.version or "")
    change_set = ChangeSet(kind)
    change_set.add(change, impacted_by_aide(view, others, specific=set(), kind=kind))
    names = {p.id: p.name for p in session.scalars(select(Partner))}
    announce_change_set(session, now, by, change_set, names, None)


def remove_aide(
    session: Session, now: dt.datetime, name: str, *, by: str, reason: str, partner_request: bool = False
) -> Aide:
    """The operator removes an aide its partner no longer grants (``partner_request``), or one
    suspended after a correction period ran out. A10: the partners of the aides that may depend
    on it are told, and those aides carry the A7 notice."""
    aide = get_aide(session, name)
    if aide.status == REMOVED:
        raise LifecycleError(f"aide {name} is already removed")
    if not partner_request and aide.status != SUSPENDED:
        raise LifecycleError(
            f"A9: aide {name} is {aide.status}; the operator removes an aide only at its partner's request "
            "or once suspended after an unfixed defect"
        )
    why = f"{'at the partner’s request' if partner_request else 'not corrected in time'}: {reason}"
    set_status(session, aide, REMOVED, now, by, REMOVAL_REASON + why)
    cause = "à la demande de son partenaire" if partner_request else "son défaut n'a pas été corrigé à temps"
    announce_suspension(session, now, by, aide, f"retirée par l'opérateur, {cause} (A9) : {reason}", kind="removed")
    return aide


def removed_under_a9(status: str, reason: str | None) -> bool:
    """Whether an aide was removed under A9 (a distribution that registers it again is refused)."""
    return status == REMOVED and (reason or "").startswith(REMOVAL_REASON)


def correction_problems(session: Session, aide: Aide) -> list[str]:
    """Why ``aide`` cannot be shown again: a defect whose correction period ran out (or any
    defect of a suspended aide) is not resolved. Empty when it may be shown."""
    pending = (EXPIRED, OPEN) if aide.status == SUSPENDED else (EXPIRED,)
    return [
        f"A9: defect #{d.id} is not resolved"
        + (f" (its correction period ran out on {d.deadline:%Y-%m-%d})" if d.status == EXPIRED else "")
        + f": {d.description}"
        for d in session.scalars(select(Defect).where(Defect.aide == aide.name, Defect.status.in_(pending)))
    ]


def suspended_in_effect(session: Session, now: dt.datetime) -> set[str]:
    """The aides whose correction period ran out, which :func:`expire_defects` suspends at the next
    command: readers show them suspended already."""
    return set(session.scalars(select(Defect.aide).where(Defect.status == OPEN, Defect.deadline < now)))


def unresolved(session: Session) -> list[Defect]:
    """Every defect still to correct: open (with its deadline ahead or run out) or expired."""
    return list(session.scalars(select(Defect).where(Defect.status.in_((OPEN, EXPIRED))).order_by(Defect.id)))


def _view(a: Aide) -> AideView:
    return AideView(
        a.name, a.label, a.owner or "", a.partner_id, frozenset(a.reads or ()), frozenset(a.parameters or ())
    )
