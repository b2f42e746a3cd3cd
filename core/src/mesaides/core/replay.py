"""Reusing a formula's result for another period when everything it read is the same.

A household's situation changes little from month to month, so most quantities are computed
again and again from identical inputs: this month's housing aid reads last month's RSA, which
averages three months of resources, each reading the same salary... A formula is a pure function
of what it reads through its context: values, legislation values, and the period itself. The
engine records one evaluation of each quantity (a :class:`Template`): the values it read, by
identity, the legislation values it looked up, and what it learnt from its period. For another
period, it reads the same values again, in the same order (the formula would read exactly these
first); when every one is the same array, the legislation values are equal and the period facts
agree, the formula would return what it returned then, so that result is reused without running
it (what build systems call an early cutoff).

Periods are followed *relatively*: a formula's ``c.period`` is a :class:`RelativePeriod`, which
navigates like a :class:`Period` (``offset``, ``last_months``...) and remembers how it got there,
so that "last month" is last month of the new period. Reading a scalar from it (``year``,
``month``, ``start``) is recorded with its value and checked for the new period. Anything else
(comparing periods, hashing them, any other method of :class:`Period`) works on the period
itself and makes the evaluation unfit for reuse.

Why the values cannot change: a formula that got the same values so far makes the same next
read, so the reads made to check a template are the first reads the formula itself would make,
in its order, with the same effects on the engine's caches and its count of backward steps; and
when they all match, the formula can only return what it returned. Small results equal to a
value computed before are replaced by that very array (``Simulation._intern``), so that equality
carries on as identity to the readers. ``Simulation(reuse=False)`` runs every evaluation; the
core's and the CAF's tests compare every value and every explanation both ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, NamedTuple, TypeVar

import numpy as np

from mesaides.core.periods import Period, PeriodUnit

Chain = tuple[tuple[Any, ...], ...]
"""The steps from a formula's own period to a period it used: ``(("offset", -1),)`` is last
month whatever the period; ``()`` is the period itself."""


_T = TypeVar("_T")

Read = tuple[str, "Chain | None", Period, bool, np.ndarray]
"""One value a formula read: ``(name, chain, period, past, value)``. ``chain`` says how the
period read was reached from the formula's period, None for a fixed period; ``past`` that it
was read through ``reads_past`` (one more backward step, see :class:`Simulation`). Plain
tuples: formulas read thousands of values per household."""

LawRead = tuple[bool, str, "Chain | None", "dt.date | None", Any]
"""One legislation value a formula looked up: ``(scale, path, chain, day, value)``; ``day`` is
the day looked up when it does not follow the period (``chain`` is None)."""


class Template(NamedTuple):
    """One evaluation of a formula, enough to tell whether another period would give the same."""

    formula: Any
    reads: list[Read]
    laws: list[LawRead]
    facts: list[tuple[Chain, str, Any]]
    """Scalars the formula took from a period: (chain, attribute, value)."""
    result: np.ndarray
    epoch: int
    """The legislation's epoch at the period's start: in the same epoch, every value looked up
    at the start of the period is the same (see :meth:`Legislation.epoch`)."""
    node: Any
    """The evaluation's trace when tracing (its legislation values and conditions), else None."""


class Recorder:
    """What one evaluation reads, for reuse at another period: the values, the legislation
    values, and the scalars it takes from its period. The simulation makes one per evaluation
    it may reuse and reads it back; the context and its :class:`RelativePeriod` write to it."""

    __slots__ = ("facts", "fit", "laws", "reads")

    def __init__(self) -> None:
        self.reads: list[Read] = []
        self.laws: list[LawRead] = []
        self.facts: list[tuple[Chain, str, Any]] = []
        self.fit = True
        """False once the formula used its period in a way that cannot be followed."""

    def fact(self, chain: Chain, attribute: str, value: Any) -> None:
        self.facts.append((chain, attribute, value))

    def unfit(self) -> None:
        """The evaluation depends on its period itself: it is never reused."""
        self.fit = False


def follow(root: Period, chain: Chain, memo: dict[tuple[Period, Chain], Period]) -> Period:
    """The period reached from ``root`` by ``chain`` (remembered in ``memo``, the caller's)."""
    if not chain:
        return root
    key = (root, chain)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _walk(root, chain)
    return found


def _walk(root: Period, chain: Chain) -> Period:
    p = root
    for step in chain:
        op = step[0]
        if op == "offset":
            p = p.offset(step[1])
        elif op == "last_months":
            p = p.last_months(step[1])[step[2]]
        elif op == "rolling_year":
            p = p.rolling_year(step[1])[step[2]]
        elif op == "months":
            p = p.months[step[1]]
        else:
            p = getattr(p, op)
    return p


def fact(period: Period, attribute: str) -> Any:
    """A scalar a formula may take from its period (see :class:`RelativePeriod`)."""
    return str(period) if attribute == "str" else getattr(period, attribute)


def same_law(a: Any, b: Any) -> bool:
    """Whether two legislation values are interchangeable (same type and value)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # an ambiguous comparison: not provably the same
        return False


class RelativePeriod:
    """A formula's view of its period: a :class:`Period` that remembers how it was reached."""

    __slots__ = ("_chain", "_p", "_r")

    def __init__(self, recorder: Recorder, period: Period, chain: Chain):
        self._r = recorder
        self._p = period
        self._chain = chain

    def _to(self, period: Period, step: tuple[Any, ...]) -> RelativePeriod:
        return RelativePeriod(self._r, period, (*self._chain, step))

    def _fact(self, name: str, value: _T) -> _T:
        self._r.fact(self._chain, name, value)
        return value

    # Navigation: relative, recorded as steps.

    def offset(self, n: int) -> RelativePeriod:
        return self._to(self._p.offset(n), ("offset", n))

    @property
    def first_month(self) -> RelativePeriod:
        return self._to(self._p.first_month, ("first_month",))

    @property
    def last_month(self) -> RelativePeriod:
        return self._to(self._p.last_month, ("last_month",))

    @property
    def this_year(self) -> RelativePeriod:
        return self._to(self._p.this_year, ("this_year",))

    @property
    def n_2(self) -> RelativePeriod:
        return self._to(self._p.n_2, ("n_2",))

    @property
    def months(self) -> tuple[RelativePeriod, ...]:
        return tuple(self._to(p, ("months", i)) for i, p in enumerate(self._p.months))

    def last_months(self, n: int) -> tuple[RelativePeriod, ...]:
        return tuple(self._to(p, ("last_months", n, i)) for i, p in enumerate(self._p.last_months(n)))

    def rolling_year(self, lag: int = 0) -> tuple[RelativePeriod, ...]:
        return tuple(self._to(p, ("rolling_year", lag, i)) for i, p in enumerate(self._p.rolling_year(lag)))

    # Scalars: recorded with their value, checked for another period.

    @property
    def unit(self) -> PeriodUnit:
        return self._fact("unit", self._p.unit)

    @property
    def year(self) -> int:
        return self._fact("year", self._p.year)

    @property
    def month(self) -> int:
        return self._fact("month", self._p.month)

    @property
    def start(self) -> dt.date:
        return self._fact("start", self._p.start)

    def __str__(self) -> str:
        return self._fact("str", str(self._p))

    def __repr__(self) -> str:
        return f"RelativePeriod({self._p})"

    # Anything else sees the period itself: it works as on a Period, and the evaluation is not
    # reused.

    def _absolute(self) -> Period:
        self._r.unfit()
        return self._p

    def __getattr__(self, name: str) -> Any:
        return getattr(self._absolute(), name)

    def __eq__(self, other: object) -> bool:
        return bool(self._absolute() == _plain_other(other))

    def __ne__(self, other: object) -> bool:
        return bool(self._absolute() != _plain_other(other))

    def __lt__(self, other: object) -> bool:
        return bool(self._absolute() < _plain_other(other))

    def __le__(self, other: object) -> bool:
        return bool(self._absolute() <= _plain_other(other))

    def __gt__(self, other: object) -> bool:
        return bool(self._absolute() > _plain_other(other))

    def __ge__(self, other: object) -> bool:
        return bool(self._absolute() >= _plain_other(other))

    def __hash__(self) -> int:
        return hash(self._absolute())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._absolute())

    def __getitem__(self, i: int) -> Any:
        return self._absolute()[i]

    def __len__(self) -> int:
        return len(self._absolute())


def _plain_other(other: Any) -> Any:
    return other._absolute() if isinstance(other, RelativePeriod) else other


def plain(period: Period | RelativePeriod) -> tuple[Period, Chain | None]:
    """The period a formula passed, and how it follows the formula's period (None: fixed)."""
    if isinstance(period, RelativePeriod):
        return period._p, period._chain
    return period, None
