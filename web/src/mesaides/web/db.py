"""The web simulator's own tables, beside the registry's in the same database.

Saved situations and aggregated statistics. The schema is managed by Alembic migrations
(``mesaides/web/migrations``) with their own version table, ``mesaides_web_alembic_version``,
so that they never mix with the registry's migrations.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

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

VERSION_TABLE = "mesaides_web_alembic_version"
MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str) -> Engine:
    """An SQLAlchemy engine; SQLite gets WAL and a busy timeout, since the registry shares it."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


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
