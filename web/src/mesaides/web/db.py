"""The web simulator's own tables, beside the registry's in the same database.

Saved situations and aggregated statistics. The schema is managed by Alembic migrations
(``mesaides/web/migrations``) with their own version table, ``mesaides_web_alembic_version``,
so that they never mix with the registry's migrations.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

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
    """An SQLAlchemy engine; SQLite gets WAL and a busy timeout, since the registry shares it,
    and ``secure_delete``: a deleted row's bytes are overwritten with zeros, not left in free
    space (see :func:`forget_deleted`)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


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
