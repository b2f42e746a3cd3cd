"""The static dependency graph of quantities, built when plugins load.

Edges come from what each quantity declares it reads. From the graph we know, before any
computation: missing dependencies, cycles (both reported with the names involved), an
evaluation order, and what is upstream or downstream of any name (the registry's impacts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mesaides.core.definitions import Definition, Quantity


@dataclass(frozen=True)
class GraphProblem:
    names: tuple[str, ...]
    message: str


@dataclass
class DependencyGraph:
    """Which name reads which. ``reads_past`` edges count for impacts but not for cycles."""

    edges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    past_edges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    unavailable: dict[str, str] = field(default_factory=dict)
    problems: list[GraphProblem] = field(default_factory=list)

    @classmethod
    def build(cls, definitions: Mapping[str, Definition], known_law: Iterable[str] = ()) -> DependencyGraph:
        law_check = _LawIndex(known_law)
        graph = cls()
        for name, d in definitions.items():
            if isinstance(d, Quantity):
                graph.edges[name] = d.reads
                graph.past_edges[name] = d.reads_past
            else:
                graph.edges[name] = ()
                graph.past_edges[name] = ()

        reasons: dict[str, str] = {}
        for name, d in definitions.items():
            if not isinstance(d, Quantity):
                continue
            missing = [dep for dep in d.dependencies if dep not in definitions]
            if missing:
                reasons[name] = f"reads {', '.join(missing)}, which no installed distribution provides"
                graph.problems.append(GraphProblem((name, *missing), f"{name}: {reasons[name]}"))
            bad_law = [p for p in d.law if not law_check.known(p)]
            if bad_law and name not in reasons:
                reasons[name] = f"reads legislation value {', '.join(bad_law)}, which is not registered"
                graph.problems.append(GraphProblem((name,), f"{name}: {reasons[name]}"))

        for cycle in _cycles(graph.edges):
            text = " -> ".join((*cycle, cycle[0]))
            graph.problems.append(GraphProblem(tuple(cycle), f"dependency cycle: {text}"))
            for name in cycle:
                reasons.setdefault(name, f"is part of a dependency cycle: {text}")

        graph.unavailable = _propagate(reasons, graph)
        graph.order = _topological(graph.edges, exclude=graph.unavailable)
        return graph

    def mark_unavailable(self, reasons: Mapping[str, str]) -> None:
        """Make more names unavailable (e.g. a partner's unmet requirement), with dependents."""
        self.unavailable = _propagate({**self.unavailable, **reasons}, self)
        self.order = tuple(n for n in self.order if n not in self.unavailable)

    def dependents(self) -> dict[str, set[str]]:
        reverse: dict[str, set[str]] = {n: set() for n in self.edges}
        for name in self.edges:
            for dep in (*self.edges[name], *self.past_edges.get(name, ())):
                reverse.setdefault(dep, set()).add(name)
        return reverse

    def upstream(self, name: str) -> set[str]:
        """Every name ``name`` reads, directly or through intermediates."""
        seen: set[str] = set()
        stack = [name]
        while stack:
            node = stack.pop()
            for dep in (*self.edges.get(node, ()), *self.past_edges.get(node, ())):
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        seen.discard(name)
        return seen

    def downstream(self, name: str) -> set[str]:
        """Every name that reads ``name``, directly or through intermediates."""
        reverse = self.dependents()
        seen: set[str] = set()
        stack = [name]
        while stack:
            for user in reverse.get(stack.pop(), ()):
                if user not in seen:
                    seen.add(user)
                    stack.append(user)
        seen.discard(name)
        return seen


class _LawIndex:
    def __init__(self, paths: Iterable[str]):
        self.paths = set(paths)
        self.prefixes = {p.rsplit(".", k)[0] for p in self.paths for k in range(1, p.count(".") + 1)}

    def known(self, path: str) -> bool:
        return path in self.paths or path in self.prefixes


def _propagate(reasons: Mapping[str, str], graph: DependencyGraph) -> dict[str, str]:
    """Make every dependent of an unavailable name unavailable, naming the original cause once."""
    result = dict(reasons)
    origin = {name: name for name in reasons}
    reverse = graph.dependents()
    queue = list(reasons)
    while queue:
        name = queue.pop(0)
        for user in sorted(reverse.get(name, ())):
            if user not in result:
                root = origin[name]
                origin[user] = root
                result[user] = f"depends on {root}, which {reasons[root]}"
                queue.append(user)
    return result


def _cycles(edges: Mapping[str, tuple[str, ...]]) -> list[list[str]]:
    """Strongly connected components with a loop (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in edges:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, ()):
                        found.append(sorted(component))
    return found


def _topological(edges: Mapping[str, tuple[str, ...]], exclude: Mapping[str, str]) -> tuple[str, ...]:
    order: list[str] = []
    done: set[str] = set()
    for root in edges:
        if root in done or root in exclude:
            continue
        work = [(root, iter(edges[root]))]
        visiting = {root}
        while work:
            node, children = work[-1]
            for child in children:
                if child in done or child in visiting or child in exclude or child not in edges:
                    continue
                visiting.add(child)
                work.append((child, iter(edges[child])))
                break
            else:
                work.pop()
                visiting.discard(node)
                done.add(node)
                order.append(node)
    return tuple(order)
