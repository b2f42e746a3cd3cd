"""Open usage statistics (convention O8), aggregated by day, with no personal data.

One client must not be able to multiply the figures, and nothing must let anyone follow a
person:

- **Unique visitors**: each page view computes ``sha256(daily salt | network)``, where the
  network is the IPv4 address, or the /64 prefix of an IPv6 address (one subscriber's line: a
  device draws new IPv6 addresses within it at will). The user agent is not part of it: a client
  that changes it at each request is still one visitor. The digest is kept only for the current
  day, to count distinct visitors; the salt is random, changes every day and is deleted with the
  digests once the day is over (at the first visit of the next day, or at the hourly purge), so
  that nobody (the operator included) can link a digest to an address or follow a visitor from
  one day to the next. No cookie is set. Several persons behind one address (a family, an
  office, a mobile operator's NAT) count as one: the figure is a lower bound.
- **Clicks to application services** count once per visitor, aide and day, with the same kind of
  daily digest (``sha256(daily salt | network | aide)``).
- Each server process remembers the day's salt and the digests it recorded, until the day is
  over, so that a visitor's next pages need no database write.
- **Completed simulations** and the **département** of the commune of each simulation are plain
  daily counters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mesaides.core import geography as core_geography
from mesaides.web.db import insert_on_conflict, stats_clicks, stats_counters, stats_salts, stats_visitors

VISITORS = "visiteurs"
SIMULATIONS = "simulations"
CLICKS = "clics"
DEPARTEMENTS = "departements"


def departement_of(depcom: str) -> str:
    """The département of an INSEE commune code (``59350`` → ``59``, ``97411`` → ``974``), from
    the core's geography table; ``""`` when the code is unknown."""
    return core_geography.departement_of((depcom or "").strip().upper()) if depcom else ""


IPV6_NETWORK_PREFIX = 64
"""An IPv6 subscriber gets at least a /64 and may use any address in it: one visitor."""


def network_of(address: str) -> str:
    """What identifies one client for the counts: an IPv4 address, the /64 of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_NETWORK_PREFIX}", strict=False))
    return str(ip)


def _digest(salt: str, what: str) -> str:
    return hashlib.sha256(f"{salt}|{what}".encode()).hexdigest()[:32]


@dataclass
class Series:
    days: list[dt.date]
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


REMEMBERED_DIGESTS = 100_000
"""At most this many of today's digests are remembered by a server process (about 10 MB)."""


@dataclass
class _Today:
    """What a server process remembers of the current day, to skip the database on a visitor's
    next pages: the day's salt and the digests already recorded. Dropped with the day."""

    day: dt.date
    salt: str
    recorded: set[str]


class Stats:
    def __init__(self, engine: Engine, today=dt.date.today):
        self.engine = engine
        self.today = today
        self._remembered: _Today | None = None

    # ---- recording ----------------------------------------------------------------------------

    def visit(self, address: str) -> None:
        """A page view from ``address``: a new visitor the first time today."""
        self._once_today(stats_visitors, f"visit|{network_of(address)}", VISITORS, "")

    def simulation(self, depcom: str) -> None:
        day = self.today()
        with self.engine.begin() as conn:
            self._increment(conn, day, SIMULATIONS, "")
            dep = departement_of(depcom)
            if dep:
                self._increment(conn, day, DEPARTEMENTS, dep)

    def click(self, aide: str, address: str) -> None:
        """A click from ``address`` to ``aide``'s application service: counted once a day."""
        self._once_today(stats_clicks, f"click|{network_of(address)}|{aide}", CLICKS, aide)

    def forget_past_days(self) -> None:
        """Delete the previous days' salts and digests (the hourly purge calls it, so that a
        salt never outlives its day by more than an hour, even on a day without visits)."""
        day = self.today()
        if self._remembered is not None and self._remembered.day != day:
            self._remembered = None
        with self.engine.begin() as conn:
            self._forget_before(conn, day)

    def _once_today(self, table: sa.Table, what: str, metric: str, key: str) -> None:
        """Count ``metric``/``key`` if today's digest of ``what`` is new (in ``table``, which
        every worker shares). A digest this process already recorded today needs no database."""
        day = self.today()
        remembered = self._remembered
        if remembered is not None and remembered.day == day and _digest(remembered.salt, what) in remembered.recorded:
            return
        with self.engine.begin() as conn:
            salt = self._salt(conn, day)
            digest = _digest(salt, what)
            # Recorded before, by this process or another: nothing to count. (Whether a row was
            # inserted is read from RETURNING: psycopg's row count is -1 after INSERT … ON CONFLICT.)
            insert = insert_on_conflict(conn, table).values(day=day, digest=digest)
            if conn.execute(insert.on_conflict_do_nothing().returning(table.c.digest)).first() is not None:
                self._increment(conn, day, metric, key)
        if remembered is None or remembered.day != day or len(remembered.recorded) >= REMEMBERED_DIGESTS:
            remembered = self._remembered = _Today(day, salt, set())
        remembered.recorded.add(digest)

    @staticmethod
    def _forget_before(conn: Connection, day: dt.date) -> None:
        for table in (stats_salts, stats_visitors, stats_clicks):
            conn.execute(table.delete().where(table.c.day < day))

    def _salt(self, conn: Connection, day: dt.date) -> str:
        salt = conn.execute(sa.select(stats_salts.c.salt).where(stats_salts.c.day == day)).scalar()
        if salt is not None:
            return salt
        # A new day: forget the previous days' salts and digests, then draw today's salt.
        self._forget_before(conn, day)
        # Unless another worker drew it first.
        conn.execute(
            insert_on_conflict(conn, stats_salts).values(day=day, salt=secrets.token_hex(32)).on_conflict_do_nothing()
        )
        return conn.execute(sa.select(stats_salts.c.salt).where(stats_salts.c.day == day)).scalar_one()

    @staticmethod
    def _increment(conn: Connection, day: dt.date, metric: str, key: str) -> None:
        insert = insert_on_conflict(conn, stats_counters).values(day=day, metric=metric, key=key, count=1)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=[stats_counters.c.day, stats_counters.c.metric, stats_counters.c.key],
                set_={"count": stats_counters.c.count + 1},
            )
        )

    # ---- reading ------------------------------------------------------------------------------

    def daily(self, metric: str, days: int = 30) -> Series:
        """One value a day over the last ``days`` days (today included), zeros where nothing."""
        end = self.today()
        start = end - dt.timedelta(days=days - 1)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(stats_counters.c.day, sa.func.sum(stats_counters.c.count))
                .where(stats_counters.c.metric == metric, stats_counters.c.day >= start)
                .group_by(stats_counters.c.day)
            ).all()
        found = {row[0]: int(row[1]) for row in rows}
        span = [start + dt.timedelta(days=i) for i in range(days)]
        return Series(days=span, values=[found.get(d, 0) for d in span])

    def by_key(self, metric: str, days: int | None = None) -> dict[str, int]:
        """Totals per key (aide, département), largest first."""
        query = sa.select(stats_counters.c.key, sa.func.sum(stats_counters.c.count)).where(
            stats_counters.c.metric == metric
        )
        if days is not None:
            query = query.where(stats_counters.c.day >= self.today() - dt.timedelta(days=days - 1))
        with self.engine.connect() as conn:
            rows = conn.execute(query.group_by(stats_counters.c.key)).tuples().all()
        return dict(sorted(((k, int(v)) for k, v in rows), key=lambda kv: (-kv[1], kv[0])))

    def by_key_daily(self, metric: str, days: int = 30) -> dict[str, Series]:
        end = self.today()
        start = end - dt.timedelta(days=days - 1)
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    sa.select(stats_counters.c.key, stats_counters.c.day, stats_counters.c.count).where(
                        stats_counters.c.metric == metric, stats_counters.c.day >= start
                    )
                )
                .tuples()
                .all()
            )
        span = [start + dt.timedelta(days=i) for i in range(days)]
        per: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for key, day, count in rows:
            per[key][day] = int(count)
        return {k: Series(days=span, values=[v.get(d, 0) for d in span]) for k, v in sorted(per.items())}

    def total(self, metric: str) -> int:
        with self.engine.connect() as conn:
            value: int = conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(stats_counters.c.count), 0)).where(
                    stats_counters.c.metric == metric
                )
            ).scalar_one()
        return int(value)
