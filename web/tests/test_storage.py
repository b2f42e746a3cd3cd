"""Saved situations and statistics: retention, tokens, no personal data."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from mesaides.web import db
from mesaides.web.saved import SavedSituations
from mesaides.web.stats import CLICKS, DEPARTEMENTS, SIMULATIONS, VISITORS, Stats, departement_of


def _engine(database_url):
    engine = db.connect(database_url)
    db.upgrade(engine)
    db.upgrade(engine)  # idempotent
    return engine


def test_migrations_use_their_own_version_table(database_url):
    engine = _engine(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"web_saved_situation", "web_stats_counter", db.VERSION_TABLE} <= tables
    assert "alembic_version" not in tables


def test_the_web_tables_match_their_migrations(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = _engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": lambda name, kind, _parent: kind != "table" or name.startswith("web_")}
        )
        assert compare_metadata(context, db.metadata) == []


def test_save_load_update_delete_purge(database_url):
    store = SavedSituations(_engine(database_url), retention_days=7)
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


def test_stats_keep_no_personal_data(database_url):
    engine = _engine(database_url)
    day = [dt.date(2026, 11, 20)]
    stats = Stats(engine, today=lambda: day[0])
    stats.visit("192.0.2.1")
    stats.visit("192.0.2.1")
    stats.visit("192.0.2.2")
    stats.simulation("59350")
    stats.simulation("97411")
    stats.click("asf", "192.0.2.1")
    assert stats.daily(VISITORS, 3).values == [0, 0, 2]
    assert stats.by_key(DEPARTEMENTS) == {"59": 1, "974": 1}
    assert stats.total(SIMULATIONS) == 2 and stats.by_key(CLICKS) == {"asf": 1}
    with engine.connect() as conn:
        dump = " ".join(str(row) for table in db.metadata.sorted_tables for row in conn.execute(table.select()))
    assert "192.0.2" not in dump
    # The next day, yesterday's digests and salt are forgotten; the counts stay.
    day[0] = dt.date(2026, 11, 21)
    stats.visit("192.0.2.1")
    with engine.connect() as conn:
        assert {r.day for r in conn.execute(db.stats_visitors.select())} == {day[0]}
        assert conn.execute(sa.select(sa.func.count()).select_from(db.stats_salts)).scalar() == 1
    assert stats.daily(VISITORS, 2).values == [2, 1]
    assert departement_of("2A004") == "2A" and departement_of("") == ""


def test_one_client_counts_once_a_day(database_url):
    """Neither a new user agent at each request nor a new IPv6 address of the same /64 makes a
    new visitor; a click counts once per visitor, aide and day."""
    engine = _engine(database_url)
    day = [dt.date(2026, 11, 20)]
    stats = Stats(engine, today=lambda: day[0])
    for i in range(50):
        stats.visit("198.51.100.7")
        stats.visit(f"2001:db8:1:2::{i + 1:x}")  # privacy addresses of one subscriber's line
        stats.click("rsa", "198.51.100.7")
    stats.visit("::ffff:198.51.100.7")  # the same IPv4 client, as a dual-stack socket gives it
    assert stats.daily(VISITORS, 1).values == [2]
    assert stats.by_key(CLICKS) == {"rsa": 1}
    stats.visit("2001:db8:1:3::1")  # another line
    stats.click("rsa", "2001:db8:1:3::1")
    stats.click("af", "198.51.100.7")
    assert stats.daily(VISITORS, 1).values == [3]
    assert stats.by_key(CLICKS) == {"rsa": 2, "af": 1}
    # The next day the same client counts again, and yesterday's salt and digests are gone even
    # without a visit (the hourly purge).
    day[0] = dt.date(2026, 11, 21)
    stats.forget_past_days()
    with engine.connect() as conn:
        for table in (db.stats_salts, db.stats_visitors, db.stats_clicks):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    stats.click("rsa", "198.51.100.7")
    assert stats.by_key(CLICKS) == {"rsa": 3, "af": 1}


def test_a_visitor_counts_once_whichever_worker_serves_it(database_url):
    """Each server worker has its own Stats (and remembers what it recorded): the database tells
    them that another worker counted the visitor, the click, the day's salt already."""
    engine = _engine(database_url)
    day = dt.date(2026, 11, 20)
    workers = [Stats(db.connect(database_url), today=lambda: day) for _ in range(2)]
    for stats in (*workers, *workers):
        stats.visit("198.51.100.7")
        stats.click("rsa", "198.51.100.7")
    assert workers[0].daily(VISITORS, 1).values == [1]
    assert workers[1].by_key(CLICKS) == {"rsa": 1}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.stats_salts)).scalar() == 1


def _database_bytes(path) -> bytes:
    """Every byte SQLite keeps for the database: the file, its write-ahead log, its index."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_a_deleted_situation_leaves_no_copy_in_the_files(tmp_path, how, caplog):
    """After a deletion or a purge, neither the token nor the answers (a birth date) are left
    in the database file, its free pages or its write-ahead log."""
    path = tmp_path / "db.sqlite3"
    engine = db.connect(f"sqlite:///{path}")
    db.upgrade(engine)
    store = SavedSituations(engine, retention_days=7 if how == "delete" else 0)
    kept = SavedSituations(engine, retention_days=7).save({"demandeur.date_naissance": "02/02/1950"})
    birth = "17/09/1983"
    tokens = [store.save({"demandeur.date_naissance": birth, "foyer.nb_enfants": str(i)}) for i in range(3)]
    assert birth.encode() in _database_bytes(path)
    assert all(t.encode() in _database_bytes(path) for t in tokens)
    caplog.set_level(logging.INFO, logger="mesaides.web.saved")
    if how == "delete":
        assert all(store.delete(t) for t in tokens)
    else:
        assert store.purge() == 3
        assert "purge: 3 saved situations past their retention period deleted" in caplog.messages
    everything = _database_bytes(path)
    assert birth.encode() not in everything
    assert not [t for t in tokens if t.encode() in everything]
    assert b"02/02/1950" in everything and store.load(kept) is not None  # the others are kept
    assert not [m for m in caplog.messages if any(t in m for t in tokens) or birth in m]


def test_updated_answers_leave_no_copy_of_the_replaced_ones(tmp_path):
    path = tmp_path / "db.sqlite3"
    engine = db.connect(f"sqlite:///{path}")
    db.upgrade(engine)
    store = SavedSituations(engine, retention_days=7)
    token = store.save({"demandeur.date_naissance": "17/09/1983"})
    assert b"17/09/1983" in _database_bytes(path)
    assert store.save({"demandeur.date_naissance": "18/09/1983"}, token) == token  # a typo corrected
    everything = _database_bytes(path)
    assert b"17/09/1983" not in everything and b"18/09/1983" in everything


def test_the_web_tables_and_the_registry_share_one_engine_and_its_sqlite_settings(tmp_path):
    from mesaides.registry.database import Database

    url = f"sqlite:///{tmp_path / 'mesaides.sqlite3'}"
    pragmas = ("journal_mode", "foreign_keys", "busy_timeout", "secure_delete", "synchronous")

    def settings(engine):
        with engine.connect() as connection:
            return [connection.execute(sa.text(f"PRAGMA {p}")).scalar() for p in pragmas]

    assert settings(db.connect(url)) == settings(Database(url).engine) == ["wal", 1, 30000, 1, 1]


def test_the_app_opens_the_registry_on_its_own_engine(database_url):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.dependencies import services_of
    from mesaides.web.settings import Settings

    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        assert client.get("/aides").status_code == 200
        services = services_of(app)
        tables = set(sa.inspect(services.database).get_table_names())
        assert {"aides", "alembic_version", "web_saved_situation", db.VERSION_TABLE} <= tables
        # one engine for the registry's tables and the simulator's, one registry for the process
        assert services.registry.database.engine is services.database
        assert services.deployment.registry._open() is services.registry
