"""Generated households for tests and benchmarks, as the engine's arrays (no file).

The households are those of the project's one generator,
:mod:`mesaides.core.populations.generator` (the population ``mesaides population generate``
writes and the registry measures impacts on), drawn for ``period``.
"""

from __future__ import annotations

from mesaides.core.periods import Period
from mesaides.core.population import Population
from mesaides.core.populations.generator import households
from mesaides.core.ruleset import RuleSet, load_rules


def generate(
    n_households: int,
    period: Period | str = "2026-11",
    *,
    rules: RuleSet | None = None,
    seed: int = 0,
    months: int = 35,
) -> Population:
    """``n_households`` households with inputs for the ``months`` months up to ``period``, for
    ``rules`` (the installed partners' by default: only their Parameters are filled in)."""
    period = Period.parse(period) if isinstance(period, str) else period
    return households(n_households, rules or load_rules(), period, seed=seed, months=months).population
