"""Measuring an impact: every aide computed on the reference population, compared between two
syncs (A3, A7, A8, A10).

The reference population is computed as ``mesaides population compute`` computes any population
(one Dask task per partition). Results are stored per household (an aide's values added up
over the household's members or groups), compressed, so that the next sync can compare without the previous rules installed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mesaides.core import Engine, Period
from mesaides.core.populations.compute import rule_versions
from mesaides.core.populations.compute import run as compute_population
from mesaides.registry.population import ReferencePopulation

if TYPE_CHECKING:
    from distributed import Client

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


def run_reference(
    engine: Engine, population: ReferencePopulation, aides: Iterable[str], *, client: Client | None = None
) -> ReferenceRun:
    """Compute ``aides`` for every household of ``population`` (an aide that fails is
    recorded) through the Dask graph of ``mesaides population compute``: on the cluster of
    ``client`` when given, else in this process on the rules the engine compiled once."""
    import pyarrow.parquet as pq

    run = ReferenceRun(population.period, population.version, population.households)
    aides = list(aides)
    try:
        done = compute_population(
            population.path, aides, Period.parse(population.period), client, name="reference", engine=engine
        )
    except Exception as exc:  # a population the rules refuse: every aide is reported, none measured
        for name in aides:
            run.errors[name] = f"the reference population cannot be computed: {type(exc).__name__}: {exc}"
        return run
    ours = rule_versions(engine.rules)
    if client is not None and done.summary.rules != ours:
        differ = sorted(set(done.summary.rules.items()) ^ set(ours.items()))
        why = f"the cluster's workers computed with other rules than the registry's: {differ}"
        return ReferenceRun(
            population.period, population.version, population.households, errors=dict.fromkeys(aides, why)
        )
    run.errors.update(done.summary.errors)
    files = sorted(done.folder.glob("part-*.parquet"))
    tables = [pq.read_table(f) for f in files]
    for name in aides:
        if name in run.errors:
            continue
        values = np.concatenate([np.asarray(t.column(name).to_numpy(), dtype=float) for t in tables])
        run.values[name] = values
    return run


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
