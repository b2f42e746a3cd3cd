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

from sqlalchemy.orm import Session

from mesaides.registry.measure import Movement
from mesaides.registry.models import ImpactMeasure, Notification
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

    def add(self, partner: str, aide: str, why: str) -> None:
        self.by_partner.setdefault(partner, [])
        if aide not in self.by_partner[partner]:
            self.by_partner[partner].append(aide)
        self.why[aide] = why


def impacted_by_aide(subject: AideView, others: Iterable[AideView], specific: set[str]) -> Impact:
    """Other partners' aides downstream of ``subject`` or sharing one of its specific Parameters."""
    impact = Impact()
    shared_candidates = set(subject.parameters) & specific
    for other in sorted(others, key=lambda a: a.name):
        if other.name == subject.name or other.partner_id is None or other.partner_id == subject.partner_id:
            continue
        if subject.name in other.reads:
            impact.add(other.partner_id, other.name, f"reads {subject.name}, directly or through intermediates")
            continue
        shared = sorted(shared_candidates & other.parameters)
        if shared:
            impact.add(other.partner_id, other.name, f"reads the same Parameters: {', '.join(shared)}")
    return impact


def impacted_by_parameter(name: str, aides: Iterable[AideView], owner_partner: str | None) -> Impact:
    impact = Impact()
    for aide in sorted(aides, key=lambda a: a.name):
        if aide.partner_id and aide.partner_id != owner_partner and name in aide.parameters:
            impact.add(aide.partner_id, aide.name, f"reads Parameter {name}")
    return impact


def downstream(subject: str, aides: Iterable[AideView]) -> list[str]:
    return sorted(a.name for a in aides if subject in a.reads)


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


def announce_aide_change(
    session: Session,
    now: dt.datetime,
    actor: str,
    change: AideChange,
    impact: Impact,
    partner_names: Mapping[str, str],
    measures: list[dict],
    sync_id: int | None,
) -> Notification | None:
    """A3/A8/A10: tell the impacted partners; A7: users see a notice until they all answer."""
    if not impact.by_partner:
        return None
    subject = change.aide
    who = partner_names.get(subject.partner_id or "", subject.owner)
    label = f"« {subject.label} » ({subject.name})" if subject.label else subject.name
    verb = {
        "added": "a été ajoutée",
        "changed": "a été mise à jour",
        "removed": "a été retirée",
        "suspended": "a été suspendue",
    }[change.kind]
    title = f"L'aide {label} de {who} {verb}"
    body = [f"L'aide {label} de {who} {verb}"]
    if change.kind == "changed":
        version = (
            f" (version {change.previous_version} → {change.version})"
            if change.previous_version != change.version
            else ""
        )
        body[0] += f"{version} : {change.detail}."
    else:
        body[0] += f"{' : ' + change.detail if change.detail else ''}."
    body.append("")
    body.append("Certaines de vos aides peuvent en dépendre :")
    for partner, aides in sorted(impact.by_partner.items()):
        for aide in aides:
            body.append(f"  - {aide} ({partner}) : {impact.why[aide]}")
    body.append("")
    if change.kind in ("removed", "suspended"):
        body.append("Tant que vous n'avez pas répondu, vos aides concernées affichent un avertissement (A7, A10).")
        notice_aides = [a for aides in impact.by_partner.values() for a in aides]
        kind = "aide_removed"
    else:
        body.append("Tant que chaque partenaire concerné n'a pas répondu, l'aide affiche un avertissement (A7).")
        notice_aides = [subject.name]
        kind = f"aide_{change.kind}"
    return notify(
        session,
        now,
        actor=actor,
        kind=kind,
        rule=RULE_OF_CHANGE[change.kind],
        subject=subject.name,
        subject_kind="aide",
        title=title,
        body="\n".join(body),
        recipients=impact.by_partner,
        requires_ack=True,
        notice="A7",
        notice_aides=notice_aides,
        sync_id=sync_id,
        details={
            "change": change.kind,
            "detail": change.detail,
            "version": change.version,
            "previous_version": change.previous_version,
            "impacted": impact.by_partner,
            "why": impact.why,
            "impact": measures,
        },
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
    recipients = {p: [] for p in national_partners if p != aide.partner_id}
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
