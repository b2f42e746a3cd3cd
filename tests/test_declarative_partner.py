"""A partner made only of data (issue 16), from scratch: ``mesaides partner new --declarative``
writes it in a temporary folder, an aide reading the CAF's ``rsa`` is added as a file, the
distribution is installed into a fresh virtual environment, and there its aides are listed,
pass their own tests, are computed and explained through the command line, and the registry
notifies the partner when a new release of the CAF's package changes the RSA (A8)."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import importlib_metadata
import pytest


def run(*args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def venv(tmp_path) -> Path:
    """A fresh virtual environment that also sees this one's packages (as test_partner_new's)."""
    path = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(path))
    python = path / "bin" / "python"
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    ours = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).exists()]
    lines = [f"import site; site.addsitedir({p!r})" for p in ours]
    (Path(purelib) / "parent_env.pth").write_text("\n".join(lines) + "\n")
    return python


AIDE_READING_RSA = """\
id: montreuil_coup_de_pouce
label: Coup de pouce de Montreuil
institution: montreuil
entity: famille
period: month
periodicity: one-off
description: >-
  Une aide ponctuelle de la Ville aux familles montreuilloises qui perçoivent le RSA et élèvent
  au moins un enfant.
public_page: https://www.example.org/coup-de-pouce
apply:
  - {kind: teleservice, url: "https://www.example.org/coup-de-pouce/demande", label: Faire la demande en ligne}
legal_references:
  - {title: Délibération du conseil municipal (exemple), url: "https://www.example.org/deliberation"}
verification:
  checked_on: 2026-11-20
  url: https://www.example.org/coup-de-pouce
  status: unverified
  note: Aide d'exemple des tests.
conditions:
  - territory: {communes: ["93048"]}
    label: Résider à Montreuil
  - receives: {any_of: [rsa]}
    label: Percevoir le RSA
amount:
  value: {law: montreuil.coup_de_pouce.montant}
  per: {children: {age_max: 17}}
"""

LAW = """
montreuil.coup_de_pouce.montant:
  label: Coup de pouce, montant par enfant
  unit: EUR
  history:
    - {from: 2024-01-01, value: 80, ref: "https://www.example.org/deliberation"}
"""

CASES = """\
- name: Parent seul au RSA, deux enfants, à Montreuil
  # 2 children of 17 or less × 80 € = 160 €
  period: 2026-11
  input:
    individus:
      parent: {date_naissance: "1990-04-01"}
      enfant1: {date_naissance: "2016-02-01"}
      enfant2: {date_naissance: "2019-09-01"}
    familles:
      famille: {parents: [parent], enfants: [enfant1, enfant2], rsa: 820.5}
    foyers_fiscaux:
      foyer: {declarants: [parent], personnes_a_charge: [enfant1, enfant2]}
    menages:
      menage: {personne_de_reference: [parent], enfants: [enfant1, enfant2], depcom: "93048"}
  output:
    montreuil_coup_de_pouce: 160

- name: Sans RSA
  period: 2026-11
  input:
    individus:
      parent: {date_naissance: "1990-04-01"}
      enfant1: {date_naissance: "2016-02-01"}
    familles:
      famille: {parents: [parent], enfants: [enfant1], rsa: 0}
    foyers_fiscaux:
      foyer: {declarants: [parent], personnes_a_charge: [enfant1]}
    menages:
      menage: {personne_de_reference: [parent], enfants: [enfant1], depcom: "93048"}
  output:
    montreuil_coup_de_pouce: 0
"""

SITUATION = {
    "individus": {
        "parent": {"date_naissance": {"ETERNITY": "1990-04-01"}},
        "enfant": {"date_naissance": {"ETERNITY": "2016-02-01"}},
    },
    "familles": {"famille": {"parents": ["parent"], "enfants": ["enfant"], "rsa": {"2026-11": 0}}},
    "foyers_fiscaux": {"foyer": {"declarants": ["parent"], "personnes_a_charge": ["enfant"]}},
    "menages": {"menage": {"personne_de_reference": ["parent"], "enfants": ["enfant"], "depcom": {"2026-11": "93048"}}},
}

REGISTRY_SCRIPT = """
import json, shutil, sys
from pathlib import Path

import importlib_metadata, yaml

from mesaides.core import PartnerPlugin, get_plugin_manager, load_rules
from mesaides.core.plugins import load_entry_point
from mesaides.registry import FixedClock, SmtpSettings, open_registry
from mesaides.registry.testing import OPERATOR

work = Path(sys.argv[1])
eps = {ep.dist.name: ep for ep in importlib_metadata.entry_points(group="mesaides")}
caf_ep, ours_ep = eps["mesaides-partner-caf"], eps["mesaides-partner-montreuil"]
caf = caf_ep.load()


def rules(caf_plugin, caf_version):
    pm = get_plugin_manager(load_entry_points=False)
    pm.register_plugin(caf_plugin, caf_ep.name, "mesaides-partner-caf", caf_version)
    pm.register_plugin(load_entry_point(ours_ep), ours_ep.name, "mesaides-partner-montreuil", "0.1.0")
    return load_rules(pm)


# A new release of the CAF's package: the RSA's base amount in force today raised by a quarter.
legislation = work / "caf-legislation"
shutil.copytree(Path(str(caf.legislation)), legislation)
for file in sorted(legislation.glob("*.yaml")):
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "rsa.montant_de_base" in data:
        node = data["rsa.montant_de_base"]
        node["history"][-1]["value"] = round(node["history"][-1]["value"] * 1.25, 2)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
release = PartnerPlugin(caf.package, caf.partner, rule_modules=caf.rule_modules, parameters=caf.parameters,
                        legislation=legislation)

registry = open_registry(f"sqlite:///{work / 'registry.sqlite3'}", FixedClock("2026-11-16T09:00:00"),
                         smtp=SmtpSettings(), households=200)
registry.sync(rules(caf, "1.0.0"), by=OPERATOR, reason="baseline")
report = registry.sync(rules(release, "1.0.1"), by=OPERATOR, reason="CAF 1.0.1")
notes = [n for n in registry.notifications()
         if n["rule"] == "A8" and "rsa" in [c["aide"] for c in n["details"].get("changes", [])]]
print(json.dumps({"changed": sorted(report.changed), "notes": notes}, default=str))
"""


def test_a_declarative_partner_from_scratch(tmp_path, venv):
    if "mesaides-partner-caf" not in {d.metadata["Name"] for d in importlib_metadata.distributions()}:
        pytest.skip("the CAF's package is not installed")
    target = tmp_path / "partner_montreuil"
    mesaides = [str(venv), "-m", "mesaides.core.cli_main"]
    run(
        sys.executable, "-m", "mesaides.core.cli_main", "partner", "new", "--declarative", str(target),
        "--id", "montreuil", "--name", "Ville de Montreuil", "--departement", "93", "--commune", "93048",
    )  # fmt: skip
    package = target / "src/mesaides/partner_montreuil"
    assert (package / "partner.yaml").exists() and not list(target.rglob("*.py.tmpl"))
    assert not list(package.rglob("*.py"))  # data only

    # The partner's team adds an aide reading the CAF's RSA, its amount and its expert cases.
    (package / "aides" / "montreuil_coup_de_pouce.yaml").write_text(AIDE_READING_RSA, encoding="utf-8")
    with (package / "legislation" / "montreuil.yaml").open("a", encoding="utf-8") as law:
        law.write(LAW)
    (target / "tests/yaml/montreuil_coup_de_pouce.yaml").write_text(CASES, encoding="utf-8")
    card = (package / "partner.yaml").read_text(encoding="utf-8")
    (package / "partner.yaml").write_text(
        card.replace("requires: {}", 'requires: {mesaides-partner-caf: ">=1.0,<2"}'), encoding="utf-8"
    )

    run(str(venv), "-m", "pip", "install", "-q", "--no-deps", "-e", str(target))
    rows = json.loads(run(*mesaides, "plugins", "--json"))
    row = next(r for r in rows if r["distribution"] == "mesaides-partner-montreuil")
    assert row["aides"] == ["montreuil_aide_exemple", "montreuil_coup_de_pouce"]
    assert row["problems"] == [] and row["unavailable"] == {}

    # Its own tests: the scaffold's test and the four expert cases.
    out = run(str(venv), "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=target)
    assert "5 passed" in out, out
    report = run(*mesaides, "test", str(target / "tests/yaml"))
    assert report.strip().endswith("4 passed, 0 failed"), report

    # Computed and explained through the command line.
    situation = tmp_path / "situation.json"
    situation.write_text(json.dumps(SITUATION), encoding="utf-8")
    explained = json.loads(
        run(*mesaides, "explain", "--json", str(situation), "montreuil_coup_de_pouce", "2026-11", "famille")
    )
    assert (
        explained["reason"]["text"]
        == "Condition non remplie : percevoir le RSA (le foyer ne perçoit pas : Revenu de solidarité active)."
    )
    assert explained["conditions"] == ["Résider à Montreuil", "Au moins un(e) enfant d'au plus 17 ans"]
    SITUATION["familles"]["famille"]["rsa"] = {"2026-11": 500.0}
    SITUATION["familles"]["famille"]["montreuil_coup_de_pouce"] = {"2026-11": None}
    situation.write_text(json.dumps(SITUATION), encoding="utf-8")
    computed = json.loads(run(*mesaides, "calculate", str(situation)))
    assert computed["familles"]["famille"]["montreuil_coup_de_pouce"]["2026-11"] == 80.0

    # The registry notifies the partner when a new CAF release changes the RSA its aide reads.
    script = tmp_path / "registry_check.py"
    script.write_text(textwrap.dedent(REGISTRY_SCRIPT), encoding="utf-8")
    result = json.loads(run(str(venv), str(script), str(tmp_path)).strip().splitlines()[-1])
    assert "rsa" in result["changed"]
    [note] = result["notes"]
    assert "montreuil" in note["recipients"]
    assert note["recipients"]["montreuil"]["aides"] == ["montreuil_coup_de_pouce"]
    assert Path(target / "src/mesaides/partner_montreuil/aides").is_dir()
