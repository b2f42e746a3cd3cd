"""``mesaides registry``: the operator's and partners' commands.

The group and the reading commands live here; decisions (suggest, decide, sign-off, deprecate,
acknowledge...) in :mod:`mesaides.registry.cli_decisions`, what both share in
:mod:`mesaides.registry.cli_common`. Heavy imports happen inside the commands.
Time comes from ``MESAIDES_NOW`` when set (for rehearsals and tests), the database from
``--database`` or ``MESAIDES_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from mesaides.registry import cli_decisions
from mesaides.registry.cli_accounts import account
from mesaides.registry.cli_common import State, by_option, echo_json, json_option, pass_state


@click.group()
@click.option(
    "--database",
    envvar="MESAIDES_DATABASE_URL",
    help="SQLAlchemy URL (default: sqlite in ./instance or $MESAIDES_INSTANCE).",
)
@click.pass_context
def registry(ctx: click.Context, database: str | None) -> None:
    """The partnership convention, enforced: partners, aides, Parameters, impacts, notifications."""
    ctx.obj = State(database)
    ctx.call_on_close(lambda: ctx.obj._registry.close() if ctx.obj._registry else None)


# ---- sync and checks ----------------------------------------------------------------------------


@registry.command()
@by_option
@click.option("--reason", default="", help="Why (audit log).")
@click.option("--no-measure", is_flag=True, help="Do not compute the reference population (no measured impact).")
@json_option
@pass_state
def sync(state: State, by: str, reason: str, no_measure: bool, as_json: bool) -> None:
    """Record the installed distributions; notify and measure what changed (A3, A7-A10, G3, P3)."""
    report = state.call(state.registry.sync, by=by, reason=reason, measure=not no_measure)
    if as_json:
        echo_json(report.to_json())
    else:
        click.echo("\n".join(report.lines()))


def _project_distribution() -> str | None:
    """The distribution of the project in the current directory (its pyproject.toml), if any."""
    import tomllib

    path = Path("pyproject.toml")
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError):
        return None


def _catalogue(state: State, file: str | None):
    from mesaides.registry.checks import Catalogue
    from mesaides.registry.settings import DATABASE_FILE, instance_dir

    if file:
        return Catalogue.from_json(json.loads(Path(file).read_text(encoding="utf-8")))
    if state.database or (instance_dir() / DATABASE_FILE).exists():
        return state.registry.catalogue()
    click.echo("note: no registry database; checking without the operator's catalogue (see --catalogue)", err=True)
    return Catalogue()


@registry.command()
@click.option(
    "--distribution",
    "-d",
    "distributions",
    multiple=True,
    help="Distribution to check (default: the project here, else every partner).",
)
@click.option(
    "--tests",
    "tests",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help="Folder of expert YAML cases (default: the distribution's tests/yaml).",
)
@click.option(
    "--catalogue",
    type=click.Path(exists=True, dir_okay=False),
    help="The operator's catalogue (JSON from `mesaides registry catalogue`).",
)
@click.option("--no-tests", is_flag=True, help="Count expert cases without running them.")
@json_option
@pass_state
def check(
    state: State,
    distributions: tuple[str, ...],
    tests: tuple[Path, ...],
    catalogue: str | None,
    no_tests: bool,
    as_json: bool,
) -> None:
    """Check that a distribution follows the convention; exit status 1 when it would break a rule.

    Run it in a partner's CI before a release: a removed Parameter still read (P4), missing
    metadata or a bad logo (A4, A11-A13), fewer than 2 expert cases or a failing one (A5), a
    refused aide (A1, A2)...
    """
    from mesaides.core import load_rules
    from mesaides.registry.checks import check_distributions

    rules = load_rules()
    names = list(distributions)
    if not names:
        here = _project_distribution()
        installed = {r.distribution for r in rules.plugins.values()}
        if here and here in installed:
            names = [here]
            if not tests and Path("tests/yaml").is_dir():
                tests = (Path("tests/yaml"),)
    case_dirs = {name: list(tests) for name in names} if tests else None
    report = check_distributions(
        rules,
        _catalogue(state, catalogue),
        today=_today(),
        distributions=names or None,
        case_dirs=case_dirs,
        run_tests=not no_tests,
    )
    if as_json:
        echo_json({"ok": report.ok, "distributions": report.distributions, "findings": report.findings})
    else:
        for finding in report.findings:
            click.echo(f"{finding.distribution}: {finding}", err=finding.level == "error")
        verdict = "ok" if report.ok else f"{len(report.errors)} error(s)"
        click.echo(
            f"checked {', '.join(report.distributions) or 'nothing'}: {verdict}, {len(report.warnings)} warning(s)"
        )
    if not report.ok:
        sys.exit(1)


def _today() -> dt.date:
    from mesaides.registry.clock import clock_from_env

    return clock_from_env().now().date()


@registry.command("catalogue")
@pass_state
def catalogue_command(state: State) -> None:
    """Export the catalogue partners' CI checks against (JSON): Parameters, refusals, cases."""
    echo_json(state.registry.catalogue().to_json())


# ---- reading -------------------------------------------------------------------------------------


@registry.command()
@click.argument("aide", required=False)
@json_option
@pass_state
def status(state: State, aide: str | None, as_json: bool) -> None:
    """Aides with their status, owner, version and notices; partners and versions."""
    state.call(state.registry.apply_deadlines)
    public = state.registry.public_state()
    if aide is not None:
        if aide not in public.aides:
            raise click.ClickException(f"unknown aide {aide!r}")
        item = public.aides[aide]
        if as_json:
            echo_json(item)
            return
        for key, value in item.model_dump().items():
            click.echo(f"{key}: {value}")
        for event in state.registry.audit_log(subject=aide, limit=10):
            click.echo(f"  {event.at:%Y-%m-%d %H:%M} {event.actor}: {event.action} {event.reason}")
        return
    if as_json:
        echo_json(public)
        return
    for p in public.partners.values():
        versions = "; ".join(
            f"{d.name} {d.version}{'' if d.installed else ' (not installed)'}" for d in p.distributions
        )
        click.echo(f"partner {p.id} ({p.scope}): {p.name} — {versions}")
    for a in public.aides.values():
        flags = " [A7 notice]" if a.notice else ""
        flags += " [G3 notice]" if a.territorial_notice else ""
        click.echo(f"{a.name:<40} {a.status:<12} {a.distribution or '-'} {a.version or ''}{flags}")


@registry.command()
@click.option("--sync", "sync_id", type=int, help="Sync number (default: the latest that measured an impact).")
@click.option("--subject", help="Only the impact of this aide or Parameter.")
@json_option
@pass_state
def impact(state: State, sync_id: int | None, subject: str | None, as_json: bool) -> None:
    """Measured impacts: households gaining or losing each aide, how amounts moved."""
    rows = state.registry.impact(sync_id=sync_id, subject=subject)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no measured impact")
    for m in rows:
        if m["error"]:
            click.echo(f"sync #{m['sync']} {m['subject']} -> {m['aide']}: not measured ({m['error']})")
            continue
        click.echo(
            f"sync #{m['sync']} {m['subject']} -> {m['aide']} ({m['owner']}, {m['period']}, {m['households']} households): "
            f"+{m['gained']} / -{m['lost']} eligible, {m['changed']} changed, mean {m['mean_change']:+.2f}, "
            f"largest +{m['largest_increase']:.2f} / {m['largest_decrease']:.2f}"
        )


@registry.command()
@json_option
@pass_state
def overdue(state: State, as_json: bool) -> None:
    """What has waited more than two weeks for an answer (O4, Pa2), undelivered email, A9 deadlines."""
    items = state.call(state.registry.overdue)
    if as_json:
        echo_json(items)
        return
    for item in items:
        click.echo(str(item))
    if not items:
        click.echo("nothing overdue")


@registry.command()
@click.option("--days", type=click.IntRange(min=1), default=3, show_default=True, help="How many days ahead.")
@json_option
@pass_state
def due(state: State, days: int, as_json: bool) -> None:
    """What falls due in the next days (A9 correction periods, O4/Pa2 answers, P4 removal dates)."""
    items = state.call(state.registry.due_soon, days=days)
    if as_json:
        echo_json(items)
        return
    for item in items:
        click.echo(str(item))
    if not items:
        click.echo(f"nothing due in the next {days} days")


@registry.command()
@click.option("--partner", help="Only the notifications sent to this partner.")
@click.option("--open", "open_only", is_flag=True, help="Only those still waiting for an answer.")
@json_option
@pass_state
def notifications(state: State, partner: str | None, open_only: bool, as_json: bool) -> None:
    """Notifications and who answered them."""
    rows = state.registry.notifications(partner=partner, open_only=open_only)
    if as_json:
        echo_json(rows)
        return
    for n in rows:
        closed = "closed" if n["closed_at"] else ("open" if n["requires_ack"] else "info")
        click.echo(f"#{n['id']} [{n['rule']}] {n['created_at']:%Y-%m-%d} {closed}: {n['title']}")
        for pid, r in n["recipients"].items():
            answer = f"{r['answer']} on {r['at']:%Y-%m-%d}" if r["at"] else "no answer"
            click.echo(f"    {pid}: {answer} {', '.join(r['aides'])}")


@registry.command()
@by_option
@pass_state
def send(state: State, by: str) -> None:
    """Send the email outbox over SMTP (MESAIDES_SMTP_HOST...), retrying failed messages when due."""
    report = state.call(state.registry.send, by=by)
    click.echo(f"sent {len(report.sent)}, failed {len(report.failed)}, waiting {report.waiting}")
    for message_id, error in report.failed.items():
        click.echo(f"  message #{message_id}: {error}", err=True)
    if report.failed:
        sys.exit(1)


@registry.command()
@click.option("--pending", is_flag=True, help="Only the emails not sent yet.")
@click.option("--partner", help="Only the emails to this partner.")
@json_option
@pass_state
def outbox(state: State, pending: bool, partner: str | None, as_json: bool) -> None:
    """The emails the registry wrote to partners: sent, pending, or failing with the last error."""
    entries = state.call(state.registry.outbox, pending_only=pending, partner=partner)
    if as_json:
        echo_json(entries)
        return
    for entry in entries:
        click.echo(str(entry))
    if not entries:
        click.echo("no email" + (" waiting" if pending else ""))


@registry.command()
@click.argument("partner")
@pass_state
def feed(state: State, partner: str) -> None:
    """The JSON feed of a partner's notifications."""
    echo_json(state.call(state.registry.feed, partner))


@registry.command()
@click.option("--limit", type=int, default=50)
@click.option("--subject")
@pass_state
def audit(state: State, limit: int, subject: str | None) -> None:
    """The audit log: who did what, when and why."""
    for e in state.registry.audit_log(limit=limit, subject=subject):
        reason = f" — {e.reason}" if e.reason else ""
        click.echo(f"{e.at:%Y-%m-%d %H:%M} {e.actor}: {e.action} {e.subject}{reason}")


for _command in cli_decisions.COMMANDS:
    registry.add_command(_command)
registry.add_command(account)
