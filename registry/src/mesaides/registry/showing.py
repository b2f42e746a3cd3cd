"""Whether the registry lets an instance show an aide, and the record that one does.

An operator's deployment (``mesaides deployment check``, in ``mesaides-web``) asks the registry,
through :class:`~mesaides.registry.Registry`, before it shows an aide with a status: this module
answers for the lifecycle (synced rules, A3 and A8; a status that can be shown, A1, A2, A9; the
A6 sign-offs to be published) and raises the statuses of the aides a deployment shows (never
lowering one: another instance may show more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mesaides.registry import lifecycle
from mesaides.registry.checks import Finding
from mesaides.registry.models import DEVELOPMENT, PREVIEW, PUBLISHED, REMOVED, SUSPENDED, Aide
from mesaides.registry.snapshot import Snapshot
from mesaides.registry.statuses import ADOPTABLE, AideStatus

SHOWN_STATUSES = (PREVIEW, PUBLISHED)
"""The statuses a deployment may ask for: on previews only (G4), or public (A6, G2)."""
_RANK = {DEVELOPMENT: 0, SUSPENDED: 0, PREVIEW: 1, PUBLISHED: 2}


@dataclass(frozen=True)
class RulesFingerprints:
    """The fingerprints of installed rules, as the registry computes them when it syncs: a
    deployment lock keeps them, to tell later whether the rules it was checked on still run."""

    aides: dict[str, str]
    """Each aide's fingerprint."""
    distributions: dict[str, str]
    """Each distribution's digest."""


def rules_fingerprints(snapshot: Snapshot) -> RulesFingerprints:
    return RulesFingerprints(
        aides={name: a.fingerprint for name, a in snapshot.aides.items()},
        distributions={name: d.digest for name, d in snapshot.distributions.items()},
    )


def showing_findings(
    session: Session, snapshot: Snapshot, name: str, target: str, require_synced: bool
) -> list[Finding]:
    """What the registry's lifecycle says about showing ``name`` with ``target`` status: synced
    rules (A3, A8), a status that can be shown (A1, A2, A9), the A6 sign-offs to be published."""
    if target not in SHOWN_STATUSES:
        raise ValueError(f"{target!r}: an aide is shown {' or '.join(SHOWN_STATUSES)}")
    aide = snapshot.aides[name]
    out: list[Finding] = []

    def error(rule: str, message: str) -> None:
        out.append(Finding("error", rule, aide.owner, name, message))

    row = session.get(Aide, name)
    if require_synced:
        if row is None or row.owner is None:
            error(
                "A3",
                "the registry has not recorded this aide: run `mesaides registry sync` first, so that the "
                "partners whose aides it may impact are told (A3, G3)",
            )
        elif row.owner != aide.owner or row.fingerprint != aide.fingerprint:
            error(
                "A8",
                f"the registry recorded other rules for it ({row.owner} {row.version}): run `mesaides registry sync` "
                "first, so that the partners whose aides they may impact are told (A8)",
            )
    if row is None or row.owner is None:
        if target == PUBLISHED:
            for text in lifecycle.missing_sign_offs(session, Aide(name=name), aide.fingerprint):
                error(*_split_rule(text))
        return out
    if row.status not in lifecycle.SHOWABLE:
        rule = "A2" if lifecycle.refused_under_a2(row) else "A9" if row.status == REMOVED else "A1"
        error(rule, f"the registry has it {row.status}: {row.status_reason}")
        return out
    # Once published, a new version of the rules follows A8 (notified, with the A7 notice), as
    # the registry's own publication does: it needs no new sign-off.
    needed = PREVIEW if target == PUBLISHED and row.status == PUBLISHED else target
    problems = lifecycle.promotion_problems(session, row, needed, fingerprint=aide.fingerprint)
    a6 = [i for i, p in enumerate(problems) if p.startswith("A6")]
    if a6 and target == PUBLISHED and row.status in ADOPTABLE and name in lifecycle.baseline_aides(session)[1]:
        problems[a6[-1]] += (
            f"; if the public already saw it on this instance before it used the registry, record "
            f'that instead: `mesaides registry adopt {name} --reason "public on ... since ..."` (or --all)'
        )
    for text in problems:
        error(*_split_rule(text))
    return out


def _split_rule(text: str) -> tuple[str, str]:
    """``"A6(a): the partner..."`` → ``("A6", text)``."""
    head = text.split(":", 1)[0]
    return head.split("(", 1)[0] if head[:1].isalpha() and len(head) <= 8 else "registry", text


def raise_statuses(
    session: Session, now: dt.datetime, targets: Mapping[str, str], *, by: str, shown_by: str
) -> dict[str, str]:
    """Give each aide of ``targets`` at least its target status (``preview`` or ``published``,
    as ``mesaides registry publish`` would give it; a status is never lowered); each aide's
    status afterwards (``""`` for one the registry has not recorded)."""
    statuses = {}
    for name, target in targets.items():
        row = session.get(Aide, name)
        if row is not None and _RANK.get(AideStatus(row.status), 3) < _RANK[AideStatus(target)]:
            why = (
                "A6: the automatic checks passed and both sign-offs are given"
                if target == PUBLISHED
                else "G4: the automatic checks passed"
            )
            lifecycle.set_status(session, row, target, now, by, f"{why}; shown by {shown_by}")
        statuses[name] = row.status if row is not None else ""
    return statuses
