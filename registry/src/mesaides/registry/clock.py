"""Where the registry's time comes from: a clock tests (and the CLI, through ``MESAIDES_NOW``) can set.

Every deadline of the convention (A9's 15-day correction periods, O4/Pa2's two weeks) is
computed from this clock, never from the system time directly. Times are naive UTC datetimes,
which SQLite and PostgreSQL store alike.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Protocol

NOW_ENV = "MESAIDES_NOW"


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, naive UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class FixedClock:
    """A clock that stays where it is set: ``advance(days=15)`` moves it on."""

    def __init__(self, now: dt.datetime | str):
        self._now = parse_time(now) if isinstance(now, str) else _naive_utc(now)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, now: dt.datetime | str) -> None:
        self._now = parse_time(now) if isinstance(now, str) else _naive_utc(now)

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now


def parse_time(text: str) -> dt.datetime:
    """``2026-11-15``, ``2026-11-15T10:00`` or with an offset (converted to UTC)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date or time (expected 2026-11-15 or 2026-11-15T10:00:00)") from None
    return _naive_utc(value)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def clock_from_env(env: Mapping[str, str] | None = None) -> Clock:
    """A :class:`FixedClock` at ``MESAIDES_NOW`` when it is set, else the system clock."""
    env = os.environ if env is None else env
    text = env.get(NOW_ENV, "").strip()
    return FixedClock(text) if text else SystemClock()
