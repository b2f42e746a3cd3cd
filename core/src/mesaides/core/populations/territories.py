"""The territories of the installed partners, read from their rules, so that a generated
population covers every one of them.

A Python partner does not declare its territory as data: a territorial aide tests it in a formula,
comparing the menage's ``departement``, ``region``, ``epci`` or ``depcom`` (the core's
geography quantities) with a code (``c("epci") == EPCI_METROPOLE_DE_LYON``, or a commune
code's first digits for its département). This module finds,
for each quantity of a territorial partner that reads one of those quantities, the codes its
formulas hold (their constants and the module-level strings they name) that are codes of that
level in the geography table, and gives the communes of each territory found. A declarative
aide's territory quantity carries its codes (``territory_codes``) for the same purpose.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mesaides.core.geography import communes_of, table

if TYPE_CHECKING:
    from mesaides.core.ruleset import RuleSet

LEVELS = ("epci", "departement", "region", "depcom")
"""The geography quantities a formula compares with a code, from the most specific."""


@dataclass(frozen=True)
class Territory:
    """A territory one partner's aides test: its level, its code and the partner."""

    partner: str
    level: str
    code: str

    def communes(self) -> tuple[str, ...]:
        """The commune codes (communes proper, not arrondissements) of the territory, sorted."""
        if self.level == "depcom":
            return (self.code,)
        found = communes_of(**{self.level: self.code}, typecom=("COM",))
        return tuple(sorted(found))


def partner_territories(rules: RuleSet) -> list[Territory]:
    """The territories tested by the formulas of every territorial partner of ``rules``, in a
    stable order (partner, level, code)."""
    known = _codes_by_level()
    territorial = {p.owner or dist for dist, p in rules.partners.items() if p.scope == "territorial"}
    found: set[Territory] = set()
    for q in rules.quantities.values():
        if q.owner not in territorial:
            continue
        levels = [level for level in LEVELS if level in q.reads]
        if not levels:
            continue
        for formula in q.formulas:
            for text in _strings(formula.function):
                for level in levels:
                    if text in known[level]:
                        found.add(Territory(q.owner, level, text))
                    elif level == "depcom" and text in known["departement"]:
                        # A commune code's prefix (``depcom.startswith("59")``): a département.
                        found.add(Territory(q.owner, "departement", text))
    return sorted(found, key=lambda t: (t.partner, t.level, t.code))


def _codes_by_level() -> dict[str, frozenset[str]]:
    t = table()
    return {
        "depcom": frozenset(t.depcom.tolist()),
        "departement": frozenset(np.unique(t.departement).tolist()) - {""},
        "region": frozenset(np.unique(t.region).tolist()) - {""},
        "epci": frozenset(np.unique(t.epci).tolist()) - {""},
    }


def _strings(function: object) -> Iterator[str]:
    """The string constants of a function (and of the functions defined in it), and the
    module-level strings it names."""
    yield from getattr(function, "territory_codes", ())  # a declarative aide's territory
    code = getattr(function, "__code__", None)
    if not isinstance(code, types.CodeType):
        return
    namespace = getattr(function, "__globals__", {})
    stack = [code]
    while stack:
        current = stack.pop()
        for const in current.co_consts:
            if isinstance(const, str):
                yield const
            elif isinstance(const, types.CodeType):
                stack.append(const)
        for name in current.co_names:
            value = namespace.get(name)
            if isinstance(value, str):
                yield value
