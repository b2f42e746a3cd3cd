"""What a formula sees: the values it declared it reads, for the period being computed.

A formula is a plain function ``f(c: Context) -> array``. Everything it reads goes through the
context, which checks that the read was declared (so the static dependency graph is exact) and
records it for explanations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import DTypeLike

from mesaides.core.checks import NOTE, Check, check_template
from mesaides.core.entities import INDIVIDU, Entity
from mesaides.core.entities import entity as entity_of
from mesaides.core.legislation import DatedScale
from mesaides.core.periods import ETERNITY, Period
from mesaides.core.replay import Chain, Recorder, RelativePeriod, plain

if TYPE_CHECKING:
    from mesaides.core.definitions import Quantity
    from mesaides.core.population import GroupStructure
    from mesaides.core.simulation import Simulation, TraceNode


INDIVIDU_KEY = INDIVIDU.key
SMALL_TEXTS = 16
"""Up to this many rows (a household or a few), :meth:`Context.among` compares each text:
finding the distinct ones first would cost more than it saves."""


class UndeclaredRead(RuntimeError):
    """A formula read something it did not declare: the dependency graph would be wrong."""


class Context:
    """The period, the entity and the declared inputs of one formula evaluation."""

    __slots__ = (
        "_aliases",
        "_cache",
        "_compiled",
        "_entity_key",
        "_node",
        "_past",
        "_period",
        "_reads",
        "_sim",
        "entity",
        "quantity",
        "recorder",
    )

    def __init__(
        self,
        sim: Simulation,
        quantity: Quantity,
        period: Period,
        node: TraceNode | None,
        recorder: Recorder | None = None,
    ):
        # The simulation is used through its public side only: ``read`` (a value, computed if
        # needed), ``cache`` (the values computed), ``compiled`` (the rules' look-ups),
        # ``population``, ``per_person``, ``total`` and ``texts`` (values given to persons, sums, distinct
        # texts).
        self._sim = sim
        self._compiled = sim.compiled
        self.quantity = quantity
        self._period = period
        self.entity: Entity = quantity.entity
        self._entity_key = self.entity.key
        self._cache = sim.cache
        self._node = node
        self.recorder = recorder
        """What the formula reads, for reuse at another period (mesaides.core.replay)."""
        self._reads = self._compiled.read_sets[quantity.name]
        self._aliases = self._compiled.aliases.get(quantity.owner)
        """What this partner reads from a stand-in instead (an unsupported provider's version)."""
        self._past = quantity.reads_past

    @property
    def period(self) -> Period:
        """The period being computed (navigate it: ``c.period.last_month``, ``c.period.n_2``)."""
        if self.recorder is None:
            return self._period
        return RelativePeriod(self.recorder, self._period, ())  # type: ignore[return-value]

    # ---- Reading values ----------------------------------------------------------------------

    def __call__(self, name: str, period: Period | None = None) -> np.ndarray:
        """The value of ``name`` on this formula's entity.

        In a person's formula a group's value is given to each of its members (the RSA of a
        famille, for each person in it). In a group's formula, read persons' values with
        :meth:`members`.
        """
        return self._on_entity(name, self._values(name, period))

    def sum(self, name: str, periods: Iterable[Period]) -> np.ndarray:
        """The sum of ``name`` over several periods (e.g. ``c.period.last_months(3)``)."""
        values = self._values
        # Read in order, then added in the same order: the reads are the formula's, the sum the
        # simulation's (see :meth:`Simulation.total`).
        total = self._sim.total(tuple(values(name, p) for p in periods))
        # A group's values are summed before they are given to its members: the same sums.
        return self._on_entity(name, total)

    def among(self, name: str, codes: Any, period: Period | None = None) -> np.ndarray:
        """Whether each value of the text ``name`` is one of ``codes`` (a commune, a département
        in a list): ``np.isin(c(name).astype(str), codes)``, each distinct text compared once
        (see :meth:`per_text`)."""
        return self.per_text(name, lambda texts: np.isin(texts, codes), period)

    def per_text(self, name: str, function: Callable[[np.ndarray], Any], period: Period | None = None) -> np.ndarray:
        """``function`` of an array of texts (one result per text) applied to the values of the
        text ``name``, once per distinct text of the simulation's array (see
        :meth:`Simulation.texts`): a population's few hundred commune codes, not its rows."""
        values = self._values(name, period)
        if values.size <= SMALL_TEXTS:
            result = np.asarray(function(values.astype(str)))
        else:
            distinct, index = self._sim.texts(values)
            result = np.asarray(function(distinct))[index]
        return self._on_entity(name, result)

    def mean(self, name: str, periods: Iterable[Period]) -> np.ndarray:
        periods = tuple(periods)
        return self.sum(name, periods) / len(periods)

    def enum(self, name: str, period: Period | None = None) -> EnumValues:
        """An enum's values, to compare by name: ``c.enum("activite").is_("etudiant")``."""
        d = self._compiled.rules.variable(name)
        return EnumValues(self(name, period), d.enum_values, name)

    def members(self, name: str, period: Period | None = None) -> Members:
        """The values of ``name`` for each member of this group, to aggregate.

        ``name`` may belong to another group entity: each member then carries the value of the
        group it belongs to in that entity (a famille reading its parents' ``menage`` rent).
        """
        if self.entity.key == INDIVIDU.key:
            raise UndeclaredRead(f"{self.quantity.name}: members() is for group formulas; use c.group(...)")
        return self._members_of(name, period, self.entity.key)

    def per_member(self, values: Any) -> Members:
        """Values computed for each member in a group formula, to aggregate like
        :meth:`members`: ``c.per_member(c.members("age").values >= 18).any("parents")``."""
        if self.entity.key == INDIVIDU.key:
            raise UndeclaredRead(f"{self.quantity.name}: per_member() is for group formulas")
        s = self._structure(self.entity.key)
        values = np.asarray(values)
        if values.shape != s.person_group.shape:
            raise ValueError(
                f"{self.quantity.name}: per_member() needs one value per member ({s.person_group.shape[0]}), "
                f"got {values.shape}"
            )
        return Members(values, s)

    def to_members(self, values: Any) -> np.ndarray:
        """In a group formula, each group's value given to each of its members (one value per
        member, in the order of ``c.members(...).values``)."""
        if self.entity.key == INDIVIDU.key:
            raise UndeclaredRead(f"{self.quantity.name}: to_members() is for group formulas")
        per_member: np.ndarray = np.asarray(values)[self._structure(self.entity.key).person_group]
        return per_member

    def nb_members(self, role: str | None = None) -> np.ndarray:
        """How many persons this group has (in ``role``)."""
        s = self._structure(self.entity.key)
        return np.bincount(s.person_group if role is None else s.role_members(role)[1], minlength=s.count)

    def group(self, entity_key: str) -> GroupView:
        """In a person's formula: aggregates over the person's group of ``entity_key``."""
        if self.entity.key != INDIVIDU.key:
            raise UndeclaredRead(f"{self.quantity.name}: group() is for person formulas")
        return GroupView(self, entity_of(entity_key))

    def is_role(self, entity_key: str, role: str) -> np.ndarray:
        """In a person's formula: whether each person has ``role`` in its group."""
        e = entity_of(entity_key)
        has_role: np.ndarray = self._structure(e.key).person_role == e.role_index(role)
        return has_role

    def rank(self, entity_key: str) -> np.ndarray:
        """In a person's formula: the person's position within its role (0 for the first)."""
        return self._structure(entity_of(entity_key).key).person_rank

    # ---- Legislation -------------------------------------------------------------------------

    def law(self, path: str, at: Period | dt.date | None = None) -> Any:
        """The legislation value ``path`` in force at the start of the period (or at ``at``)."""
        if at is None:
            # Checked and looked up once per (quantity, path, period) of this simulation.
            cache = self._compiled.law_cache
            key = (self.quantity.name, path, self._period)
            try:
                value = cache[key]
            except KeyError:
                self._check_law(path)
                value = cache[key] = self._compiled.rules.legislation.value(path, self._period.start)
            if self.recorder is not None:
                self.recorder.laws.append((False, path, (), None, value))
        else:
            self._check_law(path)
            day, chain = self._day(at)
            value = self._compiled.rules.legislation.value(path, day)
            if self.recorder is not None:
                self.recorder.laws.append((False, path, chain, day, value))
        if self._node is not None:
            self._node.law[path] = value
        return value

    def scale(self, path: str, at: Period | dt.date | None = None) -> DatedScale:
        self._check_law(path)
        day, chain = self._day(at)
        scale = self._compiled.rules.legislation.scale(path, day)
        if self.recorder is not None:
            self.recorder.laws.append((True, path, chain, day, scale))
        if self._node is not None:
            self._node.law[path] = [(b.threshold, b.rate) for b in scale.brackets]
        return scale

    # ---- Explanation -------------------------------------------------------------------------

    def check(self, label: str, condition: np.ndarray, otherwise: str | None = None, **figures: Any) -> np.ndarray:
        """Name a condition of the aide and return it; explanations show the ones a household
        meets, and the first one it does not meet is the reason its aide is nil.

        A condition named here must be **necessary**: every household that gets the aide meets
        it (``mesaides.core.testing.reasons`` holds each partner to it over reference and
        generated households). ``otherwise`` is the sentence said when it does not hold, in
        plain French, with ``{name}`` for each figure given as a keyword (an array of this
        formula's entity, or one value; a float is an amount in euros, an integer a count;
        ``{name:%}`` a rate as a percentage). It is checked when the formula runs traced::

            c.check(
                "Ressources inférieures au plafond",
                ressources <= plafond,
                "vos ressources de l'année, {ressources}, dépassent le plafond de {plafond}",
                ressources=ressources,
                plafond=plafond,
            )
        """
        condition = np.asarray(condition, dtype=bool)
        if self._node is not None:
            check_template(f"{self.quantity.name}: check {label!r}", otherwise, figures)
            self._node.checks.append(Check(label, condition, otherwise, tuple(figures.items())))
        return condition

    def note(self, text: str, when: np.ndarray | bool = True, **figures: Any) -> None:
        """Say how the amount was worked out where ``when`` holds (a rounding, a minimum, which
        rate applies), in plain French with ``{name}`` for each figure given as a keyword::

            c.note("{avant} arrondi à l'euro inférieur", net != np.floor(net), avant=net)

        Explanations show it beside the amount; it is not a condition."""
        if self._node is not None:
            check_template(f"{self.quantity.name}: note {text!r}", text, figures)
            when = np.broadcast_to(np.asarray(when, dtype=bool), (self.size,))
            self._node.checks.append(Check(text, when, text, tuple(figures.items()), NOTE))

    # ---- Helpers -----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._sim.population.size(self.entity.key)

    def zeros(self, dtype: DTypeLike = float) -> np.ndarray:
        return np.zeros(self.size, dtype=dtype)

    def full(self, value: Any, dtype: DTypeLike | None = None) -> np.ndarray:
        return np.full(self.size, value, dtype=dtype)

    # ---- Internals ---------------------------------------------------------------------------

    def _on_entity(self, name: str, values: np.ndarray) -> np.ndarray:
        """``name``'s values on this formula's entity: a group's, given to each member in a
        person's formula."""
        source_key = self._compiled.entity_keys[name]
        if source_key == self._entity_key:
            return values
        if self._entity_key == INDIVIDU_KEY:
            return self._sim.per_person(values, source_key)
        source = self._compiled.rules.variable(name).entity
        raise UndeclaredRead(
            f"{self.quantity.name} reads {name} ({source.key}) from a {self.entity.key}: "
            f"use c.members({name!r}) and aggregate"
        )

    def _members_of(self, name: str, period: Period | None, entity_key: str) -> Members:
        """Each person's value of ``name`` (a group's, given to its members), to aggregate per
        group of ``entity_key``."""
        values = self._values(name, period)
        groups = self._sim.population.groups
        source_key = self._compiled.entity_keys[name]
        if source_key != INDIVIDU.key:
            values = values[groups[source_key].person_group]
        return Members(values, groups[entity_key])

    def _values(self, name: str, period: Period | RelativePeriod | None) -> np.ndarray:
        """The value of ``name`` for ``period`` (None: the formula's own), checked against the
        declarations and recorded for reuse."""
        chain: Chain | None
        if self._aliases is not None:
            name = self._aliases.get(name, name)
        if period is None:
            period, chain = self._period, ()
        elif type(period) is RelativePeriod:  # plain(), without the call: most reads pass one
            relative = period
            period, chain = relative._p, relative._chain
        else:
            period, chain = plain(period)
        past = name not in self._reads
        if past:
            if name not in self._past:
                raise UndeclaredRead(f"{self.quantity.name} reads {name} without declaring it: add it to reads")
            if not period.ends_before(self._period):
                raise UndeclaredRead(
                    f"{self.quantity.name} reads {name} for {period}, but declared it in reads_past: "
                    f"only periods before {self._period} may be read"
                )
        values = None
        if not past and self._node is None:
            # Most reads are of values already computed: the simulation's cache answers them.
            values = self._cache.get((name, period))
        if values is None:
            values = self._sim.read(name, period, past, self._node)
        if self.recorder is not None:
            self.recorder.reads.append((name, chain, period, past, values))
        return values

    def _structure(self, entity_key: str) -> GroupStructure:
        return self._sim.population.groups[entity_key]

    def _check_law(self, path: str) -> None:
        key = (self.quantity.name, path)
        declared = self._compiled.declared_law
        if key in declared:
            return
        for prefix in self.quantity.law:
            if path == prefix or path.startswith(prefix + "."):
                declared.add(key)
                return
        raise UndeclaredRead(f"{self.quantity.name} reads legislation value {path} without declaring it in law")

    def _day(self, at: Period | RelativePeriod | dt.date | None) -> tuple[dt.date, Chain | None]:
        """The day a legislation value is looked up, and how it follows the formula's period."""
        chain: Chain | None = None
        if at is None:
            at, chain = self._period, ()
        elif isinstance(at, RelativePeriod):
            at, chain = plain(at)
        if isinstance(at, Period):
            if at.unit is ETERNITY:
                raise ValueError("legislation values have no eternal value: give a date")
            return at.start, chain
        return at, None


class EnumValues:
    """Enum codes with their names, compared by name."""

    __slots__ = ("codes", "name", "values")

    def __init__(self, codes: np.ndarray, values: tuple[str, ...], name: str):
        self.codes = codes
        self.values = values
        self.name = name

    def code(self, value: str) -> int:
        try:
            return self.values.index(value)
        except ValueError:
            raise ValueError(f"{self.name} has no value {value!r} (allowed: {', '.join(self.values)})") from None

    def is_(self, *values: str) -> np.ndarray:
        result: np.ndarray = self.codes == self.code(values[0])
        for v in values[1:]:
            result = result | (self.codes == self.code(v))
        return result


class Members:
    """Per-person values of one group entity's members, to aggregate per group."""

    __slots__ = ("s", "values")

    def __init__(self, values: np.ndarray, structure: GroupStructure):
        self.values = values
        self.s = structure

    def is_role(self, role: str) -> np.ndarray:
        """For each member, whether it has ``role`` in its group."""
        has_role: np.ndarray = self.s.person_role == self.s.entity.role_index(role)
        return has_role

    def _mask(self, role: str | None) -> np.ndarray | None:
        return None if role is None else self.s.role_members(role)[0]

    def _bincount(self, weights: np.ndarray, role: str | None) -> np.ndarray:
        if role is None:
            groups = self.s.person_group
        else:
            persons, groups = self.s.role_persons(role)
            weights = weights.take(persons)
        return np.bincount(groups, weights=weights, minlength=self.s.count)

    def sum(self, role: str | None = None) -> np.ndarray:
        return self._bincount(self.values.astype(float, copy=False), role)

    def count(self, role: str | None = None) -> np.ndarray:
        """How many members (in ``role``) have a true (non-zero) value."""
        # bincount takes the booleans as weights (1.0 or 0.0) without an intermediate copy.
        return self._bincount(self.values != 0, role).astype(np.int64)

    def any(self, role: str | None = None) -> np.ndarray:
        any_true: np.ndarray = self._bincount(self.values != 0, role) > 0
        return any_true

    def all(self, role: str | None = None) -> np.ndarray:
        mask = self._mask(role)
        falsy = self.values == 0
        if mask is not None:
            falsy = falsy & mask
        none_falsy: np.ndarray = (
            np.bincount(self.s.person_group, weights=falsy.astype(float), minlength=self.s.count) == 0
        )
        return none_falsy

    def max(self, role: str | None = None, initial: float = -np.inf) -> np.ndarray:
        return self._reduce(np.maximum, role, initial)

    def min(self, role: str | None = None, initial: float = np.inf) -> np.ndarray:
        return self._reduce(np.minimum, role, initial)

    def _reduce(self, ufunc: np.ufunc, role: str | None, initial: float) -> np.ndarray:
        out = np.full(self.s.count, initial, dtype=float)
        groups, values = self.s.person_group, self.values
        if role is not None:
            persons, groups = self.s.role_persons(role)
            values = values.take(persons)
        # In the output's type: ufunc.at casting as it goes is several times slower.
        ufunc.at(out, groups, values.astype(float, copy=False))
        return out

    def nth(self, role: str, k: int, default: Any = 0) -> np.ndarray:
        """The value of the ``k``-th person in ``role`` (0: the first), or ``default``."""
        who, groups = self.s.nth_members(role, k)
        out = np.full(self.s.count, default, dtype=self.values.dtype)
        out[groups] = self.values[who]
        return out

    def first(self, role: str, default: Any = 0) -> np.ndarray:
        return self.nth(role, 0, default)


class GroupView:
    """A person's group in one entity, to aggregate over it from a person's formula."""

    __slots__ = ("_c", "_entity")

    def __init__(self, c: Context, entity: Entity):
        self._c = c
        self._entity = entity

    def _members(self, name: str, period: Period | None) -> Members:
        return self._c._members_of(name, period, self._entity.key)

    def _project(self, per_group: np.ndarray) -> np.ndarray:
        per_person: np.ndarray = per_group[self._c._structure(self._entity.key).person_group]
        return per_person

    def sum(self, name: str, role: str | None = None, period: Period | None = None) -> np.ndarray:
        return self._project(self._members(name, period).sum(role))

    def any(self, name: str, role: str | None = None, period: Period | None = None) -> np.ndarray:
        return self._project(self._members(name, period).any(role))

    def max(self, name: str, role: str | None = None, period: Period | None = None) -> np.ndarray:
        return self._project(self._members(name, period).max(role))

    def nth(self, name: str, role: str, k: int, period: Period | None = None, default: Any = 0) -> np.ndarray:
        return self._project(self._members(name, period).nth(role, k, default))

    def nb_members(self, role: str | None = None) -> np.ndarray:
        s = self._c._structure(self._entity.key)
        counts = np.bincount(s.person_group if role is None else s.role_members(role)[1], minlength=s.count)
        per_person: np.ndarray = counts[s.person_group]
        return per_person
