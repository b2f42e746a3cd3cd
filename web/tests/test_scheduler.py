"""The server does the registry's scheduled work by itself (``registry.tick()`` from APScheduler in
the application's lifespan): emails waiting in the outbox go out and saved situations past their
retention period are purged without anyone typing a command, at start and every interval after.
A real server (``mesaides serve``), a real SMTP server (aiosmtpd), the instance's SQLite file."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
import sqlalchemy as sa

from mesaides.registry import open_registry
from mesaides.registry.models import Partner
from mesaides.registry.testing import OPERATOR
from mesaides.web import db
from mesaides.web.scheduler import tick_minutes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox():
    controller_module = pytest.importorskip("aiosmtpd.controller")
    inbox = Inbox()
    inbox.port = free_port()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def _wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done within {timeout} s: {what}")
        time.sleep(0.2)


def test_the_server_ticks_at_start_and_on_schedule(tmp_path, start_server, smtp_inbox):
    url = f"sqlite:///{tmp_path / 'mesaides.sqlite3'}"
    registry = open_registry(url)
    now = registry.now
    with registry.database.transaction() as session:
        session.add(
            Partner(
                id="caf",
                name="Caisse d'allocations familiales",
                scope="national",
                referent_email="referente@caf.test",
                first_seen=now,
                last_seen=now,
            )
        )
    registry.ask("caf", "Première question", by=OPERATOR)
    engine = db.connect(url)
    db.upgrade(engine)
    with engine.begin() as connection:
        past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=1)
        connection.execute(
            db.saved_situations.insert().values(
                token="x" * 32, answers={"age": 40}, created_at=past, updated_at=past, expires_at=past
            )
        )

    def saved() -> int:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(db.saved_situations)).scalar()

    assert saved() == 1
    env = {
        "MESAIDES_TICK_MINUTES": "0.05",  # every 3 seconds
        "MESAIDES_SMTP_HOST": "127.0.0.1",
        "MESAIDES_SMTP_PORT": str(smtp_inbox.port),
    }
    server = start_server(tmp_path, "--workers", "2", env=env)
    _wait_for(lambda: len(smtp_inbox.messages) == 1, "the waiting email sent at start")
    assert smtp_inbox.messages[0]["To"] == "referente@caf.test"
    _wait_for(lambda: saved() == 0, "the expired saved situation purged")

    registry.ask("caf", "Deuxième question", by=OPERATOR)  # while the server runs
    _wait_for(lambda: len(smtp_inbox.messages) == 2, "the new email sent by a later tick")
    time.sleep(7)  # two more intervals, two workers ticking: nothing is sent twice
    assert len(smtp_inbox.messages) == 2
    assert [e.action for e in registry.audit_log(limit=200)].count("email_sent") == 2
    server.stop()
    registry.close()


def test_cron_registry_tick_purges_the_web_tables(tmp_path):
    from click.testing import CliRunner

    from mesaides.registry.cli import registry as registry_cli

    url = f"sqlite:///{tmp_path / 'mesaides.sqlite3'}"
    engine = db.connect(url)
    db.upgrade(engine)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for token, expires in (("e" * 32, now - dt.timedelta(hours=1)), ("k" * 32, now + dt.timedelta(days=6))):
            connection.execute(
                db.saved_situations.insert().values(
                    token=token, answers={}, created_at=now, updated_at=now, expires_at=expires
                )
            )
    result = CliRunner().invoke(registry_cli, ["--database", url, "tick"])
    assert result.exit_code == 0, result.output
    assert "purged: web_retention.saved_situations 1" in result.output
    with engine.connect() as connection:
        assert connection.execute(sa.select(db.saved_situations.c.token)).scalars().all() == ["k" * 32]


def test_tick_interval_setting(monkeypatch):
    assert tick_minutes({}) == 5
    assert tick_minutes({"MESAIDES_TICK_MINUTES": "0"}) == 0
    assert tick_minutes({"MESAIDES_TICK_MINUTES": "0.5"}) == 0.5
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(ValueError, match=r"MESAIDES_TICK_MINUTES='.*': expected a number of minutes"):
            tick_minutes({"MESAIDES_TICK_MINUTES": bad})
