"""How often someone may ask for a sign-in link: per email and per network address.

A sign-in request sends an email; without a limit, anyone could flood a referent's mailbox or
use the form to send mail in bulk. Each request is recorded in the database
(``web_sign_in_attempt``), so that every server worker counts the same requests, under two keys:
the email asked for and the address the request came from. Neither is stored as such: a key is an
HMAC of it with the instance's secret (so the table holds no email or address, and a stolen
table cannot be matched against a list of emails without the secret).

A request over either limit is refused (the page answers HTTP 429 in French) and not recorded, so
that refusals do not make the table grow. Counting and recording happen in one transaction;
workers answering at the same instant may each let one request through, so the limit can be
exceeded by at most the number of workers, never more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mesaides.web.db import sign_in_attempts


@dataclass(frozen=True)
class Limit:
    requests: int
    window: dt.timedelta


PER_EMAIL = Limit(5, dt.timedelta(minutes=15))
"""A link is valid 15 minutes: five requests in that time cover a mistyped address or a lost mail."""
PER_ADDRESS = Limit(30, dt.timedelta(hours=1))
"""Several referents of one partner may sign in from one office behind one address."""


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused, and in how long a new one will be accepted."""

    per: str
    """``email`` or ``address``."""
    retry_after: dt.timedelta

    @property
    def message(self) -> str:
        minutes = max(1, -(-int(self.retry_after.total_seconds()) // 60))
        wait = f"{minutes} minute{'s' if minutes > 1 else ''}"
        if self.per == "email":
            return (
                "Trop de demandes de lien de connexion pour cette adresse électronique. "
                f"Utilisez le dernier lien reçu, ou réessayez dans {wait}."
            )
        return f"Trop de demandes de lien de connexion depuis votre réseau. Réessayez dans {wait}."


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class SignInLimits:
    """Counts sign-in requests in the database and says whether one more is allowed."""

    def __init__(
        self,
        engine: Engine,
        secret: bytes,
        *,
        per_email: Limit = PER_EMAIL,
        per_address: Limit = PER_ADDRESS,
        now: Callable[[], dt.datetime] = _utc_now,
    ):
        self.engine = engine
        self._secret = secret
        self.limits = {"email": per_email, "address": per_address}
        self._now = now

    def key(self, per: str, value: str) -> str:
        digest = hmac.new(self._secret, f"sign-in-limit|{per}|{value}".encode(), hashlib.sha256).hexdigest()
        return f"{per[0]}:{digest[:40]}"

    def attempt(self, email: str, address: str) -> Refusal | None:
        """Record a sign-in request for ``email`` from ``address``, or say why it is refused
        (then nothing is recorded)."""
        now = self._now()
        keys = {"email": self.key("email", email.strip().lower()), "address": self.key("address", address)}
        longest = max(limit.window for limit in self.limits.values())
        table = sign_in_attempts
        with self.engine.begin() as conn:
            for per, key in keys.items():
                limit = self.limits[per]
                times: list[dt.datetime] = list(
                    conn.execute(
                        sa.select(table.c.at)
                        .where(table.c.key == key, table.c.at > now - limit.window)
                        .order_by(table.c.at)
                        .limit(limit.requests)
                    ).scalars()
                )
                if len(times) >= limit.requests:
                    return Refusal(per, times[0] + limit.window - now)
            conn.execute(table.insert(), [{"key": key, "at": now} for key in keys.values()])
            conn.execute(table.delete().where(table.c.at <= now - longest))
        return None
