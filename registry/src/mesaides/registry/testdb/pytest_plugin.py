"""pytest plugin (entry point ``pytest11``): the database the tests run on.

``pytest --database=postgresql`` (or ``MESAIDES_TEST_DATABASE=postgresql``) runs the tests that
use a database on a real PostgreSQL server of their own (:mod:`mesaides.registry.testdb.postgres`),
and only those: a test uses a database when it asks for the ``database_url`` fixture, or for
``new_database_url`` to make several. The default, ``sqlite``, gives each a SQLite file in its
own temporary folder.

On PostgreSQL one server serves the whole session, with one database; each URL handed out is a
schema of its own in it, so that every test starts empty.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mesaides.registry.testdb.postgres import TemporaryPostgres

DATABASE_ENV = "MESAIDES_TEST_DATABASE"
KINDS = ("sqlite", "postgresql")
URL_FIXTURE = "new_database_url"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        dest="mesaides_database",
        choices=KINDS,
        default=None,
        help=f"the database the tests that use one run on (default: ${DATABASE_ENV}, else sqlite); "
        "with postgresql, only those tests run",
    )


def database_kind(config: pytest.Config) -> str:
    kind = config.getoption("mesaides_database", None) or os.environ.get(DATABASE_ENV) or "sqlite"
    if kind not in KINDS:
        raise pytest.UsageError(f"{DATABASE_ENV}={kind!r}: expected one of {', '.join(KINDS)}")
    return kind


def pytest_configure(config: pytest.Config) -> None:
    database_kind(config)  # a bad value stops the run at once


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {database_kind(config)}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, keep only the tests that use a database (the others ran on SQLite)."""
    if database_kind(config) != "postgresql":
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (kept if URL_FIXTURE in getattr(item, "fixturenames", ()) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[tuple[TemporaryPostgres, str]]:
    """The session's PostgreSQL server and database (started on first use, stopped at the end)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("the PostgreSQL tests need psycopg: pip install 'mesaides-registry[postgresql]'", pytrace=False)
    from mesaides.registry.testdb.postgres import PostgresUnavailable, TemporaryPostgres

    try:
        server = TemporaryPostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server, server.create_database("mesaides_tests")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def new_database_url(request: pytest.FixtureRequest) -> Callable[[Path], str]:
    """Make an empty database and give its URL: a SQLite file in ``folder``, or a new schema
    on the session's PostgreSQL server."""
    if database_kind(request.config) == "sqlite":

        def sqlite_file(folder: Path) -> str:
            return f"sqlite:///{folder / 'mesaides.sqlite3'}"

        return sqlite_file
    server, database = request.getfixturevalue("postgres_database")

    def postgresql_schema(_folder: Path) -> str:
        return server.url(database, schema=server.create_schema(database))

    return postgresql_schema


@pytest.fixture
def database_url(new_database_url: Callable[[Path], str], tmp_path: Path) -> str:
    """An empty database of this test's own."""
    return new_database_url(tmp_path)
