"""``mesaides registry account ...``: the accounts of the convention's parties (issue 17).

The operator's shell is the root of trust: ``account create --role administrator`` without
``--as`` creates the first administrator, and only while there is none. Every other account is
created by an administrator (``--as``), or by a partner's referent in the partner's space.
"""

from __future__ import annotations

import click

from mesaides.registry.cli_common import State, by_option, echo_json, json_option, pass_state


@click.group()
def account() -> None:
    """Accounts: administrators, partners' referents and experts, statistics viewers."""


@account.command("create")
@click.argument("email")
@click.option("--name", default="", help="The person's name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["administrator", "referent", "expert", "statistics"]),
    help="What the account may do.",
)
@click.option("--partner", default=None, help="The partner a referent or an expert is bound to.")
@by_option
@pass_state
def create(state: State, email: str, name: str, role: str, partner: str | None, by: str) -> None:
    """Create an account; it signs in by a link sent to EMAIL."""
    founding = role == "administrator" and (
        not by or (by.strip().lower() == email.strip().lower() and not _any_administrator(state))
    )
    if founding:  # also under MESAIDES_ACCOUNT already set to the founder's own email
        view = state.call(state.registry.create_first_administrator, email, name=name)
    else:
        view = state.call(state.registry.create_account, email, name=name, role=role, partner=partner, by=by)
    bound = f" of {view.partner}" if view.partner else ""
    click.echo(f"account {view.email}: {view.role}{bound}")


def _any_administrator(state: State) -> bool:
    return any(a.active and a.role == "administrator" for a in state.registry.accounts())


@account.command("deactivate")
@click.argument("email")
@by_option
@pass_state
def deactivate(state: State, email: str, by: str) -> None:
    """Deactivate an account: its sessions, links and API tokens stop working at once."""
    view = state.call(state.registry.deactivate_account, email, by=by)
    click.echo(f"account {view.email}: deactivated")


@account.command("list")
@click.option("--partner", default=None, help="Only this partner's accounts.")
@json_option
@pass_state
def list_accounts(state: State, partner: str | None, as_json: bool) -> None:
    """The accounts, by partner."""
    views = state.registry.accounts(partner=partner)
    if as_json:
        echo_json(views)
        return
    for v in views:
        status = "" if v.active else "  (deactivated)"
        click.echo(f"{v.email:<40} {v.role:<14} {v.partner or '-':<20}{status}")
    if not views:
        click.echo("no account")
