"""Fixtures: a registry on a real database (a SQLite file, or a PostgreSQL schema with
``--database=postgresql``: see ``mesaides.registry.testdb``), a settable clock, test partners,
a real SMTP server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.append(str(HERE))  # appended: other test folders have a conftest of their own

from registry_test_partners import START, Deployment, free_port  # noqa: E402

from mesaides.registry import FixedClock, SmtpSettings, open_registry  # noqa: E402


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def db_url(database_url):
    return database_url


@pytest.fixture
def registry(db_url, clock):
    reg = open_registry(db_url, clock, smtp=SmtpSettings(), households=1000)
    yield reg
    reg.close()


@pytest.fixture
def deployment(tmp_path):
    return Deployment(tmp_path / "partners")


class Inbox:
    """Messages a real local SMTP server (aiosmtpd) accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    controller_module = pytest.importorskip("aiosmtpd.controller")
    Controller = controller_module.Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.settings = SmtpSettings(host="127.0.0.1", port=port, sender="registre@mesaides.test", timeout=5)
    yield inbox
    controller.stop()
