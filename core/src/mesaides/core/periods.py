"""Periods: months, years and eternity, as in OpenFisca's situation JSON.

A period is a small immutable value used as a cache key by the engine, so it is a frozen
dataclass with slots rather than a pydantic model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache


class PeriodUnit(str, Enum):
    MONTH = "month"
    YEAR = "year"
    ETERNITY = "eternity"


MONTH = PeriodUnit.MONTH
YEAR = PeriodUnit.YEAR
ETERNITY = PeriodUnit.ETERNITY

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period string that is not a month (``2026-11``), a year (``2026``) or ``ETERNITY``."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A month, a year, or eternity.

    ``year`` and ``month`` give the first month of the period; eternity has neither.
    """

    unit: PeriodUnit
    year: int = 0
    month: int = 1
    # Periods key every cached value: their hash and text are computed once.
    _hash: int = field(init=False, repr=False, compare=False, default=0)
    _text: str = field(init=False, repr=False, compare=False, default="")
    _start: dt.date = field(init=False, repr=False, compare=False, default=dt.date.min)

    def __post_init__(self) -> None:
        if self.unit is MONTH:
            text = f"{self.year:04d}-{self.month:02d}"
        elif self.unit is YEAR:
            text = f"{self.year:04d}"
        else:
            text = "ETERNITY"
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_hash", hash(text))
        if self.unit is not ETERNITY:
            object.__setattr__(self, "_start", dt.date(self.year, self.month, 1))

    def __hash__(self) -> int:
        return self._hash

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
            return cls(MONTH, year, month)
        if m := _YEAR_RE.match(text):
            return cls(YEAR, int(m[1]), 1)
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
        return self._text

    def __repr__(self) -> str:
        return f"Period({self})"

    # Navigation -------------------------------------------------------------------------------

    def offset(self, n: int) -> Period:
        """The period ``n`` units later (negative: earlier). Eternity is its own offset."""
        if self.unit is MONTH:
            return Period.month_of(self.year, self.month + n)
        if self.unit is YEAR:
            return Period.year_of(self.year + n)
        return self

    @property
    def start(self) -> dt.date:
        return self._start

    @property
    def first_month(self) -> Period:
        return Period.month_of(self.year, self.month)

    @property
    def last_month(self) -> Period:
        """The month before this period's first month (OpenFisca's ``period.last_month``)."""
        return self.first_month.offset(-1)

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
        first = self.first_month
        return tuple(first.offset(-k) for k in range(n, 0, -1))

    def rolling_year(self, lag: int = 0) -> tuple[Period, ...]:
        """Twelve consecutive months ending ``lag`` months before this period's first month."""
        end = self.first_month.offset(-lag)
        return tuple(end.offset(-k) for k in range(11, -1, -1))


ETERNITY_PERIOD = Period(ETERNITY, 0, 1)


@lru_cache(maxsize=8192)
def _month(year: int, month: int) -> Period:
    # Formulas navigate months constantly (last_month, last_months(3)): reuse the instances.
    return Period(MONTH, year, month)


@lru_cache(maxsize=8192)
def _parse(text: str) -> Period:
    # Situations repeat the same few dozen period keys thousands of times.
    return Period._parse(text)
