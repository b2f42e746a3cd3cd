"""The Python API: compute aides for one situation or a batch, in OpenFisca's JSON format.

Third parties use it to reuse selected aides::

    from mesaides.core import Engine

    engine = Engine()                       # loads every installed partner once
    result = engine.compute(situation, ["rsa", "ppa"], "2026-11")
    result["rsa"]                           # {"famille_1": 512.3, ...}

Only what the requested aides need is computed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from mesaides.core.periods import YEAR, Period, PeriodError
from mesaides.core.ruleset import RuleSet, load_rules
from mesaides.core.simulation import ComputationError, Simulation
from mesaides.core.situation import (
    Population,
    Situation,
    SituationError,
    SituationIssue,
    fill_requests,
    parse_situation,
)

Progress = Callable[[int, int, str], None]


class Engine:
    """A loaded rule set, reused across computations (loading is the slow part)."""

    def __init__(self, rules: RuleSet | None = None):
        self.rules = rules if rules is not None else load_rules()

    # ---- OpenFisca-compatible -----------------------------------------------------------------

    def calculate(self, data: Mapping[str, Any], *, progress: Progress | None = None) -> dict[str, Any]:
        """Answer an OpenFisca ``/calculate`` request: the same JSON with every ``null`` filled.

        :raises SituationError: every problem of the input, each with its path.
        """
        population = self.population(data)
        simulation = self.simulation(population)
        results = self._run_requests(simulation, population, progress)
        return fill_requests(dict(data), population, results, self.rules)

    def population(self, data: Mapping[str, Any]) -> Population:
        population = parse_situation(data, self.rules)
        self._check_requests(population)
        prepared = self._prepare(data)
        if prepared is not None:
            population = parse_situation(prepared, self.rules)
        return population

    def simulation(self, population: Population, *, trace: bool = False) -> Simulation:
        return Simulation(self.rules, population, trace=trace)

    # ---- Selected aides -----------------------------------------------------------------------

    def compute(
        self, situation: Mapping[str, Any], aides: Iterable[str], period: str | Period
    ) -> dict[str, dict[str, Any]]:
        """Compute ``aides`` for ``period``: ``{aide: {entity id: value}}``."""
        period = Period.parse(period) if isinstance(period, str) else period
        aides = list(aides)
        issues = [SituationIssue(path=a, message=self._why_not(a)) for a in aides if self._why_not(a)]
        if issues:
            raise SituationError(issues)
        population = self.population(situation)
        simulation = Simulation(self.rules, population)
        out: dict[str, dict[str, Any]] = {}
        for name in aides:
            d = self.rules.variable(name)
            p = period.this_year if d.period is YEAR and period.unit is not YEAR else period
            values = simulation.calculate(name, p)
            out[name] = dict(zip(population.ids(d.entity.key), _plain(values)))
        return out

    def compute_arrays(self, population: Population, aides: Iterable[str], period: Period) -> dict[str, np.ndarray]:
        """Like :meth:`compute` on an already-built population, returning arrays (for batches)."""
        simulation = Simulation(self.rules, population)
        return {a: simulation.calculate(a, period) for a in aides}

    # ---- Internals ----------------------------------------------------------------------------

    def _why_not(self, name: str) -> str:
        if name not in self.rules:
            return "unknown aide"
        if name in self.rules.unavailable:
            return f"unavailable: {self.rules.unavailable[name]}"
        return ""

    def _check_requests(self, population: Population) -> None:
        issues = []
        for r in population.requests:
            why = self._why_not(r.name)
            if why:
                d = self.rules.variable(r.name)
                issues.append(SituationIssue(path=f"{d.entity.plural}.{r.id}.{r.name}", message=why))
        if issues:
            raise SituationError(issues)

    def _prepare(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        if self.rules.hooks is None:
            return None
        situation = Situation.from_json(data)
        changed = False
        for impl in reversed(self.rules.hooks.mesaides_prepare_situation.get_hookimpls()):
            result = impl.function(
                **{k: v for k, v in {"situation": situation, "rules": self.rules}.items() if k in impl.argnames}
            )
            if result is not None:
                situation, changed = result, True
        return situation.to_json() if changed else None

    def _run_requests(self, simulation: Simulation, population: Population, progress: Progress | None):
        wanted = defaultdict(int)
        for r in population.requests:
            wanted[(r.name, r.period)] += 1
        results = {}
        total = len(wanted)
        for done, (name, period) in enumerate(sorted(wanted, key=lambda k: (str(k[1]), k[0])), 1):
            results[(name, period)] = simulation.calculate(name, period)
            if progress:
                progress(done, total, f"{name} {period}")
        return results


def _plain(values: np.ndarray) -> list[Any]:
    if values.dtype == np.float64:
        return [round(v, 2) for v in values.tolist()]
    if values.dtype.kind == "M":
        return [str(v) for v in values]
    return values.tolist()


def calculate(data: Mapping[str, Any]) -> dict[str, Any]:
    """One-shot :meth:`Engine.calculate` (loads the plugins each call: keep an Engine instead)."""
    return Engine().calculate(data)


__all__ = ["ComputationError", "Engine", "PeriodError", "SituationError", "calculate"]


def explain_json(engine: Engine, data: Mapping[str, Any], name: str, period: str, entity_id: str):
    """Explain one value of a situation (see :mod:`mesaides.core.explain`)."""
    from mesaides.core.explain import explain

    population = engine.population(data)
    p = Period.parse(period)
    if name not in engine.rules or engine._why_not(name):
        raise SituationError([SituationIssue(path=name, message=engine._why_not(name) or "unknown variable")])
    simulation = Simulation(engine.rules, population, trace=True)
    return explain(simulation, name, p, entity_id)
