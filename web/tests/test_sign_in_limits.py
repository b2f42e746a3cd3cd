"""The sign-in rate limiter on a real SQLite database, with a clock the test moves."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from mesaides.web import db
from mesaides.web.sign_in_limits import Limit, SignInLimits

START = dt.datetime(2026, 12, 5, 9, 0)


class Clock:
    def __init__(self):
        self.at = START

    def __call__(self) -> dt.datetime:
        return self.at


def limiter(tmp_path, clock, **limits) -> SignInLimits:
    engine = db.connect(f"sqlite:///{tmp_path / 'limits.sqlite3'}")
    db.upgrade(engine)
    return SignInLimits(engine, b"k" * 32, now=clock, **limits)


def test_an_email_is_limited_then_allowed_again_after_the_window(tmp_path):
    clock = Clock()
    limits = limiter(tmp_path, clock, per_email=Limit(3, dt.timedelta(minutes=15)))
    for minute in range(3):
        clock.at = START + dt.timedelta(minutes=minute)
        assert limits.attempt("Referente@caf.fr", f"10.0.0.{minute}") is None
    clock.at = START + dt.timedelta(minutes=5)
    refusal = limits.attempt("referente@CAF.fr ", "10.0.0.9")  # the same email, written otherwise
    assert refusal is not None and refusal.per == "email"
    assert refusal.retry_after == dt.timedelta(minutes=10)  # when the first request leaves the window
    assert "réessayez dans 10 minutes" in refusal.message
    assert limits.attempt("autre@caf.fr", "10.0.0.9") is None, "another email is not limited"
    clock.at = START + dt.timedelta(minutes=15)
    assert limits.attempt("referente@caf.fr", "10.0.0.9") is None


def test_an_address_is_limited_whatever_the_emails(tmp_path):
    clock = Clock()
    limits = limiter(tmp_path, clock, per_address=Limit(4, dt.timedelta(hours=1)))
    for n in range(4):
        assert limits.attempt(f"personne{n}@example.org", "192.0.2.7") is None
    refusal = limits.attempt("personne9@example.org", "192.0.2.7")
    assert refusal is not None and refusal.per == "address"
    assert "depuis votre réseau" in refusal.message
    assert limits.attempt("personne9@example.org", "192.0.2.8") is None


def test_refusals_are_not_recorded_and_old_requests_are_deleted(tmp_path):
    clock = Clock()
    limits = limiter(tmp_path, clock, per_email=Limit(2, dt.timedelta(minutes=15)))
    table = db.sign_in_attempts
    for _ in range(5):
        limits.attempt("a@example.org", "192.0.2.1")
    with limits.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.key)).scalars().all()
        assert len(rows) == 4, "two requests accepted, under two keys each; the refusals left nothing"
        assert not any("a@example.org" in key or "192.0.2.1" in key for key in rows), "keys are digests"
    clock.at = START + dt.timedelta(hours=2)
    limits.attempt("b@example.org", "192.0.2.2")
    with limits.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 2


def test_two_limiters_on_the_same_database_count_together(tmp_path):
    """Two server workers: each has its own limiter, the database is shared."""
    clock = Clock()
    first = limiter(tmp_path, clock, per_email=Limit(2, dt.timedelta(minutes=15)))
    second = limiter(tmp_path, clock, per_email=Limit(2, dt.timedelta(minutes=15)))
    assert first.attempt("a@example.org", "192.0.2.1") is None
    assert second.attempt("a@example.org", "192.0.2.2") is None
    assert first.attempt("a@example.org", "192.0.2.3") is not None
