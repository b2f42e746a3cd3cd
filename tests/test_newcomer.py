"""What a newcomer tripped on: the README's commands, what each nox session installs, what git
ignores, and the command line's documented options."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_runs_nox_as_a_module():
    """``pip install --user`` puts the ``nox`` script outside ``PATH``: ``python3 -m nox`` works."""
    bare = [line for line in README.splitlines() if re.search(r"(?<!-m )\bnox -s\b", line)]
    assert not bare, bare
    assert "python3 -m nox -s serve" in README


def test_the_readme_says_how_to_stop_the_server():
    assert "Ctrl-C" in README and "SIGTERM" in README


def test_every_option_of_mesaides_calculate_is_in_the_readme():
    from mesaides.core.cli import cli

    options = [o for p in cli.commands["calculate"].params for o in p.opts if o.startswith("--")]
    assert options and [o for o in options if o not in README] == []


class RecordingSession:
    """Stands in for ``nox.Session``: records what a session would install and run."""

    def __init__(self) -> None:
        self.installed: list[str] = []
        self.ran: list[tuple[str, ...]] = []
        self.posargs: list[str] = []

    def install(self, *args: str) -> None:
        self.installed += args

    def run(self, *args: str, **_: object) -> str:
        self.ran.append(args)
        return ""

    def skip(self, reason: str) -> None:
        raise AssertionError(f"skipped: {reason}")

    def warn(self, _message: str) -> None:
        pass


@pytest.fixture
def noxfile(monkeypatch):
    """The repository's noxfile, its decorators reduced to what they decorate (nox is not
    installed beside the tests)."""
    passthrough = lambda *a, **k: lambda f: f  # noqa: E731
    stand_in = types.ModuleType("nox")
    stand_in.options = types.SimpleNamespace()
    stand_in.Session = RecordingSession
    stand_in.session = passthrough
    stand_in.parametrize = passthrough
    monkeypatch.setitem(sys.modules, "nox", stand_in)
    spec = importlib.util.spec_from_file_location("repository_noxfile", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tools(installed: list[str]) -> set[str]:
    return {
        re.split(r"[<>=!~\[]", a, maxsplit=1)[0]
        for a in installed
        if not a.startswith("-") and "/" not in a and a not in ("core", "registry", "web")
    }


def test_serve_and_bench_install_no_test_tools(noxfile):
    for session_function in (noxfile.serve, noxfile.bench):
        session = RecordingSession()
        session_function(session)
        assert tools(session.installed) == set(), session_function.__name__
    session = RecordingSession()
    noxfile.serve(session)
    assert session.ran == [("mesaides", "serve")]


def test_the_tests_sessions_install_the_test_tools_and_no_chromedriver(noxfile):
    session = RecordingSession()
    noxfile.tests(session, "core")
    assert {"pytest", "playwright"} <= tools(session.installed)
    assert noxfile.BROWSER_PACKAGES == ("chromium",)


def test_git_ignores_what_the_commands_write():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    written = ["site/index.html", "deployment.lock", "instance/mesaides.sqlite3"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *written], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == written
    kept = subprocess.run(
        ["git", "check-ignore", "--no-index", "deployment.toml"], cwd=ROOT, capture_output=True, check=False
    )
    assert kept.returncode == 1
