"""The command-line modules form no import cycle (the group's module adds the decision commands;
both only import what they share), and commands call the registry's methods, not method names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SOURCES = Path(__file__).parents[1] / "src" / "mesaides" / "registry"
CLI_MODULES = ("cli", "cli_common", "cli_decisions")


@pytest.mark.parametrize("module", CLI_MODULES)
def test_each_command_module_imports_alone_without_a_cycle(module):
    # Importing a module must not import one that imports it back: cli_decisions and cli_common
    # never import cli (only the plugin does, to add the group).
    code = (
        f"import sys, mesaides.registry.{module}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('mesaides.registry.cli'))\n"
        "heavy = [m for m in ('sqlalchemy', 'numpy', 'mesaides.registry.registry') if m in sys.modules]\n"
        "print(loaded, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, heavy = done.stdout.strip().split("] [")
    if module != "cli":
        assert "'mesaides.registry.cli'" not in loaded
    assert heavy == "]"  # the command line stays light for `mesaides --help`


def test_commands_do_not_dispatch_by_method_name():
    for module in CLI_MODULES:
        text = (SOURCES / f"{module}.py").read_text(encoding="utf-8")
        assert not re.search(r"""\.call\(\s*["']""", text), module
        assert "getattr(self.registry" not in text, module
