"""What every ``mesaides registry`` and ``mesaides deployment`` command shares: the registry opened
on first use, ``--as`` and ``--json``, JSON output. Imports only click (the commands import the
rest when they run); the command modules import this one, never each other.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

T = TypeVar("T")

ACCOUNT_ENV = "MESAIDES_ACCOUNT"


def login_name() -> str:
    """The operating-system user running a command (what a deployment lock records)."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


by_option = click.option(
    "--as",
    "by",
    envvar=ACCOUNT_ENV,
    default="",
    metavar="EMAIL",
    show_envvar=True,
    help="The administrator account acting (recorded in the audit log).",
)
"""Commands act as an operator's administrator account; a partner's own acts (A6a, A7, O4, Pa2
answers) are done in the partner's space or through the API, under the partner's identity."""


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class State:
    """The registry, opened on first use."""

    def __init__(self, database: str | None):
        self.database = database
        self._registry = None

    @property
    def registry(self):
        if self._registry is None:
            from mesaides.registry.database import DatabaseUrlError
            from mesaides.registry.registry import open_registry
            from mesaides.registry.settings import SettingsError

            try:
                self._registry = open_registry(self.database)
            except DatabaseUrlError as exc:  # a usage error (exit 2) naming the option
                raise click.BadParameter(str(exc), param_hint="'--database' / MESAIDES_DATABASE_URL") from None
            except SettingsError as exc:  # a usage error naming the variable
                raise click.UsageError(str(exc)) from None
        return self._registry

    def call(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``operation`` (a method of :attr:`registry`), turning a refusal into a clear error
        (exit status 1)."""
        from mesaides.registry.registry import RegistryError

        if isinstance(kwargs.get("by"), str):
            kwargs["by"] = self.actor(kwargs["by"])
        try:
            return operation(*args, **kwargs)
        except RegistryError as exc:
            raise click.ClickException(str(exc)) from None

    def actor(self, email: str):
        """The administrator account ``--as`` names, as the actor of the command's acts."""
        from mesaides.registry.registry import RegistryError

        if not email:
            raise click.UsageError(
                f"--as: give the email of your administrator account (or set {ACCOUNT_ENV}); "
                "create the first one with `mesaides registry account create EMAIL --role administrator`"
            )
        from mesaides.registry.accounts import Role

        try:
            actor = self.registry.actor_for_email(email, via="cli")
        except RegistryError as exc:
            raise click.BadParameter(str(exc), param_hint="'--as' / " + ACCOUNT_ENV) from None
        if actor.role is not Role.ADMINISTRATOR:
            bound = f" of {actor.partner}" if actor.partner else ""
            raise click.BadParameter(
                f"{actor.email} is a {actor.role}{bound}, not an administrator: the command line acts as the "
                "operator's administrators; a partner's referents and experts act in their space on the site "
                "(/connexion) or through the partner API",
                param_hint="'--as' / " + ACCOUNT_ENV,
            )
        return actor


pass_state = click.make_pass_decorator(State)
