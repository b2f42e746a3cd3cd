"""Partners build on the public API only: ``mesaides.core`` (and ``mesaides.core.testing`` in
their tests), never the engine's modules, so that the engine can change inside."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARTNER_PACKAGES = sorted(p for p in ROOT.glob("plugins/*/src/mesaides/*") if p.is_dir())
TEMPLATE = ROOT / "core/src/mesaides/core/scaffold/template"
ALLOWED = ("mesaides.core", "mesaides.core.testing")


def forbidden_imports(source: str, own_package: str | None) -> list[str]:
    """The imports of ``source`` from mesaides outside the public API and its own package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            if not (module == "mesaides" or module.startswith("mesaides.")):
                continue
            if module in ALLOWED or module.startswith("mesaides.core.testing."):
                continue
            if own_package and (module == own_package or module.startswith(own_package + ".")):
                continue
            found.append(f"line {node.lineno}: {module}")
    return found


def test_there_are_partners_to_check():
    assert {p.name for p in PARTNER_PACKAGES} >= {"partner_caf", "partner_lyon", "partner_nord", "partner_region"}


@pytest.mark.parametrize("package", PARTNER_PACKAGES, ids=lambda p: p.name)
def test_a_partner_imports_only_the_public_api(package):
    own = f"mesaides.{package.name}"
    problems = {
        str(path.relative_to(ROOT)): bad
        for path in sorted(package.rglob("*.py"))
        if (bad := forbidden_imports(path.read_text(encoding="utf-8"), own))
    }
    assert problems == {}


def test_the_scaffold_of_a_new_partner_imports_only_the_public_api():
    problems = {}
    for path in sorted(TEMPLATE.rglob("*.py.tmpl")):
        source = path.read_text(encoding="utf-8").replace("__PACKAGE__", "partner_new").replace("__ID__", "new")
        try:
            bad = forbidden_imports(source, "mesaides.partner_new")
        except SyntaxError:  # a template with placeholders that are not Python: checked by line
            bad = [
                line
                for line in source.splitlines()
                if line.startswith(("from mesaides.core.", "import mesaides.core."))
            ]
        if bad:
            problems[str(path.relative_to(ROOT))] = bad
    assert problems == {}


def test_the_check_finds_an_engine_import():
    source = "from mesaides.core import quantity\nfrom mesaides.core.context import Members\n"
    assert forbidden_imports(source, "mesaides.partner_x") == ["line 2: mesaides.core.context"]
