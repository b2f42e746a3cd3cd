"""The operator's deployment (``deployment.toml``): which partner distributions an instance runs,
in which version ranges, and what it does with each of their aides::

    [instance]
    preview = false            # a preview instance (G4) also shows the aides in preview
    default = "disabled"       # the status of an aide of these distributions not named below

    [distributions]            # name = PEP 440 range; each must be installed, in its range
    mesaides-partner-caf = ">=1.0,<2"
    mesaides-partner-nord = ">=1.0,<2"

    [aides]                    # public | preview | disabled
    rsa = "public"
    nord_activ_emploi_maximum = "preview"

    [tests]                    # optional: expert cases of a distribution installed from a wheel
    mesaides-partner-nord = "../partner_nord/tests/yaml"     # (relative to this file)

:func:`check_deployment` validates it against what is installed (present, in range, loaded,
the partners each one requires also listed) and what the registry allows: an aide is made
public only if it passes the automatic checks of publication (A4, A5, A11-A13, A1/A2, available)
and both A6 sign-offs of its installed rules, unless the registry has already published it
(its later versions follow A8 instead); an aide is previewed on the automatic checks alone (G4).
Either way the registry must have synced the installed rules, so that the partners they may
impact were told (A3, A8, A10). :func:`record_deployment` then records the statuses in the
registry (never lowering one: another instance may show more) and writes the lock
(:mod:`mesaides.registry.lock`).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from sqlalchemy.orm import Session

from mesaides.core import RuleSet
from mesaides.registry import audit, lifecycle
from mesaides.registry.checks import Finding, HasFindings, check_publication, partner_distributions
from mesaides.registry.lock import (
    AIDE_STATUSES,
    DISABLED,
    PARTNER,
    PREVIEW,
    PUBLIC,
    TOOLING,
    UNLISTED,
    Lock,
    LockedAide,
    LockedDistribution,
    install_source,
    write_lock,
)
from mesaides.registry.models import DEVELOPMENT, PUBLISHED, REMOVED, SUSPENDED, Aide
from mesaides.registry.models import PREVIEW as REGISTRY_PREVIEW
from mesaides.registry.registry import Registry
from mesaides.registry.snapshot import Snapshot, take_snapshot
from mesaides.registry.statuses import ADOPTABLE

DEFAULT_FILE = "deployment.toml"
REGISTRY_TARGET = {PUBLIC: PUBLISHED, PREVIEW: REGISTRY_PREVIEW}
"""The registry status an aide needs to be shown with each deployment status."""
_RANK = {DEVELOPMENT: 0, SUSPENDED: 0, REGISTRY_PREVIEW: 1, PUBLISHED: 2}


class DeploymentError(ValueError):
    """A deployment file that cannot be read; ``problems`` lists every mistake found."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class DeploymentFile:
    path: Path
    preview: bool
    default: str
    distributions: dict[str, str]
    """Distribution name (as written) → version range (PEP 440; empty for any version)."""
    aides: dict[str, str]
    digest: str
    tests: dict[str, Path] = field(default_factory=dict)
    """Distribution → folder of its expert cases (A5), for a distribution installed without its
    ``tests/yaml`` (from a wheel); otherwise the registry finds them where it was installed from."""

    def requirement(self, distribution: str) -> str | None:
        """The range the file gives ``distribution`` (names compared as PEP 503 says), or None."""
        wanted = canonicalize_name(distribution)
        return next((spec for name, spec in self.distributions.items() if canonicalize_name(name) == wanted), None)

    def lists(self, distribution: str) -> bool:
        return self.requirement(distribution) is not None

    def lock_path(self) -> Path:
        return self.path.with_suffix(".lock")

    def case_dirs(self, distribution: str) -> list[Path] | None:
        """The [tests] folder of ``distribution``, or None to look where it was installed from."""
        wanted = canonicalize_name(distribution)
        return next(([folder] for name, folder in self.tests.items() if canonicalize_name(name) == wanted), None)


def load_deployment(path: Path | str) -> DeploymentFile:
    """Read and validate a deployment file; every mistake is reported at once."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeploymentError(path, [f"cannot read it: {exc.strerror or exc}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeploymentError(path, [f"not valid TOML: {exc}"]) from None
    problems = [
        f"unknown table [{k}] (expected [instance], [distributions], [aides] and [tests])"
        for k in data
        if k not in ("instance", "distributions", "aides", "tests")
    ]
    instance = _table(data, "instance", problems)
    for key in instance:
        if key not in ("preview", "default"):
            problems.append(f"[instance] {key}: unknown key (expected preview and default)")
    preview = instance.get("preview", False)
    if not isinstance(preview, bool):
        problems.append(f"[instance] preview: expected true or false, not {preview!r}")
    default = instance.get("default", DISABLED)
    if default not in AIDE_STATUSES:
        problems.append(f"[instance] default: {default!r} is not one of {', '.join(AIDE_STATUSES)}")
    distributions: dict[str, str] = {}
    for name, spec in _table(data, "distributions", problems).items():
        if not isinstance(spec, str):
            problems.append(f'[distributions] {name}: expected a version range such as ">=1.0,<2", not {spec!r}')
            continue
        spec = "" if spec.strip() in ("", "*") else spec.strip()
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            problems.append(
                f'[distributions] {name}: {spec!r} is not a version range (PEP 440, e.g. ">=1.0,<2" or "==1.2.0")'
            )
            continue
        distributions[name] = spec
    if not distributions and not problems:
        problems.append("[distributions] lists no partner distribution")
    seen: dict[str, str] = {}
    for name in distributions:
        other = seen.setdefault(canonicalize_name(name), name)
        if other != name:
            problems.append(f"[distributions] {name} and {other} are the same distribution")
    aides: dict[str, str] = {}
    for name, status in _table(data, "aides", problems).items():
        if status not in AIDE_STATUSES:
            problems.append(f"[aides] {name}: {status!r} is not one of {', '.join(AIDE_STATUSES)}")
            continue
        aides[name] = status
    tests: dict[str, Path] = {}
    for name, folder in _table(data, "tests", problems).items():
        if not isinstance(folder, str):
            problems.append(f"[tests] {name}: expected a folder, not {folder!r}")
            continue
        resolved = (path.parent / folder).resolve()
        if not resolved.is_dir():
            problems.append(f"[tests] {name}: {folder} is not a folder")
        elif not any(canonicalize_name(name) == canonicalize_name(d) for d in distributions):
            problems.append(f"[tests] {name}: not in [distributions]")
        else:
            tests[name] = resolved
    if problems:
        raise DeploymentError(path, problems)
    return DeploymentFile(
        path=path,
        preview=preview,
        default=default,
        distributions=distributions,
        aides=aides,
        digest=hashlib.sha256(raw).hexdigest(),
        tests=tests,
    )


def _table(data: dict, key: str, problems: list[str]) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{key}: expected a table [{key}]")
        return {}
    return value


# ---- checking -----------------------------------------------------------------------------------


@dataclass
class DeploymentCheck(HasFindings):
    """What :func:`check_deployment` found; ``lock`` is what to write when there is no error."""

    deployment: DeploymentFile
    findings: list[Finding] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    """Every aide of the listed distributions, with its resolved status."""
    targets: dict[str, str] = field(default_factory=dict)
    """The shown aides, with the registry status each needs (``published`` or ``preview``)."""
    lock: Lock | None = None


def check_deployment(
    deployment: DeploymentFile,
    rules: RuleSet,
    registry: Registry,
    *,
    require_synced: bool = True,
    case_dirs: Mapping[str, Iterable[Path]] | None = None,
    by: str = "registry",
) -> DeploymentCheck:
    """Check ``deployment`` against the installed ``rules`` and the ``registry``. Changes nothing
    in the registry but the A9 deadlines it applies first (as every registry command does).

    ``require_synced=False`` skips the rule that the registry has synced the installed rules:
    ``mesaides deployment swap`` checks a new version that way before syncing it, so that a
    version refused here is rolled back before any partner is told about it.
    """
    check = DeploymentCheck(deployment)
    add = check.findings.append
    installed = _installed_distributions(rules)

    for name, spec in deployment.distributions.items():
        record_name = installed.get(canonicalize_name(name))
        if record_name is None:
            add(
                Finding(
                    "error",
                    "install",
                    name,
                    name,
                    f"not installed: no plugin of the entry-point group 'mesaides' comes from it (pip install '{name}{spec}')",
                )
            )
            continue
        records = [r for r in rules.plugins.values() if r.distribution == record_name]
        version = records[0].version
        if not in_range(version, spec):
            add(Finding("error", "version", name, name, f"{version} is installed, the deployment allows {spec}"))
        for r in records:
            for problem in r.problems:
                add(Finding("error", "load", name, name, f"plugin {r.name} was not loaded: {problem}"))
        partner = rules.partners.get(record_name)
        for required, required_spec in partner.requires.items() if partner else ():
            if not deployment.lists(required):
                add(
                    Finding(
                        "error",
                        "requires",
                        name,
                        name,
                        f"its aides read those of {required} ({required_spec or 'any version'}), which the deployment does not list",
                    )
                )
        if not any(a.owner == record_name for a in rules.aides.values()) and not any(r.problems for r in records):
            add(Finding("warning", "deployment", name, name, "registers no aide"))
    for dist in partner_distributions(rules):
        if not deployment.lists(dist):
            add(
                Finding(
                    "warning",
                    "deployment",
                    dist,
                    dist,
                    "installed but not in the deployment: none of its aides is shown",
                )
            )

    listed = {installed[canonicalize_name(n)] for n in deployment.distributions if canonicalize_name(n) in installed}
    for name, status in deployment.aides.items():
        aide = rules.aides.get(name)
        if aide is None:
            add(
                Finding(
                    "error",
                    "deployment",
                    "",
                    name,
                    f"[aides] {name} = {status!r}: no installed distribution registers this aide",
                )
            )
        elif aide.owner not in listed:
            add(
                Finding(
                    "error",
                    "deployment",
                    aide.owner,
                    name,
                    f"[aides] {name} = {status!r}: it belongs to {aide.owner}, which [distributions] does not list",
                )
            )
    check.statuses = {
        n: deployment.aides.get(n, deployment.default) for n, a in rules.aides.items() if a.owner in listed
    }
    for name, status in check.statuses.items():
        if status == PREVIEW and not deployment.preview:
            add(
                Finding(
                    "warning",
                    "G4",
                    rules.aides[name].owner,
                    name,
                    "in preview, but this instance is not a preview ([instance] preview = false): it is not shown",
                )
            )
        elif status != DISABLED:
            check.targets[name] = REGISTRY_TARGET[status]

    registry.apply_deadlines()
    snapshot = take_snapshot(rules)
    catalogue = registry.catalogue()
    today = registry.now.date()
    with registry.database.reading() as session:
        for name, target in check.targets.items():
            owner = rules.aides[name].owner
            check.findings += _registry_gate(session, snapshot, name, target, require_synced)
            dirs = case_dirs.get(owner) if case_dirs and owner in case_dirs else deployment.case_dirs(owner)
            check.findings += check_publication(rules, catalogue, name, today=today, case_dirs=dirs)
        if check.ok:
            check.lock = _lock(check, rules, snapshot, session, registry, by)
    return check


def _installed_distributions(rules: RuleSet) -> dict[str, str]:
    """Canonical name → the name the rule set uses, for every distribution with a plugin."""
    return {canonicalize_name(r.distribution): r.distribution for r in rules.plugins.values()}


def in_range(version: str, spec: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidVersion, InvalidSpecifier):
        return False


def _registry_gate(session: Session, snapshot: Snapshot, name: str, target: str, require_synced: bool) -> list[Finding]:
    """What the registry's lifecycle says about showing ``name`` with ``target`` status: synced
    rules (A3, A8), a status that can be shown (A1, A2, A9), the A6 sign-offs to be published."""
    aide = snapshot.aides[name]
    out: list[Finding] = []

    def error(rule: str, message: str) -> None:
        out.append(Finding("error", rule, aide.owner, name, message))

    row = session.get(Aide, name)
    if require_synced:
        if row is None or row.owner is None:
            error(
                "A3",
                "the registry has not recorded this aide: run `mesaides registry sync` first, so that the "
                "partners whose aides it may impact are told (A3, G3)",
            )
        elif row.owner != aide.owner or row.fingerprint != aide.fingerprint:
            error(
                "A8",
                f"the registry recorded other rules for it ({row.owner} {row.version}): run `mesaides registry sync` "
                "first, so that the partners whose aides they may impact are told (A8)",
            )
    if row is None or row.owner is None:
        if target == PUBLISHED:
            for text in lifecycle.missing_sign_offs(session, Aide(name=name), aide.fingerprint):
                error(*_split_rule(text))
        return out
    if row.status not in lifecycle.SHOWABLE:
        rule = "A2" if lifecycle.refused_under_a2(row) else "A9" if row.status == REMOVED else "A1"
        error(rule, f"the registry has it {row.status}: {row.status_reason}")
        return out
    # Once published, a new version of the rules follows A8 (notified, with the A7 notice), as
    # the registry's own publication does: it needs no new sign-off.
    needed = REGISTRY_PREVIEW if target == PUBLISHED and row.status == PUBLISHED else target
    problems = lifecycle.promotion_problems(session, row, needed, fingerprint=aide.fingerprint)
    a6 = [i for i, p in enumerate(problems) if p.startswith("A6")]
    if a6 and target == PUBLISHED and row.status in ADOPTABLE and name in lifecycle.baseline_aides(session)[1]:
        problems[a6[-1]] += (
            f"; if the public already saw it on this instance before it used the registry, record "
            f'that instead: `mesaides registry adopt {name} --reason "public on ... since ..."` (or --all)'
        )
    for text in problems:
        error(*_split_rule(text))
    return out


def _split_rule(text: str) -> tuple[str, str]:
    """``"A6(a): the partner..."`` → ``("A6", text)``."""
    head = text.split(":", 1)[0]
    return head.split("(", 1)[0] if head[:1].isalpha() and len(head) <= 8 else "registry", text


def _lock(
    check: DeploymentCheck, rules: RuleSet, snapshot: Snapshot, session: Session, registry: Registry, by: str
) -> Lock:
    deployment = check.deployment
    partners = set(partner_distributions(rules))
    distributions: dict[str, LockedDistribution] = {}
    for record in rules.plugins.values():
        name = record.distribution
        if name in distributions:
            continue
        spec = deployment.requirement(name)
        role = PARTNER if spec is not None else UNLISTED if name in partners else TOOLING
        partner = rules.partners.get(name)
        dist = snapshot.distributions.get(name)
        distributions[name] = LockedDistribution(
            name=name,
            version=record.version,
            role=role,
            requirement=spec or "",
            partner=partner.id if partner else "",
            digest=dist.digest if dist else "",
            source=install_source(name),
        )
    aides = {}
    for name, status in check.statuses.items():
        a = snapshot.aides[name]
        row = session.get(Aide, name)
        aides[name] = LockedAide(
            name=name,
            status=status,
            distribution=a.owner,
            version=a.version,
            fingerprint=a.fingerprint,
            registry_status=row.status if row is not None else "",
        )
    return Lock(
        preview=deployment.preview,
        distributions=distributions,
        aides=aides,
        deployment_file=str(deployment.path),
        deployment_digest=deployment.digest,
        written_at=registry.now.isoformat(timespec="seconds"),
        written_by=by,
    )


def record_deployment(
    registry: Registry, check: DeploymentCheck, lock_path: Path | str, *, by: str, reason: str = ""
) -> Lock:
    """Record an accepted deployment: each shown aide gets at least the registry status it needs
    (``preview`` or ``published``, as ``mesaides registry publish`` would give it; a status is
    never lowered), the audit log says who locked what, and the lock is written. One transaction:
    if the lock cannot be written, nothing is recorded."""
    if not check.ok or check.lock is None:
        raise ValueError("only an accepted deployment is recorded")
    lock_path = Path(lock_path)
    name = check.deployment.path.name
    with registry.database.transaction() as session:
        now = registry.now
        statuses = {}
        for aide_name, target in check.targets.items():
            row = session.get(Aide, aide_name)
            if row is not None and _RANK.get(row.status, 3) < _RANK[target]:
                why = (
                    "A6: the automatic checks passed and both sign-offs are given"
                    if target == PUBLISHED
                    else "G4: the automatic checks passed"
                )
                lifecycle.set_status(session, row, target, now, by, f"{why}; shown by the deployment {name}")
            statuses[aide_name] = row.status if row is not None else ""
        lock = replace(
            check.lock,
            aides={
                n: replace(a, registry_status=statuses.get(n, a.registry_status)) for n, a in check.lock.aides.items()
            },
        )
        audit.record(
            session,
            now,
            by,
            "deployment_locked",
            str(lock_path),
            reason,
            deployment=str(check.deployment.path),
            digest=check.deployment.digest,
            preview=lock.preview,
            distributions={d.name: d.version for d in lock.distributions.values() if d.role == PARTNER},
            shown=lock.shown(),
        )
        write_lock(lock, lock_path)
    return lock
