"""The vectorised engine: computes quantities for every household of a population at once.

Values are numpy arrays with one row per person or group. A quantity is computed on demand for
a period, once, then cached: a request computes only what the requested aides need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mesaides.core.batches import household_of_person, part
from mesaides.core.checks import DEFINED_FOR, Check
from mesaides.core.compiled import CompiledRules
from mesaides.core.context import Context
from mesaides.core.definitions import Definition, Quantity
from mesaides.core.entities import INDIVIDU
from mesaides.core.periods import ETERNITY, ETERNITY_PERIOD, MONTH, YEAR, Period
from mesaides.core.population import Population
from mesaides.core.recent import Recent
from mesaides.core.replay import Recorder, Template, fact, follow, same_law
from mesaides.core.ruleset import RuleSet
from mesaides.core.values import default_of, dtype_of

DEFAULT_PAST_DEPTH = 3
"""How many backward reads (``reads_past``) a computation may chain: this month's housing aid
reads last month's RSA, which reads last month's housing aid, which reads the RSA of the month
before... Past that depth the value is the default. OpenFisca ends such chains after one loop
("spirals"); three steps reproduce its results and the law's intent, since older months stop
mattering."""


INTERN_BYTES = 4096
"""Arrays up to this size are compared with the previous value of their quantity (see
:meth:`Simulation._intern`)."""


TEMPLATES = 4
"""Evaluations kept per quantity for reuse, and distinct values kept for :meth:`_intern`: a
value changes at a few dates (a birthday, a new job, a revaluation) and chains of backward reads
go back and forth between months."""


SPARSE_PERSONS = 4096
"""In a population of at least this many persons, a quantity with a ``defined_for`` is
evaluated on the households where it holds, apart from the others, when the condition holds
for at most :data:`SPARSE_SHARE` of its rows (see :meth:`Simulation._on_households`). Below,
the fixed cost of each evaluation in a second simulation outweighs what the rows save
(measured: slower at 2,500 persons, faster from 6,000, twice as fast at 50,000)."""

SPARSE_SHARE = 0.25
"""Above this share of rows a quantity is evaluated on every household: what the apart
evaluation saves is then less than what it costs (slicing the inputs, a second cache)."""

SPARSE_PARTS = 8
"""Simulations of households kept apart, at most, per simulation; past it, the least recently
used makes way, instead of the quantity being evaluated on every row (territorial and national
aides' households make more than 8 sets on a generated partition of 20,000 households)."""

SPARSE_SPREAD = 4
"""Simulations apart one evaluation may be spread over, at most; past it, the quantity is
evaluated on every row. Each simulation apart computes for its households everything the
quantity reads that the whole's has not computed (a chain of resources over many months):
spread over many, those computations cost their fixed part each time. Measured on a generated
partition of 20,000 households and 93 aides (CPU time, 2026-12-05): 0.60 s at 3 or 4, 0.78 s
at 6, 1.1 s at 8 (and 1.05 s before this bound, with 8 simulations at most)."""

SPARSE_MASKS = 16
"""``defined_for`` masks whose households are remembered (see :meth:`Simulation._households_with`)."""

PER_PERSON = 16
"""Group values given to persons kept per simulation (see :meth:`Simulation.per_person`):
measured on a partition of 100,000 households and 93 aides, a person's formula reads a group's
value given to persons a thousand times, half of them the same array as one of the 8 before
(30 MB at most there: 16 values of 210,000 persons)."""

TOTALS = 16
"""Sums of values over several periods kept per simulation (see :meth:`Simulation.total`):
measured on a partition of 100,000 households and 93 aides, 1,219 of its 1,911 sums are of the
same arrays as one of the 16 before (0.17 s of additions; 27 MB kept at most there)."""

SHARED_DEFAULT_ROWS = 16
"""Default values of up to this many rows are shared between simulations (see
:meth:`Simulation.default`); larger ones belong to their simulation."""

SUM = object()
"""The formula of a quantity defined as a sum (``adds``/``subtracts``), for reuse."""

INDIVIDU_KEY = INDIVIDU.key


class ComputationError(RuntimeError):
    """A quantity that cannot be computed: unavailable, asked for a wrong period, or a bug."""


@dataclass
class TraceNode:
    """What one computation read and checked, for explanations."""

    name: str
    period: Period
    reads: list[tuple[str, Period]] = field(default_factory=list)
    law: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)


class Simulation:
    """Computes on one population with one rule set.

    :param lookback: quantities are not computed for periods that start more than this many
        months before the period asked for: they take their default value. Rules that read their
        own past (this month's housing aid reads last month's RSA, which reads last month's
        housing aid) would otherwise recurse back to the start of the law; the situation
        describes only the recent months anyway. The limit follows each top-level request, so
        a batch may mix periods; values cut by it are not cached.
    :param sparse_persons: evaluate a quantity whose ``defined_for`` holds for few rows on
        the households where it holds only, when the population has at least this many
        persons (None: never; see :meth:`_on_households`). The values are the same either way.
    :param reuse: reuse a formula's result for another period when everything it read is the
        same (:mod:`mesaides.core.replay`). The values and the explanations are the same either
        way.
    """

    def __init__(
        self,
        rules: RuleSet | CompiledRules,
        population: Population,
        *,
        trace: bool = False,
        lookback: int = 36,
        past_depth: int = DEFAULT_PAST_DEPTH,
        reuse: bool = True,
        sparse_persons: int | None = SPARSE_PERSONS,
    ):
        # An engine shares what it compiled from its rules between its simulations; a bare rule
        # set is compiled for this simulation.
        self.compiled = rules if isinstance(rules, CompiledRules) else CompiledRules(rules)
        self.rules: RuleSet = self.compiled.rules
        rules = self.rules
        self.population = population
        self.cache: dict[tuple[str, Period], np.ndarray] = {}
        self.trace: dict[tuple[str, Period], TraceNode] | None = {} if trace else None
        self._on_stack: dict[tuple[str, Period], None] = {}
        """The computations under way, in order (a dict: ordered, with fast membership)."""
        self.lookback = lookback
        self.past_depth = past_depth
        self._hops = 0
        self.horizon: dt.date | None = None
        self._cut = False
        self._defaults: dict[str, np.ndarray] = {}
        self._cut_best: dict[tuple[str, Period], tuple[int, np.ndarray]] = {}
        self._cut_cache: dict[tuple[str, Period, dt.date | None, int], np.ndarray] = {}
        """(name, period, horizon, backward steps) -> a value computed from values cut by the lookback."""
        # Per-call look-ups hoisted out of the hot path (the rule set and population are fixed).
        compiled = self.compiled
        self._index = compiled.index
        self._unavailable = rules.unavailable
        self._given = population.given
        self._sizes: dict[str, int] = {}
        self._dtypes: dict[str, np.dtype] = compiled.dtypes
        self._shapes: dict[str, tuple[int]] = {}
        """Each entity's shape of values, by entity key."""
        self._when = compiled.when
        self._computed = compiled.computed
        self._shared_defaults = compiled.defaults
        self.entity_keys: dict[str, str] = compiled.entity_keys
        self._followed = compiled.followed
        self.reuse = reuse
        self.runs = 0
        """Formula evaluations run."""
        self.reused = 0
        """Formula evaluations reused from another period instead (see ``reuse``)."""
        self._legislation = rules.legislation
        self._templates: dict[str, list[Template]] = {}
        self._latest: dict[str, list[tuple[np.ndarray, bytes | None]]] = {}
        """Each quantity's last distinct values, with their bytes once compared (see :meth:`_intern`)."""
        self._parts_of: dict[tuple[str, str], tuple[str, ...]] = {}
        self._non_negative: dict[str, bool] = {}
        self._sparse = sparse_persons is not None and population.n_persons >= sparse_persons
        """Whether quantities whose ``defined_for`` holds for few rows are evaluated apart."""
        self._household: np.ndarray | None = None
        """Each person's household (see :func:`household_of_person`), once needed."""
        self._household_of_group: dict[str, np.ndarray] = {}
        """Per group entity, each group's household (the one of its members)."""
        self._wanted: Recent[np.ndarray] = Recent(SPARSE_MASKS)
        """A ``defined_for`` mask's households (see :meth:`_households_with`)."""
        self._apart: list[tuple[np.ndarray, dict[str, np.ndarray], Simulation]] = []
        """Households evaluated apart: which households (a mask over the labels of
        :func:`household_of_person`), their rows per entity, their simulation (each household
        in one at most)."""
        self._whole: tuple[dict[tuple[str, Period], np.ndarray], dict[str, np.ndarray]] | None = None
        """For a simulation of households apart: the values computed by the simulation of the
        whole population (its cache, not the simulation: no reference cycle keeps either alive)
        and these households' rows in it, per entity (see :meth:`_from_whole`)."""
        self._per_person: Recent[np.ndarray] = Recent(PER_PERSON)
        """A group's value given to each person (see :meth:`per_person`)."""
        self._totals: Recent[np.ndarray] = Recent(TOTALS)
        """The sum of values over several periods (see :meth:`total`)."""
        self._texts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        """id of a text array -> (the array, its distinct texts, each row's index among them)."""
        self._taken: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        """id of a value of the whole population -> (that value, its rows here): one slice per
        value, so that a value shared by several periods stays one array here too (reuse)."""

    def _horizon_for(self, period: Period) -> dt.date | None:
        if period.unit is ETERNITY:
            return None
        return period.first_month.offset(-self.lookback).start

    # ---- Public ------------------------------------------------------------------------------

    def calculate(self, name: str, period: Period | str) -> np.ndarray:
        """The value of ``name`` for ``period``, for every person or group of its entity."""
        if isinstance(period, str):
            period = Period.parse(period)
        outer = self.horizon
        if not self._on_stack:
            self.horizon = self._horizon_for(period)
        try:
            return self._compute(name, period, reader=None)
        finally:
            self.horizon = outer

    def stored(self, name: str, period: Period) -> np.ndarray:
        """A value already computed, for explanations: the cached one, or the one computed
        closest to the request when backward reads were cut."""
        value = self.cache.get((name, period))
        if value is None:
            value = self._cut_best[(name, period)][1]
        return value

    # ---- Engine ------------------------------------------------------------------------------

    def _compute(self, name: str, period: Period, reader: TraceNode | None) -> np.ndarray:
        # Fast path: a value already computed. Cache keys hold normalised periods only, so a hit
        # means the period is the quantity's own.
        key = (name, period)
        cached = self.cache.get(key)
        if cached is None and self._cut_cache:
            cached = self._cut_cache.get((name, period, self.horizon, self._hops))
        if cached is not None:
            if reader is not None:
                reader.reads.append(key)
            return cached
        d = self._index.get(name)
        if d is None or name in self._unavailable:
            raise self._missing(name)
        if d.period is not period[0]:
            period = self._normalise(d, period)
            key = (name, period)
            if reader is not None:
                reader.reads.append(key)
            cached = self.cache.get(key)
            if cached is None:
                cached = self._cut_cache.get((name, period, self.horizon, self._hops))
            if cached is not None:
                return cached
        elif reader is not None:
            reader.reads.append(key)
        if name not in self._computed:
            value = self._input(d, period)
        elif self._whole is not None and (taken := self._from_whole(name, key)) is not None:
            value = taken
        else:
            on_stack = self._on_stack
            if key in on_stack:
                stack = list(on_stack)
                loop = " -> ".join(f"{n}@{p}" for n, p in (*stack[stack.index(key) :], key))
                raise ComputationError(f"{name} depends on itself for {period}: {loop}")
            on_stack[key] = None
            cut_before, self._cut = self._cut, False
            try:
                value = self._formula(d, period)  # type: ignore[arg-type]  # computed: a quantity
            finally:
                del on_stack[key]
            cut, self._cut = self._cut, cut_before or self._cut
            given_by_period = self._given.get(name)
            if given_by_period is not None:
                given = given_by_period.get(period)
                if given is not None:
                    mask, values = given
                    value = np.where(mask, values, value)
            if self.reuse:
                value = self._intern(name, value)
            if cut:
                # Computed from values cut by the lookback: right for requests with this
                # horizon, not for one of an earlier period, so it is cached with the horizon.
                value.flags.writeable = False
                self._cut_cache[(name, period, self.horizon, self._hops)] = value
                best = self._cut_best.get(key)
                if best is None or self._hops < best[0]:
                    self._cut_best[key] = (self._hops, value)
                return value
        # Cached arrays are shared by every reader: an in-place change would corrupt them.
        value.flags.writeable = False
        self.cache[key] = value
        return value

    def texts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct texts of ``values`` (sorted, as ``str``) and each row's index among
        them, found once per array: a commune code is the same array for every month and every
        aide reading it, and comparing a few hundred distinct codes, then indexing, is many
        times faster than comparing every row's text (each territorial aide's first test)."""
        found = self._texts.get(id(values))
        if found is None or found[0] is not values:
            distinct, index = np.unique(values.astype(str), return_inverse=True)
            found = self._texts[id(values)] = (values, distinct, index.reshape(values.shape))
        return found[1], found[2]

    def per_person(self, values: np.ndarray, entity_key: str) -> np.ndarray:
        """The values of a group entity (``entity_key``) given to each of its members.

        A value computed once is read by many persons' formulas (a famille's number of
        parents, the same month's resources in every aide reading them): the last
        :data:`PER_PERSON` of them given to persons are kept, read-only like the value. Only a
        read-only value is kept: an array that can still change (a sum being made) is given
        again each time."""
        if values.flags.writeable:
            per_person: np.ndarray = values[self.population.groups[entity_key].person_group]
            return per_person
        found = self._per_person.get((values,))
        if found is not None:
            return found
        per_person = values[self.population.groups[entity_key].person_group]
        per_person.flags.writeable = False
        self._per_person.put((values,), per_person)
        return per_person

    def total(self, values: tuple[np.ndarray, ...]) -> np.ndarray:
        """The sum of ``values`` as floats, added in order: a new array, the caller's to change.

        Formulas sum the same months of the same values again and again (a year of resources
        at each step of a chain of backward reads, the same resources in several aides): the
        last :data:`TOTALS` sums of read-only values (which cannot change) are kept with the
        very arrays they were made from, and a copy of the kept sum is given when the same
        arrays are summed again. Measured on a partition of 100,000 households and 93 aides:
        two sums in three are of arrays summed before."""
        found = self._totals.get(values)
        if found is not None:
            return found.copy()
        total = values[0].astype(float)
        for value in values[1:]:
            total += value  # ``total`` is a fresh float array: add in place
        if not any(value.flags.writeable for value in values):
            self._totals.put(values, total)
            total = total.copy()
        return total

    def _from_whole(self, name: str, key: tuple[str, Period]) -> np.ndarray | None:
        """The value of ``key`` for these households taken from the whole population's
        simulation when it has computed it already (a territorial aide reading a national one),
        else None. Only values cached there are taken: they hold whatever the horizon."""
        whole, rows = self._whole  # type: ignore[misc]  # called only when set
        full = whole.get(key)
        if full is None:
            return None
        taken = self._taken.get(id(full))
        if taken is None:
            taken = self._taken[id(full)] = (full, full[rows[self.entity_keys[name]]])
        return taken[1]

    def _missing(self, name: str) -> ComputationError:
        """Why ``name`` cannot be computed: it is unavailable, or unknown."""
        rules = self.rules
        if name in rules.unavailable:
            return ComputationError(f"{name} is unavailable: {rules.unavailable[name]}")
        return ComputationError(f"unknown variable {name!r}")

    @staticmethod
    def _normalise(d: Definition, period: Period) -> Period:
        if d.period is ETERNITY:
            return ETERNITY_PERIOD
        if d.period is MONTH and period.unit is not MONTH:
            raise ComputationError(f"{d.name} is monthly: ask for a month, not {period}")
        if d.period is YEAR and period.unit is not YEAR:
            raise ComputationError(f"{d.name} is yearly: ask for a year, not {period}")
        return period

    def _size(self, d: Definition) -> int:
        key = d.entity.key
        size = self._sizes.get(key)
        if size is None:
            size = self._sizes[key] = self.population.size(key)
        return size

    def default(self, d: Definition) -> np.ndarray:
        """The default value of ``d`` for everyone (one read-only array, shared; between the
        simulations of the same rules too, for a household or a few)."""
        value = self._defaults.get(d.name)
        if value is None:
            size = self._size(d)
            shared = size <= SHARED_DEFAULT_ROWS
            if shared:
                value = self._shared_defaults.get((d.name, size))
            if value is None:
                value = np.full(size, default_of(d), dtype=dtype_of(d))
                value.flags.writeable = False
                if shared:
                    self._shared_defaults[(d.name, size)] = value
            self._defaults[d.name] = value
        return value

    def _input(self, d: Definition, period: Period) -> np.ndarray:
        value = self.population.inputs.get(d.name, {}).get(period)
        if value is None:
            return self.default(d)
        # Read-only like every value formulas see: inputs may share one array across months
        # (generated populations do), which a change in place would corrupt.
        value.flags.writeable = False
        return value

    def _formula(self, q: Quantity, period: Period) -> np.ndarray:
        name = q.name
        when = self._when.get((name, period))
        formula: Any
        if when is None:
            start = period.start
            formula = SUM if q.is_sum else q.formula_at(start)
            when = self._when[(name, period)] = (formula, start, self._legislation.epoch(start))
        formula, start, epoch = when
        if self._hops > self.past_depth or (
            self.horizon is not None and period[0] is not ETERNITY and start < self.horizon
        ):
            self._cut = True
            return self.default(q)
        if formula is None:
            return self.default(q)
        if q.defined_for is not None and self.trace is None:
            # Where the quantity is defined for nobody, its value is the default: nothing else is
            # read (with a trace, the evaluation below records the condition).
            # (count_nonzero: one call, where any() is several on a household's few rows)
            if not np.count_nonzero(self.read(q.defined_for, period, False, None)):
                return self.default(q)
        if self.reuse:
            for template in self._templates.get(name, ()):
                if template.formula is formula:
                    result = self._replay(template, q.name, period, start, epoch)
                    if result is not None:
                        self.reused += 1
                        return result
        node = None
        if self.trace is not None:
            node = self.trace[(q.name, period)] = TraceNode(q.name, period)
        recorder = Recorder() if self.reuse else None
        ctx = Context(self, q, period, node, recorder)
        self.runs += 1
        try:
            if formula is SUM or q.defined_for is not None:
                result = self._evaluate(q, formula, ctx, node, period)
            else:
                result = self._coerce(q, formula.function(ctx))
        except ComputationError:
            raise
        except Exception as exc:
            raise ComputationError(f"{q.name} for {period}: {type(exc).__name__}: {exc}") from exc
        if q.minimum is not None:
            self._check_minimum(q, result, period)
        if recorder is not None and recorder.fit:
            result.flags.writeable = False
            templates = self._templates.setdefault(q.name, [])
            templates.insert(0, Template(formula, recorder.reads, recorder.laws, recorder.facts, result, epoch, node))
            del templates[TEMPLATES:]
        return result

    def _evaluate(self, q: Quantity, formula: Any, ctx: Context, node: TraceNode | None, period: Period) -> np.ndarray:
        """One evaluation of ``q``: its ``defined_for`` first (the formula is not run where it
        holds nowhere), then its formula or its sum, its results kept where it holds.

        Everything is read through ``ctx``, so that reuse (:mod:`mesaides.core.replay`) and
        explanations see the engine's reads as the formula's."""
        mask = None
        held = 0
        if q.defined_for is not None:
            mask = np.asarray(ctx(q.defined_for), dtype=bool)
            if node is not None:
                node.checks.append(Check(self._index[q.defined_for].label, mask, kind=DEFINED_FOR))
            held = int(np.count_nonzero(mask))
            if not held:
                return self.default(q)
        if formula is SUM:
            result = self._sum(q, ctx, mask)
        elif mask is not None and node is None and self._sparse and held <= SPARSE_SHARE * mask.size:
            apart = self._on_households(q, period, mask)
            if apart is None:
                result = self._coerce(q, formula.function(ctx))
            else:
                result = apart
                if ctx.recorder is not None:
                    ctx.recorder.unfit()  # what the formula read was read apart: nothing to replay
        else:
            result = self._coerce(q, formula.function(ctx))
        if mask is not None and held < mask.size:
            result = np.where(mask, result, self.default(q))
        return result

    def _on_households(self, q: Quantity, period: Period, mask: np.ndarray) -> np.ndarray | None:
        """``q`` evaluated only on the households where its ``defined_for`` (``mask``) holds,
        in simulations of their own, and given to the others as its default; None when that
        would take more simulations than :data:`SPARSE_PARTS` (see :meth:`_apart_for`).

        Households never read each other's values (:mod:`mesaides.core.batches`), so each one
        gets the same values as when all are evaluated together; the formula and everything it
        reads then cost in proportion to the households that need them. Each household is
        kept in one simulation at most, reused for any later quantity or period that needs
        it, so that what it reads is computed once; a value the whole population's simulation
        has computed already is taken from it (see :meth:`_from_whole`)."""
        apart = self._apart_for(self._households_with(q.entity.key, mask))
        if apart is None:
            return None
        result = np.array(self.default(q))
        entity_key = q.entity.key
        # The evaluation goes on in the other simulations, as deep in the chain of backward
        # reads as here, with the same horizon, and with what is under way here (less ``q``).
        on_stack = {key: None for key in self._on_stack if key != (q.name, period)}
        for rows, sim in apart:
            sim.horizon = self.horizon
            sim._hops = self._hops
            sim._on_stack = on_stack
            sim._cut = False
            try:
                result[rows[entity_key]] = sim._compute(q.name, period, None)
            finally:
                sim._on_stack = {}
            self._cut = self._cut or sim._cut
        return result

    def _households_with(self, entity_key: str, mask: np.ndarray) -> np.ndarray:
        """Whether each household has a row of ``entity_key`` in ``mask``: a mask over the
        households' labels (see :func:`household_of_person`; a label is a person's index, so
        most are no household's).

        Only households are needed to choose the simulations apart (each holds whole ones), not
        persons: on a large population this is asked a few hundred times, mostly to find the
        quantity too spread to be evaluated apart, and each person-sized copy was a measured
        part of that. A mask is often the same array again (the same ``defined_for`` read at
        another step of a chain of backward reads): its households are remembered with it."""
        found = self._wanted.get((mask,))
        if found is not None:
            return found
        household = self._household
        if household is None:
            household = self._household = household_of_person(self.population)
        if entity_key != INDIVIDU_KEY:
            of_group = self._household_of_group.get(entity_key)
            if of_group is None:
                structure = self.population.groups[entity_key]
                # A group without members belongs to no household: it points past the labels.
                of_group = np.full(structure.count, household.size, dtype=household.dtype)
                of_group[structure.person_group] = household
                self._household_of_group[entity_key] = of_group
            household = of_group
        wanted = np.zeros(self._household.size + 1, dtype=bool)  # type: ignore[union-attr]  # set above
        wanted[household[mask]] = True
        wanted = wanted[:-1]
        wanted.flags.writeable = False  # remembered: shared by every evaluation with this mask
        self._wanted.put((mask,), wanted)
        return wanted

    def _apart_for(self, households: np.ndarray) -> list[tuple[dict[str, np.ndarray], Simulation]] | None:
        """The simulations holding ``households`` (a mask, see :meth:`_households_with`): those kept from
        before that hold some of them, and a new one for the others. When :data:`SPARSE_PARTS`
        are kept already, the one least recently used (and not by this evaluation) makes way
        for the new one. None when the households are spread over more than
        :data:`SPARSE_SPREAD` simulations, or all are used by this evaluation: the quantity is
        then evaluated here."""
        found = []
        used = []
        rest = households
        for i, (held, rows, sim) in enumerate(self._apart):
            if rest is households:
                rest = households.copy()
            if (rest & held).any():
                found.append((rows, sim))
                used.append(i)
                rest &= ~held
        if used:  # the least recently used first
            self._apart = [a for i, a in enumerate(self._apart) if i not in used] + [self._apart[i] for i in used]
        if len(found) + bool(rest.any()) > SPARSE_SPREAD:
            return None
        if rest.any():
            if len(self._apart) >= SPARSE_PARTS:
                if len(used) == len(self._apart):
                    return None
                # Its households go back to being evaluated apart in a new simulation when needed;
                # what it computed and the simulation of the whole took is still in the whole's cache.
                del self._apart[0]
            piece = part(self.population, self.rules, np.flatnonzero(rest[self._household]))
            sim = Simulation(
                self.compiled,
                piece.population,
                lookback=self.lookback,
                past_depth=self.past_depth,
                reuse=self.reuse,
                sparse_persons=None,
            )
            sim._whole = (self.cache, piece.rows)
            self._apart.append((rest, piece.rows, sim))
            found.append((piece.rows, sim))
        return found

    @staticmethod
    def _check_minimum(q: Quantity, result: np.ndarray, period: Period) -> None:
        minimum = q.minimum
        if result.size and result.min() < minimum:
            raise ComputationError(
                f"{q.name} for {period}: the formula gave {float(result.min()):g}, below its minimum {minimum:g}"
            )

    # ---- Sums (adds / subtracts) --------------------------------------------------------------

    def _term(self, q: Quantity, ctx: Context, name: str) -> np.ndarray:
        """A term of ``q``'s sum on ``q``'s entity: a person's values are summed over the
        members of a group."""
        if q.entity.key != INDIVIDU_KEY and self.entity_keys[name] == INDIVIDU_KEY:
            return ctx.members(name).sum()
        return ctx(name)

    def _sum(self, q: Quantity, ctx: Context, mask: np.ndarray | None) -> np.ndarray:
        """``adds`` summed, minus ``subtracts``, at least ``floor``; each in order.

        With a floor, what is subtracted is read only while the amount may stay above it: once
        the amount is at the floor wherever it is wanted (``mask``) and what remains to subtract
        is never negative, the result is the floor. A term that is itself a sum (``adds`` only,
        not given by the situation) is followed term by term, its partial sum made with the
        same operations, in the same order, as its whole: adding a term that is never negative
        never lowers a rounded sum, so the partial amount bounds the whole one exactly, not
        only on paper."""
        total = None
        for name in q.adds:
            value = self._term(q, ctx, name)
            total = value.astype(float) if total is None else total + value
        if total is None:
            total = np.zeros(self._size(q))
        floor = q.floor
        subtracts = q.subtracts
        for i, name in enumerate(subtracts):
            if floor is not None:
                rest = subtracts[i + 1 :]
                parts = self._parts(q, name)
                running = None
                for j, part in enumerate(parts):
                    partial = total if running is None else total - running
                    if self._settled(partial, mask, floor) and self._cannot_rise((*parts[j:], *rest)):
                        return np.full(total.shape, float(floor))
                    if len(parts) == 1:
                        break
                    value = self._term(q, ctx, part)
                    running = value.astype(float) if running is None else running + value
            total = total - self._term(q, ctx, name)
        if floor is not None:
            total = np.maximum(total, floor)
        return self._coerce(q, total)

    @staticmethod
    def _settled(partial: np.ndarray, mask: np.ndarray | None, floor: float) -> bool:
        below = partial <= floor
        if mask is not None:
            below |= ~mask
        return bool(np.count_nonzero(below) == below.size)

    def _parts(self, q: Quantity, name: str) -> tuple[str, ...]:
        """The terms ``name`` is followed by in a bound: its own ``adds`` when it is a plain
        sum of ``q``'s entity that the situation does not give, else itself."""
        key = (q.entity.key, name)
        parts = self._parts_of.get(key)
        if parts is None:
            d = self._index[name]
            if (
                isinstance(d, Quantity)
                and d.adds
                and not d.subtracts
                and d.floor is None
                and d.defined_for is None
                and d.entity.key == q.entity.key
                and name not in self._given
            ):
                parts = tuple(d.adds)  # a plain sum
            else:
                parts = (name,)
            self._parts_of[key] = parts
        return parts

    def _cannot_rise(self, names: tuple[str, ...]) -> bool:
        """Whether subtracting each of ``names`` can only lower an amount."""
        return all(self._never_negative(n) for n in names)

    def _never_negative(self, name: str) -> bool:
        known = self._non_negative.get(name)
        if known is None:
            d = self._index[name]
            minimum = getattr(d, "minimum", None)
            if name in self._given:
                known = False  # a client may give any value
            elif minimum is not None and minimum >= 0:
                known = True
            elif isinstance(d, Quantity) and d.is_sum:
                known = (d.floor is not None and d.floor >= 0) or (
                    not d.subtracts and all(self._never_negative(n) for n in d.adds)
                )
            else:
                known = False
            self._non_negative[name] = known
        return known

    def read(self, name: str, period: Period, past: bool, reader: TraceNode | None) -> np.ndarray:
        """A formula's read of ``name`` for ``period``, made by its context or by
        :meth:`_replay`; ``past`` for a read declared in ``reads_past``, one more backward
        step. The one way a context gets values from the simulation."""
        if past:
            self._hops += 1
            try:
                return self._compute(name, period, reader)
            finally:
                self._hops -= 1
        if reader is None:
            # A value already computed, without the call (the engine's own first step).
            value = self.cache.get((name, period))
            if value is not None:
                return value
        return self._compute(name, period, reader)

    def _replay(self, t: Template, name: str, period: Period, start: dt.date, epoch: int) -> np.ndarray | None:
        """``t``'s result if its formula would return it for ``period`` (which starts on
        ``start``, in the legislation's ``epoch``), else None (see :mod:`mesaides.core.replay`).
        Reads are made as the formula makes them, in its order, so that stopping at the first
        that differs leaves the state the formula itself would. When tracing, the evaluation's
        trace is the template's, with the reads of ``period``: the same legislation values and
        the same conditions, since they come from the same values."""
        for steps, attribute, value in t.facts:
            if fact(follow(period, steps, self._followed), attribute) != value:
                return None
        legislation = self._legislation
        same_epoch = epoch == t.epoch
        for scale, path, chain, day, expected in t.laws:
            if chain is None:
                continue  # a fixed day: the same value
            if not chain:
                if same_epoch:
                    continue
                day = start
            else:
                day = follow(period, chain, self._followed).start
            try:
                value = legislation.scale(path, day) if scale else legislation.value(path, day)
            except Exception:  # the formula will meet (and report) the same problem
                return None
            if not same_law(value, expected):
                return None
        trace = self.trace
        node = None if t.node is None else TraceNode(name, period)
        cache = self.cache
        followed = self._followed
        for read, chain, p, past, expected in t.reads:
            if chain:
                p = followed.get((period, chain)) or follow(period, chain, followed)
            elif chain is not None:
                p = period
            if past:
                if not p.ends_before(period):
                    return None  # the formula would refuse this read
            elif node is None:
                value = cache.get((read, p))
                if value is not None:
                    if value is not expected:
                        return None
                    continue
            if self.read(read, p, past, node) is not expected:
                return None
        if node is not None and trace is not None:  # a template has a trace in a traced simulation only
            node.law = dict(t.node.law)
            node.checks = list(t.node.checks)
            trace[(name, period)] = node
        return t.result

    def _intern(self, name: str, value: np.ndarray) -> np.ndarray:
        """The value of ``name`` last computed if it holds the same data as ``value``: readers
        then see the very same array, which is what lets them be reused (a month like the one
        before gives the same ages, resources...). Only small arrays are compared, a household
        or a few: comparing is cheap there, and large populations rarely repeat exactly."""
        if value.nbytes > INTERN_BYTES:
            return value
        latest = self._latest.get(name)
        if latest is None:
            self._latest[name] = [(value, None)]
            return value
        data = None
        for i, (known, known_data) in enumerate(latest):
            if known is value:
                return value
            if known.shape != value.shape or known.dtype != value.dtype:
                continue
            if data is None:
                data = value.tobytes()
            if known_data is None:
                known_data = known.tobytes()
                latest[i] = (known, known_data)
            if known_data == data:
                return known
        latest.insert(0, (value, data))
        del latest[TEMPLATES:]
        return value

    def _coerce(self, q: Quantity, result: Any) -> np.ndarray:
        dtype = self._dtypes[q.name]
        if type(result) is np.ndarray and result.dtype is dtype:
            shape = self._shapes.get(q.entity.key)
            if shape is None:
                shape = self._shapes[q.entity.key] = (self._size(q),)
            if result.shape == shape:
                return result
        size = self._size(q)
        array = np.asarray(result)
        if array.ndim == 0:
            array = np.full(size, array)
        if array.shape != (size,):
            raise ComputationError(
                f"{q.name}: formula returned {array.shape[0] if array.ndim else 'a scalar'} values "
                f"for {size} {q.entity.key}"
            )
        return array.astype(dtype, copy=False)
