"""The third-party API and the command line."""

import json
import subprocess
import sys

import pytest
from core_scenarios import household

from mesaides.core import SituationError


def test_compute_selected_aides(toy_engine):
    data = household()
    del data["familles"]["famille"]["toy_aide"]
    result = toy_engine.compute(data, ["toy_aide", "toy_nb_enfants"], "2026-11")
    assert result == {"toy_aide": {"famille": pytest.approx(276.0)}, "toy_nb_enfants": {"famille": 1}}


def test_compute_refuses_unknown_aides(toy_engine):
    with pytest.raises(SituationError, match="rsa: unknown aide"):
        toy_engine.compute(household(), ["rsa"], "2026-11")


def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-c", "from mesaides.core.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_calculate_fills_nulls():
    data = {
        "individus": {"a": {"date_naissance": {"ETERNITY": "1990-11-15"}, "age": {"2026-11": None}}},
    }
    done = run_cli("calculate", stdin=json.dumps(data))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["individus"]["a"]["age"] == {"2026-11": 35}


def test_cli_calculate_reports_errors_with_paths():
    done = run_cli("calculate", stdin=json.dumps({"individus": {"a": {"age": {"2026-13": None}}}}))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: individus.a.age.2026-13: not a month (month 13 is not between 01 and 12)"
    assert "Traceback" not in done.stderr


def test_cli_calculate_rejects_bad_json():
    done = run_cli("calculate", stdin="{not json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: Invalid JSON: ") and "Traceback" not in done.stderr


def test_cli_plugins_lists_the_core():
    done = run_cli("plugins", "--json")
    rows = json.loads(done.stdout)
    core = next(r for r in rows if r["distribution"] == "mesaides-core")
    assert "date_naissance" in core["parameters"]
