"""A5: expert test cases, in OpenFisca's YAML test format (``tests/yaml/*.yaml`` of a partner's
package, or cases registered with the registry). An aide needs at least two, and they must pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import importlib_metadata
import yaml

from mesaides.core import Engine

MINIMUM_CASES = 2


@dataclass(frozen=True)
class ExpertCase:
    name: str
    source: str
    """The YAML file, or ``registry #<id>`` for a case registered with the registry."""
    case: dict[str, Any]
    owner: str | None = None
    """For a case registered with the registry: the distribution of the aide it was registered
    for, whose partner's expert wrote it. None for a distribution's own ``tests/yaml`` (its
    owner is the distribution checked)."""

    @property
    def aides(self) -> set[str]:
        return set((self.case.get("output") or {}).keys())


@dataclass(frozen=True)
class CaseOutcome:
    case: ExpertCase
    ok: bool
    message: str = ""
    failures: dict[str, str] = field(default_factory=dict)
    """Each output whose expected value does not hold, with what was expected and computed
    (empty when the case could not run at all: ``message`` says why)."""


def parse_cases(text: str, source: str) -> list[ExpertCase]:
    """The cases of one YAML document (one case or a list of cases)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML: {exc}") from None
    cases = data if isinstance(data, list) else [data]
    out = []
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or "output" not in case or "period" not in case:
            raise ValueError(f"{source}: case {i + 1} needs at least 'period' and 'output'")
        out.append(ExpertCase(str(case.get("name") or f"case {i + 1}"), source, case))
    return out


def cases_in(directory: Path) -> tuple[list[ExpertCase], list[str]]:
    """Every case of the YAML files under ``directory``, and the files that cannot be read."""
    cases, problems = [], []
    for file in sorted(Path(directory).rglob("*.yaml")):
        try:
            cases.extend(parse_cases(file.read_text(encoding="utf-8"), str(file)))
        except (OSError, ValueError) as exc:
            problems.append(str(exc))
    return cases, problems


def distribution_case_dirs(distribution: str) -> list[Path]:
    """Where an installed distribution's expert cases are: ``tests/yaml`` of its project when it
    is installed from a directory (editable or not), or YAML files it ships under ``tests/yaml``."""
    try:
        dist = importlib_metadata.distribution(distribution)
    except importlib_metadata.PackageNotFoundError:
        return []
    found: list[Path] = []
    text = dist.read_text("direct_url.json")
    if text:
        url = json.loads(text).get("url", "")
        parsed = urlparse(url)
        if parsed.scheme == "file":
            candidate = Path(unquote(parsed.path)) / "tests" / "yaml"
            if candidate.is_dir():
                found.append(candidate)
    for file in dist.files or ():
        if "tests/yaml/" in str(file).replace("\\", "/") and str(file).endswith(".yaml"):
            folder = Path(str(dist.locate_file(file))).parent
            if folder not in found:
                found.append(folder)
    return found


def run_cases(cases: Iterable[ExpertCase], engine: Engine) -> list[CaseOutcome]:
    """Run each case with the core's YAML test runner."""
    from mesaides.core.testing.yaml_cases import run_case

    outcomes = []
    for case in cases:
        try:
            result = run_case(case.case, engine, file=case.source)
        except Exception as exc:  # a malformed case or a failing rule: report, do not stop
            outcomes.append(CaseOutcome(case, False, f"{type(exc).__name__}: {exc}"))
            continue
        failures: dict[str, list[str]] = {}
        for c in result.checks:
            if not c.ok:
                failures.setdefault(c.name, []).append(
                    f"{c.name} [{c.entity_id}, {c.period}]: expected {c.expected}, got {c.got}"
                )
        message = "; ".join(line for lines in failures.values() for line in lines)
        outcomes.append(CaseOutcome(case, not failures, message, {k: "; ".join(v) for k, v in failures.items()}))
    return outcomes
