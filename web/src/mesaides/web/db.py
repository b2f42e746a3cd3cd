"""The web simulator's own tables, beside the registry's in the same database.

Saved situations and aggregated statistics. The schema is managed by Alembic migrations
(``mesaides/web/migrations``) with their own version table, ``mesaides_web_alembic_version``,
so that they never mix with the registry's migrations.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mesaides.registry.database import Database, create_database_engine

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

log = logging.getLogger(__name__)
metadata = sa.MetaData()

saved_situations = sa.Table(
    "web_saved_situation",
    metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)

stats_counters = sa.Table(
    "web_stats_counter",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("metric", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, default=0),
)

stats_visitors = sa.Table(
    "web_stats_visitor",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("digest", sa.String(32), primary_key=True),
)

stats_salts = sa.Table(
    "web_stats_salt",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("salt", sa.String(64), nullable=False),
)

stats_clicks = sa.Table(
    "web_stats_click",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("digest", sa.String(32), primary_key=True),
)
"""Today's digests of (visitor, aide): a click counts once per visitor, aide and day."""

instance_secrets = sa.Table(
    "web_instance_secret",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
)
"""Secrets every worker of the instance shares (the key of the forms' CSRF tokens)."""

sign_in_attempts = sa.Table(
    "web_sign_in_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(80), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("ix_web_sign_in_attempt_key_at", "key", "at"),
)
"""Recent sign-in requests, one row per request and per key (a keyed digest of the email, of the
address): what :mod:`mesaides.web.sign_in_limits` counts. Rows older than its longest window are
deleted as new ones come."""

VERSION_TABLE = "mesaides_web_alembic_version"
MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str) -> Engine:
    """An engine on ``url`` from the registry's factory (:func:`create_database_engine`): the
    same URL checks and SQLite settings (WAL, foreign keys, busy timeout, ``secure_delete``, see
    :func:`forget_deleted`) as the registry's, PostgreSQL through psycopg 3."""
    return create_database_engine(url)


def open_database(url: str) -> Database:
    """The registry's database with this simulator's tables beside its own, on one engine, both
    brought to their latest migration."""
    database = Database(url)
    upgrade(database.engine)
    return database


def insert_on_conflict(connection: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table`` with the ``ON CONFLICT`` clauses (``on_conflict_do_nothing``,
    ``on_conflict_do_update``) of the connection's database: SQLite and PostgreSQL both have
    them, with the same meaning, each in its own SQLAlchemy dialect."""
    # Each dialect is imported when used: PostgreSQL's takes a tenth of a second to load.
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise NotImplementedError(f"{connection.dialect.name}: the supported databases are SQLite and PostgreSQL")


def forget_deleted(engine: Engine) -> None:
    """After deleting personal data: leave no copy of it in the database's files.

    With SQLite, ``secure_delete`` has zeroed the deleted rows in their pages, but the write-ahead
    log still holds the pages as they were before (the token, the birth date…) until a
    checkpoint: copy the log into the database and truncate it to zero bytes. The busy timeout
    lets the readers of the moment finish first. PostgreSQL keeps dead rows until ``VACUUM``
    (autovacuum) reclaims them: that is the operator's database to tend.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        busy, _log_frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        log.warning(
            "the write-ahead log could not be emptied after a deletion (readers busy); "
            "the next deletion or checkpoint will"
        )


def upgrade(engine: Engine) -> None:
    """Bring the web tables to the latest migration (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_table", VERSION_TABLE)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
