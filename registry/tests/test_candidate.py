"""A partner's candidate release (a real wheel built from a partner's folder with hatchling) is
checked as ``mesaides registry check`` checks an installed distribution, in a child process
where the candidate replaces the installed version; an upload that is no wheel is refused,
naming what is wrong."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import importlib_metadata
import pytest

from mesaides.registry.candidate import CandidateError, check_wheel
from mesaides.registry.checks import Catalogue

LYON = Path(__file__).resolve().parents[2] / "plugins" / "partner_lyon"
TODAY = dt.date(2026, 12, 5)


def build_wheel(project: Path, folder: Path) -> Path:
    """Build ``project``'s wheel with its build backend (hatchling), as a partner's CI does."""
    pytest.importorskip("hatchling")
    out = folder / "dist"
    done = subprocess.run(
        [sys.executable, "-c", f"from hatchling.build import build_wheel; print(build_wheel({str(out)!r}))"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def lyon_candidate(tmp_path_factory):
    """The Métropole de Lyon's distribution as a new version 1.2.0, with its expert cases (its
    aides read the CAF's: the check needs the CAF's distribution installed beside)."""
    try:
        importlib_metadata.distribution("mesaides-partner-caf")
    except importlib_metadata.PackageNotFoundError:
        pytest.skip("the Métropole de Lyon's aides read the CAF's: mesaides-partner-caf is not installed")
    project = tmp_path_factory.mktemp("candidate") / "partner_lyon"
    shutil.copytree(LYON, project, ignore=shutil.ignore_patterns("oracle", "__pycache__"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.1.0"', 'version = "1.2.0"'))
    wheel = build_wheel(project, project)
    cases = {p.name: p.read_bytes() for p in sorted((project / "tests" / "yaml").glob("*.yaml"))}
    return wheel, cases


def test_a_candidate_wheel_is_checked_in_place_of_the_installed_version(lyon_candidate):
    wheel, cases = lyon_candidate
    report = check_wheel(wheel.read_bytes(), wheel.name, Catalogue(), today=TODAY, cases=cases)
    assert (report.distribution, report.version, report.partner) == ("mesaides-partner-lyon", "1.2.0", "metropole_lyon")
    assert report.ok, report.findings

    # Without its expert cases, each aide has fewer than the 2 A5 asks for.
    bare = check_wheel(wheel.read_bytes(), wheel.name, Catalogue(), today=TODAY, run_tests=False)
    assert not bare.ok
    assert {(f.rule, f.subject) for f in bare.errors} == {
        ("A5", "lyon_covoiturage"),
        ("A5", "revenu_solidaire_jeune"),
    }


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("notes.txt", b"", "is not a wheel's file name"),
        ("demo-1.0-py3-none-any.whl", b"not a zip", "not a zip archive"),
        ("demo-1.0-py3-none-any.whl", _zip({"demo/__init__.py": ""}), "no .dist-info/METADATA"),
        (
            "demo-1.0-py3-none-any.whl",
            _zip({"demo-1.0.dist-info/METADATA": "Name: other\nVersion: 1.0\n"}),
            "the wheel's metadata says 'other'",
        ),
        (
            "demo-1.0-py3-none-any.whl",
            _zip({"demo-1.0.dist-info/METADATA": "Name: demo\nVersion: 1.0\n"}),
            "registers nothing in the entry-point group 'mesaides'",
        ),
        (
            "demo-1.0-py3-none-any.whl",
            _zip({"../evil.py": "", "demo-1.0.dist-info/METADATA": "Name: demo\n"}),
            "a file outside its folder: '../evil.py'",
        ),
    ],
)
def test_an_upload_that_is_no_mesaides_wheel_is_refused_naming_why(filename, content, message):
    with pytest.raises(CandidateError, match=message.replace("(", r"\(").replace(".", r"\.")) as refused:
        check_wheel(content, filename, Catalogue(), today=TODAY)
    assert refused.value.field == "wheel"


def test_an_expert_case_file_name_is_checked(lyon_candidate):
    wheel, _ = lyon_candidate
    with pytest.raises(CandidateError, match="an expert case file is named like") as refused:
        check_wheel(wheel.read_bytes(), wheel.name, Catalogue(), today=TODAY, cases={"../x.yaml": b""})
    assert refused.value.field == "cases"
