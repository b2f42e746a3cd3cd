"""The Python API: compute aides for one situation or a batch, in OpenFisca's JSON format.

Third parties use it to reuse selected aides::

    from mesaides.core import Engine

    engine = Engine()                       # loads every installed partner once
    result = engine.compute(situation, ["rsa", "ppa"], "2026-11")
    result["rsa"]                           # {"famille_1": 512.3, ...}

Only what the requested aides need is computed.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from mesaides.core.batches import merge, part, split
from mesaides.core.compiled import CompiledRules
from mesaides.core.explain import Explanation, Traced
from mesaides.core.limits import UNLIMITED, Limits
from mesaides.core.periods import YEAR, Period, PeriodError
from mesaides.core.population import Population, Request, fill_requests, parse_situation
from mesaides.core.ruleset import RuleSet, load_rules
from mesaides.core.simulation import ComputationError, Simulation
from mesaides.core.situation import InconsistentSituation, SituationError, SituationIssue
from mesaides.core.values import dtype_of

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

PART_SIZE = 120_000
"""Persons per part in :meth:`Engine.compute_arrays` (about 57,000 households): a part's fixed
cost (each formula run once per period of the chains of past months, whatever the rows) against
arrays too large for the processor's caches. Measured with every aide (93) on a generated
partition of 100,000 households (210,932 persons, CPU time, 2026-12-05): 4.8 s in parts of
25,000 persons, 3.7 s in parts of 50,000, 3.3 s in parts of 100,000, 3.0 s in one piece. With
the 16 aides of issue 13, when the parts were chosen: a million households in 11 s in parts of
50,000 persons, 13.5 s in parts of 100,000, 37 s in one piece."""


class Engine:
    """A loaded rule set, reused across computations (loading is the slow part).

    ``limits`` caps the size of each situation it is given (persons, requested values): the
    defaults of :class:`~mesaides.core.limits.Limits` suit batches; a web server sets tighter ones.
    """

    def __init__(self, rules: RuleSet | None = None, *, limits: Limits | None = None):
        self.rules = rules if rules is not None else load_rules()
        self.limits = limits if limits is not None else Limits()
        for record in self.rules.plugins.values():  # the operator reads why in the server's logs too
            for problem in record.problems:
                log.warning(
                    "plugin %s of %s %s is left out: %s", record.name, record.distribution, record.version, problem
                )
        self.compiled = CompiledRules(self.rules)
        """What the engine compiles from the rules once, shared by its simulations."""

    def with_limits(self, limits: Limits) -> Engine:
        """An engine on the same rules, sharing what this one compiled, with other caps (a web
        server's, tighter than a batch's)."""
        engine = copy.copy(self)
        engine.limits = limits
        return engine

    # ---- OpenFisca-compatible -----------------------------------------------------------------

    def calculate(self, data: Mapping[str, Any], *, progress: Progress | None = None) -> dict[str, Any]:
        """Answer an OpenFisca ``/calculate`` request: the same JSON with every ``null`` filled.

        :raises SituationError: every problem of the input, each with its path.
        """
        population = self.population(data)
        simulation = self.simulation(population)
        results = self._run_requests(simulation, population, progress)
        return fill_requests(data, population.requests, results, self.rules)

    def taken_from_situation(self, names: Iterable[str]) -> tuple[str, ...]:
        """The quantities of absent partners that ``names`` read and that are therefore taken
        from the situation (0 or their default when the client gives none), for the result to
        say so (the web API's ``X-Mesaides-Taken-From-Situation`` header, the CLI's note)."""
        parameters = self.rules.parameters
        return tuple(
            sorted(
                {parameters[s].source or s for n in names if n in self.rules for s in self.rules.stand_ins_read_by(n)}
            )
        )

    def calculate_many(self, situations: Sequence[Any]) -> list[dict[str, Any] | Exception]:
        """Answer several ``/calculate`` requests at once: for each, the filled JSON or its error
        (a :class:`SituationError`, :class:`ComputationError` or :class:`PeriodError`).

        The situations are merged and computed as one population, so that the engine's cost per
        formula evaluation is shared: the web server merges the requests that arrive together.
        Each gets exactly what :meth:`calculate` would give it alone; a bad situation gets its
        own error and does not affect the others.
        """
        if len(situations) == 1:
            return [self._outcome(situations[0])]
        too_large = {i: exc for i, data in enumerate(situations) if (exc := self._above_limits(data))}
        if too_large:  # refused before anything is computed; the others are computed together
            rest = [i for i in range(len(situations)) if i not in too_large]
            computed = dict(zip(rest, self.calculate_many([situations[i] for i in rest]) if rest else []))
            return [too_large[i] if i in too_large else computed[i] for i in range(len(situations))]
        try:
            merged = merge(situations)
            # Each situation is held to the limits alone (below), not the merged one.
            population = self.population(merged.situation, limits=UNLIMITED)
            simulation = self.simulation(population)
            results = self._run_requests(simulation, population, None)
        except (ValueError, ComputationError):  # SituationError and PeriodError are ValueErrors
            # Some situation is wrong: each one alone says which, and the others are merged again.
            outcomes: list[Any] = [None] * len(situations)
            good = []
            for i, data in enumerate(situations):
                try:
                    self.population(data)
                    good.append(i)
                except (SituationError, ComputationError, PeriodError) as exc:
                    outcomes[i] = exc
            if len(good) == len(situations):  # a computation error: isolate it
                return [self._outcome(data) for data in situations]
            for i, outcome in zip(good, self.calculate_many([situations[i] for i in good])):
                outcomes[i] = outcome
            return outcomes
        requests: list[list[Request]] = [[] for _ in situations]
        for r in population.requests:
            i, ident = merged.owner[(self.rules.variable(r.name).entity.plural, r.id)]
            requests[i].append(dataclasses.replace(r, id=ident))
        return [fill_requests(data, mine, results, self.rules) for data, mine in zip(situations, requests)]

    def _above_limits(self, data: Any) -> SituationError | None:
        """The error of a situation above this engine's limits, before it joins others (a
        malformed one is left for its reading to report)."""
        if not isinstance(data, Mapping):
            return None
        tables = [t for t in data.values() if isinstance(t, Mapping)]
        persons = data.get("individus")
        requested = sum(
            1
            for table in tables
            for obj in table.values()
            if isinstance(obj, Mapping)
            for periods in obj.values()
            if isinstance(periods, Mapping)
            for value in periods.values()
            if value is None
        )
        try:
            self.limits.check(persons=len(persons) if isinstance(persons, Mapping) else 0, requested_values=requested)
        except SituationError as exc:
            return exc
        return None

    def _outcome(self, data: Any) -> dict[str, Any] | Exception:
        try:
            return self.calculate(data)
        except (SituationError, ComputationError, PeriodError) as exc:
            return exc

    def population(self, data: Mapping[str, Any], *, limits: Limits | None = None) -> Population:
        """The situation ``data`` read once into the engine's arrays (see
        :func:`mesaides.core.population.parse_situation`), within this engine's limits.

        :raises SituationError: every problem of the input, each with its path.
        """
        population = parse_situation(data, self.rules, self.limits if limits is None else limits)
        self._check_requests(population)
        return population

    def simulation(self, population: Population, *, trace: bool = False) -> Simulation:
        return Simulation(self.compiled, population, trace=trace)

    # ---- Explanations -------------------------------------------------------------------------

    def traced(self, situation: Mapping[str, Any]) -> Traced:
        """A situation's traced simulation, to explain several of its values with
        :meth:`explain` (they share their nodes).

        :raises SituationError: every problem of the input, each with its path.
        """
        return Traced(self.simulation(self.population(situation), trace=True))

    def explain(
        self,
        situation: Mapping[str, Any] | Traced,
        name: str,
        period: str | Period,
        entity_id: str,
        *,
        max_depth: int | None = None,
    ) -> Explanation:
        """Why ``name`` has its value for ``period`` for the person or group ``entity_id``: the
        tree of what it read (inputs, intermediate values, legislation values, conditions), the
        conditions met and, for a nil aide, the reason (:mod:`mesaides.core.explain`). The
        command line, the JSON API and the results page all explain through here.

        :param situation: the situation's JSON, or what :meth:`traced` made of it.
        :param max_depth: expand the tree this many reads down (``None``: all of it).
        :raises SituationError: a problem of the situation (its path), or of ``variable``,
            ``period`` or ``entity``.
        """
        why = "" if name in self.rules else f"unknown variable {name!r}"
        why = why or self._why_not(name)
        if why:
            raise SituationError([SituationIssue(path="variable", message=why)])
        if isinstance(period, str):
            try:
                period = Period.parse(period)
            except PeriodError as exc:
                raise SituationError([SituationIssue(path="period", message=str(exc))]) from None
        traced = situation if isinstance(situation, Traced) else self.traced(situation)
        d = self.rules.variable(name)
        ids = traced.population.ids(d.entity.key)
        if entity_id not in ids:
            message = f"no {d.entity.key} {entity_id!r} in the situation"
            raise InconsistentSituation([SituationIssue(path="entity", message=message)])
        return traced.explain(name, period, entity_id, max_depth=max_depth)

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
        simulation = Simulation(self.compiled, population)
        out: dict[str, dict[str, Any]] = {}
        for name in aides:
            when = self._period_for(name, period)
            values = finite(name, when, simulation.calculate(name, when))
            out[name] = dict(zip(population.ids(self.rules.variable(name).entity.key), _plain(values)))
        return out

    def compute_arrays(
        self,
        population: Population,
        aides: Iterable[str],
        period: Period,
        *,
        part_size: int | None = PART_SIZE,
    ) -> dict[str, np.ndarray]:
        """Like :meth:`compute` on an already-built population, returning arrays (for batches).

        Large populations are computed in parts of whole households of about ``part_size``
        persons (``None``: in one piece), one after the other in this process: parts small
        enough to stay in the processor's cache compute faster, and memory holds one part's
        intermediate values at a time instead of the whole population's. Yearly aides are
        asked for the year of ``period``. Several processes or machines compute a Parquet
        population's partitions on Dask, each with this method
        (:mod:`mesaides.core.populations.compute`).
        """
        aides = list(aides)
        periods = {a: self._period_for(a, period) for a in aides}
        if part_size is None or population.n_persons <= part_size:
            simulation = Simulation(self.compiled, population)
            return {a: simulation.calculate(a, periods[a]) for a in aides}
        out = {
            a: np.empty(population.size(self.rules.variable(a).entity.key), dtype=dtype_of(self.rules.variable(a)))
            for a in aides
        }
        job = _PartJob(self.compiled, population, periods)
        for rows, values in map(job, split(population, part_size)):
            for a in aides:
                out[a][rows[self.rules.variable(a).entity.key]] = values[a]
        return out

    def _period_for(self, name: str, period: Period) -> Period:
        d = self.rules.variable(name)
        return period.this_year if d.period is YEAR and period.unit is not YEAR else period

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

    def _run_requests(
        self, simulation: Simulation, population: Population, progress: Progress | None
    ) -> dict[tuple[str, Period], np.ndarray]:
        wanted = {(r.name, r.period) for r in population.requests}
        results: dict[tuple[str, Period], np.ndarray] = {}
        total = len(wanted)
        for done, (name, period) in enumerate(sorted(wanted, key=_request_order), 1):
            results[(name, period)] = finite(name, period, simulation.calculate(name, period))
            if progress:
                progress(done, total, f"{name} {period}")
        return results


def finite(name: str, period: Period, values: np.ndarray) -> np.ndarray:
    """``values`` of ``name``, checked to be finite numbers: a formula's infinite or undefined
    result is a computation error naming the quantity, never an amount given back.

    :raises ComputationError: when a value is ``inf`` or ``NaN``.
    """
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        bad = values[~np.isfinite(values)][0]
        raise ComputationError(f"{name} for {period}: the formula gives {bad}, not an amount")
    return values


def _request_order(key: tuple[str, Period]) -> tuple[str, str]:
    # One fixed order, so that a situation gets the same values alone or joined with others.
    return str(key[1]), key[0]


PartResult = tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
"""A part's rows in the whole population, by entity, and its values of the aides asked for."""


class _PartJob:
    """Computes some aides on one part of a population."""

    def __init__(self, compiled: CompiledRules, population: Population, periods: dict[str, Period]):
        self.compiled = compiled
        self.rules = compiled.rules
        self.population = population
        self.periods = periods

    def __call__(self, persons: np.ndarray) -> PartResult:
        piece = part(self.population, self.rules, persons)
        simulation = Simulation(self.compiled, piece.population)
        return piece.rows, {a: simulation.calculate(a, p) for a, p in self.periods.items()}


def _plain(values: np.ndarray) -> list[Any]:
    if values.dtype == np.float64:
        return [round(v, 2) for v in values.tolist()]
    if values.dtype.kind == "M":
        return [str(v) for v in values]
    plain: list[Any] = values.tolist()
    return plain


def requested_names(data: Any) -> set[str]:
    """The names an OpenFisca ``/calculate`` request asks for (those given a ``null`` value)."""
    names: set[str] = set()
    if not isinstance(data, Mapping):
        return names
    for table in data.values():
        if not isinstance(table, Mapping):
            continue
        for obj in table.values():
            if isinstance(obj, Mapping):
                names.update(
                    n for n, periods in obj.items() if isinstance(periods, Mapping) and None in periods.values()
                )
    return names


def calculate(data: Mapping[str, Any]) -> dict[str, Any]:
    """One-shot :meth:`Engine.calculate` (loads the plugins each call: keep an Engine instead)."""
    return Engine().calculate(data)


__all__ = ["ComputationError", "Engine", "PeriodError", "SituationError", "calculate", "requested_names"]
