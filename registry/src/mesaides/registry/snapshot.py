"""What the installed distributions register, as plain data the sync compares with the database.

Built from a :class:`mesaides.core.RuleSet`: partners, distributions and their versions, every
aide with its owner, fingerprint, what it reads (``RuleSet.graph.upstream``) and the Parameters
it reads (``RuleSet.parameters_read_by``), and every Parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mesaides.core import RuleSet
from mesaides.registry.fingerprints import (
    aide_fingerprint,
    digest,
    parameter_definition,
    parameter_fingerprint,
    quantity_fingerprints,
)
from mesaides.registry.lifecycle import a2_reasons


@dataclass(frozen=True)
class PartnerSnapshot:
    id: str
    name: str
    scope: str
    referent_email: str
    distribution: str


@dataclass
class DistributionSnapshot:
    name: str
    version: str
    partner_id: str | None
    digest: str = ""
    quantities: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class AideSnapshot:
    name: str
    owner: str
    version: str
    label: str
    institution: str
    fingerprint: str
    reads: tuple[str, ...]
    parameters: tuple[str, ...]
    law: tuple[str, ...]
    info: dict[str, Any]
    unavailable: str | None
    refusal: tuple[str, ...]
    """A2: which of (a) erases a debt, (b) committee, (c) quota the partner declared."""


@dataclass(frozen=True)
class ParameterSnapshot:
    name: str
    owner: str
    label: str
    fingerprint: str
    definition: dict[str, Any]


@dataclass
class Snapshot:
    partners: dict[str, PartnerSnapshot]
    distributions: dict[str, DistributionSnapshot]
    aides: dict[str, AideSnapshot]
    parameters: dict[str, ParameterSnapshot]
    common_parameter_owners: frozenset[str] = frozenset({"mesaides-core"})

    def partner_of(self, distribution: str) -> str | None:
        d = self.distributions.get(distribution)
        return d.partner_id if d else None


def take_snapshot(rules: RuleSet) -> Snapshot:
    quantities = quantity_fingerprints(rules)
    partners = {
        p.id: PartnerSnapshot(p.id, p.name, p.scope, p.referent_email, dist) for dist, p in rules.partners.items()
    }
    contributing = {q.owner for q in rules.quantities.values()} | {p.owner for p in rules.parameters.values()}
    contributing |= set(rules.partners) | {n.owner for n in rules.legislation}

    distributions: dict[str, DistributionSnapshot] = {}
    for record in rules.plugins.values():
        if record.distribution not in contributing and not record.problems:
            continue  # tooling (such as this registry's command-line plugin), not rules
        partner = rules.partners.get(record.distribution)
        d = distributions.setdefault(
            record.distribution,
            DistributionSnapshot(record.distribution, record.version, partner.id if partner else None),
        )
        d.problems.extend(record.problems)
    for name, q in rules.quantities.items():
        if q.owner in distributions:
            distributions[q.owner].quantities[name] = quantities[name]
    for d in distributions.values():
        own_parameters = {n: parameter_fingerprint(p) for n, p in rules.parameters.items() if p.owner == d.name}
        d.digest = digest({"quantities": d.quantities, "parameters": own_parameters})

    aides = {}
    for name, aide in rules.aides.items():
        aides[name] = AideSnapshot(
            name=name,
            owner=aide.owner,
            version=distributions[aide.owner].version if aide.owner in distributions else "?",
            label=aide.info.label,
            institution=aide.info.institution,
            fingerprint=aide_fingerprint(name, rules, quantities),
            reads=tuple(sorted(rules.graph.upstream(name))),
            parameters=tuple(sorted(rules.parameters_read_by(name))),
            law=tuple(
                sorted(
                    {
                        p
                        for n in rules.graph.upstream(name) | {name}
                        if n in rules.quantities
                        for p in rules.quantities[n].law
                    }
                )
            ),
            info=aide.info.model_dump(mode="json"),
            unavailable=rules.unavailable.get(name),
            refusal=tuple(a2_reasons(aide.info)),
        )
    parameters = {
        name: ParameterSnapshot(name, p.owner, p.label, parameter_fingerprint(p), parameter_definition(p))
        for name, p in rules.parameters.items()
    }
    return Snapshot(partners=partners, distributions=distributions, aides=aides, parameters=parameters)
