"""Real registry data for the portal's tests: the installed partners synced into a fresh
database, then a CAF release raising the RSA's base amount by 25 % (A8: the Nord and Lyon,
whose aides read the RSA, are notified with the measured impact, and the RSA carries the A7
notice until both answer). Skipped when the CAF, Nord or Lyon packages are not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import importlib_metadata
import pytest
import yaml

from mesaides.core import PartnerPlugin, RuleSet, get_plugin_manager, load_rules
from mesaides.core.plugins import load_entry_point

CAF, NORD, LYON = "mesaides-partner-caf", "mesaides-partner-nord", "mesaides-partner-lyon"
START = "2026-11-16T09:00:00"
"""The registry's clock in these tests."""
HOUSEHOLDS = 300
"""The reference population measuring the impact: enough for the Nord's aide to move."""


def _entry_points() -> dict[str, importlib_metadata.EntryPoint]:
    found = {
        ep.dist.name: ep
        for ep in importlib_metadata.entry_points(group="mesaides")
        if ep.dist is not None and ep.dist.name in (CAF, NORD, LYON)
    }
    missing = {CAF, NORD, LYON} - set(found)
    if missing:
        pytest.skip(f"not installed: {', '.join(sorted(missing))}")
    return found


def _raised_rsa(source: Path, target: Path, factor: float) -> None:
    """Copy the CAF's legislation, raising the RSA's base amount in force today by ``factor``."""
    shutil.copytree(source, target)
    for file in sorted(target.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        node = data.get("rsa.montant_de_base") if isinstance(data, dict) else None
        if node:
            node["history"][-1]["value"] = round(node["history"][-1]["value"] * factor, 2)
            file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return
    pytest.skip("the CAF package has no rsa.montant_de_base legislation value")


def _rules(eps, caf: PartnerPlugin, version: str) -> RuleSet:
    pm = get_plugin_manager(load_entry_points=False)
    pm.register_plugin(caf, "partner_caf", CAF, version)
    for dist in (NORD, LYON):
        pm.register_plugin(load_entry_point(eps[dist]), eps[dist].name, dist, eps[dist].dist.version)
    return load_rules(pm)


def baseline_rules() -> RuleSet:
    eps = _entry_points()
    return _rules(eps, eps[CAF].load(), "1.0.0")


def caf_release_raising_rsa(workdir: Path) -> RuleSet:
    """The same partners with a CAF 1.0.1 whose RSA base amount is 25 % higher."""
    eps = _entry_points()
    caf = eps[CAF].load()
    _raised_rsa(Path(str(caf.legislation)), workdir / "legislation", 1.25)
    release = PartnerPlugin(
        caf.package,
        caf.partner,
        rule_modules=caf.rule_modules,
        parameters=caf.parameters,
        legislation=workdir / "legislation",
    )
    return _rules(eps, release, "1.0.1")
