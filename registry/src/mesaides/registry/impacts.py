"""Who a change impacts, and the notifications that tell them (A3, A7, A8, A10, G3, P3).

An aide added, changed or removed impacts another partner's aide when that aide reads it,
directly or through intermediates (it is downstream in the dependency graph), or when both read
the same partner-specific Parameter. The Parameters the core declares for everyone (age, wages,
rent, commune...) describe every situation, so sharing them says nothing about an interaction
and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry.measure import Movement, decompress
from mesaides.registry.models import ImpactMeasure, Notification, ReferenceResult, Sync
from mesaides.registry.notifications import notify

COMMON_PARAMETER_OWNERS = frozenset({"mesaides-core"})

RULE_OF_CHANGE = {"added": "A3", "changed": "A8", "removed": "A10", "suspended": "A10"}


@dataclass(frozen=True)
class AideView:
    """What impact rules need to know of an aide."""

    name: str
    label: str
    owner: str
    partner_id: str | None
    reads: frozenset[str]
    parameters: frozenset[str]


@dataclass(frozen=True)
class AideChange:
    name: str
    kind: str
    """``added``, ``changed``, ``removed`` or ``suspended``."""
    aide: AideView
    detail: str = ""
    version: str = ""
    previous_version: str = ""


@dataclass
class Impact:
    """The other partners' aides a change may impact, and why."""

    by_partner: dict[str, list[str]] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    """In French: partners read it in their notifications."""

    def add(self, partner: str, aide: str, why: str) -> None:
        self.by_partner.setdefault(partner, [])
        if aide not in self.by_partner[partner]:
            self.by_partner[partner].append(aide)
        self.why.setdefault(aide, why)


def impacted_by_aide(subject: AideView, others: Iterable[AideView], specific: set[str], *, kind: str) -> Impact:
    """Other partners' aides that depend on ``subject``: downstream of it in the dependency graph
    (``RuleSet.graph.upstream``, stored as ``reads``). An added aide (A3) is read by no existing
    aide yet, so there the aides sharing one of its partner-specific Parameters are told too; a
    change or a removal (A8, A10) concerns only the aides that read it."""
    impact = Impact()
    shared_candidates = set(subject.parameters) & specific if kind == "added" else set()
    for other in sorted(others, key=lambda a: a.name):
        if other.name == subject.name or other.partner_id is None or other.partner_id == subject.partner_id:
            continue
        if subject.name in other.reads:
            impact.add(other.partner_id, other.name, f"lit {subject.name}, directement ou par des intermédiaires")
            continue
        shared = sorted(shared_candidates & other.parameters)
        if shared:
            impact.add(other.partner_id, other.name, f"lit les mêmes Parameters : {', '.join(shared)}")
    return impact


def impacted_by_parameter(name: str, aides: Iterable[AideView], owner_partner: str | None) -> Impact:
    impact = Impact()
    for aide in sorted(aides, key=lambda a: a.name):
        if aide.partner_id and aide.partner_id != owner_partner and name in aide.parameters:
            impact.add(aide.partner_id, aide.name, f"lit le Parameter {name}")
    return impact


def downstream(subject: str, aides: Iterable[AideView]) -> list[str]:
    return sorted(a.name for a in aides if subject in a.reads)


def first_per_aide(measures: Iterable[dict]) -> list[dict]:
    """Each aide's first measure, in the order of ``measures``."""
    first: dict[str, dict] = {}
    for measure in measures:
        first.setdefault(measure["aide"], measure)
    return list(first.values())


def store_measures(
    session: Session,
    sync_id: int,
    subject: str,
    change: str,
    aides: Iterable[AideView],
    movements: Mapping[str, Movement],
    errors: Mapping[str, str],
    period: str,
) -> list[dict]:
    """Record how each of ``aides`` moved because of ``subject``; returns them as plain dicts."""
    rows = []
    for aide in aides:
        m = movements.get(aide.name)
        if m is None and aide.name not in errors:
            continue
        row = ImpactMeasure(
            sync_id=sync_id,
            subject=subject,
            change=change,
            aide=aide.name,
            owner=aide.owner,
            period=period,
            households=m.households if m else 0,
            error=None if m else errors[aide.name],
        )
        if m is not None:
            row.gained, row.lost, row.changed = m.gained, m.lost, m.changed
            row.mean_change, row.largest_increase, row.largest_decrease = (
                m.mean_change,
                m.largest_increase,
                m.largest_decrease,
            )
        session.add(row)
        rows.append(measure_dict(row))
    return rows


def measure_dict(row: ImpactMeasure) -> dict:
    return {
        "subject": row.subject,
        "aide": row.aide,
        "owner": row.owner,
        "period": row.period,
        "households": row.households,
        "gained": row.gained or 0,
        "lost": row.lost or 0,
        "changed": row.changed or 0,
        "mean_change": row.mean_change or 0.0,
        "largest_increase": row.largest_increase or 0.0,
        "largest_decrease": row.largest_decrease or 0.0,
        "error": row.error,
    }


NOTICE_KIND = {"added": "aide_added", "changed": "aide_changed", "removed": "aide_removed", "suspended": "aide_removed"}
"""The A7 notice each kind of change shows (``notices.A7_NOTICES``)."""
_VERB = {
    "added": ("a été ajoutée", "ont été ajoutées"),
    "changed": ("a été mise à jour", "ont été mises à jour"),
    "removed": ("a été retirée", "ont été retirées"),
    "suspended": ("a été suspendue", "ont été suspendues"),
}


@dataclass
class ChangeSet:
    """The changes of one kind that one sync (or one operator decision) made, and every partner
    they concern: one notification, with one acknowledgement and one email per partner, however
    many aides changed."""

    kind: str
    changes: list[AideChange] = field(default_factory=list)
    impact: Impact = field(default_factory=Impact)
    notice_by_partner: dict[str, set[str]] = field(default_factory=dict)
    """A7: the aides that show the notice until that partner answers."""
    expectations: dict[str, list[str]] = field(default_factory=dict)
    """A8: a partner's expert cases that no longer hold because of these changes."""
    measures: list[dict] = field(default_factory=list)

    def add(self, change: AideChange, impact: Impact, measures: Iterable[dict] = ()) -> None:
        self.changes.append(change)
        self.measures += measures
        for partner, aides in impact.by_partner.items():
            for aide in aides:
                self.impact.add(partner, aide, impact.why[aide])
            # A10: a removal shows the notice on the aides that depended on it; A3/A8: on the aide itself.
            shown = aides if self.kind in ("removed", "suspended") else [change.name]
            self.notice_by_partner.setdefault(partner, set()).update(shown)

    def expect(self, partner: str, aides: Iterable[str], line: str) -> None:
        """A8: ``partner``'s expert case on ``aides`` no longer holds; its aides show the A7 notice."""
        aides = sorted(aides)
        for aide in aides:
            self.impact.add(partner, aide, "ses cas de test experts attendent des montants qui ont changé")
        self.notice_by_partner.setdefault(partner, set()).update(aides)
        self.expectations.setdefault(partner, []).append(line)


def announce_change_set(
    session: Session,
    now: dt.datetime,
    actor: str,
    change_set: ChangeSet,
    partner_names: Mapping[str, str],
    sync_id: int | None,
) -> Notification | None:
    """A3/A8/A10: tell each partner concerned, once; A7: the notice until they all answer."""
    if not change_set.impact.by_partner:
        return None
    singular, plural = _VERB[change_set.kind]

    def label(view: AideView) -> str:
        return f"« {view.label} » ({view.name})" if view.label else view.name

    def headline(change: AideChange) -> str:
        who = partner_names.get(change.aide.partner_id or "", change.aide.owner)
        return f"L'aide {label(change.aide)} de {who} {singular}"

    def line(change: AideChange) -> str:
        text = headline(change)
        if change.kind == "changed" and change.previous_version != change.version:
            text += f" (version {change.previous_version} → {change.version})"
        return text + (f" : {change.detail}." if change.detail else ".")

    changes = change_set.changes
    if len(changes) == 1:
        title = headline(changes[0])
        body = [line(changes[0])]
    else:
        names = ", ".join(c.name for c in changes)
        title = f"{len(changes)} aides {plural} : {names}"
        body = [f"{len(changes)} aides {plural} :"] + [f"  - {line(c)}" for c in changes]
    body += ["", "Aides des partenaires concernés :"]
    for partner, aides in sorted(change_set.impact.by_partner.items()):
        body += [f"  - {aide} ({partner}) : {change_set.impact.why[aide]}" for aide in aides]
    for partner, lines in sorted(change_set.expectations.items()):
        body += ["", f"Cas de test experts de {partner} qui ne se vérifient plus (A5, A8) :"]
        body += [f"  - {text}" for text in lines]
    body.append("")
    if change_set.kind in ("removed", "suspended"):
        body.append("Tant que vous n'avez pas répondu, vos aides concernées affichent un avertissement (A7, A10).")
    else:
        body.append("Tant que chaque partenaire concerné n'a pas répondu, ces aides affichent un avertissement (A7).")
    measures = first_per_aide(change_set.measures)
    details: dict = {
        "change": change_set.kind,
        "changes": [
            {"aide": c.name, "detail": c.detail, "version": c.version, "previous_version": c.previous_version}
            for c in changes
        ],
        "impacted": change_set.impact.by_partner,
        "why": change_set.impact.why,
        "expectations": change_set.expectations,
        "impact": measures,
    }
    if len(changes) == 1:
        details |= {k: v for k, v in details["changes"][0].items() if k != "aide"}
    return notify(
        session,
        now,
        actor=actor,
        kind=NOTICE_KIND[change_set.kind],
        rule=RULE_OF_CHANGE[change_set.kind],
        subject=", ".join(c.name for c in changes)[:200],
        subject_kind="aide",
        title=title[:500],
        body="\n".join(body),
        recipients=change_set.impact.by_partner,
        requires_ack=True,
        notice="A7",
        notice_by_partner=change_set.notice_by_partner,
        sync_id=sync_id,
        details=details,
    )


def announce_territorial_aide(
    session: Session,
    now: dt.datetime,
    actor: str,
    aide: AideView,
    national_partners: Iterable[str],
    partner_names: Mapping[str, str],
    sync_id: int | None,
) -> Notification | None:
    """G3: national partners assess the impact of a new territorial aide on theirs."""
    recipients: dict[str, list[str]] = {p: [] for p in national_partners if p != aide.partner_id}
    who = partner_names.get(aide.partner_id or "", aide.owner)
    label = f"« {aide.label} » ({aide.name})" if aide.label else aide.name
    body = (
        f"{who}, partenaire territorial, a ajouté l'aide {label}.\n\n"
        "Une aide extra-légale peut modifier l'éligibilité ou le montant d'aides nationales (par exemple "
        "si elle entre dans leurs ressources). Merci d'évaluer l'impact sur vos aides (G3). Jusqu'à votre "
        "réponse, l'aide affiche un avertissement."
    )
    return notify(
        session,
        now,
        actor=actor,
        kind="territorial_aide",
        rule="G3",
        subject=aide.name,
        subject_kind="aide",
        title=f"Nouvelle aide territoriale : {label}",
        body=body,
        recipients=recipients,
        requires_ack=True,
        notice="G3",
        notice_aides=[aide.name],
        sync_id=sync_id,
        details={"partner": aide.partner_id},
    )


def reference_totals(session: Session, sync_id: int) -> dict[str, tuple[float, float]]:
    """Per aide, its total over the reference population's households before the sync
    ``sync_id`` and after it (euros of the period measured): the sums of the results stored at
    the previous measured sync and at this one. Empty when the two were not computed on the same
    population (another period or size: the comparison then ran on a population not stored).

    An aide absent from one side (added or removed) totals 0 there; one that failed there is
    left out.
    """
    sync = session.get(Sync, sync_id)
    if sync is None or sync.population_version is None:
        return {}
    previous = session.scalar(
        select(Sync).where(Sync.id < sync_id, Sync.population_version.is_not(None)).order_by(Sync.id.desc()).limit(1)
    )
    if previous is None or previous.population_version != sync.population_version:
        return {}

    def sums(of: int) -> tuple[dict[str, float], set[str]]:
        totals, failed = {}, set()
        for r in session.scalars(select(ReferenceResult).where(ReferenceResult.sync_id == of)):
            if r.data is None:
                failed.add(r.aide)
            else:
                totals[r.aide] = round(float(decompress(r.data).sum()), 2)
        return totals, failed

    (before, failed_before), (after, failed_after) = sums(previous.id), sums(sync.id)
    return {
        aide: (before.get(aide, 0.0), after.get(aide, 0.0))
        for aide in sorted(before.keys() | after.keys())
        if aide not in failed_before | failed_after
    }
