"""An aide's life: suggested (A1), feasible or refused (A1, A2), development, preview (G4),
published (A6, G2; or adopted: public before the registry), suspended (A9), removed (A9, A10).
The statuses and the moves between them are :mod:`mesaides.registry.statuses`.

Syncs move aides into development when a distribution registers them; these operations are
the decisions people make, each recorded in the audit log with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry import audit, defects
from mesaides.registry.models import (
    DEVELOPMENT,
    FEASIBLE,
    PREVIEW,
    PUBLISHED,
    REFUSED,
    REMOVED,
    SUGGESTED,
    Aide,
    AideVersion,
    SignOff,
    Sync,
)
from mesaides.registry.statuses import ADOPTABLE, SHOWABLE
from mesaides.registry.transitions import LifecycleError, get_aide, set_status

RELIABILITY = "reliability"
"""A6(a): the partner deems the calculation reliable."""
QUALITY = "quality"
"""A6(b): the operator checked the code's quality and that it has no side effect on other aides."""
SIGN_OFF_KINDS = (RELIABILITY, QUALITY)


A2_CRITERIA = (
    ("erases_debt", "A2(a): it aims to erase a debt"),
    ("committee_decision", "A2(b): it is granted by a human committee"),
    ("quota", "A2(c): it is granted within an unpredictable quota"),
)
"""A2: what makes an aide not integrable, as its metadata (``AideInfo``) or a suggestion declares it."""


def a2_reasons(info: Mapping[str, Any] | object) -> list[str]:
    """A2, in one place: the reasons an aide is not integrable, from what its partner declares
    (``AideInfo``) or what its suggestion said (a mapping). Each reason starts with ``A2``."""
    declared = info.get if isinstance(info, Mapping) else (lambda key: getattr(info, key, False))
    return [reason for key, reason in A2_CRITERIA if declared(key)]


def refused_under_a2(aide: Aide) -> bool:
    """Whether the registry refused ``aide`` as not integrable (A2) rather than by decision (A1)."""
    return aide.status == REFUSED and (aide.status_reason or "").startswith("A2")


def suggest(
    session: Session,
    now: dt.datetime,
    name: str,
    *,
    by: str,
    label: str,
    description: str = "",
    institution: str = "",
    erases_debt: bool = False,
    committee_decision: bool = False,
    quota: bool = False,
) -> Aide:
    """A1: anyone may suggest an aide. A2: one that is not integrable is refused at once."""
    if session.get(Aide, name) is not None:
        raise LifecycleError(f"aide {name!r} is already known to the registry")
    flags = {"erases_debt": erases_debt, "committee_decision": committee_decision, "quota": quota}
    aide = Aide(
        name=name,
        status=SUGGESTED,
        status_reason="suggested",
        status_changed_at=now,
        status_changed_by=by,
        label=label,
        institution=institution,
        info={"label": label, "description": description, **flags},
        suggested_by=by,
        suggested_at=now,
        first_seen=now,
    )
    session.add(aide)
    audit.record(session, now, by, "suggest", name, description, label=label, **flags)
    refusal = a2_reasons(flags)
    if refusal:
        aide.decision, aide.decision_reason, aide.decided_by, aide.decided_at = (
            REFUSED,
            "; ".join(refusal),
            "registry",
            now,
        )
        set_status(session, aide, REFUSED, now, "registry", "; ".join(refusal))
    return aide


def decide(session: Session, now: dt.datetime, name: str, decision: str, *, by: str, reason: str) -> Aide:
    """A1: the operator decides whether a suggested aide is feasible, with the reason."""
    if decision not in (FEASIBLE, REFUSED):
        raise LifecycleError(f"a decision is {FEASIBLE!r} or {REFUSED!r}, not {decision!r}")
    if not reason.strip():
        raise LifecycleError("A1: a decision records its reason (--reason)")
    aide = get_aide(session, name)
    if aide.status not in (SUGGESTED, FEASIBLE, DEVELOPMENT, REFUSED):
        raise LifecycleError(
            f"aide {name} is {aide.status}: only a suggested, refused or developing aide is decided on"
        )
    refusal = a2_reasons(aide.info or {})
    if decision == FEASIBLE and refusal:
        raise LifecycleError(f"aide {name} cannot be feasible: {'; '.join(refusal)}")
    aide.decision, aide.decision_reason, aide.decided_by, aide.decided_at = decision, reason, by, now
    audit.record(session, now, by, "decide", name, reason, decision=decision)
    if decision == REFUSED:
        set_status(session, aide, REFUSED, now, by, f"A1: {reason}")
    elif aide.status in (SUGGESTED, REFUSED):
        status = DEVELOPMENT if aide.owner else FEASIBLE  # a reversed refusal of an aide already shipped
        set_status(session, aide, status, now, by, f"A1: {reason}")
    return aide


def sign_off(session: Session, now: dt.datetime, name: str, kind: str, *, by: str, comment: str = "") -> SignOff:
    """A6: the partner's reliability sign-off, or the operator's quality sign-off, of the current version."""
    if kind not in SIGN_OFF_KINDS:
        raise LifecycleError(f"a sign-off is {RELIABILITY!r} (the partner, A6a) or {QUALITY!r} (the operator, A6b)")
    aide = get_aide(session, name)
    if aide.owner is None or aide.fingerprint is None:
        raise LifecycleError(f"aide {name} has no synced rules to sign off yet")
    if aide.status in (REFUSED, REMOVED):
        raise LifecycleError(f"aide {name} is {aide.status}")
    row = SignOff(
        aide=name, kind=kind, by=by, at=now, version=aide.version, fingerprint=aide.fingerprint, comment=comment
    )
    session.add(row)
    audit.record(session, now, by, "sign_off", name, comment, kind=kind, version=aide.version)
    return row


def missing_sign_offs(session: Session, aide: Aide, fingerprint: str | None = None) -> list[str]:
    """A6: the sign-offs the aide's current rules (or the rules of ``fingerprint``) still need."""
    fingerprint = fingerprint or aide.fingerprint
    kinds = set(
        session.scalars(select(SignOff.kind).where(SignOff.aide == aide.name, SignOff.fingerprint == fingerprint))
    )
    labels = {
        RELIABILITY: "A6(a): the partner has not signed off the reliability of this version",
        QUALITY: "A6(b): the operator has not signed off the quality and absence of side effects of this version",
    }
    return [labels[k] for k in SIGN_OFF_KINDS if k not in kinds]


def promotion_problems(session: Session, aide: Aide, status: str, *, fingerprint: str | None = None) -> list[str]:
    """What, besides the automatic checks, stops ``aide`` from going to ``status``: the A6 sign-offs
    of its rules (``fingerprint``, by default the synced ones) to be published; a defect not
    resolved (A9, :func:`mesaides.registry.defects.correction_problems`). Each problem starts
    with its rule. Changes nothing."""
    problems = []
    if status == PUBLISHED:
        problems += missing_sign_offs(session, aide, fingerprint)
    return problems + defects.correction_problems(session, aide)


def promote(session: Session, now: dt.datetime, aide: Aide, status: str, *, by: str, problems: list[str]) -> Aide:
    """G4: into preview; A6/G2: published once every check passes and both sign-offs are given."""
    if status not in (PREVIEW, PUBLISHED):
        raise LifecycleError(f"an aide is promoted to {PREVIEW!r} or {PUBLISHED!r}")
    if aide.status not in SHOWABLE:
        raise LifecycleError(f"aide {aide.name} is {aide.status}: it cannot be shown")
    problems = list(problems) + promotion_problems(session, aide, status)
    if problems:
        raise LifecycleError(
            f"aide {aide.name} cannot be {'published' if status == PUBLISHED else 'previewed'}:\n  "
            + "\n  ".join(problems)
        )
    set_status(
        session,
        aide,
        status,
        now,
        by,
        "A6: every check passed, both sign-offs given" if status == PUBLISHED else "G4: preview",
    )
    return aide


def baseline_aides(session: Session) -> tuple[Sync | None, set[str]]:
    """The registry's first sync (its baseline: what the instance ran when it started using the
    registry) and the aides that sync recorded."""
    first = session.scalar(select(Sync).order_by(Sync.id).limit(1))
    if first is None:
        return None, set()
    names = session.scalars(
        select(AideVersion.aide).where(AideVersion.sync_id == first.id, AideVersion.change == "added")
    )
    return first, set(names)


def adopt(session: Session, now: dt.datetime, aide: Aide, *, by: str, reason: str, problems: list[str]) -> bool:
    """A6 for an instance that starts using the registry: record as published an aide the public
    already saw there before, when the partner's reliability and the operator's quality checks
    (A6 a, b) were made outside the registry. Who decides, when and why (where and since when it
    was public) go into the status and the audit log; the automatic checks of publication still
    apply (``problems``). Only an aide of the registry's baseline (its first sync) qualifies: one
    added later was never public before the registry, and is published with both sign-offs.
    Returns False for an aide already published (nothing to record)."""
    if not reason.strip():
        raise LifecycleError("A6: an adoption records where and since when the aide was public (--reason)")
    if aide.status == PUBLISHED:
        return False
    if aide.status not in ADOPTABLE:
        raise LifecycleError(
            f"aide {aide.name} is {aide.status} ({aide.status_reason}): only an aide in development or "
            "preview is recorded as already public"
        )
    first, baseline = baseline_aides(session)
    if aide.name not in baseline:
        since = f"first sync (#{first.id}, {first.at:%Y-%m-%d})" if first else "first sync"
        raise LifecycleError(
            f"A6: aide {aide.name} was not recorded by the registry's {since}, so it was not public before the "
            "registry: publish it with both sign-offs (`mesaides registry sign-off`, then `publish`)"
        )
    if problems:
        raise LifecycleError(f"aide {aide.name} cannot be recorded as public:\n  " + "\n  ".join(problems))
    set_status(session, aide, PUBLISHED, now, by, f"A6: public before the registry, adopted: {reason}")
    audit.record(session, now, by, "adopt", aide.name, reason, version=aide.version, fingerprint=aide.fingerprint)
    return True
