"""The rule set: everything the installed plugins registered, validated and frozen.

It is built once per process (``load_rules()``), then shared read-only by every computation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import ValidationError

from mesaides.core.declarative import DeclarativeError, DeclaredAide, FileProblem, compile_aide
from mesaides.core.definitions import Aide, Definition, Parameter, Partner, Quantity
from mesaides.core.graph import DependencyGraph
from mesaides.core.inference import InferenceCache, SourceIndex, complete
from mesaides.core.legislation import Legislation, LegislationError, LegislationNode, load_legislation_files
from mesaides.core.plugins import PluginManager, PluginRecord, get_plugin_manager


@dataclass(frozen=True)
class RuleSet:
    """Parameters, quantities, aides, legislation values and partners of a deployment."""

    parameters: dict[str, Parameter]
    quantities: dict[str, Quantity]
    legislation: Legislation
    partners: dict[str, Partner]
    plugins: dict[str, PluginRecord]
    graph: DependencyGraph
    problems: list[str] = field(default_factory=list)
    hooks: Any = None
    """The plugin manager's hook relay, for the situation hooks."""
    _index: dict[str, Definition] = field(init=False, repr=False, compare=False)
    """Every variable by name, made by ``__post_init__``."""

    @property
    def definitions(self) -> dict[str, Definition]:
        return {**self.parameters, **self.quantities}

    @property
    def aides(self) -> dict[str, Aide]:
        return {n: q for n, q in self.quantities.items() if isinstance(q, Aide)}

    @property
    def stand_ins(self) -> dict[str, str]:
        """Quantities of absent partners taken from the situation, with the partner reading them."""
        return {n: p.owner for n, p in self.parameters.items() if p.stand_in}

    @property
    def unavailable(self) -> dict[str, str]:
        return self.graph.unavailable

    def variable(self, name: str) -> Definition:
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"unknown variable {name!r}") from None

    def __post_init__(self) -> None:
        # The one look-up by name; what the engine compiles from the rules is its own
        # (mesaides.core.compiled).
        object.__setattr__(self, "_index", {**self.quantities, **self.parameters})

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def situation_issues(self, situation: Any) -> list[Any]:
        """Issues the plugins' ``mesaides_validate_situation`` hooks find."""
        if self.hooks is None:
            return []
        found: list[Any] = []
        for issues in self.hooks.mesaides_validate_situation(situation=situation, rules=self):
            found.extend(issues or ())
        return found

    def parameters_read_by(self, name: str) -> set[str]:
        """The Parameters an aide or quantity reads, directly or through intermediates."""
        return {n for n in self.graph.upstream(name) if n in self.parameters}

    @property
    def aliases(self) -> dict[str, dict[str, str]]:
        """Per partner distribution, the quantities it takes from an unsupported provider's
        version and the stand-in it reads instead (``ass`` -> ``ass__caf``)."""
        found: dict[str, dict[str, str]] = {}
        for name, p in self.parameters.items():
            if p.source:
                found.setdefault(p.owner, {})[p.source] = name
        return found

    def stand_ins_read_by(self, name: str) -> tuple[str, ...]:
        """The quantities of absent partners that ``name`` reads, directly or through
        intermediates, and that are therefore taken from the situation (default value when the
        client gives none): what a result computed with them must say."""
        stand_ins = self.stand_ins
        if not stand_ins:
            return ()
        return tuple(sorted(n for n in self.graph.upstream(name) if n in stand_ins))


def load_rules(pm: PluginManager | None = None) -> RuleSet:
    """Collect what every plugin registers and build the dependency graph."""
    pm = pm or get_plugin_manager()
    problems: list[str] = []
    parameters: dict[str, Parameter] = {}
    quantities: dict[str, Quantity] = {}
    partners: dict[str, Partner] = {}
    nodes: list[LegislationNode] = []
    failed: set[str] = set()
    cache = InferenceCache.default()
    sources = SourceIndex(cache)  # each source parsed at most once, for this loading

    def collect(hook_name: str, accept: Callable[[Any, PluginRecord], None]) -> None:
        hook = getattr(pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            record = pm.records.get(impl.plugin_name)
            if record is None or impl.plugin_name in failed:
                continue
            try:
                callback = lambda obj, _r=record: accept(obj, _r)  # noqa: E731
                impl.function(**({"register": callback} if "register" in impl.argnames else {}))
            except (ValidationError, LegislationError, TypeError, ValueError, OSError) as exc:
                _fail(record, f"{hook_name}: {exc}")
            except Exception as exc:  # a partner's bug must not take the deployment down
                _fail(record, f"{hook_name}: {type(exc).__name__}: {exc}")

    def _fail(record: PluginRecord, message: str) -> None:
        record.problems.append(message)
        failed.add(record.name)

    def accept_partner(obj: Any, record: PluginRecord) -> None:
        partner = Partner.model_validate(obj).model_copy(update={"owner": record.distribution})
        partners[record.distribution] = partner

    def accept_parameter(obj: Any, record: PluginRecord) -> None:
        if not isinstance(obj, Parameter):
            raise TypeError(f"expected a Parameter, got {type(obj).__name__}")
        if obj.name in parameters or obj.name in quantities:
            other = (parameters.get(obj.name) or quantities[obj.name]).owner
            raise ValueError(f"Parameter {obj.name!r} is already declared by {other}")
        parameters[obj.name] = obj.model_copy(update={"owner": record.distribution})

    declared: list[tuple[DeclaredAide, PluginRecord]] = []
    declared_problems: list[str] = []

    def accept_quantity(obj: Any, record: PluginRecord) -> None:
        if isinstance(obj, DeclaredAide):
            declared.append((obj, record))  # compiled once every name is known
            return
        if isinstance(obj, FileProblem):
            # A declarative file refused: the partner's other aides still load.
            declared_problems.append(f"{record.name} ({record.distribution}): {obj}")
            return
        if not isinstance(obj, Quantity):
            raise TypeError(f"expected a Quantity or an Aide, got {type(obj).__name__}")
        if obj.name in quantities or obj.name in parameters:
            other = (parameters.get(obj.name) or quantities[obj.name]).owner
            kind = "aide" if isinstance(obj, Aide) else "quantity"
            raise ValueError(f"duplicate {kind} name {obj.name!r}: already registered by {other}")
        quantities[obj.name] = complete(obj, sources).model_copy(update={"owner": record.distribution})

    def accept_legislation(obj: Any, record: PluginRecord) -> None:
        if isinstance(obj, (str, Path)):
            nodes.extend(load_legislation_files([Path(obj)], owner=record.distribution))
        elif isinstance(obj, Iterable):
            nodes.extend(n.model_copy(update={"owner": record.distribution}) for n in obj)
        else:
            nodes.append(obj.model_copy(update={"owner": record.distribution}))

    # A plugin that fails in any hook is dropped entirely: half a partner is worse than none.
    snapshot = _Snapshot(parameters, quantities, partners, nodes)
    for hook_name, accept in (
        ("mesaides_register_partner", accept_partner),
        ("mesaides_register_parameters", accept_parameter),
        ("mesaides_register_legislation", accept_legislation),
        ("mesaides_register_quantities", accept_quantity),
        ("mesaides_register_aides", accept_quantity),
    ):
        collect(hook_name, accept)
    snapshot.drop_owners({pm.records[n].distribution for n in failed})
    for name in failed:
        if pm.has_plugin(name):
            pm.unregister(name=name)

    _add_stand_ins(partners, parameters, quantities)
    _take_from_unsupported(partners, pm, parameters, quantities)
    problems.extend(declared_problems)
    problems.extend(_compile_declared(declared, pm, partners, parameters, quantities, nodes, sources, failed))
    cache.save()
    problems.extend(_unknown_territories(quantities))
    _read_bounding_terms(quantities)
    try:
        legislation = Legislation(nodes)
    except LegislationError as exc:
        problems.append(str(exc))
        legislation = Legislation(_dedupe(nodes))

    graph = DependencyGraph.build({**parameters, **quantities}, known_law=(n.path for n in legislation))
    graph.mark_unavailable(_unmet_requirements(partners, pm, quantities))
    graph.mark_unavailable(_untaken_stand_ins(partners, parameters, quantities))
    problems.extend(p.message for p in graph.problems)
    for record in pm.records.values():
        problems.extend(f"{record.name} ({record.distribution}): {p}" for p in record.problems)
    return RuleSet(
        parameters=parameters,
        quantities=quantities,
        legislation=legislation,
        partners=partners,
        plugins=dict(pm.records),
        graph=graph,
        problems=problems,
        hooks=pm.hook,
    )


def _compile_declared(
    declared: list[tuple[DeclaredAide, PluginRecord]],
    pm: PluginManager,
    partners: dict[str, Partner],
    parameters: dict[str, Parameter],
    quantities: dict[str, Quantity],
    nodes: list[LegislationNode],
    sources: SourceIndex,
    failed: set[str],
) -> list[str]:
    """Declarative aides compiled to quantities, now that every name is known; an aide whose
    file names something that does not exist is refused alone, with the file, the field and
    the closest name."""
    loaded = {r.distribution for r in pm.records.values() if r.loaded and r.name not in failed}
    law_paths = {n.path: n for n in nodes}

    def compiled_from(aide: DeclaredAide, record: PluginRecord) -> list[Quantity]:
        partner = partners.get(record.distribution)
        absent = tuple(d for d in (partner.requires if partner else {}) if d not in loaded)
        compiled = compile_aide(DeclaredAide(aide.spec, aide.file, absent), {**parameters, **quantities}, law_paths)
        for q in compiled:
            if q.name in quantities or q.name in parameters:
                other = (parameters.get(q.name) or quantities[q.name]).owner
                problem = f"the name {q.name} is already registered by {other}"
                raise DeclarativeError([FileProblem(aide.file, aide.spec.id, "id", problem)])
        return compiled

    # An aide may read another declarative aide (``receives``), of its partner or another one,
    # whatever the order of their files: what names an aide not compiled yet is tried again
    # after the others, until a round compiles nothing more.
    pending = [(aide, record) for aide, record in declared if record.name not in failed]
    refused: list[tuple[PluginRecord, DeclarativeError]] = []
    while pending:
        retry, refused = [], []
        for aide, record in pending:
            try:
                compiled = compiled_from(aide, record)
            except DeclarativeError as exc:
                retry.append((aide, record))
                refused.append((record, exc))
                continue
            for q in compiled:
                quantities[q.name] = complete(q, sources).model_copy(update={"owner": record.distribution})
        if len(retry) == len(pending):
            break
        pending = retry
    return [f"{record.name} ({record.distribution}): {p}" for record, exc in refused for p in exc.problems]


def _unknown_territories(quantities: dict[str, Quantity]) -> list[str]:
    """An aide's ``territory`` must name a boolean quantity: the simulator computes it to list the
    aide only where people live there."""
    problems = []
    for name, q in quantities.items():
        territory = q.info.territory if isinstance(q, Aide) else ""
        if territory and (territory not in quantities or quantities[territory].value_type != "bool"):
            problems.append(f"{name} ({q.owner}): its territory {territory!r} is not a boolean quantity")
    return problems


STAND_IN_LABEL = "{label} (pris dans la situation : aucun partenaire installé ne le calcule)"


def _add_stand_ins(
    partners: dict[str, Partner], parameters: dict[str, Parameter], quantities: dict[str, Quantity]
) -> None:
    """Each quantity a partner ``takes`` from others and no installed distribution computes
    becomes an input of the situation, owned by the first partner that declares it, so that its
    readers keep working (default value when the client gives none) and say so."""
    for dist, partner in partners.items():
        for taken in partner.takes:
            if taken.name in quantities or taken.name in parameters:
                continue
            parameters[taken.name] = taken.model_copy(
                update={"owner": dist, "stand_in": True, "label": STAND_IN_LABEL.format(label=taken.label)}
            )


UNSUPPORTED_LABEL = "{label} (pris dans la situation : la version installée de {provider} n'est pas prise en charge)"


def _take_from_unsupported(
    partners: dict[str, Partner], pm: PluginManager, parameters: dict[str, Parameter], quantities: dict[str, Quantity]
) -> None:
    """A quantity a partner ``takes`` from a provider installed in a version out of the range the
    partner supports is not read from that provider: the partner's quantities read a stand-in,
    ``<name>__<partner id>``, which takes the value the situation gives the quantity (the
    default when none), as when the provider is absent. Others still read the provider's."""
    versions = {r.distribution: r.version for r in pm.records.values() if r.loaded}
    for dist, partner in partners.items():
        renamed: dict[str, str] = {}
        for taken in partner.takes:
            provided = quantities.get(taken.name)
            if provided is None or provided.owner == dist:
                continue
            spec = partner.requires.get(provided.owner)
            installed = versions.get(provided.owner)
            if spec is None or installed is None or _supported(installed, spec):
                continue
            alias = f"{taken.name}__{partner.id}"
            renamed[taken.name] = alias
            label = UNSUPPORTED_LABEL.format(label=taken.label, provider=provided.owner)
            parameters[alias] = taken.model_copy(
                update={"name": alias, "owner": dist, "stand_in": True, "source": taken.name, "label": label}
            )
        if not renamed:
            continue
        for name, q in list(quantities.items()):
            if q.owner == dist:
                quantities[name] = q.model_copy(
                    update={
                        field: tuple(renamed.get(n, n) for n in getattr(q, field))
                        for field in ("reads", "reads_past", "adds", "subtracts")
                    }
                )


def _supported(installed: str, spec_text: str) -> bool:
    try:
        return Version(installed) in SpecifierSet(spec_text)
    except (InvalidSpecifier, InvalidVersion):
        return False


def _untaken_stand_ins(
    partners: dict[str, Partner], parameters: dict[str, Parameter], quantities: dict[str, Quantity]
) -> dict[str, str]:
    """A stand-in serves the partners that declared it: another partner reading the same name
    without taking it is unavailable, as if the name were missing."""
    stand_ins = {n for n, p in parameters.items() if p.stand_in}
    if not stand_ins:
        return {}
    taken = {dist: {t.name for t in partner.takes} for dist, partner in partners.items()}
    known = {**parameters, **quantities}
    reasons: dict[str, str] = {}
    for name, q in quantities.items():
        deps = q.dependencies
        untaken = [
            d
            for d in deps
            if d in stand_ins
            and d not in taken.get(q.owner, ())
            and not (parameters[d].source and parameters[d].owner == q.owner)  # its own unsupported-version stand-in
        ]
        if untaken:
            missing = [d for d in deps if d not in known or d in untaken]
            reasons[name] = f"reads {', '.join(missing)}, which no installed distribution provides"
    return reasons


def _read_bounding_terms(quantities: dict[str, Quantity]) -> None:
    """A sum with a floor may read the terms of a sum it subtracts one by one, to stop as soon
    as the amount is at its floor (see ``Simulation._sum``): they are its reads too."""
    for name, q in quantities.items():
        if q.floor is None:
            continue
        extra = [t for s in q.subtracts if s in quantities for t in quantities[s].adds]
        reads = tuple(dict.fromkeys((*q.reads, *extra)))
        if reads != q.reads:
            quantities[name] = q.model_copy(update={"reads": reads})


@dataclass
class _Snapshot:
    parameters: dict[str, Parameter]
    quantities: dict[str, Quantity]
    partners: dict[str, Partner]
    nodes: list[LegislationNode]

    def drop_owners(self, owners: set[str]) -> None:
        for table in (self.parameters, self.quantities, self.partners):
            for key in [k for k, v in table.items() if v.owner in owners]:
                del table[key]
        self.nodes[:] = [n for n in self.nodes if n.owner not in owners]


def _dedupe(nodes: list[LegislationNode]) -> list[LegislationNode]:
    seen: dict[str, LegislationNode] = {}
    for n in nodes:
        seen.setdefault(n.path, n)
    return list(seen.values())


def _unmet_requirements(
    partners: dict[str, Partner], pm: PluginManager, quantities: dict[str, Quantity]
) -> dict[str, str]:
    """Quantities reading another distribution whose installed version is out of the range."""
    versions = {r.distribution: r.version for r in pm.records.values() if r.loaded}
    reasons: dict[str, str] = {}
    for dist, partner in partners.items():
        for required, spec_text in partner.requires.items():
            installed = versions.get(required)
            if installed is None:
                continue  # absent: the graph already reports the missing names it provides
            if _supported(installed, spec_text):
                continue
            # A quantity the reader ``takes`` keeps being read: the reader works with or without
            # its provider, so an unsupported version does not make it unavailable.
            taken = {t.name for t in partner.takes}
            provided = {n for n, q in quantities.items() if q.owner == required} - taken
            for name, q in quantities.items():
                if q.owner == dist and provided.intersection(q.dependencies):
                    reasons[name] = f"requires {required}{spec_text}, but {installed} is installed"
    return reasons
