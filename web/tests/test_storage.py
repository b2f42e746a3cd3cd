"""Saved situations and statistics: retention, tokens, no personal data."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from mesaides.web import db
from mesaides.web.saved import SavedSituations
from mesaides.web.stats import CLICKS, DEPARTEMENTS, SIMULATIONS, VISITORS, Stats, departement_of


def _engine(tmp_path):
    engine = db.connect(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    db.upgrade(engine)
    db.upgrade(engine)  # idempotent
    return engine


def test_migrations_use_their_own_version_table(tmp_path):
    engine = _engine(tmp_path)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"web_saved_situation", "web_stats_counter", db.VERSION_TABLE} <= tables
    assert "alembic_version" not in tables


def test_save_load_update_delete_purge(tmp_path):
    store = SavedSituations(_engine(tmp_path), retention_days=7)
    token = store.save({"foyer.nb_enfants": "2"})
    assert len(token) >= 32
    answers, expires = store.load(token)
    assert answers == {"foyer.nb_enfants": "2"}
    assert expires > dt.datetime.now() + dt.timedelta(days=6)
    assert store.save({"foyer.nb_enfants": "3"}, token) == token
    assert store.load(token)[0]["foyer.nb_enfants"] == "3"
    assert store.load("x" * 32) is None and store.load("../etc") is None
    assert store.delete(token) and store.load(token) is None

    expired = SavedSituations(store.engine, retention_days=0)
    old = expired.save({"a": "b"})
    assert expired.load(old) is None  # past its retention: gone even before the purge
    assert expired.purge() == 1


def test_stats_keep_no_personal_data(tmp_path):
    engine = _engine(tmp_path)
    day = [dt.date(2026, 11, 20)]
    stats = Stats(engine, today=lambda: day[0])
    stats.visit("192.0.2.1", "Firefox")
    stats.visit("192.0.2.1", "Firefox")
    stats.visit("192.0.2.2", "Firefox")
    stats.simulation("59350")
    stats.simulation("97411")
    stats.click("asf")
    assert stats.daily(VISITORS, 3).values == [0, 0, 2]
    assert stats.by_key(DEPARTEMENTS) == {"59": 1, "974": 1}
    assert stats.total(SIMULATIONS) == 2 and stats.by_key(CLICKS) == {"asf": 1}
    with engine.connect() as conn:
        dump = " ".join(str(row) for table in db.metadata.sorted_tables for row in conn.execute(table.select()))
    assert "192.0.2" not in dump and "Firefox" not in dump
    # The next day, yesterday's digests and salt are forgotten; the counts stay.
    day[0] = dt.date(2026, 11, 21)
    stats.visit("192.0.2.1", "Firefox")
    with engine.connect() as conn:
        assert {r.day for r in conn.execute(db.stats_visitors.select())} == {day[0]}
        assert conn.execute(sa.select(sa.func.count()).select_from(db.stats_salts)).scalar() == 1
    assert stats.daily(VISITORS, 2).values == [2, 1]
    assert departement_of("2A004") == "2A" and departement_of("") == ""
