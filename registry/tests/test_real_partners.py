"""The installed partner packages: a new version of the CAF's package changing a legislation
value of ``rsa`` must notify the Nord's and Lyon's partners (A8), with a measured impact on
their aides (``nord_activ_emploi_maximum``, ``revenu_solidaire_jeune``), which read ``rsa``.

Skipped when the CAF, Nord or Lyon packages are not installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import importlib_metadata
import pytest
import yaml

from mesaides.core import PartnerPlugin, get_plugin_manager, load_rules
from mesaides.core.plugins import load_entry_point
from mesaides.registry import SmtpSettings, open_registry
from mesaides.registry.testing import OPERATOR, referent

CAF, NORD, LYON = "mesaides-partner-caf", "mesaides-partner-nord", "mesaides-partner-lyon"
NORD_AIDE, LYON_AIDE = "nord_activ_emploi_maximum", "revenu_solidaire_jeune"


def _entry_points():
    found = {}
    for ep in importlib_metadata.entry_points(group="mesaides"):
        if ep.dist is not None and ep.dist.name in (CAF, NORD, LYON):
            found[ep.dist.name] = ep
    missing = {CAF, NORD, LYON} - set(found)
    if missing:
        pytest.skip(f"not installed: {', '.join(sorted(missing))}")
    return found


def caf_release(caf: PartnerPlugin, legislation: Path) -> PartnerPlugin:
    """The CAF's plugin with its legislation folder replaced: a new release of the package."""
    return PartnerPlugin(
        caf.package, caf.partner, rule_modules=caf.rule_modules, parameters=caf.parameters, legislation=legislation
    )


def _raised_rsa_amount(source: Path, target: Path, factor: float) -> str:
    """Copy the CAF's legislation, raising the RSA's base amount in force today by ``factor``."""
    shutil.copytree(source, target)
    for file in sorted(target.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        node = data.get("rsa.montant_de_base") if isinstance(data, dict) else None
        if node:
            node["history"][-1]["value"] = round(node["history"][-1]["value"] * factor, 2)
            file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return "rsa.montant_de_base"
    pytest.skip("the CAF package has no rsa.montant_de_base legislation value")


def _rules(eps, caf_plugin, caf_version):
    pm = get_plugin_manager(load_entry_points=False)
    pm.register_plugin(caf_plugin, "partner_caf", CAF, caf_version)
    for dist in (NORD, LYON):
        ep = eps[dist]
        pm.register_plugin(load_entry_point(ep), ep.name, dist, ep.dist.version)
    return load_rules(pm)


def test_a8_a_new_caf_version_changing_rsa_notifies_nord_and_lyon_with_a_measured_impact(db_url, clock, tmp_path):
    eps = _entry_points()
    caf = eps[CAF].load()
    source = Path(str(caf.legislation))
    before = _rules(eps, caf, "1.0.0")

    registry = open_registry(db_url, clock, smtp=SmtpSettings(), households=1000)
    registry.sync(before, by=OPERATOR, reason="baseline")
    _raised_rsa_amount(source, tmp_path / "legislation", 1.25)
    after = _rules(eps, caf_release(caf, tmp_path / "legislation"), "1.0.1")
    report = registry.sync(after, by=OPERATOR, reason="CAF 1.0.1")

    assert "rsa" in report.changed
    # One change set: one A8 notification lists every aide the release changed.
    [note] = [n for n in registry.notifications() if n["rule"] == "A8"]
    assert "rsa" in [c["aide"] for c in note["details"]["changes"]]
    nord, lyon = after.partners[NORD].id, after.partners[LYON].id
    assert {nord, lyon} <= set(note["recipients"])
    assert NORD_AIDE in note["recipients"][nord]["aides"]
    assert LYON_AIDE in note["recipients"][lyon]["aides"]
    # Only the aides that depend on a changed aide are told of it (the dependency graph), not
    # those that merely read a Parameter of the CAF's as well.
    changed = set(report.changed)
    for partner, recipient in note["recipients"].items():
        for aide in recipient["aides"]:
            assert after.graph.upstream(aide) & changed, f"{partner}'s {aide} reads none of {sorted(changed)}"
    assert registry.public_state().aides["rsa"].notice is not None

    impact = {m["aide"]: m for m in registry.impact(subject="rsa")}
    assert {"rsa", NORD_AIDE, LYON_AIDE} <= set(impact)
    assert impact["rsa"]["error"] is None and impact["rsa"]["households"] == 1000
    assert impact["rsa"]["gained"] > 0 and impact["rsa"]["mean_change"] > 0
    # Every member of a famille newly receiving the RSA in the Nord obtains Activ'Emploi.
    assert impact[NORD_AIDE]["gained"] > 0 and impact[NORD_AIDE]["largest_increase"] >= 150
    # Young people of the Métropole de Lyon newly receiving the RSA lose the revenu solidarité jeunes.
    assert impact[LYON_AIDE]["error"] is None
    assert impact[LYON_AIDE]["lost"] >= 0 and impact[LYON_AIDE]["gained"] == 0

    # A7: the notice stays until both partners answer.
    assert not registry.acknowledge(note["id"], nord, by=referent(nord))
    for partner in set(note["recipients"]) - {nord}:
        registry.acknowledge(note["id"], partner, by=referent(partner))
    assert registry.public_state().aides["rsa"].notice is None
