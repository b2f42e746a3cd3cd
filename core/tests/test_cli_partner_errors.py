"""A partner's mistakes as the command line reports them, with a partner distribution installed on
the path (a ``.dist-info`` with its entry point), in subprocesses:

- ``mesaides test`` on a formula error (an undeclared read, an unknown legislation path) reports
  that case as failed with the message, and runs the other cases;
- missing aide metadata (``legal_references``, an empty ``apply``) leaves the partner out with a
  message naming the aide, each field and the rule (A12, A13), in ``mesaides plugins`` and in
  the logs, not pydantic's raw report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

OTHERS = "partner_caf,partner_nord,partner_lyon,partner_region,web,registry"

PLUGIN = """
import numpy as np
from mesaides.core import INDIVIDU, MONTH, Institution, Partner, as_aide, hookimpl, quantity

@quantity(INDIVIDU, MONTH, label="Aide qui lit l'âge sans le déclarer", reads=("salaire_net",))
def erreurs_lecture(c):
    # A name built at run time: the engine cannot infer the read, and the reads given by hand
    # do not cover it.
    return np.where(c("".join(("a", "ge"))) >= 18, 10.0, 0.0)

@quantity(INDIVIDU, MONTH, label="Aide qui lit un chemin de législation inconnu", reads=("age",))
def erreurs_loi(c):
    return np.where(c("age") >= 18, c.law("erreurs.montant_inconnu"), 0.0)

@quantity(INDIVIDU, MONTH, label="Aide correcte", reads=("age",))
def erreurs_correcte(c):
    return np.where(c("age") >= 18, 10.0, 0.0)

def info(label, **changes):
    base = {{
        "label": label, "description": "Une aide de test.", "institution": "erreurs", "periodicity": "monthly",
        "public_page": "https://www.example.org/erreurs",
        "apply": [{{"kind": "form_printable", "url": "https://www.example.org/erreurs.pdf", "label": "Formulaire"}}],
        "legal_references": [{{"title": "Délibération", "url": "https://www.example.org/deliberation"}}],
    }}
    base.update(changes)
    return {{k: v for k, v in base.items() if v is not None}}

@hookimpl
def mesaides_register_partner(register):
    register(Partner(id="erreurs", name="Partenaire de test", scope="territorial", referent_email="erreurs@example.org",
                     institutions=(Institution(id="erreurs", name="Partenaire de test"),)))

@hookimpl
def mesaides_register_aides(register):
    if {broken_metadata}:
        register(as_aide(erreurs_correcte, info("Aide correcte", apply=[], legal_references=None)))
        return
    register(as_aide(erreurs_lecture, info("Aide qui lit sans déclarer")))
    register(as_aide(erreurs_loi, info("Aide au chemin inconnu")))
    register(as_aide(erreurs_correcte, info("Aide correcte")))
"""


def install(site: Path, *, broken_metadata: bool) -> None:
    info = site / "mesaides_erreurs_partner-1.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: mesaides-erreurs-partner\nVersion: 1.0.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[mesaides]\nerreurs_partner = erreurs_partner\n", encoding="utf-8")
    (site / "erreurs_partner.py").write_text(PLUGIN.format(broken_metadata=broken_metadata), encoding="utf-8")


def mesaides(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        "MESAIDES_DISABLE_PLUGINS": OTHERS,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "mesaides.core.cli_main", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_formula_error_fails_its_case_and_the_others_still_run(tmp_path):
    install(tmp_path / "site", broken_metadata=False)
    cases = tmp_path / "yaml"
    cases.mkdir()
    adult = {"date_naissance": "1990-01-01", "salaire_net": {"2026-10": 0}}
    for i, aide in enumerate(("erreurs_lecture", "erreurs_loi", "erreurs_correcte")):
        (cases / f"{i}_{aide}.yaml").write_text(
            yaml.safe_dump([{"name": f"Adulte ({aide})", "period": "2026-11", "input": adult, "output": {aide: 10}}]),
            encoding="utf-8",
        )
    done = mesaides(tmp_path / "site", "test", str(cases), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    [undeclared] = [line for line in lines if "Adulte (erreurs_lecture)" in line]
    assert undeclared.startswith("ERROR ") and "erreurs_lecture reads age without declaring it" in undeclared
    [unknown_law] = [line for line in lines if "Adulte (erreurs_loi)" in line]
    assert unknown_law.startswith("ERROR ") and "erreurs.montant_inconnu" in unknown_law
    assert "ok   2_erreurs_correcte.yaml: Adulte (erreurs_correcte)" in lines
    assert lines[-1] == "1 passed, 2 failed"


def test_missing_aide_metadata_names_the_aide_the_fields_and_the_rules(tmp_path):
    install(tmp_path / "site", broken_metadata=True)
    expected = (
        "aide erreurs_correcte: invalid metadata: apply: empty (A12: at least one way to apply",
        "legal_references: missing (A13: the legal texts its rules follow, at least one)",
    )
    listed = mesaides(tmp_path / "site", "plugins", cwd=tmp_path)
    assert "mesaides-erreurs-partner 1.0.0  [erreurs_partner]  FAILED" in listed.stdout
    for text in expected:
        assert text in listed.stdout
    assert "errors.pydantic.dev" not in listed.stdout and "input_value" not in listed.stdout

    logged = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
            import logging
            logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
            from mesaides.core import Engine
            Engine()
        """),
        ],
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")]),
            "MESAIDES_DISABLE_PLUGINS": OTHERS,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert logged.returncode == 0, logged.stderr
    assert (
        "WARNING mesaides.core.api plugin erreurs_partner of mesaides-erreurs-partner 1.0.0 is left out"
        in logged.stderr
    )
    for text in expected:
        assert text in logged.stderr
