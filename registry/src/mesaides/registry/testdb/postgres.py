"""A throwaway PostgreSQL server for tests: a cluster made with ``initdb`` in a temporary folder,
started on a free port of 127.0.0.1, deleted when stopped.

The server's programs are looked for on ``PATH``, then in Debian's ``/usr/lib/postgresql/<version>/bin``
(``apt-get install postgresql``), or in ``MESAIDES_POSTGRES_BIN``. PostgreSQL refuses to run as
root: run as root (as CI does), the cluster belongs to the ``postgres`` system user that Debian's
package creates (or to a ``mesaides-postgres`` system user made for the purpose), and its
programs run as that user.

Nothing here is tuned for durability: ``fsync`` is off, the data die with the folder.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

BIN_ENV = "MESAIDES_POSTGRES_BIN"
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SUPERUSER = "mesaides"
"""The cluster's superuser (``initdb --username``); the tests connect as this role over TCP, with
``trust`` authentication on 127.0.0.1 only."""
SYSTEM_USERS = ("postgres", "mesaides-postgres")
"""Who runs the server when the tests run as root: Debian's user, else one made for the purpose."""
START_SECONDS = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server programs, or a server that would not start; the message says what to do."""


def find_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    candidates: list[Path] = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    if DEBIAN_BINARIES.is_dir():
        versions = [p / "bin" for p in DEBIAN_BINARIES.iterdir() if re.fullmatch(r"\d+(\.\d+)?", p.name)]
        candidates += sorted(versions, key=lambda p: float(p.parent.name), reverse=True)
    for folder in candidates:
        if all((folder / program).is_file() for program in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise PostgresUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found on PATH nor in "
        f"{DEBIAN_BINARIES}/*/bin: install Debian's package (apt-get install postgresql), or set {BIN_ENV}"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    """The system user the server runs as: None (this process's) unless this process is root."""
    if os.geteuid() != 0:
        return None
    for name in SYSTEM_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    useradd = shutil.which("useradd")
    if useradd is None:
        raise PostgresUnavailable("running as root, PostgreSQL needs another user: create a 'postgres' user")
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USERS[-1]],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(SYSTEM_USERS[-1])


@dataclass
class TemporaryPostgres:
    """A PostgreSQL server of its own: :meth:`start`, then :meth:`url` / :meth:`create_database`,
    then :meth:`stop` (which deletes everything)."""

    binaries: Path = field(default_factory=find_binaries)
    port: int = field(default_factory=free_port)
    folder: Path = field(init=False)
    _user: pwd.struct_passwd | None = field(init=False, default=None)
    _names: count = field(init=False, default_factory=count)

    def start(self) -> TemporaryPostgres:
        self._user = _server_user()
        # Under /tmp itself, not pytest's folders: these are private to root, and the server's
        # user must reach its cluster.
        self.folder = Path(tempfile.mkdtemp(prefix="mesaides-postgres-"))
        if self._user is not None:
            os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
        data = self.folder / "data"
        self._run(
            "initdb",
            "--pgdata",
            str(data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.folder}",
                # Each test opens its own engines: room for the pools of a whole test module.
                "-c max_connections=300",
                # A throwaway cluster: durability buys nothing here.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        try:
            self._run("pg_ctl", "--pgdata", str(data), "--log", str(self.folder / "server.log"), "-o", options, "-w",
                      "-t", str(START_SECONDS), "start")  # fmt: skip
        except PostgresUnavailable:
            log = self.folder / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            self.stop()
            raise PostgresUnavailable(f"the PostgreSQL test server did not start:\n{detail}") from None
        return self

    def stop(self) -> None:
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            self._run("pg_ctl", "--pgdata", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", *, schema: str | None = None) -> str:
        """A ``postgresql://`` URL of ``database`` (its tables in ``schema`` if given, through
        the connections' ``search_path``)."""
        url = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"
        if schema is not None:
            url += f"?options=-csearch_path%3D{schema}"
        return url

    def execute(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(statement)

    def create_database(self, prefix: str = "test") -> str:
        name = f"{prefix}_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}"')
        return name

    def create_schema(self, database: str, prefix: str = "test") -> str:
        name = f"{prefix}_{next(self._names)}"
        self.execute(f'CREATE SCHEMA "{name}"', database)
        return name

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        user = self._user
        done = subprocess.run(
            [str(self.binaries / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            env={**os.environ, "LC_ALL": "C"},
        )
        if check and done.returncode != 0:
            raise PostgresUnavailable(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
