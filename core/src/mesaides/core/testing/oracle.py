"""Compare mesaides with reference cases computed by OpenFisca (a JSON-lines file, gzipped).

Each line: ``{"id", "period", "situation", "expected", "expected_periods"}``; ``expected`` maps
each output to ``{entity id: value}``. The cases are merged into one batch (ids prefixed with the
case id), computed in one call, and compared output by output::

    python -m mesaides.core.testing.oracle cases.jsonl.gz --aides rsa,ppa --show 5
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mesaides.core.api import Engine
from mesaides.core.entities import ENTITIES_BY_PLURAL
from mesaides.core.ruleset import RuleSet
from mesaides.core.simulation import ComputationError


@dataclass
class Mismatch:
    case: str
    output: str
    entity_id: str
    expected: Any
    got: Any


@dataclass
class Agreement:
    """Per output: how many households agree within the tolerance."""

    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    agree: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    mismatches: list[Mismatch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def rate(self, output: str) -> float:
        return self.agree[output] / self.total[output] if self.total[output] else 0.0

    def report(self) -> str:
        lines = [f"{'output':<36} {'agree':>7} {'total':>6} {'rate':>8}"]
        for output in sorted(self.total):
            lines.append(f"{output:<36} {self.agree[output]:>7} {self.total[output]:>6} {self.rate(output):>8.1%}")
        return "\n".join(lines)

    def detail(self, output: str) -> str:
        """The report, then every disagreement on ``output`` (for a failing test's message)."""
        return self.report() + "".join(
            f"\n  {m.case} {m.entity_id}: expected {m.expected}, got {m.got}"
            for m in self.mismatches
            if m.output == output
        )


def read_cases(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


Expected = tuple[str, str, str, str, str, Any]
"""One value a case expects: (case id, output, entity plural, id in the merged situation,
period, value)."""


def merge(
    cases: Iterable[dict[str, Any]], outputs: set[str] | None, rules: RuleSet, *, known_only: bool = False
) -> tuple[dict[str, dict[str, Any]], list[Expected]]:
    """One situation for all cases, with ``null`` for each expected output; and what to compare.

    ``known_only`` drops inputs the rule set does not declare: a territorial partner tested
    beside the core alone reads none of the CAF's Parameters the cases also carry.
    """
    batch: dict[str, dict[str, Any]] = {plural: {} for plural in ENTITIES_BY_PLURAL}
    checks: list[Expected] = []
    for case in cases:
        prefix = f"{case['id']}:"
        situation = case["situation"]
        for plural, table in situation.items():
            entity = ENTITIES_BY_PLURAL[plural]
            role_keys = {r.key for r in entity.roles}
            for ident, obj in table.items():
                row = {}
                for key, value in obj.items():
                    if key in role_keys:
                        row[key] = [prefix + m for m in (value if isinstance(value, list) else [value])]
                    elif not known_only or key in rules:
                        row[key] = value
                batch[plural][prefix + ident] = row
        for output, per_entity in case["expected"].items():
            if outputs is not None and output not in outputs:
                continue
            if output not in rules or output in rules.unavailable:
                continue
            d = rules.variable(output)
            period = case.get("expected_periods", {}).get(output, case["period"])
            for ident, value in per_entity.items():
                batch[d.entity.plural][prefix + ident].setdefault(output, {})[period] = None
                checks.append((case["id"], output, d.entity.plural, prefix + ident, period, value))
    return {k: v for k, v in batch.items() if v}, checks


def compare(
    cases: list[dict[str, Any]],
    engine: Engine,
    outputs: set[str] | None = None,
    tolerance: float = 1.0,
    *,
    known_only: bool = False,
) -> Agreement:
    """Run ``cases`` in one batch and count, per output, the households that agree."""
    situation, checks = merge(cases, outputs, engine.rules, known_only=known_only)
    agreement = Agreement()
    try:
        result = engine.calculate(situation)
    except ComputationError:
        # One case the rules cannot compute (a period before their legislation history, say)
        # fails the whole batch: compute case by case to count it against that case only.
        result = {}
        for case in cases:
            one, _ = merge([case], outputs, engine.rules, known_only=known_only)
            try:
                computed = engine.calculate(one)
            except ComputationError as exc:
                agreement.errors.append(f"{case['id']}: {exc}")
                continue
            for plural, table in computed.items():
                result.setdefault(plural, {}).update(table)
    for case_id, output, plural, ident, period, expected in checks:
        agreement.total[output] += 1
        row = result.get(plural, {}).get(ident)
        if row is None:
            agreement.mismatches.append(Mismatch(case_id, output, ident.split(":", 1)[1], expected, "error"))
            continue
        got = row[output][period]
        ok = (bool(got) == bool(expected)) if isinstance(expected, bool) else abs(got - expected) <= tolerance
        if ok:
            agreement.agree[output] += 1
        else:
            agreement.mismatches.append(Mismatch(case_id, output, ident.split(":", 1)[1], expected, got))
    return agreement


def check_agreement(path: Path, output: str, *, total: int, rate: float = 0.99, tolerance: float = 1.0) -> Agreement:
    """Assert that ``output`` is available and agrees, within ``tolerance``, on at least
    ``rate`` of the ``total`` values of the reference cases in ``path`` (a partner's test)."""
    engine = Engine()
    assert output not in engine.rules.unavailable, engine.rules.unavailable.get(output)
    agreement = compare(read_cases(path), engine, {output}, tolerance=tolerance)
    assert agreement.total[output] == total, agreement.report()
    assert agreement.rate(output) >= rate, agreement.detail(output)
    return agreement


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--aides", help="comma-separated outputs to compare (default: every known one)")
    parser.add_argument("--since", help="only cases whose period starts with or after this (e.g. 2024)")
    parser.add_argument("--show", type=int, default=10, help="how many mismatches to list per output")
    parser.add_argument("--tolerance", type=float, default=1.0)
    args = parser.parse_args(argv)
    engine = Engine()
    cases = read_cases(args.file)
    if args.since:
        cases = [c for c in cases if c["period"] >= args.since]
    outputs = set(args.aides.split(",")) if args.aides else None
    known = {o for c in cases for o in c["expected"]}
    missing = sorted(
        o
        for o in known
        if (o not in engine.rules or o in engine.rules.unavailable) and (outputs is None or o in outputs)
    )
    agreement = compare(cases, engine, outputs, args.tolerance)
    print(agreement.report())
    if agreement.errors:
        print(f"{len(agreement.errors)} cases could not be computed, e.g. {agreement.errors[0]}")
    if missing:
        print(f"not implemented: {', '.join(missing)}")
    shown: dict[str, int] = defaultdict(int)
    for m in agreement.mismatches:
        if shown[m.output] < args.show:
            shown[m.output] += 1
            print(f"  {m.output:<20} {m.case:<28} {m.entity_id:<12} expected {m.expected!s:>10} got {m.got!s:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
