"""Issue 15's national partners in the registry: ``mesaides registry sync`` records them with
their aides, and the interactions between partners are notified (A8) with a measured impact: a
new CAF release changing the RSA notifies the Assurance maladie (the free CSS of RSA recipients)
and the État (the prime de Noël), a new France Travail release changing the ASS notifies the CAF
(the RSA, the prime d'activité and the housing aid count the ASS as a resource).

Skipped when the partner packages are not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import importlib_metadata
import pytest
import yaml

from mesaides.core import PartnerPlugin, get_plugin_manager, load_rules
from mesaides.core.plugins import load_entry_point
from mesaides.registry import SmtpSettings, open_registry
from mesaides.registry.testing import OPERATOR, operator_account

CAF = "mesaides-partner-caf"
MALADIE = "mesaides-partner-assurance-maladie"
RETRAITE = "mesaides-partner-assurance-retraite"
EDUCATION = "mesaides-partner-education-nationale"
TRAVAIL = "mesaides-partner-france-travail"
ETAT = "mesaides-partner-etat"
NATIONAL = {
    MALADIE: {"cmu_c", "css_participation_forfaitaire", "asi"},
    RETRAITE: {"aspa"},
    EDUCATION: {"bourse_college", "bourse_lycee"},
    TRAVAIL: {"ass"},
    ETAT: {"aefa", "cheque_energie"},
}
MESAIDES = Path(sys.executable).with_name("mesaides")


def _entry_points() -> dict[str, importlib_metadata.EntryPoint]:
    found = {
        ep.dist.name: ep
        for ep in importlib_metadata.entry_points(group="mesaides")
        if ep.dist is not None and ep.dist.name.startswith("mesaides-partner-")
    }
    missing = ({CAF} | set(NATIONAL)) - set(found)
    if missing:
        pytest.skip(f"not installed: {', '.join(sorted(missing))}")
    return found


def _release(plugin: PartnerPlugin, legislation: Path) -> PartnerPlugin:
    """A partner's plugin with its legislation folder replaced: a new release of the package."""
    return PartnerPlugin(
        plugin.package,
        plugin.partner,
        rule_modules=plugin.rule_modules,
        parameters=plugin.parameters,
        legislation=legislation,
    )


def _raised(source: Path, target: Path, path: str, factor: float) -> None:
    """Copy a partner's legislation, raising the value of ``path`` in force today by ``factor``."""
    shutil.copytree(source, target)
    for file in sorted(target.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        node = data.get(path) if isinstance(data, dict) else None
        if node:
            node["history"][-1]["value"] = round(node["history"][-1]["value"] * factor, 2)
            file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return
    pytest.skip(f"no legislation value {path} in {source}")


def _rules(eps, replaced: dict[str, tuple[PartnerPlugin, str]] | None = None):
    """Every installed partner package, some of them as another release (plugin, version)."""
    replaced = replaced or {}
    pm = get_plugin_manager(load_entry_points=False)
    for dist, ep in eps.items():
        plugin, version = replaced.get(dist, (load_entry_point(ep), ep.dist.version))
        pm.register_plugin(plugin, ep.name, dist, version)
    return load_rules(pm)


def _changed(eps, dist: str, path: str, tmp_path: Path):
    plugin = eps[dist].load()
    _raised(Path(str(plugin.legislation)), tmp_path / dist, path, 1.25)
    return _rules(eps, {dist: (_release(plugin, tmp_path / dist), _next_patch(eps[dist].dist.version))})


def _next_patch(version: str) -> str:
    """The next patch release (within the ranges other partners require)."""
    major, minor, patch = [*version.split("."), "0", "0"][:3]
    return f"{major}.{minor}.{int(''.join(ch for ch in patch if ch.isdigit()) or 0) + 1}"


def test_registry_sync_records_the_national_partners_and_their_aides(tmp_path):
    eps = _entry_points()
    if not MESAIDES.exists():
        pytest.skip(f"no mesaides command beside {sys.executable}")
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    env = {
        **os.environ,
        "MESAIDES_DATABASE_URL": url,
        "MESAIDES_NOW": "2026-11-16T09:00:00",
        "MESAIDES_REFERENCE_HOUSEHOLDS": "50",
        **operator_account(url),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("MESAIDES_SMTP_HOST", None)
    env.pop("MESAIDES_DISABLE_PLUGINS", None)
    done = subprocess.run(
        [str(MESAIDES), "registry", "sync", "--reason", "issue 15"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rules = _rules(eps)
    for dist in NATIONAL:
        assert f"{dist} {eps[dist].dist.version}" in done.stdout, dist

    registry = open_registry(url, smtp=SmtpSettings(), households=50)
    try:
        state = registry.public_state()
        for dist, aides in NATIONAL.items():
            partner = rules.partners[dist]
            assert partner.id in state.partners, dist
            assert aides <= set(state.aides), dist
            owners = {rules.aides[a].owner for a in aides}
            assert owners == {dist}, (dist, owners)
    finally:
        registry.close()


def test_a8_a_change_to_the_rsa_notifies_the_assurance_maladie_and_the_etat(db_url, clock, tmp_path):
    eps = _entry_points()
    before = _rules(eps)
    registry = open_registry(db_url, clock, smtp=SmtpSettings(), households=200)
    registry.sync(before, by=OPERATOR, reason="baseline")
    after = _changed(eps, CAF, "rsa.montant_de_base", tmp_path)
    report = registry.sync(after, by=OPERATOR, reason="CAF patch")

    assert "rsa" in report.changed
    # One change set: one A8 notification lists every aide the release changed.
    [note] = [n for n in registry.notifications() if n["rule"] == "A8"]
    assert "rsa" in [c["aide"] for c in note["details"]["changes"]]
    maladie, etat = after.partners[MALADIE].id, after.partners[ETAT].id
    assert {maladie, etat} <= set(note["recipients"])
    # The free CSS is granted to RSA recipients; the prime de Noël is due for the RSA.
    assert "cmu_c" in note["recipients"][maladie]["aides"]
    assert "aefa" in note["recipients"][etat]["aides"]
    impact = {m["aide"]: m for m in registry.impact(subject="rsa")}
    assert {"rsa", "cmu_c", "aefa"} <= set(impact)
    assert impact["rsa"]["error"] is None and impact["rsa"]["gained"] > 0
    # A higher RSA: more households receive it, hence the prime de Noël; none loses it.
    assert impact["aefa"]["error"] is None and impact["aefa"]["lost"] == 0
    registry.close()


def test_a8_a_change_to_the_ass_notifies_the_caf(db_url, clock, tmp_path):
    eps = _entry_points()
    before = _rules(eps)
    registry = open_registry(db_url, clock, smtp=SmtpSettings(), households=200)
    registry.sync(before, by=OPERATOR, reason="baseline")
    after = _changed(eps, TRAVAIL, "ass.montant_journalier", tmp_path)
    report = registry.sync(after, by=OPERATOR, reason="France Travail patch")

    assert "ass" in report.changed
    # One change set: one A8 notification lists every aide the release changed.
    [note] = [n for n in registry.notifications() if n["rule"] == "A8"]
    assert "ass" in [c["aide"] for c in note["details"]["changes"]]
    caf = after.partners[CAF].id
    assert caf in note["recipients"]
    # The RSA counts the ASS among its resources (R262-6 CASF).
    assert "rsa" in note["recipients"][caf]["aides"]
    assert after.partners[TRAVAIL].id not in note["recipients"], "the author is not notified of its own change"
    impact = {m["aide"]: m for m in registry.impact(subject="ass")}
    assert {"ass", "rsa"} <= set(impact)
    assert impact["ass"]["error"] is None and impact["rsa"]["error"] is None
    # A higher ASS is a higher resource for the RSA: no household gains the RSA by it.
    assert impact["rsa"]["gained"] == 0
    registry.close()
