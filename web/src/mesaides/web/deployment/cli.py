"""``mesaides deployment``: the operator composes an instance (see :mod:`mesaides.web.deployment`),
added to the command line by the web distribution's plugin (:mod:`mesaides.web.plugin`).

mesaides deployment check [deployment.toml]     # validate; write deployment.lock
mesaides deployment swap DIST==VERSION [--from PATH]
mesaides deployment show [deployment.lock]
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mesaides.registry.cli_common import State, by_option, echo_json, json_option


class _State(State):
    @property
    def url(self) -> str:
        return self.registry.database.url


pass_state = click.make_pass_decorator(_State)


@click.group()
@click.option(
    "--database",
    envvar="MESAIDES_DATABASE_URL",
    help="The registry's SQLAlchemy URL (default: sqlite in ./instance or $MESAIDES_INSTANCE).",
)
@click.pass_context
def deployment(ctx: click.Context, database: str | None) -> None:
    """The operator's deployment: which partner versions an instance runs and what it shows."""
    ctx.obj = _State(database)
    ctx.call_on_close(lambda: ctx.obj._registry.close() if ctx.obj._registry else None)


def _load(path: Path):
    from mesaides.web.deployment.file import DeploymentError, load_deployment

    try:
        return load_deployment(path)
    except DeploymentError as exc:
        raise click.ClickException(
            "\n".join([f"{exc.path}: cannot be used:", *(f"  {p}" for p in exc.problems)])
        ) from None


@deployment.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), default=Path("deployment.toml"))
@click.option(
    "--lock",
    "lock_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the lock (default: FILE with the suffix .lock).",
)
@click.option("--dry-run", is_flag=True, help="Only check: write no lock and record nothing.")
@click.option(
    "--before-sync", is_flag=True, hidden=True, help="Accept rules the registry has not synced yet (used by swap)."
)
@by_option
@json_option
@pass_state
def check(
    state: _State, file: Path, lock_path: Path | None, dry_run: bool, before_sync: bool, by: str, as_json: bool
) -> None:
    """Check a deployment file against what is installed and what the registry allows; write the lock.

    Refused (exit status 1), naming each aide and the rule it fails: a distribution missing or
    out of its range, an aide made public without passing the publication checks and both A6
    sign-offs (or without the registry having published it already), an aide previewed without
    passing the automatic checks (G4), rules the registry has not synced (A3, A8).
    """
    from mesaides.core import load_rules
    from mesaides.web.deployment.check import check_deployment, record_deployment

    deployment = _load(file)
    target = lock_path or deployment.lock_path()
    actor = state.actor(by)
    result = check_deployment(deployment, load_rules(), state.registry, require_synced=not before_sync, by=actor.label)
    lock = None
    if result.ok and not dry_run:
        lock = record_deployment(state.registry, result, target, by=actor)
    if as_json:
        echo_json(
            {
                "ok": result.ok,
                "findings": result.findings,
                "statuses": result.statuses,
                "lock": str(target) if lock else None,
            }
        )
    else:
        for finding in result.findings:
            click.echo(f"{finding.distribution or file.name}: {finding}", err=finding.level == "error")
        counts = {s: list(result.statuses.values()).count(s) for s in ("public", "preview", "disabled")}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items())
        if not result.ok:
            click.echo(
                f"{file}: refused, {len(result.errors)} error(s), {len(result.warnings)} warning(s); nothing written"
            )
        elif lock is None:
            click.echo(f"{file}: ok ({summary}), {len(result.warnings)} warning(s); no lock written (--dry-run)")
        else:
            click.echo(f"{file}: ok ({summary}), {len(result.warnings)} warning(s); wrote {target}")
    if not result.ok:
        sys.exit(1)


@deployment.command()
@click.argument("spec", metavar="DIST==VERSION")
@click.option("--from", "source", help="Install from this wheel, folder or URL (default: the package index).")
@click.option(
    "--deployment",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("deployment.toml"),
    show_default=True,
    help="The deployment file.",
)
@click.option(
    "--lock",
    "lock_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The lock to update (default: the deployment file with the suffix .lock).",
)
@click.option("--reason", default="", help="Why (audit log, notifications).")
@click.option("--no-measure", is_flag=True, help="Do not measure the impact on the reference population.")
@by_option
@pass_state
def swap(
    state: _State,
    spec: str,
    source: str | None,
    file: Path,
    lock_path: Path | None,
    reason: str,
    no_measure: bool,
    by: str,
) -> None:
    """Upgrade or roll back one partner distribution: install DIST==VERSION with pip, check the
    deployment, sync the registry (A3, A7, A8, A10), rewrite the lock, record it; on failure,
    reinstall the previous version."""
    from mesaides.web.deployment.file import DeploymentError
    from mesaides.web.deployment.swap import SwapError, plan_swap
    from mesaides.web.deployment.swap import swap as run_swap

    if source and "://" not in source and Path(source).exists():
        source = str(Path(source).resolve())
    try:
        plan = plan_swap(spec, file, lock_path, source)
        run_swap(
            plan,
            state.registry,
            database_url=state.url,
            by=state.actor(by),
            reason=reason,
            measure=not no_measure,
            echo=click.echo,
        )
    except DeploymentError as exc:
        raise click.ClickException(str(exc)) from None
    except SwapError as exc:
        raise click.ClickException(str(exc)) from None


@deployment.command()
@click.argument(
    "lock_path", metavar="LOCK", type=click.Path(dir_okay=False, path_type=Path), default=Path("deployment.lock")
)
@json_option
def show(lock_path: Path, as_json: bool) -> None:
    """What a lock serves, and whether the installed versions still match it (exit 1 if not)."""
    from mesaides.web.deployment.lock import LockError, installed_versions, read_lock

    try:
        lock = read_lock(lock_path)
    except LockError as exc:
        raise click.ClickException(str(exc)) from None
    mismatches = lock.mismatches(installed_versions(lock.distributions))
    if as_json:
        echo_json(
            {
                "preview": lock.preview,
                "distributions": lock.distributions,
                "aides": lock.aides,
                "mismatches": mismatches,
            }
        )
    else:
        click.echo(
            f"{lock_path}: {'preview' if lock.preview else 'public'} instance, written {lock.written_at} by "
            f"{lock.written_by} from {lock.deployment_file}"
        )
        for d in lock.distributions.values():
            click.echo(f"  {d.name} {d.version} ({d.role}{', ' + d.requirement if d.requirement else ''})")
        for a in lock.aides.values():
            click.echo(f"  {a.name:<40} {a.status:<9} {a.distribution} {a.version}")
        for problem in mismatches:
            click.echo(f"mismatch: {problem}", err=True)
    if mismatches:
        sys.exit(1)
