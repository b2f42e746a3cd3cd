"""``mesaides test``: expert YAML cases with a readable report and explanations of differences."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from mesaides.core.api import Engine
from mesaides.core.simulation import ComputationError
from mesaides.core.situation import SituationError
from mesaides.core.testing.yaml_cases import CaseError, build_situation, iter_case_files, load_cases, run_case


def run_files(
    engine: Engine, paths: Iterable[Path], *, aides: set[str], explain: bool, echo: Callable[[str], None]
) -> int:
    """Run every case under ``paths``; print one line per output, explanations for failures."""
    passed = failed = 0
    for root in paths:
        for file in iter_case_files(root):
            try:
                cases = load_cases(file)
            except CaseError as exc:
                echo(f"ERROR {exc}")
                failed += 1
                continue
            for case in cases:
                if aides:
                    case = {**case, "output": {k: v for k, v in case["output"].items() if k in aides}}
                    if not case["output"]:
                        continue
                try:
                    result = run_case(case, engine, file=str(file))
                except (SituationError, CaseError, ComputationError, KeyError) as exc:
                    # A formula's error (an undeclared read, an unknown legislation path) fails
                    # this case, with its message; the other cases still run.
                    echo(f"ERROR {file}: {case.get('name', '?')}: {exc}")
                    failed += 1
                    continue
                mark = "ok  " if result.ok else "FAIL"
                echo(f"{mark} {file.name}: {result.name}")
                for check in result.checks:
                    sign = "  " if check.ok else "✗ "
                    echo(
                        f"     {sign}{check.name} [{check.entity_id}, {check.period}]: expected {check.expected}, got {check.got}"
                    )
                    if not check.ok and explain:
                        situation = build_situation(case, engine)
                        explanation = engine.explain(situation, check.name, check.period, check.entity_id)
                        for line in explanation.lines(max_depth=3):
                            echo(f"         {line}")
                passed += result.ok
                failed += not result.ok
    echo(f"{passed} passed, {failed} failed")
    return failed
