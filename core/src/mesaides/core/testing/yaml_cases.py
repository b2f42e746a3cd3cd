"""Expert test cases in OpenFisca's YAML test format (convention A5, O6).

A file holds one case or a list of cases::

    - name: Couple sans enfant, sans ressources
      period: 2026-11
      absolute_error_margin: 1
      input:
        individus: {...}          # a full situation, or the short form below
        familles: {...}
      output:
        rsa: 1173.04              # every group of the entity, or a list in order, or {period: value}

Short form, as in OpenFisca: without ``individus``, the input describes one person alone in
each group; its variables are given by name with a value (for the test period) or ``{period: value}``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mesaides.core.api import Engine
from mesaides.core.definitions import Definition
from mesaides.core.entities import ENTITIES_BY_PLURAL, GROUP_ENTITIES, INDIVIDU
from mesaides.core.periods import ETERNITY, MONTH, YEAR, Period
from mesaides.core.yamlio import load_yaml


class CaseError(ValueError):
    """A YAML test case that is not well formed."""


@dataclass
class Check:
    name: str
    period: str
    entity_id: str
    expected: Any
    got: Any
    margin: float

    @property
    def ok(self) -> bool:
        if isinstance(self.expected, bool) or isinstance(self.got, bool):
            return bool(self.expected) == bool(self.got)
        if isinstance(self.expected, (int, float)) and isinstance(self.got, (int, float)):
            return math.isclose(self.expected, self.got, abs_tol=self.margin + 1e-9)
        return bool(self.expected == self.got)


@dataclass
class CaseResult:
    name: str
    file: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def load_cases(path: Path) -> list[dict[str, Any]]:
    data = load_yaml(Path(path).read_text(encoding="utf-8"))
    cases = data if isinstance(data, list) else [data]
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or "output" not in case or "period" not in case:
            raise CaseError(f"{path}: case {i + 1} needs at least 'period' and 'output'")
    return cases


def _period_key(value: Any) -> str:
    return str(value)


def build_situation(case: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """The OpenFisca situation of a case, with a null for every expected output."""
    period = _period_key(case["period"])
    given = dict(case.get("input") or {})
    if "individus" in given:
        situation = {k: _expand_entity_table(v, period, engine) for k, v in given.items()}
    else:
        situation = _short_form(given, period, engine)
    for name, expected in case["output"].items():
        d = engine.rules.variable(name)
        for ident, key in _targets(situation, d, expected, period):
            situation[d.entity.plural][ident].setdefault(name, {})[key] = None
    return situation


def _plain(value: Any) -> Any:
    # YAML reads 2006-05-01 as a date; situations carry dates as ISO strings.
    return value.isoformat() if isinstance(value, dt.date) else value


def _expand(values: Any, period: str, d: Definition) -> dict[str, Any]:
    if isinstance(values, dict):
        return {_period_key(k): _plain(v) for k, v in values.items()}
    values = _plain(values)
    key = "ETERNITY" if d.period is ETERNITY else period
    if d.period is YEAR and "-" in key:
        key = key[:4]
    return {key: values}


def _expand_entity_table(table: dict[str, Any], period: str, engine: Engine) -> dict[str, Any]:
    out = {}
    for ident, obj in table.items():
        row = {}
        for name, values in (obj or {}).items():
            if name in engine.rules:
                row[name] = _expand(values, period, engine.rules.variable(name))
            else:
                row[name] = values
        out[ident] = row
    return out


def _short_form(given: dict[str, Any], period: str, engine: Engine) -> dict[str, Any]:
    situation: dict[str, Any] = {"individus": {"individu": {}}}
    for e in GROUP_ENTITIES:
        situation[e.plural] = {e.key: {e.roles[0].key: ["individu"]}}
    for name, values in given.items():
        if name not in engine.rules:
            raise CaseError(f"input: unknown variable {name}")
        d = engine.rules.variable(name)
        target = "individu" if d.entity.key == INDIVIDU.key else d.entity.key
        situation[d.entity.plural][target][name] = _expand(values, period, d)
    return situation


def _targets(situation: dict[str, Any], d: Definition, expected: Any, period: str) -> list[tuple[str, str]]:
    ids = list(situation[d.entity.plural])
    if isinstance(expected, dict):
        return [(i, _period_key(k)) for i in ids for k in expected]
    return [(i, next(iter(_expand(0, period, d)))) for i in ids]


def _expected_values(d: Definition, expected: Any, ids: list[str], period: str) -> list[tuple[str, str, Any]]:
    if isinstance(expected, dict):
        out: list[tuple[str, str, Any]] = []
        for key, value in expected.items():
            values = value if isinstance(value, list) else [value] * len(ids)
            out += [(i, _period_key(key), v) for i, v in zip(ids, values)]
        return out
    key = next(iter(_expand(0, period, d)))
    values = expected if isinstance(expected, list) else [expected] * len(ids)
    if len(values) != len(ids):
        raise CaseError(f"output {d.name}: {len(values)} values for {len(ids)} {d.entity.plural}")
    return [(i, key, v) for i, v in zip(ids, values)]


def run_case(case: dict[str, Any], engine: Engine, file: str = "") -> CaseResult:
    situation = build_situation(case, engine)
    computed = engine.calculate(situation)
    margin = float(case.get("absolute_error_margin", 0.01))
    result = CaseResult(name=str(case.get("name", "?")), file=file)
    period = _period_key(case["period"])
    for name, expected in case["output"].items():
        d = engine.rules.variable(name)
        ids = list(situation[d.entity.plural])
        for ident, key, value in _expected_values(d, expected, ids, period):
            got = computed[d.entity.plural][ident][name][key]
            result.checks.append(Check(name, key, ident, value, got, margin))
    return result


def iter_case_files(root: Path) -> Iterator[Path]:
    root = Path(root)
    yield from sorted(root.rglob("*.yaml")) if root.is_dir() else [root]


__all__ = [
    "ENTITIES_BY_PLURAL",
    "MONTH",
    "CaseError",
    "CaseResult",
    "Check",
    "Period",
    "build_situation",
    "iter_case_files",
    "load_cases",
    "run_case",
]
