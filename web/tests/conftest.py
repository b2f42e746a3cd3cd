"""Fixtures: a real server (the ``mesaides serve`` command on a free 127.0.0.1 port, on its own
instance folder) and a headless Chromium driven by Playwright (Debian's ``/usr/bin/chromium``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

# The server's scheduler (registry.tick) sends the registry's outbox: the web tests' servers share
# one SMTP test server, so it ticks only where a test asks for it (test_scheduler.py).
os.environ.setdefault("MESAIDES_TICK_MINUTES", "0")

CHROMIUM = os.environ.get("MESAIDES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    # FastAPI's TestClient still warns about httpx; it works as documented.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mesaides_command() -> list[str]:
    script = Path(sys.executable).with_name("mesaides")
    if script.exists():
        return [str(script)]
    found = shutil.which("mesaides")
    if found:
        return [found]
    return [sys.executable, "-c", "from mesaides.core.cli import main; main()"]


class Server:
    def __init__(self, instance: Path, *extra: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = instance
        self.log = instance / "server.log"
        # The instance's SQLite file unless ``env`` names another database.
        environment = {k: v for k, v in os.environ.items() if k != "MESAIDES_DATABASE_URL"}
        environment.update({"MESAIDES_INSTANCE": str(instance), **(env or {})})
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [*mesaides_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port), *extra],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log.read_text()}")
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("instance"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def start_server():
    """Start another server (``mesaides serve`` with more options); all are stopped at the end."""
    started: list[Server] = []

    def start(instance: Path, *extra: str, env: dict[str, str] | None = None) -> Server:
        s = Server(instance, *extra, env=env)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def preview_server(tmp_path_factory, start_server):
    """A preview deployment (``mesaides serve --preview``) on its own instance folder."""
    return start_server(tmp_path_factory.mktemp("preview-instance"), "--preview")


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(20_000)
    yield p
    context.close()


@pytest.fixture(scope="session")
def engine():
    from mesaides.core import Engine

    return Engine()


class Inbox:
    """The messages a real local SMTP server (aiosmtpd) accepted, as parsed emails."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list = []
        self.env = {"MESAIDES_SMTP_HOST": "127.0.0.1", "MESAIDES_SMTP_PORT": str(port), "MESAIDES_SMTP_TIMEOUT": "5"}
        """What a server started with ``start_server(..., env=...)`` needs to send to it."""

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def sent_to(self, to: str) -> int:
        """How many messages were sent to ``to`` so far (the server is shared by the session)."""
        return sum(1 for m in self.messages if m["To"] == to)

    def wait_for(self, to: str, count: int = 1, timeout: float = 15.0):
        """The ``count``-th message sent to ``to``, waiting for it to arrive (the server sends
        after it answers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = [m for m in self.messages if m["To"] == to]
            if len(received) >= count:
                return received[count - 1]
            time.sleep(0.1)
        raise AssertionError(f"no message {count} to {to}; received: {[m['To'] for m in self.messages]}")


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free 127.0.0.1 port, for the whole session."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    inbox = Inbox(free_port())
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


REGISTRY_START = "2026-11-16T09:00:00"
"""When the registry fixtures' clock stands (a Monday)."""


@pytest.fixture
def db_url(tmp_path):
    """A registry database of its own: a real SQLite file."""
    return f"sqlite:///{tmp_path / 'registry.sqlite3'}"


@pytest.fixture
def registry(db_url):
    """The registry on ``db_url``, its clock fixed at :data:`REGISTRY_START`, no SMTP server."""
    from mesaides.registry import FixedClock, SmtpSettings, open_registry

    reg = open_registry(db_url, FixedClock(REGISTRY_START), smtp=SmtpSettings(), households=1000)
    yield reg
    reg.close()
