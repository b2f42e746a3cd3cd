"""Periods: months, years and eternity, as in OpenFisca's situation JSON.

A period is a small immutable value used as a cache key by the engine, so it is a tuple
rather than a pydantic model.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from functools import lru_cache
from operator import itemgetter
from typing import Any


class PeriodUnit(str, Enum):
    MONTH = "month"
    YEAR = "year"
    ETERNITY = "eternity"


MONTH = PeriodUnit.MONTH
YEAR = PeriodUnit.YEAR
ETERNITY = PeriodUnit.ETERNITY

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")


FIRST_YEAR, LAST_YEAR = 1900, 2100
"""The years a situation may give or ask for: dates before 1900 or after 2100 are typing
mistakes (``0003-11``), and the calendar arithmetic of earlier years (year 0) does not exist."""


class PeriodError(ValueError):
    """A period string that is not a month (``2026-11``), a year (``2026``) or ``ETERNITY``, or
    one outside the supported years (:data:`FIRST_YEAR` to :data:`LAST_YEAR`)."""


class Period(tuple[Any, ...]):
    """A month, a year, or eternity.

    ``year`` and ``month`` give the first month of the period; eternity has neither.

    Periods key every value the engine caches, millions of look-ups per second: a period is a
    ``(unit, year, month)`` tuple, so that hashing and comparing it run in C, with ordering by
    unit, then date.
    """

    __slots__ = ()

    def __new__(cls, unit: PeriodUnit, year: int = 0, month: int = 1) -> Period:
        return tuple.__new__(cls, (unit, year, month))

    unit: PeriodUnit = property(itemgetter(0))  # type: ignore[assignment]
    year: int = property(itemgetter(1))  # type: ignore[assignment]
    month: int = property(itemgetter(2))  # type: ignore[assignment]

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)

    @classmethod
    def parse(cls, text: str) -> Period:
        if isinstance(text, str):
            return _parse(text)
        raise PeriodError(f"{text!r} is not a period (expected 'YYYY-MM', 'YYYY' or 'ETERNITY')")

    @classmethod
    def _parse(cls, text: str) -> Period:
        if not isinstance(text, str):
            raise PeriodError(f"{text!r} is not a period (expected 'YYYY-MM', 'YYYY' or 'ETERNITY')")
        if text == "ETERNITY":
            return ETERNITY_PERIOD
        if m := _MONTH_RE.match(text):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise PeriodError(f"{text}: not a month (month {month} is not between 01 and 12)")
            return cls(MONTH, _supported(text, year), month)
        if m := _YEAR_RE.match(text):
            return cls(YEAR, _supported(text, int(m[1])), 1)
        raise PeriodError(f"{text}: not a period (expected 'YYYY-MM', 'YYYY' or 'ETERNITY')")

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        return _month(year, month)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(YEAR, year, 1)

    def __str__(self) -> str:
        return _text(self)

    def __repr__(self) -> str:
        return f"Period({self})"

    # Navigation -------------------------------------------------------------------------------

    def offset(self, n: int) -> Period:
        """The period ``n`` units later (negative: earlier). Eternity is its own offset."""
        return _offset(self, n)

    @property
    def start(self) -> dt.date:
        """The first day (eternity has none: ``date.min``)."""
        return _start(self)

    @property
    def first_month(self) -> Period:
        return Period.month_of(self.year, self.month)

    @property
    def last_month(self) -> Period:
        """The month before this period's first month (OpenFisca's ``period.last_month``)."""
        return (self if self.unit is MONTH else self.first_month).offset(-1)

    @property
    def this_year(self) -> Period:
        """The calendar year containing the period's start."""
        return Period.year_of(self.year)

    @property
    def n_2(self) -> Period:
        """The calendar year two years before the period's start (fiscal income of year N-2)."""
        return Period.year_of(self.year - 2)

    @property
    def months(self) -> tuple[Period, ...]:
        """The months a period spans (a month spans itself)."""
        if self.unit is MONTH:
            return (self,)
        if self.unit is YEAR:
            return tuple(Period.month_of(self.year, m) for m in range(1, 13))
        raise PeriodError("eternity has no months")

    def last_months(self, n: int) -> tuple[Period, ...]:
        """The ``n`` months before this period's first month, oldest first."""
        return _last_months(self, n)

    def ends_before(self, other: Period) -> bool:
        """Whether this period ends before ``other`` starts (never, for eternity)."""
        if self.unit is ETERNITY or other.unit is ETERNITY:
            return False
        end = self.offset(1).start if self.unit is not YEAR else Period.year_of(self.year + 1).start
        return end <= other.start

    def rolling_year(self, lag: int = 0) -> tuple[Period, ...]:
        """Twelve consecutive months ending ``lag`` months before this period's first month."""
        end = self.first_month.offset(-lag)
        return tuple(end.offset(-k) for k in range(11, -1, -1))


def _supported(text: str, year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{text}: outside the supported periods (years {FIRST_YEAR} to {LAST_YEAR})")
    return year


# Formulas navigate the same few months over and over: each answer is computed once (periods
# are immutable values, and the supported years bound how many there are).
@lru_cache(maxsize=16384)
def _text(p: Period) -> str:
    if p.unit is MONTH:
        return f"{p.year:04d}-{p.month:02d}"
    if p.unit is YEAR:
        return f"{p.year:04d}"
    return "ETERNITY"


@lru_cache(maxsize=16384)
def _start(p: Period) -> dt.date:
    return dt.date(p.year, p.month, 1) if p.unit is not ETERNITY else dt.date.min


@lru_cache(maxsize=65536)
def _offset(p: Period, n: int) -> Period:
    if p.unit is MONTH:
        return Period.month_of(p.year, p.month + n)
    if p.unit is YEAR:
        return Period.year_of(p.year + n)
    return p


@lru_cache(maxsize=16384)
def _last_months(p: Period, n: int) -> tuple[Period, ...]:
    first = p.first_month
    return tuple(first.offset(-k) for k in range(n, 0, -1))


ETERNITY_PERIOD = Period(ETERNITY, 0, 1)


@lru_cache(maxsize=8192)
def _month(year: int, month: int) -> Period:
    # Formulas navigate months constantly (last_month, last_months(3)): reuse the instances.
    return Period(MONTH, year, month)


@lru_cache(maxsize=8192)
def _parse(text: str) -> Period:
    # Situations repeat the same few dozen period keys thousands of times.
    return Period._parse(text)
