"""`mesaides partner new` gives a distribution that installs, loads and passes its own tests
(convention G1: a new partner in a day)."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest


def run(*args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def venv(tmp_path) -> Path:
    """A fresh virtual environment that also sees this one's packages (through a .pth file)."""
    path = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(path))
    python = path / "bin" / "python"
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    ours = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).exists()]
    # addsitedir also runs the .pth files there, which is how editable installs are found.
    lines = [f"import site; site.addsitedir({p!r})" for p in ours]
    (Path(purelib) / "parent_env.pth").write_text("\n".join(lines) + "\n")
    return python


def test_new_partner_installs_loads_and_passes_its_tests(tmp_path, venv):
    target = tmp_path / "partner_montreuil"
    run(
        sys.executable,
        "-m",
        "mesaides.core.cli_main",
        "partner",
        "new",
        str(target),
        "--id",
        "montreuil",
        "--name",
        "Ville de Montreuil",
        "--departement",
        "93",
        "--commune",
        "93048",
    )
    assert (target / "src/mesaides/partner_montreuil/plugin.py").exists()
    assert not (target / "src/mesaides/__init__.py").exists()  # a namespace package

    run(str(venv), "-m", "pip", "install", "-q", "--no-deps", "-e", str(target))
    rows = json.loads(run(str(venv), "-m", "mesaides.core.cli_main", "plugins", "--json"))
    row = next(r for r in rows if r["distribution"] == "mesaides-partner-montreuil")
    assert row["aides"] == ["montreuil_aide_exemple"] and not row["problems"]

    out = run(str(venv), "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=target)
    assert "3 passed" in out
    report = run(str(venv), "-m", "mesaides.core.cli_main", "test", str(target / "tests/yaml"))
    assert report.strip().endswith("2 passed, 0 failed")

    # The registry records it (a temporary SQLite database): its partner, distribution and aide.
    registry = [
        str(venv),
        "-m",
        "mesaides.core.cli_main",
        "registry",
        "--database",
        f"sqlite:///{tmp_path / 'registry.sqlite3'}",
    ]
    run(*registry, "account", "create", "operateur@mesaides.test", "--role", "administrator")
    synced = json.loads(run(*registry, "sync", "--no-measure", "--json", "--as", "operateur@mesaides.test"))
    assert "montreuil_aide_exemple" in synced["added"]
    assert any(d.startswith("mesaides-partner-montreuil 0.1.0") for d in synced["distributions"])
    status = json.loads(run(*registry, "status", "montreuil_aide_exemple", "--json"))
    assert status["partner"] == "montreuil" and status["distribution"] == "mesaides-partner-montreuil"
    assert status["status"] == "development" and status["version"] == "0.1.0"
    # Its placeholder logo is what the registry's checks flag until the partner replaces it (A4).
    done = subprocess.run(
        [*registry, "check", "-d", "mesaides-partner-montreuil"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "[A4] montreuil_aide_exemple" in done.stderr, done.stdout + done.stderr


def test_partner_new_refuses_bad_ids_and_existing_folders(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mesaides.core.cli_main",
            "partner",
            "new",
            str(tmp_path / "x"),
            "--id",
            "Montreuil!",
            "--name",
            "x",
            "--departement",
            "93",
            "--commune",
            "93048",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "id 'Montreuil!'" in done.stderr and "Traceback" not in done.stderr
