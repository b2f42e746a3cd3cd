"""``mesaides deployment swap DIST==VERSION``: upgrade or roll back one partner distribution of a
deployment in one command.

1. The version must be in the range the deployment file allows.
2. pip installs it into the running environment (from ``--from`` a wheel, a folder or a URL,
   else from the package index).
3. The deployment is checked with the new rules, before any partner is told: a refusal rolls
   back at once.
4. The registry syncs the new rules: the impact rules apply (A3, A7, A8, A10: notifications,
   the A7 notice, the measured impact).
5. The deployment is checked again and the lock rewritten.
6. The audit log records the swap (or its rollback, with the reason).

On failure after step 2 the previous version is reinstalled from where it came from (its
``direct_url.json``: a folder, editable or not, a wheel, or the index); when the registry had
synced the new rules, it syncs the previous ones again, so that its record says what runs.

Steps 3 to 5 load the rules, so they run in child processes (``python -m mesaides.core.cli_main``):
this process imported the previous version's modules when it started.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from mesaides.registry import Registry
from mesaides.registry.accounts import Actor
from mesaides.web.deployment.file import DeploymentFile, in_range, load_deployment
from mesaides.web.deployment.lock import install_source, installed_versions

Echo = Callable[[str], None]


class SwapError(RuntimeError):
    """A swap refused before anything changed, or rolled back; the message says which and why."""


@dataclass
class SwapPlan:
    distribution: str
    version: str
    target: str
    """What pip installs: the ``--from`` source, or ``DIST==VERSION`` from the index."""
    previous: str | None
    previous_target: str | None
    """What pip reinstalls to roll back (None when the distribution was not installed)."""
    deployment: DeploymentFile
    lock: Path


@dataclass
class SwapResult:
    plan: SwapPlan
    done: bool
    sync: dict = field(default_factory=dict)
    """The sync's report (JSON), when the registry synced the new rules."""
    reason: str = ""


def parse_spec(spec: str) -> tuple[str, str]:
    """``DIST==VERSION`` → (dist, version); anything else is refused."""
    try:
        req = Requirement(spec)
    except InvalidRequirement as exc:
        raise SwapError(f"{spec!r}: expected DIST==VERSION ({exc})") from None
    pins = [s for s in req.specifier if s.operator in ("==", "===")]
    if len(pins) != 1 or len(req.specifier) != 1 or "*" in pins[0].version or req.extras or req.url:
        raise SwapError(f"{spec!r}: expected exactly one version, as DIST==VERSION")
    return req.name, pins[0].version


def reinstall_target(distribution: str, version: str) -> str:
    """How to install again what is installed now (PEP 610), for a rollback."""
    source = install_source(distribution)
    if source.startswith("editable:"):
        return f"-e {source.removeprefix('editable:')}"
    return source or f"{distribution}=={version}"


def plan_swap(spec: str, deployment_path: Path, lock_path: Path | None = None, source: str | None = None) -> SwapPlan:
    distribution, version = parse_spec(spec)
    deployment = load_deployment(deployment_path)
    requirement = deployment.requirement(distribution)
    if requirement is None:
        raise SwapError(f"{distribution} is not in the deployment {deployment.path}: add it to [distributions] first")
    if not in_range(version, requirement):
        raise SwapError(
            f"{distribution} {version} is outside the range {deployment.path} allows ({requirement}): "
            "change the range there first"
        )
    name = _installed_name(distribution)
    previous = installed_versions([name])[name]
    return SwapPlan(
        distribution=name,
        version=version,
        target=source or f"{name}=={version}",
        previous=previous,
        previous_target=reinstall_target(name, previous) if previous else None,
        deployment=deployment,
        lock=lock_path or deployment.lock_path(),
    )


def _installed_name(distribution: str) -> str:
    """The name as installed (metadata), else as given."""
    import importlib_metadata

    try:
        return importlib_metadata.distribution(distribution).metadata["Name"]
    except importlib_metadata.PackageNotFoundError:
        return str(canonicalize_name(distribution))


class _Runner:
    """Child processes of this environment's Python, their output passed on to ``echo``."""

    def __init__(self, echo: Echo, env: dict[str, str]):
        self.echo = echo
        self.env = env

    def run(self, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, *args], env=self.env, capture_output=True, text=True, check=False)
        if not quiet or done.returncode:
            for line in (done.stdout + done.stderr).splitlines():
                if line.strip():
                    self.echo(f"    {line}")
        return done

    def pip_install(self, target: str) -> bool:
        args = target.split(" ", 1) if target.startswith("-e ") else [target]
        self.echo(f"  pip install {' '.join(args)}")
        done = self.run("-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args, quiet=True)
        importlib.invalidate_caches()
        return done.returncode == 0

    def mesaides(self, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
        return self.run("-m", "mesaides.core.cli_main", *args, quiet=quiet)


def swap(
    plan: SwapPlan,
    registry: Registry,
    *,
    database_url: str,
    by: Actor,
    reason: str = "",
    measure: bool = True,
    echo: Echo = print,
) -> SwapResult:
    """Carry out ``plan`` (see the module's documentation). Raises :class:`SwapError` after a
    rollback; the audit log has the swap either way."""
    env = {**os.environ, "MESAIDES_DATABASE_URL": database_url, "MESAIDES_ACCOUNT": by.email}
    run = _Runner(echo, env)
    dist, version = plan.distribution, plan.version
    what = f"{dist} {plan.previous or '(not installed)'} -> {version}"
    deployment = str(plan.deployment.path)
    check_args = ("deployment", "check", deployment, "--lock", str(plan.lock), "--as", by.email)
    echo(f"swap {what}")
    synced = False

    def fail(step: str, why: str) -> SwapResult:
        echo(f"  {step} failed: rolling back to {plan.previous or 'nothing'}")
        rolled = _roll_back(plan, run)
        if synced and rolled:
            resync = run.mesaides(
                "registry",
                "sync",
                "--as",
                by.email,
                "--reason",
                f"rollback of {what}: {why}",
                *(() if measure else ("--no-measure",)),
                quiet=True,
            )
            if resync.returncode == 0 and run.mesaides(*check_args, quiet=True).returncode != 0:
                echo(f"  the lock {plan.lock} could not be rewritten for the previous version: check the deployment")
        outcome = "rolled back" if rolled else "ROLLBACK FAILED"
        registry.record_event(
            "deployment_swap_failed",
            dist,
            by=by,
            reason=reason,
            before=plan.previous,
            after=version,
            source=plan.target,
            step=step,
            why=why,
            outcome=outcome,
            deployment=deployment,
        )
        message = f"swap {what} refused at {step}: {why}; {outcome}"
        if not rolled:
            message += f" (reinstall it by hand: pip install {plan.previous_target})"
        raise SwapError(message)

    if plan.previous == version and plan.target == f"{dist}=={version}":
        raise SwapError(f"{dist} {version} is already installed")
    if not run.pip_install(plan.target):
        if installed_versions([dist])[dist] == plan.previous:
            registry.record_event(
                "deployment_swap_failed",
                dist,
                by=by,
                reason=reason,
                before=plan.previous,
                after=version,
                source=plan.target,
                step="install",
                why="pip failed",
                outcome="nothing changed",
                deployment=deployment,
            )
            raise SwapError(f"swap {what}: pip could not install {plan.target}; nothing changed")
        return fail("install", "pip failed")
    got = installed_versions([dist])[dist]
    if got != version:
        return fail("install", f"{plan.target} installed {dist} {got}, not {version}")

    echo("  checking the deployment with the new rules")
    if run.mesaides(*check_args, "--dry-run", "--before-sync").returncode != 0:
        return fail("check", f"the deployment {deployment} refuses {dist} {version}")

    echo("  registry sync (A3, A7, A8, A10)")
    done = run.mesaides(
        "registry",
        "sync",
        "--json",
        "--as",
        by.email,
        "--reason",
        f"swap {what}" + (f": {reason}" if reason else ""),
        *(() if measure else ("--no-measure",)),
        quiet=True,
    )
    if done.returncode != 0:
        return fail("sync", "the registry could not sync the new rules")
    synced = True
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = {}
    for line in _sync_lines(report):
        echo(f"    {line}")

    echo(f"  writing {plan.lock}")
    if run.mesaides(*check_args).returncode != 0:
        return fail("lock", f"the deployment {deployment} refuses the synced rules")

    registry.record_event(
        "deployment_swap",
        dist,
        by=by,
        reason=reason,
        before=plan.previous,
        after=version,
        source=plan.target,
        rollback=plan.previous_target,
        sync=report.get("sync_id"),
        notifications=report.get("notifications", []),
        deployment=deployment,
        lock=str(plan.lock),
    )
    echo(f"swapped {what}; restart the server to serve it")
    return SwapResult(plan, True, report)


def _roll_back(plan: SwapPlan, run: _Runner) -> bool:
    if plan.previous_target is None:
        done = run.run("-m", "pip", "uninstall", "--yes", "--quiet", plan.distribution, quiet=True)
        importlib.invalidate_caches()
        return done.returncode == 0
    return (
        run.pip_install(plan.previous_target)
        and installed_versions([plan.distribution])[plan.distribution] == plan.previous
    )


def _sync_lines(report: dict) -> list[str]:
    out = [f"sync #{report.get('sync_id')}"]
    for key, label in (
        ("changed", "aides changed"),
        ("added", "aides added"),
        ("removed", "aides removed"),
        ("versions_only", "new versions, same rules"),
    ):
        if report.get(key):
            out.append(f"{label}: {', '.join(report[key])}")
    if report.get("notifications"):
        out.append(f"notifications: {', '.join(f'#{n}' for n in report['notifications'])}")
    for m in report.get("impact", []):
        if m.get("error"):
            out.append(f"impact of {m['subject']} on {m['aide']}: not measured ({m['error']})")
        else:
            out.append(
                f"impact of {m['subject']} on {m['aide']}: +{m['gained']} / -{m['lost']} households, "
                f"{m['changed']} amounts changed"
            )
    return out
