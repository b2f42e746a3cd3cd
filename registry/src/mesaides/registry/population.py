"""The reference population the registry measures impacts on (A3, A7, A8, A10).

It is the project's one synthetic population of France's households
(:mod:`mesaides.core.populations.generator`, what ``mesaides population generate`` writes),
written as Parquet into a temporary folder for one measurement and computed there through the
same Dask graph as ``mesaides population compute`` (:func:`mesaides.registry.measure.run_reference`).
The same arguments give the same households: their ages are drawn from the first day of the
period measured, so that a later sync can compute the previous population again.

Only the Parameters the installed rule set declares are filled in; the others keep their
defaults. The households cover every territory the installed partners' aides test.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from mesaides.core import Period, RuleSet
from mesaides.core.populations.generator import GENERATOR, generate

DEFAULT_HOUSEHOLDS = 2000
DEFAULT_SEED = 20261


@dataclass
class ReferencePopulation:
    """A reference population written as Parquet in ``path``, removed on :meth:`close` (or at
    the end of a ``with`` block)."""

    version: str
    period: str
    households: int
    path: Path
    _owned: bool = field(default=True, repr=False)

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.path.parent, ignore_errors=True)

    def __enter__(self) -> ReferencePopulation:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def population_version(households: int, seed: int, period: str) -> str:
    return f"{GENERATOR}-n{households}-seed{seed}-{period}"


def reference_population(
    rules: RuleSet,
    period: str | Period,
    households: int = DEFAULT_HOUSEHOLDS,
    seed: int = DEFAULT_SEED,
    folder: Path | None = None,
) -> ReferencePopulation:
    """Generate ``households`` households for ``period`` (a month) into ``folder`` (a new
    temporary folder by default, removed when the population is closed)."""
    p = Period.parse(period) if isinstance(period, str) else period
    key = f"{p.year:04d}-{p.month:02d}"
    owned = folder is None
    path = Path(tempfile.mkdtemp(prefix="mesaides-reference-")) if folder is None else folder
    try:
        generate(path / "population", households, rules, seed=seed, reference_date=dt.date(p.year, p.month, 1))
    except BaseException:
        if owned:
            shutil.rmtree(path, ignore_errors=True)
        raise
    return ReferencePopulation(population_version(households, seed, key), key, households, path / "population", owned)
