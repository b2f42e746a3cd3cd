"""Fingerprints of rules, to tell what a new version of a distribution changed (A8).

A quantity's fingerprint covers its formula source, its declared reads and the legislation
values it reads (dates and values, not labels nor references). An aide's fingerprint covers the
aide and every intermediate of the same distribution it reads: a partner changing
``rsa_base_ressources`` changes ``rsa``. Other distributions' quantities are left out: their
changes are theirs, and reach this aide through the impact rules instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import marshal
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from mesaides.core import Parameter, Quantity, RuleSet


def digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_of(function: Callable[..., Any]) -> str:
    """The formula's source code, or a digest of its bytecode when the source is not available."""
    try:
        return textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        code = getattr(function, "__code__", None)
        return hashlib.sha256(marshal.dumps(code)).hexdigest() if code is not None else repr(function)


def law_values(rules: RuleSet, paths: tuple[str, ...]) -> dict[str, Any]:
    """The dated values of every legislation node a quantity declares (paths or prefixes)."""
    values: dict[str, Any] = {}
    for path in paths:
        for node in rules.legislation.under(path):
            values[node.path] = [entry.model_dump(mode="json", exclude={"reference"}) for entry in node.history]
    return values


def quantity_fingerprint(q: Quantity, rules: RuleSet) -> str:
    return digest(
        {
            "entity": q.entity.key,
            "period": q.period.value,
            "value_type": q.value_type,
            "enum_values": list(q.enum_values),
            "default": q.default,
            "reads": sorted(q.reads),
            "reads_past": sorted(q.reads_past),
            "law": sorted(q.law),
            "law_values": law_values(rules, q.law),
            "formulas": [
                {"from": str(f.valid_from), "to": str(f.valid_to), "source": source_of(f.function)} for f in q.formulas
            ],
        }
    )


def quantity_fingerprints(rules: RuleSet) -> dict[str, str]:
    return {name: quantity_fingerprint(q, rules) for name, q in rules.quantities.items()}


def aide_fingerprint(name: str, rules: RuleSet, quantities: Mapping[str, str]) -> str:
    """The aide's own fingerprint with those of its same-distribution intermediates."""
    owner = rules.quantities[name].owner
    own = sorted(
        n for n in (rules.graph.upstream(name) | {name}) if n in rules.quantities and rules.quantities[n].owner == owner
    )
    return digest({n: quantities[n] for n in own})


def parameter_definition(p: Parameter) -> dict[str, Any]:
    """What a Parameter means for the rules reading it (its label is left out)."""
    return {
        "entity": p.entity.key,
        "period": p.period.value,
        "value_type": p.value_type,
        "enum_values": list(p.enum_values),
        "default": p.default.isoformat() if isinstance(p.default, dt.date) else p.default,
        "unit": p.unit,
        "year_input": p.year_input,
    }


def parameter_fingerprint(p: Parameter) -> str:
    return digest(parameter_definition(p))
