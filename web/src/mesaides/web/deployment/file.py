"""The operator's deployment file (``deployment.toml``): which partner distributions an instance
runs, in which version ranges, and what it does with each of their aides::

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

:func:`load_deployment` reads and validates it (every mistake at once);
:mod:`mesaides.web.deployment.check` checks it against what is installed and the registry.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mesaides.web.deployment.lock import AIDE_STATUSES, DISABLED

DEFAULT_FILE = "deployment.toml"


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


def in_range(version: str, spec: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidVersion, InvalidSpecifier):
        return False
