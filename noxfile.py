"""Sessions for the mesaides monorepo: tests, lint, bench, build, serve.

nox -s tests      each distribution's tests beside the core alone, then everything together
nox -s tests_postgresql   the registry's and the web's database tests again, on a PostgreSQL server
nox -s lint       ruff (lint, format check), then mypy (strict on the core, defaults elsewhere)
nox -s bench      start-up, the oracle batch, throughput, peak memory, the web server's load
nox -s build      a wheel for every distribution in dist/
nox -s serve      the simulator on the embedded default (SQLite, every partner package)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests", "tests_postgresql"]

ROOT = Path(__file__).parent
PYTHON = "3.11"

# Each distribution, with the other members it needs beside it to run its own tests.
MEMBERS: dict[str, tuple[str, ...]] = {
    "core": (),
    "registry": (),
    "plugins/partner_caf": (),
    "plugins/partner_region": (),
    "plugins/partner_nord": ("plugins/partner_caf",),
    "plugins/partner_lyon": ("plugins/partner_caf",),
    "plugins/partner_assurance_retraite": (),
    "plugins/partner_assurance_maladie": ("plugins/partner_caf", "plugins/partner_assurance_retraite"),
    "plugins/partner_education_nationale": (),
    "plugins/partner_france_travail": ("plugins/partner_caf",),
    "plugins/partner_idf_mobilites": (
        "plugins/partner_caf",
        "plugins/partner_assurance_retraite",
        "plugins/partner_assurance_maladie",
        "plugins/partner_france_travail",
        "plugins/partner_region",
    ),
    "plugins/partner_region_idf": ("plugins/partner_region",),
    "plugins/partner_sytral_mobilites": (
        "plugins/partner_caf",
        "plugins/partner_assurance_retraite",
        "plugins/partner_assurance_maladie",
        "plugins/partner_lyon",
        "plugins/partner_education_nationale",
    ),
    "plugins/partner_region_ara": ("plugins/partner_caf", "plugins/partner_france_travail", "plugins/partner_region"),
    "plugins/partner_rennes_metropole": (),
    "plugins/partner_region_bretagne": (
        "plugins/partner_caf",
        "plugins/partner_assurance_retraite",
        "plugins/partner_france_travail",
        "plugins/partner_region",
    ),
    # The aide au permis des apprentis reads the Région Hauts-de-France's `apprenti` Parameter.
    "plugins/partner_etat": ("plugins/partner_caf", "plugins/partner_france_travail", "plugins/partner_region"),
    "plugins/partner_bordeaux_metropole": ("plugins/partner_caf",),
    "plugins/partner_tisseo": ("plugins/partner_caf",),
    "plugins/partner_aix_marseille_provence": (),
    "plugins/partner_region_sud": (
        "plugins/partner_caf",
        "plugins/partner_assurance_retraite",
        "plugins/partner_region",
    ),
    "plugins/partner_nouvelle_aquitaine": ("plugins/partner_caf",),
    "plugins/partner_occitanie": ("plugins/partner_region",),
    "plugins/partner_mel": ("plugins/partner_caf",),
}
# The web simulator's tests drive the whole deployment, so they run with everything.
EVERYTHING = ("core", "registry", *(m for m in MEMBERS if m.startswith("plugins/")), "web")
TEST_TOOLS = (
    "pytest>=8",
    "aiosmtpd>=1.4",
    # the partner API's tests build a real wheel from a partner's folder
    "hatchling>=1.25",
    "httpx>=0.27",
    "playwright>=1.45",
    "hypothesis>=6.100",
    "schemathesis>=4",
    "matplotlib>=3.8",
)


def _present(paths):
    return [p for p in paths if (ROOT / p / "pyproject.toml").exists()]


def _install(session: nox.Session, members, tools: tuple[str, ...] = ()) -> None:
    """The members (editable) and ``tools``: each session installs what it needs, no more."""
    args = []
    for member in _present(members):
        args += ["-e", member]
    session.install(*args, *tools)


def _tests_of(member: str) -> str:
    return f"{member}/tests"


@nox.session(python=PYTHON)
@nox.parametrize("member", [*MEMBERS, "all"])
def tests(session: nox.Session, member: str) -> None:
    """One distribution's tests with only the core (and what it declares) beside it; or all."""
    if member == "all":
        _ensure_chromium(session)
        _install(session, EVERYTHING, TEST_TOOLS)
        targets = [_tests_of(m) for m in _present(EVERYTHING) if (ROOT / _tests_of(m)).exists()]
        targets += ["tests"] if (ROOT / "tests").exists() and any((ROOT / "tests").glob("test_*.py")) else []
    else:
        if not (ROOT / member / "pyproject.toml").exists():
            session.skip(f"{member} does not exist yet")
        _install(session, ("core", *MEMBERS[member], member), TEST_TOOLS)
        targets = [_tests_of(member)]
    session.run("pytest", *targets, *session.posargs)


POSTGRESQL_TESTED = ("registry", "web")
"""The distributions whose tests use a database: run a second time on PostgreSQL."""


@nox.session(python=PYTHON)
def tests_postgresql(session: nox.Session) -> None:
    """The tests that use a database (registry, web), on a throwaway PostgreSQL server started by
    the tests themselves (mesaides.registry.testdb): only those tests run, the others ran on
    SQLite in ``tests``."""
    _ensure_postgresql(session)
    _install(session, EVERYTHING, TEST_TOOLS)
    session.install("-e", "registry[postgresql]")
    targets = [_tests_of(m) for m in _present(POSTGRESQL_TESTED)]
    session.run("pytest", *targets, "--database=postgresql", *session.posargs)


TYPING_TOOLS = (
    "mypy>=1.13,<2",
    "types-PyYAML>=6",
    "types-Markdown>=3.5",
    "pytest>=8",
    "matplotlib>=3.8",
    "psycopg[binary]>=3.1",
)
"""mypy and the stubs it needs beside the checked distributions' own dependencies (numpy,
pydantic, SQLAlchemy and FastAPI ship theirs; the core's pytest plugin is checked against
pytest's; the population charts against matplotlib's, an optional dependency; the registry's
PostgreSQL test server against psycopg's, its ``postgresql`` extra; the web's pages against
Markdown's stubs)."""
TYPE_CHECKED = ("core", "registry", *(m for m in MEMBERS if m.startswith("plugins/")), "web")
"""The distributions mypy checks (settings in pyproject.toml): the core strictly, the registry,
the partners and the web simulator with mypy's defaults."""


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and format), then mypy."""
    session.install("ruff>=0.17,<0.18")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    checked = _present(TYPE_CHECKED)
    _install(session, checked, TYPING_TOOLS)
    # Each distribution's src/ on mypy's path: they share the ``mesaides`` namespace package.
    # Packages are given as directories, not with -p: the core's legislation/ data directory
    # would shadow its legislation module.
    packages = [
        init.parent.relative_to(ROOT)
        for m in checked
        for init in sorted((ROOT / m / "src" / "mesaides").glob("*/__init__.py"))
    ]
    session.run("mypy", *map(str, packages), env={"MYPYPATH": os.pathsep.join(f"{m}/src" for m in checked)})


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Print the performance figures kept in the README."""
    _install(session, EVERYTHING)
    # Compile the bytecode as an installation does (pip compiles, and Python caches what it
    # imports): where PYTHONDONTWRITEBYTECODE is set, every start would otherwise compile every
    # module again, and the start-up figure would measure the compiler.
    purelib = session.run("python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", silent=True)
    sources = [f"{m}/src" for m in _present(EVERYTHING)]
    session.run("python", "-m", "compileall", "-q", "-j", "0", purelib.strip(), *sources)
    session.run("python", "tests/bench/run.py", *session.posargs)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """A wheel for every distribution, in dist/."""
    session.install("build>=1.2")
    shutil.rmtree(ROOT / "dist", ignore_errors=True)
    for member in _present((*MEMBERS, "web")):
        session.run("python", "-m", "build", "--wheel", "--outdir", "dist", member)


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Install every distribution and start the simulator on the embedded default database.

    It serves until stopped: Ctrl-C or SIGTERM, after which ``mesaides serve`` exits with
    status 0. Arguments after ``--`` go to ``mesaides serve`` (``nox -s serve -- --port 8080``)."""
    _install(session, EVERYTHING)
    session.run("mesaides", "serve", *session.posargs)


POSTGRESQL_PACKAGES = ("postgresql",)
"""Debian's PostgreSQL server (initdb, pg_ctl, postgres under /usr/lib/postgresql/<version>/bin)."""


def _ensure_postgresql(session: nox.Session) -> None:
    """The PostgreSQL tests start a server of their own from its programs; install Debian's when
    we can (root with apt-get)."""
    if shutil.which("initdb") or any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", *POSTGRESQL_PACKAGES, external=True)
    else:
        session.error("PostgreSQL is missing: install Debian's postgresql package for the PostgreSQL tests")


BROWSER_PACKAGES = ("chromium",)
"""Debian packages for the browser tests: Playwright drives Chromium itself (no chromedriver)."""


def _ensure_chromium(session: nox.Session) -> None:
    """The browser tests drive Debian's Chromium; install it when we can (root with apt-get)."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", *BROWSER_PACKAGES, external=True)
    else:
        session.warn("Chromium is missing: install Debian's chromium package for the browser tests")
