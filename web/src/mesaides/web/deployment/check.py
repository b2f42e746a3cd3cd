"""``mesaides deployment check``: a deployment file checked against what is installed and what
the registry allows, then recorded and locked.

:func:`check_deployment` validates the file (:mod:`mesaides.web.deployment.file`) against what is
installed (present, in range, loaded, the partners each one requires also listed) and asks the
registry, through its facade (:meth:`mesaides.registry.Registry.may_show`), whether each shown aide
may be: an aide is made public only if it passes the automatic checks of publication (A4, A5,
A11-A13, A1/A2, available) and both A6 sign-offs of its installed rules, unless the registry has
already published it (its later versions follow A8 instead); an aide is previewed on the
automatic checks alone (G4). Either way the registry must have synced the installed rules, so
that the partners they may impact were told (A3, A8, A10). :func:`record_deployment` then has
the registry record the statuses (never lowering one: another instance may show more) and writes
the lock (:mod:`mesaides.web.deployment.lock`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.utils import canonicalize_name

from mesaides.core import RuleSet
from mesaides.registry import Registry, ShowingAnswer
from mesaides.registry.accounts import Actor
from mesaides.registry.checks import Finding, HasFindings, partner_distributions
from mesaides.web.deployment.file import DeploymentFile, in_range
from mesaides.web.deployment.lock import (
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

REGISTRY_TARGET = {PUBLIC: "published", PREVIEW: "preview"}
"""The registry status an aide needs to be shown with each deployment status."""


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
    dirs = {
        owner: case_dirs.get(owner) if case_dirs and owner in case_dirs else deployment.case_dirs(owner)
        for owner in {rules.aides[name].owner for name in check.targets}
    }
    answer = registry.may_show(rules, check.targets, require_synced=require_synced, case_dirs=dirs)
    check.findings += answer.findings
    if check.ok:
        check.lock = _lock(check, rules, answer, registry, by)
    return check


def _installed_distributions(rules: RuleSet) -> dict[str, str]:
    """Canonical name → the name the rule set uses, for every distribution with a plugin."""
    return {canonicalize_name(r.distribution): r.distribution for r in rules.plugins.values()}


def _lock(check: DeploymentCheck, rules: RuleSet, answer: ShowingAnswer, registry: Registry, by: str) -> Lock:
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
        distributions[name] = LockedDistribution(
            name=name,
            version=record.version,
            role=role,
            requirement=spec or "",
            partner=partner.id if partner else "",
            digest=answer.fingerprints.distributions.get(name, ""),
            source=install_source(name),
        )
    aides = {}
    for name, status in check.statuses.items():
        a = rules.aides[name]
        aides[name] = LockedAide(
            name=name,
            status=status,
            distribution=a.owner,
            version=distributions[a.owner].version if a.owner in distributions else "?",
            fingerprint=answer.fingerprints.aides[name],
            registry_status=answer.statuses.get(name, ""),
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
    registry: Registry, check: DeploymentCheck, lock_path: Path | str, *, by: Actor, reason: str = ""
) -> Lock:
    """Record an accepted deployment: each shown aide gets at least the registry status it needs
    (``preview`` or ``published``, as ``mesaides registry publish`` would give it; a status is
    never lowered), the audit log says who locked what, and the lock is written. One transaction:
    if the lock cannot be written, nothing is recorded."""
    accepted = check.lock
    if not check.ok or accepted is None:
        raise ValueError("only an accepted deployment is recorded")
    lock_path = Path(lock_path)
    written: list[Lock] = []

    def write(statuses: dict[str, str]) -> None:
        lock = replace(
            accepted,
            aides={
                n: replace(a, registry_status=statuses.get(n, a.registry_status)) for n, a in accepted.aides.items()
            },
        )
        write_lock(lock, lock_path)
        written.append(lock)

    partners = {d.name: d.version for d in accepted.distributions.values() if d.role == PARTNER}
    registry.record_shown(
        check.targets,
        by=by,
        shown_by=f"the deployment {check.deployment.path.name}",
        action="deployment_locked",
        subject=str(lock_path),
        reason=reason,
        details={
            "deployment": str(check.deployment.path),
            "digest": check.deployment.digest,
            "preview": accepted.preview,
            "distributions": partners,
            "shown": accepted.shown(),
        },
        then=write,
    )
    return written[0]
