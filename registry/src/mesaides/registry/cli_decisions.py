"""``mesaides registry`` commands that record a decision: aides (A1, A2, A5, A6, A9, G4),
Parameters (P4), questions (O4, Pa2). Each is written to the audit log with the administrator
account acting (``--as``). A partner's own acts (its reliability sign-off A6a, its answers to
notifications A7, its questions to the operator O4 and its answers Pa2) are not the command
line's: trying them says where the partner does them (:func:`partner_act`).
They are plain commands (:data:`COMMANDS`) that :mod:`mesaides.registry.cli` adds to its group."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NoReturn

import click

from mesaides.registry.cli_common import State, by_option, echo_json, json_option, pass_state
from mesaides.registry.statuses import ParameterStatus


def _reason(required: bool = True):
    if required:  # no default at all: click then stops with "Missing option '--reason'" (exit 2)
        return click.option("--reason", required=True, help="Why (audit log).")
    return click.option("--reason", default="", help="Why (audit log).")


# ---- aides ---------------------------------------------------------------------------------------


@click.command()
@click.argument("name")
@click.option("--label", required=True, help="The aide's name, in French.")
@click.option("--description", default="", help="What it is and who grants it.")
@click.option("--institution", default="", help="The granting institution's id.")
@click.option("--erases-debt", is_flag=True, help="A2(a): it aims to erase a debt.")
@click.option("--committee", is_flag=True, help="A2(b): a human committee grants it.")
@click.option("--quota", is_flag=True, help="A2(c): it is granted within an unpredictable quota.")
@by_option
@pass_state
def suggest(
    state: State,
    name: str,
    label: str,
    description: str,
    institution: str,
    erases_debt: bool,
    committee: bool,
    quota: bool,
    by: str,
) -> None:
    """Suggest an aide (A1); one that is not integrable is refused at once (A2)."""
    status = state.call(
        state.registry.suggest,
        name,
        by=by,
        label=label,
        description=description,
        institution=institution,
        erases_debt=erases_debt,
        committee_decision=committee,
        quota=quota,
    )
    click.echo(f"{name}: {status}")


@click.command()
@click.argument("name")
@click.argument("decision", type=click.Choice(["feasible", "refused"]))
@_reason()
@by_option
@pass_state
def decide(state: State, name: str, decision: str, reason: str, by: str) -> None:
    """The operator's decision on a suggested aide, with its reason (A1)."""
    click.echo(f"{name}: {state.call(state.registry.decide, name, decision, by=by, reason=reason)}")


@click.command("sign-off")
@click.argument("name")
@click.argument("kind", type=click.Choice(["quality", "reliability"]))
@click.option("--comment", default="")
@by_option
@pass_state
def sign_off(state: State, name: str, kind: str, comment: str, by: str) -> None:
    """A6b: the operator's quality sign-off of the current version (the partner's reliability
    sign-off, A6a, is the partner's own: in its space or through the API)."""
    if kind == "reliability":
        partner_act("the reliability sign-off (A6a)", "signs its aides off")
    state.call(state.registry.sign_off, name, kind, by=by, comment=comment)
    click.echo(f"{name}: {kind} signed off")


@click.command()
@click.argument("name")
@click.option("--preview", is_flag=True, help="Show it on preview deployments only (G4).")
@click.option(
    "--tests",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help="Folder of expert YAML cases (default: the distribution's tests/yaml).",
)
@by_option
@pass_state
def publish(state: State, name: str, preview: bool, tests: tuple[Path, ...], by: str) -> None:
    """Show an aide to the public (A6, G2) or on previews (G4), once every check passes."""
    status = state.call(state.registry.publish, name, by=by, preview=preview, case_dirs=list(tests) if tests else None)
    click.echo(f"{name}: {status}")


@click.command()
@click.argument("names", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every aide of the registry's first sync not yet published.")
@click.option("--reason", required=True, help="Where and since when the aides were public (audit log).")
@click.option(
    "--tests",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help="Folder of expert YAML cases (default: each distribution's tests/yaml).",
)
@by_option
@pass_state
def adopt(state: State, names: tuple[str, ...], every: bool, reason: str, tests: tuple[Path, ...], by: str) -> None:
    """Record aides that were public on this instance before it used the registry as published (A6).

    For an instance that starts using the registry: its partners' reliability and the operator's
    quality checks were made before; this records who states it, when and why. The automatic
    checks of publication still apply; an aide added after the registry's first sync is
    published with both sign-offs instead (`sign-off`, `publish`).
    """
    if bool(names) == every:
        raise click.UsageError("name the aides to record as public, or give --all (not both)")
    done = state.call(
        state.registry.adopt,
        list(names) if names else None,
        by=by,
        reason=reason,
        case_dirs=list(tests) if tests else None,
    )
    for name, recorded in done.items():
        click.echo(
            f"{name}: published ({'recorded as public before the registry' if recorded else 'already published'})"
        )


@click.command("add-case")
@click.argument("aide")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@by_option
@pass_state
def add_case(state: State, aide: str, file, by: str) -> None:
    """Register expert test cases (OpenFisca YAML) for an aide (A5)."""
    ids = state.call(state.registry.add_expert_case, aide, file.read(), by=by)
    click.echo(f"{aide}: {len(ids)} case(s) registered ({', '.join(f'#{i}' for i in ids)})")


@click.command("notify-defect")
@click.argument("aide")
@click.option("--description", required=True, help="What is wrong.")
@by_option
@pass_state
def notify_defect(state: State, aide: str, description: str, by: str) -> None:
    """Notify a partner of a defect: a 15-day correction period starts (A9)."""
    defect_id = state.call(state.registry.notify_defect, aide, by=by, description=description)
    click.echo(f"defect #{defect_id} on {aide}: 15 days to correct it")


@click.command("renew-defect")
@click.argument("defect_id", type=int)
@_reason(required=False)
@by_option
@pass_state
def renew_defect(state: State, defect_id: int, reason: str, by: str) -> None:
    """Renew a correction period by 15 days (at most 3 times, A9)."""
    deadline = state.call(state.registry.renew_defect, defect_id, by=by, reason=reason)
    click.echo(f"defect #{defect_id}: new deadline {deadline:%Y-%m-%d}")


@click.command("resolve-defect")
@click.argument("defect_id", type=int)
@_reason()
@by_option
@pass_state
def resolve_defect(state: State, defect_id: int, reason: str, by: str) -> None:
    """Close a defect the partner corrected."""
    state.call(state.registry.resolve_defect, defect_id, by=by, reason=reason)
    click.echo(f"defect #{defect_id}: resolved")


# ---- Parameters ----------------------------------------------------------------------------------


@click.command()
@json_option
@pass_state
def parameters(state: State, as_json: bool) -> None:
    """The catalogue of Parameters: owner, status, the aides that read each."""
    rows = state.registry.parameters()
    if as_json:
        echo_json(rows)
        return
    for p in rows:
        extra = ""
        if p.status == ParameterStatus.DEPRECATED:
            extra = f" (replacement {p.replacement or '-'}, removal {p.removal_date or '-'})"
        click.echo(f"{p.name:<45} {p.status:<10} {p.owner}{extra}  read by: {', '.join(p.readers) or '-'}")


@click.command()
@click.argument("name")
@click.option("--replacement", help="The Parameter to use instead.")
@click.option("--removal-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="When it will be removed.")
@_reason()
@by_option
@pass_state
def deprecate(
    state: State, name: str, replacement: str | None, removal_date: dt.datetime | None, reason: str, by: str
) -> None:
    """Deprecate a Parameter: the aides reading it are warned (P4)."""
    state.call(
        state.registry.deprecate_parameter,
        name,
        by=by,
        reason=reason,
        replacement=replacement,
        removal_date=removal_date.date() if removal_date else None,
    )
    click.echo(f"{name}: deprecated")


@click.command()
@click.argument("name")
@click.option("--aide", "is_aide", is_flag=True, help="Remove an aide (A9) rather than a Parameter (P4).")
@click.option("--partner-request", is_flag=True, help="With --aide: the partner no longer grants it.")
@_reason()
@by_option
@pass_state
def remove(state: State, name: str, is_aide: bool, partner_request: bool, reason: str, by: str) -> None:
    """Remove a Parameter no aide reads (P4; refused with the list of aides otherwise), or an aide (A9)."""
    if is_aide:
        state.call(state.registry.remove_aide, name, by=by, reason=reason, partner_request=partner_request)
    else:
        state.call(state.registry.remove_parameter, name, by=by, reason=reason)
    click.echo(f"{name}: removed")


# ---- notifications and questions -----------------------------------------------------------------


PARTNER_ONLY = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
"""A command that only says why it is no longer the command line's: whatever it is given."""


def partner_act(what: str, how: str) -> NoReturn:
    """Refuse a partner's own act on the command line, saying where the partner does it.

    The command line acts as one of the operator's administrators (``--as``); a partner's acts
    are done under the partner's identity, by its referents (issue 17), and an administrator
    does not act for a partner.
    """
    raise click.UsageError(
        f"{what} is the partner's own act: the command line acts as the operator's administrators only. "
        f"The partner's referents sign in to their space on the site (/connexion, then "
        f"/espace/partenaire/PARTNER), where the partner {how}, or use the partner API with a token "
        "created there."
    )


@click.command(context_settings=PARTNER_ONLY, hidden=True, add_help_option=False)
@click.argument("ignored", nargs=-1, type=click.UNPROCESSED, metavar="...")
def acknowledge(ignored: tuple[str, ...]) -> None:
    """A partner's answer to a notification (A7): in the partner's space or through its API."""
    partner_act("answering a notification (A7)", "answers its notifications")


@click.command()
@click.argument("partner")
@click.argument("text")
@click.option("--to-operator", is_flag=True, hidden=True)
@by_option
@pass_state
def ask(state: State, partner: str, text: str, to_operator: bool, by: str) -> None:
    """Ask a partner's referents a question, to answer within two weeks (Pa2)."""
    if to_operator:
        partner_act("asking the operator a question (O4)", "asks its questions")
    click.echo(f"question #{state.call(state.registry.ask, partner, text, by=by)}")


@click.command()
@click.argument("question_id", type=int)
@click.option("--text", required=True)
@by_option
@pass_state
def answer(state: State, question_id: int, text: str, by: str) -> None:
    """Answer a partner's question (O4)."""
    asked = next((q for q in state.registry.questions() if q.id == question_id), None)
    if asked is not None and asked.direction == "to_partner":
        partner_act(f"answering the operator's question #{question_id} (Pa2)", "answers the operator")
    state.call(state.registry.answer, question_id, text, by=by)
    click.echo(f"question #{question_id}: answered")


COMMANDS = (
    suggest,
    decide,
    sign_off,
    publish,
    adopt,
    add_case,
    notify_defect,
    renew_defect,
    resolve_defect,
    parameters,
    deprecate,
    remove,
    acknowledge,
    ask,
    answer,
)
"""The decision commands, which :mod:`mesaides.registry.cli` adds to its group."""
