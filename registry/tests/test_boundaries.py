"""The registry is the convention's, not the operator's deployment: the deployment file, its
check, the lock and swaps live in ``mesaides-web`` (``mesaides.web.deployment``), which asks the
registry through its facade; the registry never imports them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SOURCES = Path(__file__).parents[1] / "src" / "mesaides" / "registry"


def test_the_registry_holds_no_deployment_module():
    for name in ("deployment", "lock", "swap", "cli_deployment"):
        assert importlib.util.find_spec(f"mesaides.registry.{name}") is None, name


def test_the_registry_never_imports_the_web_distribution():
    for path in SOURCES.rglob("*.py"):
        assert "mesaides.web" not in path.read_text(encoding="utf-8"), path.relative_to(SOURCES)


def test_the_registry_command_line_adds_no_deployment_group():
    import click

    from mesaides.registry import plugin

    cli = click.Group("mesaides")
    plugin.mesaides_register_commands(cli)
    assert sorted(cli.commands) == ["registry"]
