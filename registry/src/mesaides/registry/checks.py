"""The checks a distribution must pass: what ``mesaides registry check`` runs in a partner's CI
before a release, and what publication requires (A6, G2).

A check needs the registry's catalogue (which Parameters are deprecated or removed, which aides
were refused or removed, which expert cases were registered), read from the database or from a
JSON export of it, and the installed rules.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from mesaides.core import Engine, RuleSet
from mesaides.registry.defects import removed_under_a9
from mesaides.registry.expert_cases import (
    MINIMUM_CASES,
    ExpertCase,
    cases_in,
    distribution_case_dirs,
    parse_cases,
    run_cases,
)
from mesaides.registry.lifecycle import a2_reasons
from mesaides.registry.logo import logo_problems
from mesaides.registry.statuses import AideStatus, ParameterStatus

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    level: Level
    rule: str
    """The convention rule (``P4``, ``A5``...), or ``load`` / ``graph`` for technical problems."""
    distribution: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: [{self.rule}] {self.subject}: {self.message}"


@dataclass(frozen=True)
class CatalogueParameter:
    """A Parameter as the catalogue says it (P4)."""

    name: str
    status: ParameterStatus
    owner: str = ""
    deprecated_since: dt.date | None = None
    replacement: str | None = None
    removal_date: dt.date | None = None
    removed_at: dt.datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class AideDecision:
    """A refused or removed aide, as the catalogue says it (A1, A2, A9)."""

    name: str
    status: AideStatus
    reason: str = ""
    at: dt.datetime | None = None


@dataclass
class Catalogue:
    """What the checks need to know from the registry."""

    parameters: dict[str, CatalogueParameter] = field(default_factory=dict)
    aides: dict[str, AideDecision] = field(default_factory=dict)
    cases: list[ExpertCase] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def plain(obj: Any) -> dict[str, Any]:
            return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in asdict(obj).items()}

        return {
            "parameters": [plain(p) for p in self.parameters.values()],
            "aides": [plain(a) for a in self.aides.values()],
            "cases": [{"name": c.name, "source": c.source, "case": c.case, "owner": c.owner} for c in self.cases],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Catalogue:
        def dates(row: Mapping[str, Any], kind: type) -> dict[str, Any]:
            out = dict(row)
            out["status"] = kind(out["status"])
            for key in ("deprecated_since", "removal_date"):
                if out.get(key):
                    out[key] = dt.date.fromisoformat(out[key])
            for key in ("removed_at", "at"):
                if out.get(key):
                    out[key] = dt.datetime.fromisoformat(out[key])
            return out

        return cls(
            parameters={p["name"]: CatalogueParameter(**dates(p, ParameterStatus)) for p in data.get("parameters", ())},
            aides={a["name"]: AideDecision(**dates(a, AideStatus)) for a in data.get("aides", ())},
            cases=[ExpertCase(c["name"], c["source"], c["case"], c.get("owner")) for c in data.get("cases", ())],
        )


class HasFindings:
    """A report made of findings: it passes when none is an error."""

    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class CheckReport(HasFindings):
    findings: list[Finding] = field(default_factory=list)
    distributions: list[str] = field(default_factory=list)


class _Checker:
    def __init__(self, rules: RuleSet, catalogue: Catalogue, today: dt.date, run_tests: bool):
        self.rules = rules
        self.catalogue = catalogue
        self.today = today
        self.run_tests = run_tests
        self._engine: Engine | None = None
        self.findings: list[Finding] = []
        self.dist = ""

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(self.rules)
        return self._engine

    def add(self, level: Level, rule: str, subject: str, message: str) -> None:
        self.findings.append(Finding(level, rule, self.dist, subject, message))

    # ---- a whole distribution ---------------------------------------------------------------

    def distribution(self, dist: str, case_dirs: Iterable[Path]) -> None:
        self.dist = dist
        records = [r for r in self.rules.plugins.values() if r.distribution == dist]
        if not records:
            self.add(
                "error", "load", dist, "not installed: no plugin of the entry-point group 'mesaides' comes from it"
            )
            return
        for record in records:
            for problem in record.problems:
                self.add("error", "load", dist, f"plugin {record.name} was not loaded: {problem}")
        aides = sorted(n for n, a in self.rules.aides.items() if a.owner == dist)
        partner = self.rules.partners.get(dist)
        if aides and partner is None:
            self.add("error", "Pa2", dist, "registers aides but no partner: implement mesaides_register_partner")
        elif partner is not None and not partner.referent_email:
            self.add(
                "error",
                "Pa2",
                partner.id,
                "the partner names no referent (referent_email), who must answer the operator within two weeks",
            )
        self.parameters(dist)
        self.quantities_reading_removed(dist)
        cases, problems = self.cases_for(case_dirs)
        for problem in problems:
            self.add("error", "A5", dist, problem)
        for name in aides:
            self.aide(name, cases, for_publication=False)

    def cases_for(self, case_dirs: Iterable[Path]) -> tuple[list[ExpertCase], list[str]]:
        cases, problems = list(self.catalogue.cases), []
        for directory in case_dirs:
            found, bad = cases_in(Path(directory))
            cases.extend(found)
            problems.extend(bad)
        return cases, problems

    def parameters(self, dist: str) -> None:
        """P2: a new Parameter is checked against the existing ones; P4: a removed one is gone."""
        known = set(self.catalogue.parameters)
        for name, p in sorted(self.rules.parameters.items()):
            if p.owner != dist:
                continue
            status = self.catalogue.parameters.get(name)
            if status is not None and status.status == ParameterStatus.REMOVED:
                self.add(
                    "error",
                    "P4",
                    name,
                    f"declares Parameter {name}, which the operator removed{_when(status.removed_at)}; stop declaring it",
                )
            elif status is None and known:
                close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
                hint = f" Similar existing Parameters: {', '.join(close)}." if close else ""
                self.add(
                    "warning",
                    "P2",
                    name,
                    f"new Parameter: add it only if no existing Parameter can approximate it.{hint} "
                    "Every partner will be notified when it is synced (P3).",
                )

    def quantities_reading_removed(self, dist: str) -> None:
        for name, q in sorted(self.rules.quantities.items()):
            if q.owner != dist or name in self.rules.aides:
                continue
            for dep in q.dependencies:
                status = self.catalogue.parameters.get(dep)
                if status is not None and status.status == ParameterStatus.REMOVED:
                    self.add("error", "P4", name, _removed_message(dep, status))

    # ---- one aide ------------------------------------------------------------------------------

    def aide(self, name: str, cases: list[ExpertCase], *, for_publication: bool) -> None:
        rules = self.rules
        aide = rules.aides[name]
        self.dist = aide.owner
        if name in rules.unavailable:
            self.add("error", "graph", name, f"unavailable: {rules.unavailable[name]}")
        for reason in a2_reasons(aide.info):
            self.add("error", "A2", name, f"not integrable: {reason}")
        decision = self.catalogue.aides.get(name)
        if decision is not None and decision.status == AideStatus.REFUSED:
            self.add("error", "A1", name, f"the operator refused this aide{_when(decision.at)}: {decision.reason}")
        elif decision is not None and removed_under_a9(decision.status, decision.reason):
            self.add("error", "A9", name, f"the operator removed this aide{_when(decision.at)}: {decision.reason}")
        self.parameters_read(name)
        self.metadata(name)
        self.expert_cases(name, cases)

    def parameters_read(self, name: str) -> None:
        for parameter in sorted(self.rules.parameters_read_by(name) | self._direct_reads(name)):
            status = self.catalogue.parameters.get(parameter)
            if status is None:
                continue
            if status.status == ParameterStatus.REMOVED:
                self.add("error", "P4", name, _removed_message(parameter, status))
            elif status.status == ParameterStatus.DEPRECATED:
                replacement = f"use {status.replacement} instead" if status.replacement else "no replacement is planned"
                date = status.removal_date.isoformat() if status.removal_date else "a date to be set"
                late = status.removal_date is not None and status.removal_date <= self.today
                self.add(
                    "error" if late else "warning",
                    "P4",
                    name,
                    f"reads Parameter {parameter}, deprecated since {status.deprecated_since}: {replacement}; "
                    f"it is to be removed on {date}" + (" (that date has passed)" if late else ""),
                )

    def _direct_reads(self, name: str) -> set[str]:
        q = self.rules.quantities[name]
        return {d for d in q.dependencies if d in self.catalogue.parameters and d not in self.rules}

    def metadata(self, name: str) -> None:
        aide = self.rules.aides[name]
        info = aide.info
        partner = self.rules.partners.get(aide.owner)
        if not info.description.strip():
            self.add("error", "A4", name, "no description")
        institutions = {i.id: i for i in partner.institutions} if partner else {}
        institution = institutions.get(info.institution)
        if institution is None:
            self.add(
                "error",
                "A4",
                name,
                f"institution {info.institution!r} is not declared by the partner (Partner.institutions)",
            )
        else:
            for problem in logo_problems(institution.logo, institution.id):
                self.add("error", "A4", name, problem.removeprefix("A4: "))
        if not str(info.public_page).startswith("https://"):
            self.add("error", "A11", name, f"the public page {info.public_page} is not an https address")
        if not info.apply:
            self.add("error", "A12", name, "no way to apply")
        if not info.legal_references:
            self.add("error", "A13", name, "no legal reference")
        if not info.documentation.strip():
            self.add(
                "warning", "A13", name, "no documentation of the rules and their assumptions (AideInfo.documentation)"
            )

    def expert_cases(self, name: str, cases: list[ExpertCase]) -> None:
        """A5: the aide's partner's own cases (at least two, passing). A8: another partner's
        expectations on this aide never block its release: when they no longer hold, that partner
        is notified at the sync (its aides carry the A7 notice until it answers)."""
        owner = self.rules.aides[name].owner
        concerned = [c for c in cases if name in c.aides]
        mine = [c for c in concerned if (c.owner or owner) == owner]
        if len(mine) < MINIMUM_CASES:
            self.add(
                "error",
                "A5",
                name,
                f"{len(mine)} expert test case{'s' if len(mine) != 1 else ''}; at least {MINIMUM_CASES} are needed "
                "(tests/yaml/*.yaml in the package, or `mesaides registry add-case`)",
            )
        if not self.run_tests or name in self.rules.unavailable:
            return
        for outcome in run_cases(concerned, self.engine):
            if outcome.ok:
                continue
            case_owner = outcome.case.owner or owner
            where = f"expert case {outcome.case.name!r} ({outcome.case.source})"
            if case_owner != owner:
                self.add(
                    "warning",
                    "A8",
                    name,
                    f"{where} of {case_owner} no longer holds: {outcome.message}. {case_owner} will be notified "
                    "when this version is synced, and its aides show the A7 notice until it answers",
                )
                continue
            if not outcome.failures:  # the case could not run at all
                self.add("error", "A5", name, f"{where} fails: {outcome.message}")
                continue
            own = {v: m for v, m in outcome.failures.items() if self.owner_of(v) in (None, owner)}
            others = {v: m for v, m in outcome.failures.items() if v not in own}
            if own and not others:
                self.add("error", "A5", name, f"{where} fails: {'; '.join(own.values())}")
            elif others:
                # The amounts it expects of another partner's aides changed: what it expects of this
                # partner's aides may follow from them (A8), and the sync tells the partner.
                self.add(
                    "warning",
                    "A8",
                    name,
                    f"{where} expects amounts of another partner's aides that changed: "
                    f"{'; '.join(outcome.failures.values())}; update the case (A8: their partner updates them on "
                    "its own initiative)",
                )

    def owner_of(self, variable: str) -> str | None:
        """The distribution that declares ``variable`` (None for an unknown one)."""
        quantity = self.rules.quantities.get(variable)
        return quantity.owner if quantity is not None else None


def _when(at: dt.datetime | None) -> str:
    return f" on {at.date().isoformat()}" if at else ""


def _removed_message(parameter: str, status: CatalogueParameter) -> str:
    replacement = f"; use {status.replacement} instead" if status.replacement else ""
    reason = f" ({status.reason})" if status.reason else ""
    return f"reads Parameter {parameter}, which the operator removed{_when(status.removed_at)}{reason}{replacement}"


def partner_distributions(rules: RuleSet) -> list[str]:
    """The installed distributions that register aides or a partner (the core is not one)."""
    owners = set(rules.partners) | {a.owner for a in rules.aides.values()}
    owners |= {r.distribution for r in rules.plugins.values() if r.problems}
    return sorted(owners - {"mesaides-core"})


def check_distributions(
    rules: RuleSet,
    catalogue: Catalogue,
    *,
    today: dt.date,
    distributions: Iterable[str] | None = None,
    case_dirs: Mapping[str, Iterable[Path]] | None = None,
    run_tests: bool = True,
) -> CheckReport:
    """Check each distribution (by default every installed partner distribution)."""
    checker = _Checker(rules, catalogue, today, run_tests)
    names = list(distributions) if distributions else partner_distributions(rules)
    case_dirs = case_dirs or {}
    for dist in names:
        dirs = case_dirs.get(dist)
        checker.distribution(dist, list(dirs) if dirs is not None else distribution_case_dirs(dist))
    return CheckReport(checker.findings, names)


def check_publication(
    rules: RuleSet,
    catalogue: Catalogue,
    name: str,
    *,
    today: dt.date,
    case_dirs: Iterable[Path] | None = None,
) -> list[Finding]:
    """A6/G2: the automatic checks an aide passes before it is shown (errors only)."""
    checker = _Checker(rules, catalogue, today, run_tests=True)
    if name not in rules.aides:
        return [Finding("error", "graph", "", name, "not registered by any installed distribution")]
    owner = rules.aides[name].owner
    dirs = list(case_dirs) if case_dirs is not None else distribution_case_dirs(owner)
    cases, problems = checker.cases_for(dirs)
    checker.dist = owner
    for problem in problems:
        checker.add("error", "A5", name, problem)
    checker.aide(name, cases, for_publication=True)
    return [f for f in checker.findings if f.level == "error"]


def registered_cases(rows: Iterable[Any], owners: Mapping[str, str | None]) -> list[ExpertCase]:
    """Expert cases stored in the registry (rows with ``id``, ``aide`` and ``content``), each
    owned by the distribution of the aide it was registered for (``owners``: aide -> distribution)."""
    cases: list[ExpertCase] = []
    for row in rows:
        try:
            cases.extend(
                replace(case, owner=owners.get(row.aide)) for case in parse_cases(row.content, f"registry #{row.id}")
            )
        except ValueError:
            continue  # validated when added
    return cases
