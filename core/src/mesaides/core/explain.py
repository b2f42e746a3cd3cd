"""Explanations: the inputs, intermediate values, legislation values and conditions behind a
result, for one person or group; and, for a nil aide, the reason.

The simulation records what each formula read (``trace=True``); the explanation keeps, for
every node of that tree, the values of the persons and groups of the household concerned.

The conditions of an aide are the checks (``c.check``) met on its tree, not entering another
aide it reads (their conditions are their own). They are taken in the order the computation
meets them: what a formula reads before its own checks, in the order it reads them. The reason
an aide is nil is the first condition the household does not meet, with the others the same
quantity names and the household does not meet either, each with its figures. Every check must
be a necessary condition of its aide (:mod:`mesaides.core.testing.reasons` tests it), so that
the reason is always true and always sufficient to explain the nil amount.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from mesaides.core.checks import CONDITION, DEFINED_FOR, NOTE, Check, as_check, figure_at, sentence
from mesaides.core.entities import INDIVIDU
from mesaides.core.periods import Period
from mesaides.core.simulation import Simulation

if TYPE_CHECKING:
    from mesaides.core.definitions import Definition
    from mesaides.core.population import Population
    from mesaides.core.ruleset import RuleSet

NodeKey = TypeVar("NodeKey", bound=Hashable)


@dataclass
class ExplainedNode:
    name: str
    period: str
    label: str
    kind: str
    """``parameter``, ``quantity`` or ``aide``."""
    values: dict[str, Any]
    entity: str = INDIVIDU.key
    reads: list[str] = field(default_factory=list)
    law: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.period}"


REASON_DEPTH = 4
"""How many reads down from an aide its conditions are looked for (a results page's reason and
conditions; the necessity test looks exactly as deep)."""


@dataclass
class Unmet:
    """A condition a household does not meet."""

    label: str
    """The condition, as its formula names it (``Être locataire de son logement``)."""
    because: str | None = None
    """The sentence with the figures that decide it, when the formula gives one."""

    def text(self) -> str:
        return f"{_lower_first(self.label)} ({self.because})" if self.because else _lower_first(self.label)


@dataclass
class Reason:
    """Why an aide is nil: the conditions not met of the first quantity (in the order the
    computation meets them) that has some; each is necessary and false for the household."""

    unmet: list[Unmet]

    @property
    def label(self) -> str:
        return self.unmet[0].label

    @property
    def because(self) -> str | None:
        return self.unmet[0].because

    def text(self) -> str:
        """One sentence in French: the conditions, each with its figures."""
        if len(self.unmet) == 1:
            return f"Condition non remplie : {self.unmet[0].text()}."
        return f"Conditions non remplies : {' ; '.join(u.text() for u in self.unmet)}."


@dataclass
class Explanation:
    root: str
    nodes: dict[str, ExplainedNode]
    entity_id: str = ""
    """The person or group explained."""

    def to_json(self) -> dict[str, Any]:
        reason = self.reason()
        return {
            "root": self.root,
            "entity": self.entity_id,
            "nodes": {
                k: {
                    "name": n.name,
                    "period": n.period,
                    "label": n.label,
                    "kind": n.kind,
                    "entity": n.entity,
                    "values": n.values,
                    "reads": n.reads,
                    "law": n.law,
                    "checks": n.checks,
                }
                for k, n in self.nodes.items()
            },
            "conditions": self.conditions(),
            "reason": None
            if reason is None
            else {
                "text": reason.text(),
                "unmet": [{"label": u.label, "because": u.because} for u in reason.unmet],
            },
            "notes": self.notes(),
        }

    def failed_checks(self) -> list[str]:
        """Labels of the root's conditions that did not hold, in the order the rules state them."""
        root = self.nodes[self.root]
        return [c["label"] for c in root.checks if c["kind"] == CONDITION and not all(c["values"].values())]

    # ---- Conditions and reasons ---------------------------------------------------------------

    def walk(self, depth: int | None = REASON_DEPTH) -> list[ExplainedNode]:
        """The aide's nodes whose checks are its conditions, in the order the computation meets
        them (:func:`condition_order`)."""
        nodes = self.nodes
        order = condition_order(self.root, lambda k: nodes[k].reads, lambda k: nodes[k].kind == "quantity", depth)
        return [nodes[k] for k in order]

    def _verdicts(self, depth: int | None = REASON_DEPTH) -> Iterator[tuple[str, bool, dict[str, Any], str]]:
        """(label, holds, check, node key) for each condition of the aide, each label once."""
        root_entity = self.nodes[self.root].entity
        seen: set[str] = set()
        for node in self.walk(depth):
            for check in node.checks:
                if check["kind"] != CONDITION or check["label"] in seen or not check["values"]:
                    continue
                seen.add(check["label"])
                holds = _holds(check["values"], node.entity, root_entity, self.entity_id)
                yield check["label"], holds, check, node.key

    def conditions(self, depth: int | None = REASON_DEPTH) -> list[str]:
        """The aide's conditions the household meets, in the order the computation meets them."""
        return [label for label, holds, _, _ in self._verdicts(depth) if holds]

    def reason(self, depth: int | None = REASON_DEPTH) -> Reason | None:
        """Why the aide is nil: the conditions not met of the first quantity that has some (None:
        the household meets every condition)."""
        unmet: list[Unmet] = []
        where = None
        for label, holds, check, key in self._verdicts(depth):
            if holds or (where is not None and key != where):
                continue
            where = key
            because = None
            if check.get("otherwise"):
                row = self._row(check["values"], False)
                figures = {name: values.get(row) for name, values in check.get("figures", {}).items()}
                because = sentence(check["otherwise"], figures)
            unmet.append(Unmet(label, because))
        return Reason(unmet) if unmet else None

    def _row(self, values: dict[str, bool], verdict: bool) -> str | None:
        """Whose figures to give: the person explained, when the check is on persons; otherwise
        the first row with ``verdict`` (a group's aide: a member, or its one group)."""
        if self.entity_id in values:
            return self.entity_id
        return next((i for i, v in values.items() if v is verdict), None)

    def notes(self, depth: int | None = REASON_DEPTH) -> list[str]:
        """How the amount was worked out (``c.note``), for the household, in the computation's
        order, each once."""
        out: list[str] = []
        root_entity = self.nodes[self.root].entity
        for node in self.walk(depth):
            for check in node.checks:
                if check["kind"] != NOTE or not _holds(check["values"], node.entity, root_entity, self.entity_id):
                    continue
                row = self._row(check["values"], True)
                text = sentence(check["otherwise"], {n: v.get(row) for n, v in check["figures"].items()})
                if text not in out:
                    out.append(text)
        return out

    def lines(self, max_depth: int = 6) -> list[str]:
        """A readable tree, indented by depth, each node once; then the reason or the
        conditions met."""
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
                mark = "!" if check["kind"] == NOTE else "?"
                out.append(f"{'  ' * (depth + 1)}{mark} {check['label']}: {verdict}")
            for path, value in node.law.items():
                out.append(f"{'  ' * (depth + 1)}§ {path} = {value}")
            for dep in node.reads:
                walk(dep, depth + 1)

        walk(self.root, 0)
        reason = self.reason()
        if reason is not None:
            out.append(reason.text())
        out.extend(self.notes())
        return out


def condition_order(
    root: NodeKey,
    reads_of: Callable[[NodeKey], Sequence[NodeKey]],
    holds_conditions: Callable[[NodeKey], bool],
    depth: int | None = REASON_DEPTH,
) -> list[NodeKey]:
    """The nodes whose checks are the conditions of the aide ``root``, in the order the
    computation meets those checks: what a node reads, in the order it reads it, before the node
    itself.

    The conditions of an aide are the checks of its own formula and of the quantities it reads,
    up to ``depth`` reads down. Another aide it reads is not entered: its checks are its own
    conditions (the allocations familiales' number of children is not a condition of the RSA
    that counts them as a resource). A check in a quantity is therefore a condition of every
    aide that reads that quantity: where it is not necessary for one of them, it belongs in the
    formula of the aide it is a condition of.

    :param reads_of: a node's reads, in order.
    :param holds_conditions: whether a node (other than the root) may hold conditions of the
        root: a quantity, not another aide.
    """
    within = {root: 0}
    queue = deque([root])
    while queue:
        key = queue.popleft()
        level = within[key]
        if depth is not None and level >= depth:
            continue
        for dep in reads_of(key):
            if dep not in within and holds_conditions(dep):
                within[dep] = level + 1
                queue.append(dep)
    out: list[NodeKey] = []
    done: set[NodeKey] = set()
    # Depth first, each node after what it reads, without recursion (trees are deep).
    stack: list[tuple[NodeKey, bool]] = [(root, False)]
    while stack:
        key, children_done = stack.pop()
        if key in done:
            continue
        if children_done or within[key] == depth:
            done.add(key)
            out.append(key)
            continue
        stack.append((key, True))
        for dep in reversed(reads_of(key)):
            if dep in within and dep not in done:
                stack.append((dep, False))
    return out


def _holds(values: dict[str, bool], node_entity: str, root_entity: str, focus: str) -> bool:
    """Whether the household meets a condition recorded on ``node_entity`` for an aide of
    ``root_entity`` explained for ``focus``: a person's own value for a person's aide; for a
    group's aide, a condition on persons holds when one member meets it (a child under 3 for
    the PAJE); a condition on groups, when every group involved meets it (there is one)."""
    if root_entity == INDIVIDU.key and node_entity == INDIVIDU.key and focus in values:
        return bool(values[focus])
    if node_entity == INDIVIDU.key and root_entity != INDIVIDU.key:
        return any(values.values())
    return all(values.values())


def _lower_first(text: str) -> str:
    """``Parent isolé`` → ``parent isolé``; an acronym (``RSA …``) keeps its capitals."""
    return text[:1].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def _fmt(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)


class Traced:
    """One situation's traced simulation, to explain several of its values (a results page
    explains every aide of a household: their trees share most of their nodes, converted
    once). Made by :meth:`mesaides.core.Engine.traced`."""

    def __init__(self, simulation: Simulation):
        if simulation.trace is None:
            raise ValueError("a Traced needs a simulation built with trace=True")
        self.simulation = simulation
        self.memo: dict[tuple[Any, ...], Any] = {}

    @property
    def population(self) -> Population:
        return self.simulation.population

    def calculate(self, name: str, period: Period) -> np.ndarray:
        return self.simulation.calculate(name, period)

    def explain(self, name: str, period: Period, entity_id: str, *, max_depth: int | None = None) -> Explanation:
        return explain(self.simulation, name, period, entity_id, max_depth=max_depth, memo=self.memo)


def explain(
    simulation: Simulation,
    name: str,
    period: Period,
    entity_id: str,
    *,
    max_depth: int | None = None,
    memo: dict[tuple[Any, ...], Any] | None = None,
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
                entity_key = definition.entity.key
                where, names = involved[entity_key], population.ids(entity_key)
                plain = {names[i]: _plain(values[i], definition) for i in where}
                kind = getattr(definition, "kind", "parameter")
                text = str(p)
                # Everything a node of this read is made of, converted once per page.
                known = (values, f"{var}@{text}", text, definition.label, kind, plain, entity_key)
                memo[("values", read, who)] = known
            _, key, text, label, kind, plain, entity_key = known
            nodes[read] = ExplainedNode(var, text, label, kind, dict(plain), entity_key)
            keys[read] = key
        return key

    chain = defined_for_chain(rules, name)
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
            checks = [_check_json(as_check(entry), where, names) for entry in trace.checks]
            known = memo[("checks", here_key, who)] = (trace, checks)
        here.law = dict(trace.law)
        here.checks = [_as_condition(dict(c)) if here_key[0] in chain else dict(c) for c in known[1]]
        if max_depth is not None and depth >= max_depth:
            continue
        distinct = memo.get(("reads", here_key))
        if distinct is None or distinct[0] is not trace:
            distinct = memo[("reads", here_key)] = (trace, tuple(dict.fromkeys(trace.reads)))
        below = depth + 1
        for read in distinct[1]:
            here.reads.append(node(read))
            queue.append((read, below))
    return Explanation(root=root, nodes={keys[k]: n for k, n in nodes.items()}, entity_id=entity_id)


def defined_for_chain(rules: RuleSet, name: str) -> frozenset[str]:
    """The quantities whose ``defined_for`` is a condition of ``name``: ``name`` itself and, in
    turn, the quantity each is defined for (the Région's driving-licence aide, its profile, its
    residence). Elsewhere in the aide's tree a ``defined_for`` only bounds what the aide reads."""
    chain: list[str] = []
    d = rules.variable(name)
    while d.name not in chain:
        chain.append(d.name)
        defined_for = getattr(d, "defined_for", None)
        if defined_for is None:
            break
        d = rules.variable(defined_for)
    return frozenset(chain)


def is_condition(kind: str, name: str, chain: frozenset[str]) -> bool:
    """Whether a check of this kind, recorded on the quantity ``name``, is a condition of the
    aide whose :func:`defined_for_chain` is ``chain``."""
    return kind == CONDITION or (kind == DEFINED_FOR and name in chain)


def _as_condition(check: dict[str, Any]) -> dict[str, Any]:
    if check["kind"] == DEFINED_FOR:
        check["kind"] = CONDITION
    return check


def _check_json(check: Check, where: np.ndarray, names: Sequence[str]) -> dict[str, Any]:
    """A check's verdict and figures for the rows of the household explained."""
    condition = check.condition
    return {
        "label": check.label,
        "kind": check.kind,
        "values": {names[i]: bool(condition[i]) for i in where},
        "otherwise": check.otherwise,
        "figures": {name: {names[i]: figure_at(values, i) for i in where} for name, values in check.figures},
    }


def _persons_of(population: Population, entity_key: str, index: int) -> np.ndarray:
    if entity_key == INDIVIDU.key:
        # A person's explanation covers its famille, since its aides depend on it.
        famille = population.groups["famille"].person_group[index]
        return np.flatnonzero(population.groups["famille"].person_group == famille)
    return np.flatnonzero(population.groups[entity_key].person_group == index)


def _plain(value: Any, definition: Definition) -> Any:
    if definition.value_type == "enum":
        return definition.enum_values[int(value)]
    if definition.value_type == "date":
        return str(value)
    if isinstance(value, np.floating):
        return round(float(value), 2)
    if isinstance(value, np.generic):
        return value.item()
    return value
