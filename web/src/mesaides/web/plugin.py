"""The ``mesaides serve`` and ``mesaides deployment`` commands, added to the ``mesaides`` command
line through the ``mesaides_register_commands`` hook (entry point ``web`` in the ``mesaides``
group)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import click

from mesaides.core import hookimpl


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--preview", is_flag=True, help="A preview deployment: aides in preview are shown too (A6, G4).")
@click.option(
    "--workers",
    default=lambda: default_workers(),
    show_default="one per processor",
    envvar="MESAIDES_WORKERS",
    show_envvar=True,
    type=click.IntRange(min=1),
    help="Server processes (each loads the rules once, about 150 MB).",
)
@click.option("--retention-days", type=int, default=None, help="Days a saved situation is kept (default 7).")
@click.option(
    "--deployment",
    "lock_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MESAIDES_DEPLOYMENT",
    help="Serve this deployment lock (written by `mesaides deployment check`): only the aides it lists, "
    "with their status. Default: $MESAIDES_DEPLOYMENT, else the registry's statuses.",
)
def serve(
    host: str, port: int, preview: bool, workers: int, retention_days: int | None, lock_path: Path | None
) -> None:
    """Start the simulator on the web: questionnaire, results, JSON API, statistics."""
    import uvicorn

    from mesaides.web import db
    from mesaides.web.scheduler import tick_minutes
    from mesaides.web.settings import Settings

    if lock_path is not None:
        lock = _check_lock(lock_path, preview)
        os.environ["MESAIDES_DEPLOYMENT"] = str(lock_path.resolve())
        preview = lock.preview
    if preview:
        os.environ["MESAIDES_PREVIEW"] = "1"
    if retention_days is not None:
        os.environ["MESAIDES_RETENTION_DAYS"] = str(retention_days)
    try:
        settings = Settings.from_env()
        tick_minutes()  # checked here, where a bad value is a clear error, not a worker's traceback
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    # Migrate once here (the registry's tables and ours), before the workers start, so that they
    # do not race to do it.
    from mesaides.registry.database import DatabaseUrlError

    try:
        db.open_database(settings.database_url).close()
    except DatabaseUrlError as exc:
        raise click.BadParameter(str(exc), param_hint="MESAIDES_DATABASE_URL") from None
    click.echo(
        f"mesaides: http://{host}:{port}/  ({workers} worker process{'es' if workers > 1 else ''}, "
        f"database: {_safe(settings.database_url)}"
        f"{', preview deployment' if settings.preview else ''}"
        f"{f', deployment lock {lock_path}' if lock_path else ''})",
        err=True,
    )
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stopped)
    uvicorn.run(
        "mesaides.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=True,
    )
    # With several workers uvicorn's supervisor takes the signals itself and returns once the
    # workers have stopped: the server was stopped all the same.
    click.echo("mesaides: stopped", err=True)


def _stopped(signum: int, _frame: Any) -> None:
    """Ctrl-C or SIGTERM is how the server is meant to stop: uvicorn shuts down gracefully, then
    raises the signal again with this handler restored; the command then ends with status 0."""
    click.echo(f"mesaides: stopped ({signal.Signals(signum).name})", err=True)
    raise SystemExit(0)


def _check_lock(path: Path, preview: bool):
    """Refuse at once a lock that cannot be served (the workers check it again on the rules)."""
    from mesaides.web.deployment.lock import LockError, installed_versions, read_lock

    try:
        lock = read_lock(path)
    except LockError as exc:
        raise click.ClickException(str(exc)) from None
    problems = lock.mismatches(installed_versions(lock.distributions))
    if problems:
        raise click.ClickException(
            f"{path} does not match what is installed: {'; '.join(problems)}. "
            "Run `mesaides deployment check` again, or install the locked versions."
        )
    if preview and not lock.preview:
        raise click.ClickException(
            f"{path} is for a public instance: serve it without --preview, "
            "or set preview = true in its deployment file and check it again"
        )
    return lock


def _safe(url: str) -> str:
    """The database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return url


def default_workers() -> int:
    """One server process per processor this process may run on (its CPU affinity, which a
    container's limit narrows), so that the computations of several requests use the machine.
    Each process computes in its own thread while its event loop keeps answering."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@hookimpl
def mesaides_register_commands(cli: Any) -> None:
    from mesaides.web.deployment.cli import deployment

    cli.add_command(serve)
    cli.add_command(deployment)
