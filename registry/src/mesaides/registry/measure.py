"""Measuring an impact: every aide computed on the reference population, compared between two
syncs (A3, A7, A8, A10).

Results are stored per household (an aide's values added up over the household's members or
groups), compressed, so that the next sync can compare without the previous rules installed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from mesaides.core import ETERNITY, YEAR, Engine, Period
from mesaides.core.population import Population
from mesaides.registry.fingerprints import digest, parameter_definition
from mesaides.registry.population import ReferencePopulation

EPSILON = 0.005
"""Amounts closer than half a cent are equal; an aide is obtained when its amount exceeds it."""


@dataclass
class ReferenceRun:
    period: str
    population_version: str
    households: int
    values: dict[str, np.ndarray] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Movement:
    """How one aide's results moved between two runs, over the households."""

    households: int
    gained: int
    """Households newly obtaining the aide."""
    lost: int
    """Households no longer obtaining it."""
    changed: int
    """Households whose amount changed at all (including those gaining or losing it)."""
    mean_change: float
    """Mean change of the amount over the households whose amount changed."""
    largest_increase: float
    largest_decrease: float

    @property
    def any(self) -> bool:
        return self.changed > 0


def run_reference(engine: Engine, population: ReferencePopulation, aides: Iterable[str]) -> ReferenceRun:
    """Compute ``aides`` for every household of ``population`` (an aide that fails is recorded),
    on the rules the engine compiled once."""
    rules = engine.rules
    run = ReferenceRun(population.period, population.version, population.households)
    aides = list(aides)
    period = Period.parse(population.period)
    try:
        simulation = engine.simulation(_parsed(engine, population))
    except Exception as exc:  # a partner's situation hook may refuse the population
        for name in aides:
            run.errors[name] = f"the reference population cannot be computed: {type(exc).__name__}: {exc}"
        return run
    for name in aides:
        if name in rules.unavailable:
            run.errors[name] = f"unavailable: {rules.unavailable[name]}"
            continue
        aide = rules.quantities[name]
        when = period.this_year if aide.period is YEAR else period
        if aide.period is ETERNITY:
            when = Period.parse("ETERNITY")
        try:
            values = simulation.calculate(name, when)
        except Exception as exc:  # one aide's bug must not stop the measurement of the others
            run.errors[name] = f"{type(exc).__name__}: {exc}"
            continue
        if values.dtype.kind not in "biuf":
            run.errors[name] = f"not a number ({aide.value_type}): not measured"
            continue
        run.values[name] = population.per_household(aide.entity.key, values.astype(float))
    return run


_PARSED: dict[tuple, Population] = {}


def _parsed(engine: Engine, population: ReferencePopulation) -> Population:
    """The population as the engine's arrays. Parsing is the slow part, and depends only on the
    Parameters' definitions and the plugins' situation hooks: reuse it while they are the same."""
    rules = engine.rules
    hooks = []
    if rules.hooks is not None:
        for hook in (rules.hooks.mesaides_prepare_situation, rules.hooks.mesaides_validate_situation):
            hooks += [
                (i.plugin_name, rules.plugins[i.plugin_name].version)
                for i in hook.get_hookimpls()
                if i.plugin_name in rules.plugins
            ]
    key = (
        population.version,
        digest({n: parameter_definition(p) for n, p in rules.parameters.items()}),
        tuple(sorted(hooks)),
    )
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = engine.population(population.situation)
        _PARSED.clear()  # one population is enough: they are large
        _PARSED[key] = parsed
    return parsed


def compare(old: np.ndarray | None, new: np.ndarray | None, households: int) -> Movement:
    """Compare two runs of one aide; a missing run (aide added or removed) counts as zero."""
    old = np.zeros(households) if old is None else np.asarray(old, dtype=float)
    new = np.zeros(households) if new is None else np.asarray(new, dtype=float)
    before, after = np.abs(old) > EPSILON, np.abs(new) > EPSILON
    diff = new - old
    moved = np.abs(diff) > EPSILON
    return Movement(
        households=households,
        gained=int(np.count_nonzero(~before & after)),
        lost=int(np.count_nonzero(before & ~after)),
        changed=int(np.count_nonzero(moved)),
        mean_change=round(float(diff[moved].mean()), 2) if moved.any() else 0.0,
        largest_increase=round(float(max(diff.max(initial=0.0), 0.0)), 2),
        largest_decrease=round(float(min(diff.min(initial=0.0), 0.0)), 2),
    )


def compress(values: np.ndarray) -> bytes:
    return zlib.compress(np.asarray(values, dtype="<f8").tobytes(), 6)


def decompress(data: bytes) -> np.ndarray:
    return np.frombuffer(zlib.decompress(data), dtype="<f8")
