"""The registry's plugin for the ``mesaides`` command line (entry point ``registry`` of the
group ``mesaides``): it adds ``mesaides registry``. Importing it loads only click."""

from __future__ import annotations

from mesaides.core import hookimpl


@hookimpl
def mesaides_register_commands(cli):
    from mesaides.registry.cli import registry

    cli.add_command(registry)
