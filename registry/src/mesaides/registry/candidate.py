"""A partner's candidate release (a wheel) checked against the registry's rules before it is
released, as ``mesaides registry check`` checks an installed distribution: what a partner's CI
sends to the partner API.

The wheel is unpacked into a temporary folder put first on a child process's path, so that the
child loads the deployment's distributions with the candidate in place of the installed version
of its distribution (the server's own process never imports the candidate). The child runs
:func:`mesaides.registry.checks.check_distributions` with the operator's catalogue and the expert
cases sent along, and prints the report as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.parser
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from mesaides.registry.checks import Catalogue, Finding, HasFindings

CHECK_TIMEOUT = 300.0
"""Seconds a candidate's check may take (loading every distribution and running its cases)."""
CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.ya?ml$")
ENTRY_POINT_GROUP = "mesaides"


class CandidateError(ValueError):
    """The upload is not a candidate that can be checked: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class CandidateReport(HasFindings):
    distribution: str
    version: str
    partner: str | None
    """The partner the candidate registers (``mesaides_register_partner``), if it loads."""
    findings: list[Finding] = field(default_factory=list)


def check_wheel(
    wheel: bytes,
    filename: str,
    catalogue: Catalogue,
    *,
    today: dt.date,
    cases: Mapping[str, bytes] | None = None,
    run_tests: bool = True,
    timeout: float = CHECK_TIMEOUT,
) -> CandidateReport:
    """Check the wheel ``filename`` (its bytes ``wheel``) with the expert ``cases`` (file name ->
    YAML) against ``catalogue``. Raises :class:`CandidateError` when the upload is no wheel."""
    name, version = _wheel_name(filename)
    with tempfile.TemporaryDirectory(prefix="mesaides-candidate-") as folder:
        root = Path(folder)
        site = root / "site"
        _unpack(wheel, site, name)
        case_dir = root / "cases"
        case_dir.mkdir()
        for case_name, content in (cases or {}).items():
            if not CASE_NAME.match(case_name):
                raise CandidateError(
                    "cases", f"{case_name!r}: an expert case file is named like cas_1.yaml (letters, digits, _.-)"
                )
            (case_dir / (Path(case_name).stem + ".yaml")).write_bytes(content)
        catalogue_file = root / "catalogue.json"
        catalogue_file.write_text(json.dumps(catalogue.to_json()), encoding="utf-8")
        result_file = root / "result.json"
        command = [
            sys.executable,
            "-m",
            "mesaides.registry.candidate",
            "--distribution",
            name,
            "--catalogue",
            str(catalogue_file),
            "--today",
            today.isoformat(),
            "--out",
            str(result_file),
        ]
        if cases:
            command += ["--cases", str(case_dir)]
        if not run_tests:
            command.append("--no-tests")
        path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
        try:
            done = subprocess.run(
                command,
                cwd=root,
                env={**os.environ, "PYTHONPATH": path},
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            message = f"the check did not finish within {timeout:.0f} s"
            return CandidateReport(name, version, None, [Finding("error", "load", name, name, message)])
        if done.returncode != 0 or not result_file.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            message = "the candidate could not be loaded: " + (" / ".join(tail) or f"exit status {done.returncode}")
            return CandidateReport(name, version, None, [Finding("error", "load", name, name, message)])
        result = json.loads(result_file.read_text(encoding="utf-8"))
    findings = [Finding(**f) for f in result["findings"]]
    return CandidateReport(name, result.get("version") or version, result.get("partner"), findings)


def _wheel_name(filename: str) -> tuple[str, str]:
    try:
        name, version, _build, _tags = parse_wheel_filename(PurePosixPath(filename or "").name)
    except InvalidWheelFilename as exc:
        raise CandidateError("wheel", f"{filename!r} is not a wheel's file name ({exc})") from None
    return str(name), str(version)


def _unpack(wheel: bytes, site: Path, name: str) -> None:
    """Unpack a wheel (a zip) as pip installs a pure-Python one: every member under ``site``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(wheel))
    except zipfile.BadZipFile:
        raise CandidateError("wheel", "the file is not a wheel (not a zip archive)") from None
    with archive:
        members = archive.namelist()
        for member in members:
            path = PurePosixPath(member)
            if path.is_absolute() or ".." in path.parts or "\\" in member:
                raise CandidateError("wheel", f"the wheel holds a file outside its folder: {member!r}")
        metadata = [m for m in members if re.fullmatch(r"[^/]+\.dist-info/METADATA", m)]
        if len(metadata) != 1:
            raise CandidateError("wheel", "the wheel has no .dist-info/METADATA: build it with `python -m build`")
        declared = email.parser.HeaderParser().parsestr(archive.read(metadata[0]).decode("utf-8", "replace"))
        if canonicalize_name(declared.get("Name", "")) != canonicalize_name(name):
            raise CandidateError(
                "wheel", f"the file name says {name} but the wheel's metadata says {declared.get('Name')!r}"
            )
        entry_points = metadata[0].replace("METADATA", "entry_points.txt")
        text = archive.read(entry_points).decode("utf-8", "replace") if entry_points in members else ""
        if f"[{ENTRY_POINT_GROUP}]" not in text:
            raise CandidateError(
                "wheel",
                f"{name} registers nothing in the entry-point group '{ENTRY_POINT_GROUP}': not a mesaides plugin",
            )
        archive.extractall(site)


# ---- the child process --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mesaides.registry.candidate")
    parser.add_argument("--distribution", required=True)
    parser.add_argument("--catalogue", required=True, type=Path)
    parser.add_argument("--today", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--cases", type=Path)
    parser.add_argument("--no-tests", action="store_true")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)

    from mesaides.core import load_rules
    from mesaides.registry.checks import check_distributions

    rules = load_rules()
    catalogue = Catalogue.from_json(json.loads(args.catalogue.read_text(encoding="utf-8")))
    name = args.distribution
    installed = {canonicalize_name(r.distribution): r.distribution for r in rules.plugins.values()}
    name = installed.get(canonicalize_name(name), name)
    report = check_distributions(
        rules,
        catalogue,
        today=args.today,
        distributions=[name],
        case_dirs={name: [args.cases]} if args.cases else None,
        run_tests=not args.no_tests,
    )
    partner = rules.partners.get(name)
    version = next((r.version for r in rules.plugins.values() if r.distribution == name), None)
    out: dict[str, Any] = {
        "distribution": name,
        "version": version,
        "partner": partner.id if partner is not None else None,
        "findings": [f.__dict__ for f in report.findings],
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
