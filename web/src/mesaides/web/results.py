"""Results: what the household obtains, why, how to apply; and what it does not, with the
reason. Explanations come from :meth:`mesaides.core.Engine.explain`: the conditions met, the
reason a nil aide is nil (the first necessary condition not met, with its figures), the notes on
how an amount was worked out, and the intermediate values.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mesaides.core import MONTH, YEAR, Period
from mesaides.core.definitions import APPLY_KIND_LABELS, ApplyChannel
from mesaides.core.explain import Explanation, Traced
from mesaides.web.deployment.running import CatalogueEntry, Deployment
from mesaides.web.offer import aide_sums

log = logging.getLogger(__name__)

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
PERIODICITY_FR = {"monthly": "par mois", "yearly": "par an", "one-off": "versement unique"}
PERSON_LABELS = {"demandeur": "vous", "conjoint": "votre conjoint(e)"}
NBSP = "\u202f"
MAX_DETAILS = 6
EXPLAIN_DEPTH = 8
"""How deep an aide's explanation is built for its card: the conditions are read
``mesaides.core.explain.REASON_DEPTH`` levels down, the details follow values equal to the
amount a few levels more; the whole tree (hundreds of nodes through the months read) is the
API's ``/explain``."""
NO_REASON = "Le montant calculé est nul pour votre situation."
_MONEY_HINTS = (
    "montant",
    "ressources",
    "revenu",
    "salaire",
    "loyer",
    "plafond",
    "forfait",
    "base",
    "pension",
    "allocation",
    "prime",
    "bonification",
    "abattement",
    "aide",
    "rsa",
    "ppa",
    "af_",
    "asf",
    "paje",
    "crds",
)


TAKEN_FROM_SITUATION = (
    "{label} : aucun partenaire installé ne la calcule ; le calcul retient le montant de vos réponses "
    "(0 € si vous ne l'avez pas indiqué)."
)


def _taken_label(deployment: Deployment, name: str) -> str:
    """The label the reading partner gave the quantity it takes (without the stand-in's suffix)."""
    owner = deployment.rules.stand_ins[name]
    source = deployment.rules.parameters[name].source or name  # a stand-in for an unsupported version
    taken = next((t for t in deployment.rules.partners[owner].takes if t.name == source), None)
    return taken.label if taken is not None else source


def month_label(day: dt.date) -> str:
    return f"{MONTHS_FR[day.month - 1]} {day.year}"


def euros(value: float) -> str:
    """``1234.5`` → ``1 234,50 €`` (narrow no-break spaces, as French typography wants)."""
    text = f"{abs(value):,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{'-' if value < 0 else ''}{text}{NBSP}€"


def person_label(pid: str) -> str:
    if pid in PERSON_LABELS:
        return PERSON_LABELS[pid]
    if pid.startswith("enfant") and pid[6:].isdigit():
        rank = int(pid[6:])
        return f"votre {'1er' if rank == 1 else f'{rank}e'} enfant"
    return pid


@dataclass
class Detail:
    label: str
    value: str


@dataclass
class AideResult:
    name: str
    label: str
    description: str
    institution: str
    institution_name: str
    periodicity: str
    periodicity_label: str
    eligible: bool
    amount: float | None
    """``None`` for an aide that grants a right rather than an amount (a yes/no aide)."""
    channel: ApplyChannel
    channel_kind: str
    public_page: str
    logo_url: str | None = None
    notice: str | None = None
    territorial_notice: str | None = None
    preview: bool = False
    conditions: list[str] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """How the amount was worked out (a rounding, which rate applies), in French."""
    per_person: list[Detail] = field(default_factory=list)
    reason: str = ""
    unmet: list[str] = field(default_factory=list)
    """The conditions the reason names (each necessary for the aide, and not met)."""
    error: bool = False
    partner: str = ""
    """The partner that owns the aide (the results are grouped by partner)."""
    partner_logo_url: str | None = None
    taken_from_situation: list[str] = field(default_factory=list)
    """What the aide reads from a partner that is not installed, taken from the answers instead."""

    @property
    def amount_label(self) -> str:
        return euros(self.amount) if self.amount is not None else "Droit ouvert"


@dataclass
class PartnerGroup:
    name: str
    logo_url: str | None
    aides: list[AideResult]


@dataclass
class Results:
    period: str
    obtained: list[AideResult]
    not_obtained: list[AideResult]
    depcom: str = ""
    elsewhere: int = 0
    """Aides of territories where the household does not live, not listed."""

    @property
    def by_partner(self) -> list[PartnerGroup]:
        """The aides obtained, grouped by the partner that grants them, in the order of their
        best aide."""
        groups: dict[str, PartnerGroup] = {}
        for r in self.obtained:
            group = groups.get(r.partner)
            if group is None:
                group = groups[r.partner] = PartnerGroup(r.partner, r.partner_logo_url, [])
            group.aides.append(r)
        return list(groups.values())

    @property
    def monthly_total(self) -> float:
        return round(sum(r.amount or 0 for r in self.obtained if r.periodicity == "monthly"), 2)

    @property
    def other_totals(self) -> list[Detail]:
        out = []
        for periodicity in ("yearly", "one-off"):
            total = sum(r.amount or 0 for r in self.obtained if r.periodicity == periodicity)
            if total:
                out.append(Detail(PERIODICITY_FR[periodicity], euros(total)))
        return out


def compute(deployment: Deployment, situation: dict[str, Any], today: dt.date) -> Results:
    """Compute every aide the deployment shows for ``situation`` at ``today``'s month."""
    engine = deployment.engine
    traced = engine.traced(situation)  # the aides' explanations share most of their nodes
    month = Period.month_of(today.year, today.month)
    entries = deployment.shown_aides()
    here = [e for e in entries if _lives_in_territory(deployment, traced, e, month)]
    computed = {entry.name: _one(deployment, traced, entry, month) for entry in here}
    hidden = _aggregates(deployment, computed)
    obtained = [r for n, r in computed.items() if r.eligible and n not in hidden]
    not_obtained = [r for n, r in computed.items() if not r.eligible and n not in hidden]
    order = {"monthly": 0, "yearly": 1, "one-off": 2}
    obtained.sort(key=lambda r: (order.get(r.periodicity, 3), -(r.amount or 0), r.label))
    not_obtained.sort(key=lambda r: r.label)
    menage = situation.get("menages", {}).get("menage_1", {})
    depcom = next(iter(menage.get("depcom", {}).values()), "") if menage.get("depcom") else ""
    return Results(
        period=month_label(today),
        obtained=obtained,
        not_obtained=not_obtained,
        depcom=depcom,
        elsewhere=len(entries) - len(here),
    )


def _lives_in_territory(deployment: Deployment, traced: Traced, entry: CatalogueEntry, month: Period) -> bool:
    """A territorial aide is listed only for a household that lives in its territory (issue 16):
    a Lille family is not told that it lacks a Paris address. Computed before the aide itself,
    which is then not computed at all."""
    territory = entry.aide.info.territory
    if not territory:
        return True
    period = month.this_year if deployment.rules.variable(territory).period is YEAR else month
    try:
        return bool(np.asarray(traced.calculate(territory, period)).any())
    except Exception:  # the aide's own computation reports the partner's bug
        log.exception("cannot compute the territory %s", territory)
        return True


def _aggregates(deployment: Deployment, computed: dict[str, AideResult]) -> set[str]:
    """Aides not to list twice. An aide declared as the sum of other aides (``aide_logement``
    adds ``apl``, ``alf`` and ``als``: :func:`~mesaides.web.offer.aide_sums`) is hidden when
    obtained, in favour of the one actually paid; when it is not obtained, its parts are hidden
    instead, so that one reason is given once."""
    hidden: set[str] = set()
    for name, parts in aide_sums(deployment.rules, computed).items():
        if computed[name].eligible:
            hidden.add(name)
        else:
            hidden.update(p for p in parts if not computed[p].eligible)
    return hidden


def _one(deployment: Deployment, traced: Traced, entry: CatalogueEntry, month: Period) -> AideResult:
    aide = entry.aide
    info = aide.info
    channel = info.best_channel
    result = AideResult(
        name=entry.name,
        label=info.label,
        description=info.description,
        institution=info.institution,
        institution_name=deployment.institution_name(info.institution),
        periodicity=info.periodicity,
        periodicity_label=PERIODICITY_FR.get(info.periodicity, ""),
        eligible=False,
        amount=None,
        channel=channel,
        channel_kind=APPLY_KIND_LABELS.get(channel.kind, channel.label),
        public_page=str(info.public_page),
        logo_url=f"/logos/{info.institution}.png" if deployment.logo(info.institution) else None,
        notice=entry.state.notice,
        territorial_notice=entry.state.territorial_notice,
        preview=entry.preview,
    )
    partner = deployment.partner_of(aide)
    if partner is not None:
        result.partner = partner.name
        logo = next((i.id for i in partner.institutions if deployment.logo(i.id)), None)
        result.partner_logo_url = f"/logos/{logo}.png" if logo else None
    rules = deployment.rules
    result.taken_from_situation = [
        TAKEN_FROM_SITUATION.format(label=_taken_label(deployment, n)) for n in rules.stand_ins_read_by(entry.name)
    ]
    period = month.this_year if aide.period is YEAR else month
    population = traced.population
    entity = aide.entity.key
    try:
        values = traced.calculate(entry.name, period)
    except Exception:  # one partner's bug must not take the results page down
        log.exception("cannot compute %s", entry.name)
        result.error = True
        result.reason = "Le calcul de cette aide a échoué ; elle n'est pas prise en compte."
        return result
    ids = population.ids(entity)
    if aide.value_type == "bool":
        granted = [i for i, v in zip(ids, values.tolist()) if v]
        result.eligible = bool(granted)
    else:
        amounts = {i: round(float(v), 2) for i, v in zip(ids, np.asarray(values, dtype=float).tolist())}
        granted = [i for i, v in amounts.items() if v > 0]
        result.eligible = bool(granted)
        result.amount = round(sum(amounts[i] for i in granted), 2)
        if entity == "individu" and granted:
            result.per_person = [Detail(person_label(i).capitalize(), euros(amounts[i])) for i in granted]
    focus = granted[0] if granted else (ids[0] if ids else "")
    if not focus:
        return result
    try:
        explanation = deployment.engine.explain(traced, entry.name, period, focus, max_depth=EXPLAIN_DEPTH)
    except Exception:
        log.exception("cannot explain %s", entry.name)
        explanation = None
    if explanation is not None:
        result.conditions = explanation.conditions()
        result.details = _details(deployment, explanation, entity, focus, result.amount)
        if result.eligible:
            result.notes = explanation.notes()
        else:
            reason = explanation.reason()
            result.reason = reason.text() if reason is not None else NO_REASON
            result.unmet = [u.label for u in reason.unmet] if reason is not None else []
    elif not result.eligible:
        result.reason = NO_REASON
    return result


def _details(
    deployment: Deployment, explanation: Explanation, entity: str, focus: str, amount: float | None
) -> list[Detail]:
    """The main intermediate values: what the aide's formula read, for the same household. A
    value equal to the aide's amount says nothing new: what it read is shown instead."""
    out: list[Detail] = []
    labels: set[str] = set()
    queue = deque(explanation.nodes[explanation.root].reads)
    seen = set(queue)
    while queue and len(out) < MAX_DETAILS:
        node = explanation.nodes[queue.popleft()]
        if node.kind == "parameter":
            continue
        d = deployment.rules.variable(node.name)
        if d.entity.key != entity or d.value_type not in ("float", "int"):
            continue
        value = node.values.get(focus)
        if not isinstance(value, (int, float)) or value == 0:
            continue
        if amount is not None and abs(value - amount) < 0.005 and node.kind != "aide":
            queue.extend(k for k in node.reads if k not in seen)
            seen.update(node.reads)
            continue
        if d.label not in labels:
            labels.add(d.label)
            out.append(Detail(d.label, _format(d, value)))
    return out


def _format(d, value: float) -> str:
    if d.unit == "rate" or "taux" in d.name:
        return f"{value * 100:.1f}".replace(".", ",").replace(",0", "") + f"{NBSP}%"
    if d.value_type == "int":
        return str(int(value))
    if d.unit == "EUR" or any(h in d.name for h in _MONEY_HINTS):
        return euros(value)
    return f"{value:.2f}".replace(".", ",")


__all__ = ["MONTH", "AideResult", "Results", "compute", "euros", "month_label"]
