"""The registry's plugin (entry point ``registry`` of the group ``mesaides``): it adds
``mesaides registry`` to the command line and the registry's knowledge (version history, A7 and
G3 notices, Parameter statuses) to the documentation site. Importing it loads only click."""

from __future__ import annotations

from typing import Any

from mesaides.core import hookimpl


@hookimpl
def mesaides_register_commands(cli):
    from mesaides.registry.cli import registry

    cli.add_command(registry)


@hookimpl
def mesaides_documentation_extras(rules) -> dict[str, Any] | None:
    """A13: each aide's versions and pending notices, each Parameter's status (P4), when a
    registry database exists (none is created for this)."""
    from mesaides.registry.documentation import documentation_extras

    return documentation_extras()
