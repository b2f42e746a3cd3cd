"""Explanations: the inputs, intermediate values, legislation values and conditions behind a
result, for one person or group.

The simulation records what each formula read (``trace=True``); the explanation keeps, for
every node of that tree, the values of the persons and groups of the household concerned.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mesaides.core.entities import INDIVIDU
from mesaides.core.periods import Period
from mesaides.core.simulation import Simulation


@dataclass
class ExplainedNode:
    name: str
    period: str
    label: str
    kind: str
    """``parameter``, ``quantity`` or ``aide``."""
    values: dict[str, Any]
    reads: list[str] = field(default_factory=list)
    law: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.period}"


@dataclass
class Explanation:
    root: str
    nodes: dict[str, ExplainedNode]

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "nodes": {
                k: {
                    "name": n.name,
                    "period": n.period,
                    "label": n.label,
                    "kind": n.kind,
                    "values": n.values,
                    "reads": n.reads,
                    "law": n.law,
                    "checks": n.checks,
                }
                for k, n in self.nodes.items()
            },
        }

    def failed_checks(self) -> list[str]:
        """Labels of the root's conditions that did not hold, in the order the rules state them."""
        root = self.nodes[self.root]
        return [c["label"] for c in root.checks if not all(c["values"].values())]

    def lines(self, max_depth: int = 6) -> list[str]:
        """A readable tree, indented by depth, each node once."""
        out: list[str] = []
        seen: set[str] = set()

        def walk(key: str, depth: int) -> None:
            node = self.nodes[key]
            shown = ", ".join(f"{i}={_fmt(v)}" for i, v in node.values.items())
            again = key in seen
            out.append(f"{'  ' * depth}{node.name} [{node.period}] = {shown}{'  (see above)' if again else ''}")
            if again or depth >= max_depth:
                return
            seen.add(key)
            for check in node.checks:
                verdict = ", ".join(f"{i}: {'oui' if v else 'non'}" for i, v in check["values"].items())
                out.append(f"{'  ' * (depth + 1)}? {check['label']}: {verdict}")
            for path, value in node.law.items():
                out.append(f"{'  ' * (depth + 1)}§ {path} = {value}")
            for dep in node.reads:
                walk(dep, depth + 1)

        walk(self.root, 0)
        return out


def _fmt(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def explain(
    simulation: Simulation,
    name: str,
    period: Period,
    entity_id: str,
    *,
    max_depth: int | None = None,
    memo: dict | None = None,
) -> Explanation:
    """Explain ``name`` for ``period`` for one person or group (its id in the situation).

    :param max_depth: expand the nodes up to this many reads from ``name`` (the deeper ones are
        left out, and the last level has no ``reads``); ``None`` for the whole tree. A results
        page needs a few levels, where a whole tree holds hundreds of nodes.
    :param memo: a dict shared by several explanations on one simulation (a results page
        explains every aide of a household, whose trees share most of their nodes). Each
        node's values and conditions are then converted once, and used again as long as the
        value and the trace they come from are the same objects.
    """
    if simulation.trace is None:
        raise ValueError("explain needs a simulation built with trace=True")
    simulation.calculate(name, period)
    rules = simulation.rules
    population = simulation.population
    d = rules.variable(name)
    ids = population.ids(d.entity.key)
    if entity_id not in ids:
        raise KeyError(f"no {d.entity.key} {entity_id!r} in the situation")
    index = ids.index(entity_id)
    persons = _persons_of(population, d.entity.key, index)
    involved = {INDIVIDU.key: persons}
    for key, s in population.groups.items():
        involved[key] = np.unique(s.person_group[persons])
    who = persons.tobytes()
    if memo is None:
        memo = {}

    # Keyed by (name, period) while walking: the text keys are made once per node.
    nodes: dict[tuple[str, Period], ExplainedNode] = {}
    keys: dict[tuple[str, Period], str] = {}

    def node(read: tuple[str, Period]) -> str:
        key = keys.get(read)
        if key is None:
            var, p = read
            values = simulation.stored(var, p)
            known = memo.get(("values", read, who))
            if known is None or known[0] is not values:
                definition = rules.variable(var)
                where, names = involved[definition.entity.key], population.ids(definition.entity.key)
                plain = {names[i]: _plain(values[i], definition) for i in where}
                known = memo[("values", read, who)] = (values, definition, plain)
            _, definition, plain = known
            nodes[read] = ExplainedNode(
                name=var,
                period=str(p),
                label=definition.label,
                kind=getattr(definition, "kind", "parameter"),
                values=dict(plain),
            )
            key = keys[read] = f"{var}@{p}"
        return key

    start = (name, simulation._normalise(d, period))
    root = node(start)
    # Breadth first, so that a node reached by several paths is expanded at its shallowest.
    queue = deque([(start, 0)])
    expanded: set[tuple[str, Period]] = set()
    while queue:
        here_key, depth = queue.popleft()
        if here_key in expanded:
            continue
        expanded.add(here_key)
        trace = simulation.trace.get(here_key)
        if trace is None:
            continue
        here = nodes[here_key]
        known = memo.get(("checks", here_key, who))
        if known is None or known[0] is not trace:
            entity_key = rules.variable(here_key[0]).entity.key
            where, names = involved[entity_key], population.ids(entity_key)
            checks = [
                {"label": label, "values": {names[i]: bool(cond[i]) for i in where}} for label, cond in trace.checks
            ]
            known = memo[("checks", here_key, who)] = (trace, checks)
        here.law = dict(trace.law)
        here.checks = [{"label": c["label"], "values": dict(c["values"])} for c in known[1]]
        if max_depth is not None and depth >= max_depth:
            continue
        listed: set[tuple[str, Period]] = set()
        for read in trace.reads:
            if read not in listed:
                listed.add(read)
                here.reads.append(node(read))
                queue.append((read, depth + 1))
    return Explanation(root=root, nodes={keys[k]: n for k, n in nodes.items()})


def _persons_of(population, entity_key: str, index: int) -> np.ndarray:
    if entity_key == INDIVIDU.key:
        # A person's explanation covers its famille, since its aides depend on it.
        famille = population.groups["famille"].person_group[index]
        return np.flatnonzero(population.groups["famille"].person_group == famille)
    return np.flatnonzero(population.groups[entity_key].person_group == index)


def _plain(value: Any, definition) -> Any:
    if definition.value_type == "enum":
        return definition.enum_values[int(value)]
    if definition.value_type == "date":
        return str(value)
    if isinstance(value, np.floating):
        return round(float(value), 2)
    if isinstance(value, np.generic):
        return value.item()
    return value
