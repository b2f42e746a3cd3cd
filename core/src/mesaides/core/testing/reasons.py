"""The reasons an explanation gives hold: every condition an aide names (``c.check``) is
necessary, and every nil amount has one.

Over a population (reference households, generated ones), computed at once with a trace:

- **necessary**: no household that gets the aide fails one of its conditions, so that the
  condition a results page gives as the reason of a nil aide is never a condition others meet
  without it;
- **complete**: every household whose aide is nil fails at least one of its conditions, so that
  a nil amount always says why.

The conditions are found exactly as an explanation finds them (:func:`condition_order`, the
same depth), and a condition on persons holds for a group's aide when a member meets it (as
:meth:`Explanation.conditions` says). A partner's test, over its reference households and 5,000 generated ones::

    from mesaides.core.testing.reasons import assert_reasons_hold

    def test_every_condition_is_necessary_and_every_nil_amount_has_one():
        assert_reasons_hold(Path(__file__).parent / "oracle" / "cases.jsonl.gz", ("mon_aide",))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mesaides.core.api import Engine
from mesaides.core.checks import as_check
from mesaides.core.entities import INDIVIDU
from mesaides.core.explain import REASON_DEPTH, condition_order, defined_for_chain, is_condition
from mesaides.core.periods import MONTH, YEAR, Period
from mesaides.core.population import Population
from mesaides.core.testing.households import generate
from mesaides.core.testing.oracle import merge, read_cases

SHOWN = 5
"""Households named per problem."""


@dataclass
class ReasonProblem:
    aide: str
    problem: str
    """``not necessary`` (households that get the aide fail the condition) or ``no reason``
    (households whose aide is nil meet every condition)."""
    label: str
    count: int
    examples: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        what = f"condition {self.label!r}" if self.label else "no condition fails"
        return f"{self.aide}: {self.problem}: {what} for {self.count} households, e.g. {', '.join(self.examples)}"


@dataclass
class ReasonCoverage:
    """What a run looked at, to show that a test checks something."""

    conditions: dict[str, set[str]] = field(default_factory=dict)
    """Per aide, the conditions found."""
    granted: dict[str, int] = field(default_factory=dict)
    nil: dict[str, int] = field(default_factory=dict)
    shown: dict[tuple[str, str], int] = field(default_factory=dict)
    """Per (aide, condition), the households for which it is the first one failed: the reason a
    results page shows them."""


def check_reasons(
    engine: Engine,
    population: Population,
    period: Period | str,
    *,
    aides: Iterable[str] | None = None,
    depth: int | None = REASON_DEPTH,
    coverage: ReasonCoverage | None = None,
) -> list[ReasonProblem]:
    """The conditions of ``aides`` (every available aide by default) that are not necessary, and
    the nil amounts without a condition failed, over ``population`` for ``period`` (a yearly aide
    for its year; a monthly aide only for a month)."""
    period = Period.parse(period) if isinstance(period, str) else period
    rules = engine.rules
    simulation = engine.simulation(population, trace=True)
    names = [a for a in (aides if aides is not None else rules.aides) if a not in rules.unavailable]
    coverage = coverage if coverage is not None else ReasonCoverage()
    problems: list[ReasonProblem] = []
    trace = simulation.trace
    if trace is None:  # never: the simulation above traces
        raise ValueError("check_reasons needs a simulation with trace=True")

    def reads_of(key: tuple[str, Period]) -> list[tuple[str, Period]]:
        node = trace.get(key)
        return list(dict.fromkeys(node.reads)) if node is not None else []

    def holds_conditions(key: tuple[str, Period]) -> bool:
        return getattr(rules.variable(key[0]), "kind", "") == "quantity"

    for aide in names:
        d = rules.variable(aide)
        if d.period is MONTH and period.unit is not MONTH:
            continue  # a case dated by its year: its monthly aides are not known
        p = period.this_year if d.period is YEAR and period.unit is not YEAR else period
        values = simulation.calculate(aide, p)
        granted = values.astype(bool) if values.dtype == bool else np.asarray(values, dtype=float) > 0
        ids = population.ids(d.entity.key)
        root = (aide, p)
        failed_before = np.zeros(len(ids), dtype=bool)
        found = coverage.conditions.setdefault(aide, set())
        seen: set[str] = set()
        chain = defined_for_chain(rules, aide)
        for key in condition_order(root, reads_of, holds_conditions, depth):
            node = trace.get(key)
            if node is None:
                continue
            node_entity = rules.variable(key[0]).entity.key
            for entry in node.checks:
                check = as_check(entry)
                if not is_condition(check.kind, key[0], chain) or check.label in seen:
                    continue
                seen.add(check.label)
                found.add(check.label)
                holds = _on_aide_entity(population, check.condition, node_entity, d.entity.key)
                wrong = granted & ~holds
                if wrong.any():
                    problems.append(_problem(aide, "not necessary", check.label, wrong, ids))
                first = ~holds & ~failed_before & ~granted
                if first.any():
                    coverage.shown[(aide, check.label)] = coverage.shown.get((aide, check.label), 0) + int(first.sum())
                failed_before |= ~holds
        unexplained = ~granted & ~failed_before
        if unexplained.any():
            problems.append(_problem(aide, "no reason", "", unexplained, ids))
        coverage.granted[aide] = coverage.granted.get(aide, 0) + int(granted.sum())
        coverage.nil[aide] = coverage.nil.get(aide, 0) + int((~granted).sum())
    return problems


def check_cases_and_generated(
    engine: Engine,
    cases: Path | None,
    aides: Iterable[str],
    *,
    generated: int = 5000,
    period: str = "2026-11",
    seed: int = 0,
    since: str = "",
    coverage: ReasonCoverage | None = None,
) -> list[ReasonProblem]:
    """:func:`check_reasons` over reference cases (an oracle file, one population per period;
    the cases dated ``since`` or later) and over ``generated`` households of
    :mod:`mesaides.core.testing.households` for ``period``."""
    aides = [a for a in aides if a in engine.rules]
    problems: list[ReasonProblem] = []
    if cases is not None:
        by_period: dict[str, list[dict[str, Any]]] = {}
        for case in read_cases(cases):
            if case["period"] < since:
                continue
            by_period.setdefault(case["period"], []).append(case)
        for when, group in sorted(by_period.items()):
            situation, _ = merge(group, None, engine.rules, known_only=True)
            population = engine.population(situation)
            problems += check_reasons(engine, population, when, aides=aides, coverage=coverage)
    if generated:
        population = generate(generated, period, rules=engine.rules, seed=seed)
        problems += check_reasons(engine, population, period, aides=aides, coverage=coverage)
    return problems


def _on_aide_entity(population: Population, condition: np.ndarray, node_entity: str, aide_entity: str) -> np.ndarray:
    """Where a condition recorded on ``node_entity`` holds, for each row of ``aide_entity``."""
    condition = np.asarray(condition, dtype=bool)
    if node_entity == aide_entity:
        return condition
    groups = population.groups
    if node_entity == INDIVIDU.key:
        s = groups[aide_entity]
        any_member: np.ndarray = np.bincount(s.person_group, weights=condition, minlength=s.count) > 0
        return any_member
    per_person: np.ndarray = condition[groups[node_entity].person_group]
    if aide_entity == INDIVIDU.key:
        return per_person
    s = groups[aide_entity]
    every_member: np.ndarray = np.bincount(s.person_group, weights=~per_person, minlength=s.count) == 0
    return every_member


def _problem(aide: str, problem: str, label: str, where: np.ndarray, ids: Sequence[str]) -> ReasonProblem:
    rows = np.flatnonzero(where)
    return ReasonProblem(aide, problem, label, len(rows), [str(ids[i]) for i in rows[:SHOWN]])


def assert_reasons_hold(
    cases: Path | Iterable[Path], aides: Iterable[str], *, generated: int = 5000, engine: Engine | None = None
) -> ReasonCoverage:
    """A partner's whole reasons test: over its reference cases and ``generated`` households,
    every condition an aide names is necessary and every nil amount fails one of them; each aide
    that is available is met both granted and nil, and every reason it shows is one of its
    conditions.

    Returns the coverage, for a partner that checks more (which reasons were shown)."""
    engine = engine or Engine()
    coverage = ReasonCoverage()
    aides = tuple(aides)
    files = [cases] if isinstance(cases, Path) else list(cases)
    problems: list[ReasonProblem] = []
    for i, file in enumerate(files):
        problems += check_cases_and_generated(
            engine, file, aides, generated=generated if i == 0 else 0, coverage=coverage
        )
    assert not problems, "\n".join(map(str, problems))
    for aide in aides:
        if aide in engine.rules.unavailable:
            continue  # needs a partner that is not installed beside this one
        assert coverage.granted[aide] > 0 and coverage.nil[aide] > 0, (
            f"{aide}: not checked on households that get it and households that do not"
        )
        shown = {label for (a, label) in coverage.shown if a == aide}
        assert shown, f"{aide}: no reason was ever shown"
        assert shown <= coverage.conditions[aide], (
            f"{aide}: reasons shown that are not its conditions: {shown - coverage.conditions[aide]}"
        )
    return coverage
