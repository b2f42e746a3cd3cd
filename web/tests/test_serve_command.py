"""``mesaides serve`` as an operator runs it: stopped by SIGTERM (a service manager, ``kill``) or
Ctrl-C it ends cleanly (status 0, so that ``nox -s serve`` does not report a failure), a
database URL it cannot open is a usage error naming the setting, not a traceback, and it serves
on the database it is given (SQLite, or PostgreSQL with ``--database=postgresql``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest
import sqlalchemy as sa


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_server_ends_with_status_0(start_server, tmp_path, stop):
    server = start_server(tmp_path)
    server.process.send_signal(stop)
    assert server.process.wait(30) == 0, server.log.read_text()
    assert "mesaides: stopped" in server.log.read_text()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///{tmp}/missing/folder/db.sqlite3", "the folder {tmp}/missing/folder of the SQLite database"),
        ("nonsense", "'nonsense' is not a database URL"),
    ],
)
def test_a_database_url_that_cannot_be_opened_is_a_usage_error(tmp_path, url, message):
    env = {**os.environ, "MESAIDES_INSTANCE": str(tmp_path), "MESAIDES_DATABASE_URL": url.format(tmp=tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "mesaides.core.cli_main", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Invalid value for MESAIDES_DATABASE_URL" in done.stderr and message.format(tmp=tmp_path) in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_tick_interval_is_a_clear_error(tmp_path):
    env = {**os.environ, "MESAIDES_INSTANCE": str(tmp_path), "MESAIDES_TICK_MINUTES": "souvent"}
    env.pop("MESAIDES_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "mesaides.core.cli_main", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "MESAIDES_TICK_MINUTES='souvent': expected a number of minutes, 0 or more" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_server_keeps_the_registry_and_its_own_tables_in_the_database_it_is_given(
    start_server, tmp_path, database_url
):
    from mesaides.web import db
    from mesaides.web.stats import VISITORS, Stats

    server = start_server(tmp_path, env={"MESAIDES_DATABASE_URL": database_url})
    for agent in ("Navigateur/1", "Navigateur/2"):  # one visitor, whatever its user agent
        assert httpx.get(server.url + "/", headers={"User-Agent": agent}, timeout=30).status_code == 200
    engine = db.connect(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"aides", "partners", "alembic_version", "web_stats_counter", db.VERSION_TABLE} <= tables
    assert Stats(engine).total(VISITORS) == 1
    if engine.dialect.name == "postgresql":
        assert not (tmp_path / "mesaides.sqlite3").exists()  # nothing went to the default SQLite file
    engine.dispose()
