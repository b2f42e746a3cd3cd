"""Opening the database: a SQLAlchemy engine, with the schema brought to the latest Alembic
migration shipped in this package (``upgrade head`` on every open, a no-op when up to date).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, Delete, Engine, Update, create_engine, event, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = "mesaides.registry:migrations"
HEAD_REVISION = "0004"
"""The newest migration shipped (a test checks it against the migrations): a database already
there is opened without loading Alembic at all, which keeps the command line quick."""


DRIVERS = {
    "postgresql": "mesaides-registry[postgresql]",
    "postgresql+psycopg": "mesaides-registry[postgresql]",
    "postgresql+psycopg2": "psycopg2-binary",
    "mysql": "mysqlclient",
}
"""The package to install for a URL scheme whose driver is missing."""

POSTGRESQL_SCHEMES = ("postgresql", "postgres")
"""Schemes without a driver that mean PostgreSQL: they are opened with psycopg 3, the driver the
``postgresql`` extra installs (SQLAlchemy alone would pick psycopg2)."""

SQLITE_PRAGMAS = (
    # Readers do not block the writer nor the writer the readers: the web workers, the registry's
    # commands and the scheduler share one file.
    "PRAGMA journal_mode=WAL",
    # Safe with WAL (a power cut may lose the last commits, never corrupt the file), and much faster.
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    # Wait for another process's write to finish instead of failing at once with "database is locked".
    "PRAGMA busy_timeout=30000",
    # A deleted row's bytes are overwritten with zeros, not left in free space: saved situations
    # hold personal data (the simulator forgets deleted rows the same way).
    "PRAGMA secure_delete=ON",
)


class DatabaseUrlError(ValueError):
    """A database URL that cannot be opened: malformed, an unknown database, a missing driver, or
    a SQLite file in a folder that does not exist. The message says which and what to do."""


def driver_url(url: str) -> str:
    """``url`` with the driver this project uses for its database: psycopg 3 for PostgreSQL."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme in POSTGRESQL_SCHEMES:
        return f"postgresql+psycopg://{rest}"
    return url


def create_database_engine(url: str) -> Engine:
    """The one SQLAlchemy engine factory of the registry and the web simulator: the same URL
    checks, driver and SQLite settings whoever opens the database."""
    try:
        engine = _create_engine(driver_url(url))
    except NoSuchModuleError:  # a subclass of ArgumentError
        scheme = url.split("://", 1)[0]
        raise DatabaseUrlError(
            f"{scheme}:// is not a database SQLAlchemy knows; use sqlite:/// or postgresql://"
        ) from None
    except ArgumentError as exc:
        raise DatabaseUrlError(
            f"{url!r} is not a database URL ({exc}); expected sqlite:///path/to/file.sqlite3 or "
            "postgresql://user:password@host/database"
        ) from None
    except ImportError as exc:
        scheme = url.split("://", 1)[0]
        package = DRIVERS.get(scheme, exc.name or "its driver")
        raise DatabaseUrlError(
            f"the driver for {scheme}:// URLs ({exc.name}) is not installed: pip install '{package}'"
        ) from None
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise DatabaseUrlError(
                    f"the folder {folder} of the SQLite database {database} does not exist: "
                    "create it, or give another URL"
                )
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # The web server's threads share the pool's connections (one at a time each).
        return create_engine(url, connect_args={"check_same_thread": False})
    # A server may close idle connections (restart, failover): test each before use.
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the package's migrations up to ``revision``."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Database:
    """An engine and a session factory; ``transaction()`` gives a session committed on success.

    ``engine``: one already open on ``url`` (the web simulator's, which holds its own tables in
    the same database); otherwise one is made with :func:`create_database_engine`."""

    def __init__(self, url: str, *, migrate: bool = True, engine: Engine | None = None):
        self.url = url
        self.engine = engine if engine is not None else create_database_engine(url)
        if migrate:
            upgrade(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def rows_matched(session: Session, statement: Update | Delete) -> int:
    """Execute an UPDATE or DELETE; the number of rows its WHERE clause matched.

    ``Session.execute`` is annotated as returning a ``Result`` whatever the statement; for an
    UPDATE or DELETE it returns a ``CursorResult``, which counts the rows."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"an UPDATE or DELETE gave a {type(result).__name__}, which counts no rows")
    return result.rowcount
