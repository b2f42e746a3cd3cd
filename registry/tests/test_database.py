"""The database: SQLAlchemy on a real SQLite file, schema from the shipped Alembic migrations."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, inspect, select, update

from mesaides.registry import FixedClock, SmtpSettings, open_registry
from mesaides.registry.database import Database, rows_matched
from mesaides.registry.models import Base, SchedulerLease


def test_migrations_create_every_table(db_url):
    db = Database(db_url)
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "partners",
        "distributions",
        "distribution_versions",
        "aides",
        "aide_versions",
        "parameters",
        "notifications",
        "acknowledgements",
        "sign_offs",
        "audit_log",
        "outbox",
        "defects",
        "questions",
        "reference_results",
        "impact_measures",
        "expert_cases",
        "syncs",
        "alembic_version",
    } <= tables
    db.close()


def test_models_match_the_migrations(db_url):
    db = Database(db_url)
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    db.close()


def test_head_revision_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    from mesaides.registry.database import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_opening_twice_is_harmless(db_url):
    for _ in range(2):
        Database(db_url).close()


def test_rows_matched_counts_the_rows_an_update_or_a_delete_matched(db_url):
    database = Database(db_url)
    now = dt.datetime(2026, 1, 5, 12)
    with database.transaction() as session:
        session.add_all(
            SchedulerLease(name=name, holder="server-a", acquired_at=now, expires_at=now) for name in ("x", "y", "z")
        )
    with database.transaction() as session:
        taken = update(SchedulerLease).where(SchedulerLease.name != "z").values(holder="server-b")
        assert rows_matched(session, taken) == 2
        assert rows_matched(session, delete(SchedulerLease).where(SchedulerLease.holder == "server-b")) == 2
        assert rows_matched(session, delete(SchedulerLease).where(SchedulerLease.holder == "server-b")) == 0
    with database.reading() as session:
        assert session.scalars(select(SchedulerLease.name)).all() == ["z"]
    database.close()


def test_default_database_is_sqlite_in_the_instance_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("MESAIDES_DATABASE_URL", raising=False)
    monkeypatch.setenv("MESAIDES_INSTANCE", str(tmp_path / "inst"))
    reg = open_registry(clock=FixedClock("2026-11-16"), smtp=SmtpSettings())
    assert reg.database.url == f"sqlite:///{tmp_path / 'inst' / 'mesaides.sqlite3'}"
    assert (tmp_path / "inst" / "mesaides.sqlite3").exists()
    reg.close()


def test_public_state_of_a_registry_never_synced(registry):
    state = registry.public_state()
    assert state.synced is False
    assert state.aides == {} and state.partners == {} and state.pending_notices == []
    assert registry.pending_notices() == []
