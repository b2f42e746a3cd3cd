"""The population: a situation as the arrays the engine computes on, and the values computed
written back into the situation's JSON.

:func:`parse_situation` reads a situation once: its shape (:class:`~mesaides.core.situation.Situation`),
the caps of :class:`~mesaides.core.limits.Limits`, the plugins' ``mesaides_prepare_situation``
hooks on the model, every value against its definition (:mod:`mesaides.core.values`), then the
plugins' ``mesaides_validate_situation`` hooks, and only then builds the arrays: one row per
person or group, across every household.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import NDArray

from mesaides.core.definitions import Definition, Parameter
from mesaides.core.entities import GROUP_ENTITIES, INDIVIDU, Entity
from mesaides.core.limits import UNLIMITED, Limits
from mesaides.core.periods import ETERNITY, ETERNITY_PERIOD, MONTH, YEAR, Period, PeriodError
from mesaides.core.situation import InconsistentSituation, Situation, SituationError, SituationIssue
from mesaides.core.values import (
    LARGEST_NUMBER,
    BadValue,
    coerce,
    default_of,
    did_you_mean,
    domain_of,
    dtype_of,
    has_surrogate,
    show,
    to_json_value,
)

if TYPE_CHECKING:
    from mesaides.core.ruleset import RuleSet


class NumberedIds(Sequence[str]):
    """Ids ``<prefix><number>`` made on demand: a generated population of millions of
    households needs its ids only for the few values written out."""

    def __init__(self, prefix: str, numbers: np.ndarray):
        self.prefix = prefix
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> NumberedIds: ...

    def __getitem__(self, i: int | slice) -> str | NumberedIds:
        if isinstance(i, slice):
            return NumberedIds(self.prefix, self.numbers[i])
        return f"{self.prefix}{self.numbers[i]}"

    def take(self, rows: np.ndarray) -> NumberedIds:
        return NumberedIds(self.prefix, self.numbers[rows])


def take_ids(ids: Sequence[str], rows: np.ndarray) -> Sequence[str]:
    """The ids at ``rows``."""
    if isinstance(ids, NumberedIds):
        return ids.take(rows)
    return [ids[i] for i in rows.tolist()]


@dataclass
class GroupStructure:
    """Who belongs to which group of one group entity, and with which role."""

    entity: Entity
    ids: Sequence[str]
    person_group: NDArray[np.integer[Any]]
    person_role: NDArray[np.integer[Any]]
    person_rank: NDArray[np.integer[Any]]
    """The person's position within its role in its group (0 for the first parent)."""
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Selections derived from the structure (who has a role...), computed once: read-only."""

    @property
    def count(self) -> int:
        return len(self.ids)

    def role_members(self, role: str) -> tuple[np.ndarray, np.ndarray]:
        """The mask of persons with ``role`` and their groups (``person_group[mask]``)."""
        return self._role(role)[:2]

    def role_persons(self, role: str) -> tuple[np.ndarray, np.ndarray]:
        """The persons with ``role`` (their indices, for ``values.take``, many times faster
        than a boolean mask on large arrays) and their groups."""
        found = self._role(role)
        return found[2], found[1]

    def _role(self, role: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = ("role", role)
        found = self.memo.get(key)
        if found is None:
            mask = self.person_role == self.entity.role_index(role)
            index = np.flatnonzero(mask)
            groups = self.person_group.take(index)
            for a in (mask, index, groups):
                a.flags.writeable = False
            found = self.memo[key] = (mask, groups, index)
        return found

    def nth_members(self, role: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The persons who are the ``k``-th of ``role`` in their group, and those groups."""
        key = ("nth", role, k)
        found = self.memo.get(key)
        if found is None:
            r = self.entity.role_index(role)
            who = np.flatnonzero((self.person_role == r) & (self.person_rank == k))
            groups = self.person_group[who]
            who.flags.writeable = False
            groups.flags.writeable = False
            found = self.memo[key] = (who, groups)
        return found


@dataclass
class Request:
    """A ``null`` in the situation: a value to compute and write back."""

    name: str
    period: Period
    entity: str
    index: int
    key: str
    """The period key as written in the JSON."""
    id: str


@dataclass
class Population:
    """A validated situation as arrays: one row per person or group, across every household."""

    person_ids: Sequence[str]
    groups: dict[str, GroupStructure]
    inputs: dict[str, dict[Period, np.ndarray]] = field(default_factory=dict)
    given: dict[str, dict[Period, tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    """Values given for computed variables: (mask, values); taken as given, not recomputed."""
    requests: list[Request] = field(default_factory=list)

    @property
    def n_persons(self) -> int:
        return len(self.person_ids)

    def size(self, entity: Entity | str) -> int:
        key = entity if isinstance(entity, str) else entity.key
        return self.n_persons if key == INDIVIDU.key else self.groups[key].count

    def ids(self, entity: str) -> Sequence[str]:
        return self.person_ids if entity == INDIVIDU.key else self.groups[entity].ids


# ---- Reading a situation ----------------------------------------------------------------------


def parse_situation(data: Any, rules: RuleSet, limits: Limits = UNLIMITED) -> Population:
    """Read an OpenFisca situation (a dict) once, check it against ``rules`` and ``limits``,
    and build its arrays.

    :raises SituationError: with every problem found (:class:`~mesaides.core.limits.TooLarge`
        when a cap is exceeded).
    """
    situation = Situation.from_json(data)
    limits.check(persons=len(situation.individus), requested_values=0)
    situation = prepare_situation(situation, rules)
    b = _Builder(rules)
    person_ids = list(situation.individus)
    person_index = {pid: i for i, pid in enumerate(person_ids)}

    for i, (pid, obj) in enumerate(situation.individus.items()):
        b.variables(INDIVIDU, "individus", i, pid, obj)
    groups: dict[str, GroupStructure] = {}
    for entity in GROUP_ENTITIES:
        groups[entity.key] = _groups(b, entity, getattr(situation, entity.plural), person_ids, person_index)
    ids = {INDIVIDU.key: person_ids, **{key: g.ids for key, g in groups.items()}}
    b.check_fast_path_values(ids)

    if b.issues:
        raise SituationError(b.issues + b.inconsistencies)
    if b.inconsistencies:
        raise InconsistentSituation(b.inconsistencies)
    limits.check(persons=len(person_ids), requested_values=len(b.requests))
    found = rules.situation_issues(situation)
    if found:
        raise InconsistentSituation(list(found))
    return _arrays(b, rules, person_ids, groups)


def prepare_situation(situation: Situation, rules: RuleSet) -> Situation:
    """``situation`` completed by the plugins' ``mesaides_prepare_situation`` hooks, in the
    order the plugins were loaded (the core's first, so that partners see its completions), each
    given the previous one's result."""
    if rules.hooks is None:
        return situation
    for impl in rules.hooks.mesaides_prepare_situation.get_hookimpls():
        arguments = {"situation": situation, "rules": rules}
        result = impl.function(**{k: v for k, v in arguments.items() if k in impl.argnames})
        if result is not None:
            situation = result
    return situation


class _Builder:
    """Reads every value of a situation against its definition, collecting the issues and the
    values by variable and period key (``name -> key -> (row indices, values)``)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.issues: list[SituationIssue] = []
        self.inconsistencies: list[SituationIssue] = []
        """Issues of a situation of the right shape (see InconsistentSituation)."""
        self.period_cache: dict[str, Period] = {}
        self.buckets: dict[str, dict[str, tuple[list[int], list[Any]]]] = {}
        self.fast: dict[str, list[Any]] = {}
        """The values each variable took on the fast path, unchecked yet (checked together)."""
        self.requests: list[Request] = []

    def issue(self, path: str, message: str) -> None:
        self.issues.append(SituationIssue(path=path, message=message))

    def inconsistency(self, path: str, message: str) -> None:
        self.inconsistencies.append(SituationIssue(path=path, message=message))

    def period(self, key: str) -> Period:
        p = self.period_cache.get(key)
        if p is None:
            p = self.period_cache[key] = Period.parse(key)
        return p

    def variables(self, entity: Entity, plural: str, index: int, ident: str, obj: Mapping[str, Any]) -> None:
        roles = {r.key for r in entity.roles}
        for name, periods in obj.items():
            if name in roles:
                continue
            path = f"{plural}.{ident}.{name}"
            if name not in self.rules:
                self.issue(path, "unknown variable" + did_you_mean(name, self.rules.definitions))
                continue
            d = self.rules.variable(name)
            if d.entity.key != entity.key:
                self.issue(path, f"{name} is a variable of {d.entity.key}, not of {entity.key}")
                continue
            if not isinstance(periods, Mapping):
                self.issue(path, f'expected an object of periods, such as {{"2026-11": ...}}, got {show(periods)}')
                continue
            self._periods(d, path, index, ident, periods)

    def _periods(self, d: Definition, path: str, index: int, ident: str, periods: Mapping[str, Any]) -> None:
        # Fast path for the common case (monthly values of the right type), which batches of
        # thousands of households spend nearly all their time in: the values are checked
        # together, by check_fast_path_values. Anything else falls through to the checks below,
        # which say exactly what is wrong.
        accepted = _ACCEPTED.get(d.value_type)
        codes = _enum_codes(d) if d.value_type == "enum" else None
        if d.period is MONTH and (accepted is not None or codes is not None):
            months = _month_keys()
            by_key = self.buckets.get(d.name)
            if by_key is None:
                by_key = self.buckets[d.name] = {}
            unchecked = None if codes is not None else self.fast.setdefault(d.name, [])
            rest = None
            accepted_types = accepted or ()  # None for an enum, whose values are matched by their codes
            enum_codes = codes or {}  # None for the other types, matched by their Python types
            for key, value in periods.items():
                if key in months and (
                    type(value) in accepted_types if codes is None else (type(value) is str and value in enum_codes)
                ):
                    bucket = by_key.get(key)
                    if bucket is None:
                        bucket = by_key[key] = ([], [])
                    bucket[0].append(index)
                    if unchecked is None:
                        bucket[1].append(enum_codes[value])
                    else:
                        bucket[1].append(value)
                        unchecked.append(value)
                else:
                    if rest is None:
                        rest = {}
                    rest[key] = value
            if rest is None:
                return
            explicit = {k for k in periods if k in months}
            periods = rest
        else:
            explicit = set()
        spread: list[tuple[Period, Any, str]] = []
        for key, value in periods.items():
            vpath = f"{path}.{key}"
            try:
                p = self.period(key)
            except PeriodError as exc:
                self.issue(vpath, str(exc).split(": ", 1)[-1] if str(exc).startswith(key) else str(exc))
                continue
            if d.period is ETERNITY:
                p = ETERNITY_PERIOD
            elif p.unit is ETERNITY:
                self.issue(vpath, f"{d.name} is {d.period.value}ly: give a {d.period.value}, not ETERNITY")
                continue
            elif d.period is YEAR and p.unit is MONTH:
                self.issue(vpath, f"{d.name} is yearly: give a year such as {p.year}, not a month")
                continue
            elif d.period is MONTH and p.unit is YEAR:
                if value is None:
                    self.issue(vpath, f"{d.name} is monthly: ask for a month such as {p.year}-01")
                    continue
                if not (isinstance(d, Parameter) and d.year_input):
                    self.issue(vpath, f"{d.name} is monthly: give months such as {p.year}-01, not a year")
                    continue
                spread.append((p, value, vpath))
                continue
            if value is None:
                self.requests.append(Request(d.name, p, d.entity.key, index, key, ident))
                continue
            try:
                coerced = coerce(d, value)
            except BadValue as exc:
                self.issue(vpath, str(exc))
                continue
            self._put(d.name, str(p), index, coerced)
            explicit.add(str(p))
        for year, value, vpath in spread:
            try:
                coerced = coerce(d, value)
            except BadValue as exc:
                self.issue(vpath, str(exc))
                continue
            share = coerced / 12 if isinstance(d, Parameter) and d.year_input == "divide" else coerced
            for m in year.months:
                if str(m) not in explicit:
                    self._put(d.name, str(m), index, share)

    def _put(self, name: str, key: str, index: int, value: Any) -> None:
        by_key = self.buckets.setdefault(name, {})
        bucket = by_key.get(key)
        if bucket is None:
            bucket = by_key[key] = ([], [])
        bucket[0].append(index)
        bucket[1].append(value)

    def check_fast_path_values(self, ids: Mapping[str, Sequence[str]]) -> None:
        """Check the values taken on the fast path, a whole bucket at a time (finite numbers
        in their Parameter's domain, text without lone surrogates); a bucket with a bad value
        is checked value by value to name each one's path."""
        for name, values in self.fast.items():
            d = self.rules.variable(name)
            if _values_fit(d, values):
                continue
            for key, (indices, bucket) in self.buckets[name].items():
                for index, value in zip(indices, bucket):
                    try:
                        coerce(d, value)
                    except BadValue as exc:
                        self.issue(f"{d.entity.plural}.{ids[d.entity.key][index]}.{name}.{key}", str(exc))


def _values_fit(d: Definition, values: list[Any]) -> bool:
    if d.value_type == "str":
        return not has_surrogate("".join(values))
    if d.value_type != "float":
        return True
    minimum, maximum = domain_of(d)
    low = max(minimum, -LARGEST_NUMBER) if minimum is not None else -LARGEST_NUMBER
    high = min(maximum, LARGEST_NUMBER) if maximum is not None else LARGEST_NUMBER
    # NaN fails both comparisons, so a NaN is caught with the out-of-range values.
    if len(values) <= SMALL_BUCKET:
        # A household's few values: compared one by one, quicker than building an array (the
        # values are floats and ints, exact below 2**53 where the bounds are).
        return all(low <= v <= high for v in values)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (OverflowError, ValueError, TypeError):
        return False
    return bool(((array >= low) & (array <= high)).all())


@functools.cache
def _month_keys() -> dict[str, Period]:
    """Every month key a situation may use, ``"1900-01"`` to ``"2100-12"``: one look-up tells
    that a key is a well-formed month."""
    return {f"{y:04d}-{m:02d}": Period(MONTH, y, m) for y in range(1900, 2101) for m in range(1, 13)}


def _enum_codes(d: Definition) -> dict[str, int]:
    return _codes(d.enum_values)


@functools.cache
def _codes(values: tuple[str, ...]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}


SMALL_BUCKET = 64
"""Values of one variable up to this many are checked one by one (see :func:`_values_fit`)."""

_ACCEPTED = {"float": (float, int), "bool": (bool,), "str": (str,)}
"""Python types taken as they are, per value type, on the fast path."""


def _groups(
    b: _Builder,
    entity: Entity,
    table: Mapping[str, Any] | None,
    person_ids: list[str],
    person_index: Mapping[str, int],
) -> GroupStructure:
    n = len(person_ids)
    group = np.full(n, -1, dtype=np.int64)
    role = np.zeros(n, dtype=np.int8)
    rank = np.zeros(n, dtype=np.int32)
    if table is None:
        # Only without the core's plugin, whose mesaides_prepare_situation writes the groups:
        # every person in a group entity's first role of a group of their own, as in OpenFisca.
        group[:] = np.arange(n)
        return GroupStructure(entity, list(person_ids), group, role, rank)
    ids = list(table)
    role_keys = {r.key: i for i, r in enumerate(entity.roles)}
    for g, (gid, obj) in enumerate(table.items()):
        base = f"{entity.plural}.{gid}"
        for key, members in obj.items():
            if key not in role_keys:
                continue
            r = entity.roles[role_keys[key]]
            if isinstance(members, str):
                members = [members]
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                got = "a list holding something else than ids" if isinstance(members, list) else show(members)
                b.issue(f"{base}.{key}", f"expected a list of person ids, got {got}")
                continue
            if r.max is not None and len(members) > r.max:
                b.issue(
                    f"{base}.{key}",
                    f"at most {r.max} person{'s' if r.max > 1 else ''} in this role, got {len(members)}",
                )
            for k, pid in enumerate(members):
                i = person_index.get(pid)
                if i is None:
                    b.inconsistency(f"{base}.{key}", f"unknown person {show(pid)}" + did_you_mean(pid, person_ids))
                    continue
                if group[i] >= 0:
                    b.inconsistency(
                        f"{base}.{key}",
                        f"'{pid}' is already in {entity.plural}.{ids[group[i]]}: a person belongs to one {entity.key}",
                    )
                    continue
                group[i] = g
                role[i] = role_keys[key]
                rank[i] = k
        b.variables(entity, entity.plural, g, gid, obj)
    for unplaced in np.flatnonzero(group < 0):
        b.inconsistency(
            f"individus.{person_ids[unplaced]}", f"in no {entity.key}: add this person to one of {entity.plural}"
        )
    return GroupStructure(entity, ids, group, role, rank)


def _arrays(b: _Builder, rules: RuleSet, person_ids: list[str], groups: dict[str, GroupStructure]) -> Population:
    n = len(person_ids)
    population = Population(person_ids=person_ids, groups=groups, requests=b.requests)
    for name, by_key in b.buckets.items():
        d = rules.variable(name)
        size = n if d.entity.key == INDIVIDU.key else groups[d.entity.key].count
        dtype = dtype_of(d)
        last: tuple[list[int], list[Any], np.ndarray] | None = None
        for key, (indices, values) in by_key.items():
            p = b.period(key)
            if last is not None and last[1] == values and last[0] == indices:
                # The same values as the month before (a rent, a commune): one shared array,
                # which saves memory and lets values derived from it be computed once.
                array = last[2]
            elif len(indices) == size:
                # Every person or group has a value (entities are visited in order): no default.
                array = np.asarray(values, dtype=dtype)
            else:
                array = np.full(size, default_of(d), dtype=dtype)
                array[np.asarray(indices)] = np.asarray(values, dtype=dtype)
            last = (indices, values, array)
            if d.is_computed:
                mask = np.zeros(size, dtype=bool)
                mask[np.asarray(indices)] = True
                population.given.setdefault(name, {})[p] = (mask, array)
            else:
                population.inputs.setdefault(name, {})[p] = array
    for alias, parameter in rules.parameters.items():
        given = population.given.get(parameter.source) if parameter.source else None
        if given:  # a stand-in for an unsupported provider's quantity: the values given to it
            default = default_of(parameter)
            population.inputs[alias] = {p: np.where(mask, values, default) for p, (mask, values) in given.items()}
    return population


# ---- Writing the results ----------------------------------------------------------------------


def fill_requests(
    data: Mapping[str, Any],
    requests: Iterable[Request],
    results: Mapping[tuple[str, Period], np.ndarray],
    rules: RuleSet,
) -> dict[str, Any]:
    """Write computed values into a copy of the situation JSON where it had ``null``.

    ``results`` holds the arrays of the population the requests were read from; ``r.index``
    is the row of each.
    """
    out = {plural: {ident: dict(obj) for ident, obj in table.items()} for plural, table in data.items()}
    for r in requests:
        d = rules.variable(r.name)
        obj = out[d.entity.plural][r.id]
        periods = obj[r.name] = dict(obj[r.name])
        periods[r.key] = to_json_value(d, results[(r.name, r.period)][r.index])
    return out
