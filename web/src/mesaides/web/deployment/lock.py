"""The deployment lock (``deployment.lock``): what one instance serves, written by
``mesaides deployment check`` from the operator's deployment file.

It holds the exact version of every distribution the instance runs and the resolved status of
every aide of its partner distributions (``public``, ``preview`` or ``disabled``). The web server
reads it at start (``mesaides serve --deployment deployment.lock``) and refuses to start when the
installed versions differ from it.

This module is light on purpose (standard library and ``importlib_metadata`` only): the web
server imports it at start.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import importlib_metadata

LOCK_FORMAT = 1
PUBLIC, PREVIEW, DISABLED = "public", "preview", "disabled"
AIDE_STATUSES = (PUBLIC, PREVIEW, DISABLED)

# The role of a distribution in the lock.
PARTNER = "partner"
"""A partner distribution the deployment file lists."""
UNLISTED = "unlisted"
"""An installed partner distribution the deployment file does not list: none of its aides is shown."""
TOOLING = "tooling"
"""The core, the registry, the web server: no aide of their own."""


class LockError(ValueError):
    """A lock that cannot be read, or that does not match what is installed."""


@dataclass(frozen=True)
class LockedDistribution:
    name: str
    version: str
    role: str = PARTNER
    requirement: str = ""
    """The version range the deployment file allows (partners only)."""
    partner: str = ""
    digest: str = ""
    """The digest of its rules when the lock was written (the registry's fingerprints)."""
    source: str = ""
    """Where it was installed from (``direct_url.json``): a file URL, ``editable:`` and a file URL,
    or empty for a package index."""


@dataclass(frozen=True)
class LockedAide:
    name: str
    status: str
    """``public``, ``preview`` or ``disabled``, as this instance serves it."""
    distribution: str
    version: str
    fingerprint: str = ""
    registry_status: str = ""
    """The registry's status once the lock was written (``published``, ``preview``...)."""


@dataclass(frozen=True)
class Lock:
    preview: bool
    """Whether the instance is a preview (G4): aides in preview are shown, with a banner."""
    distributions: dict[str, LockedDistribution] = field(default_factory=dict)
    aides: dict[str, LockedAide] = field(default_factory=dict)
    deployment_file: str = ""
    deployment_digest: str = ""
    written_at: str = ""
    written_by: str = ""

    def shown(self) -> dict[str, str]:
        """The aides this instance shows, with their status (``public`` or ``preview``)."""
        allowed = {PUBLIC, PREVIEW} if self.preview else {PUBLIC}
        return {n: a.status for n, a in self.aides.items() if a.status in allowed}

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(AIDE_STATUSES, 0)
        for a in self.aides.values():
            out[a.status] = out.get(a.status, 0) + 1
        return out

    def mismatches(self, installed: Mapping[str, str | None]) -> list[str]:
        """Distributions whose installed version is not the locked one (``installed`` maps each
        name to its version, or None when it is missing)."""
        problems = []
        for d in self.distributions.values():
            version = installed.get(d.name)
            if version is None:
                problems.append(f"{d.name} {d.version} is locked but not installed")
            elif version != d.version:
                problems.append(f"{d.name} {d.version} is locked but {version} is installed")
        return problems

    # ---- TOML --------------------------------------------------------------------------------

    def to_toml(self) -> str:
        lines = [
            "# Written by `mesaides deployment check`: what this instance serves. Do not edit it;",
            "# edit the deployment file and check it again.",
            "",
            "[lock]",
            f"format = {LOCK_FORMAT}",
            f"preview = {_toml(self.preview)}",
            f"deployment_file = {_toml(self.deployment_file)}",
            f"deployment_digest = {_toml(self.deployment_digest)}",
            f"written_at = {_toml(self.written_at)}",
            f"written_by = {_toml(self.written_by)}",
        ]
        for d in sorted(self.distributions.values(), key=lambda d: (d.role != PARTNER, d.name)):
            lines += ["", f"[distributions.{_toml(d.name)}]"]
            lines += [
                f"{k} = {_toml(getattr(d, k))}"
                for k in ("version", "role", "requirement", "partner", "digest", "source")
            ]
        for a in sorted(self.aides.values(), key=lambda a: (a.distribution, a.name)):
            lines += ["", f"[aides.{_toml(a.name)}]"]
            lines += [
                f"{k} = {_toml(getattr(a, k))}"
                for k in ("status", "distribution", "version", "fingerprint", "registry_status")
            ]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, text: str, source: str = "deployment.lock") -> Lock:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise LockError(f"{source}: not valid TOML: {exc}") from None
        head = data.get("lock")
        if not isinstance(head, dict) or head.get("format") != LOCK_FORMAT:
            raise LockError(
                f"{source}: not a deployment lock of format {LOCK_FORMAT} (write it with `mesaides deployment check`)"
            )
        try:
            distributions = {
                name: LockedDistribution(name=name, **_fields(row, LockedDistribution))
                for name, row in data.get("distributions", {}).items()
            }
            aides = {
                name: LockedAide(name=name, **_fields(row, LockedAide)) for name, row in data.get("aides", {}).items()
            }
        except (TypeError, AttributeError) as exc:
            raise LockError(f"{source}: malformed: {exc}") from None
        for a in aides.values():
            if a.status not in AIDE_STATUSES:
                raise LockError(
                    f"{source}: aide {a.name}: status {a.status!r} is not one of {', '.join(AIDE_STATUSES)}"
                )
        return cls(
            preview=bool(head.get("preview", False)),
            distributions=distributions,
            aides=aides,
            deployment_file=str(head.get("deployment_file", "")),
            deployment_digest=str(head.get("deployment_digest", "")),
            written_at=str(head.get("written_at", "")),
            written_by=str(head.get("written_by", "")),
        )


def _fields(row: Any, kind: type[LockedDistribution] | type[LockedAide]) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise TypeError(f"expected a table, got {row!r}")
    known = {f.name for f in fields(kind)} - {"name"}
    unknown = set(row) - known
    if unknown:
        raise TypeError(f"unknown keys {', '.join(sorted(unknown))}")
    return {k: v for k, v in row.items() if k in known}


def _toml(value: Any) -> str:
    """A TOML value: a bool, an integer, or a basic string (JSON's escapes are TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def read_lock(path: Path | str) -> Lock:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LockError(f"cannot read the deployment lock {path}: {exc.strerror or exc}") from None
    return Lock.from_toml(text, str(path))


def write_lock(lock: Lock, path: Path | str) -> Path:
    """Write the lock atomically (a reader never sees half a file)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(lock.to_toml(), encoding="utf-8")
    tmp.replace(path)
    return path


def installed_versions(names: Iterable[str]) -> dict[str, str | None]:
    """The installed version of each distribution (None when it is not installed), read from the
    installed metadata without importing anything."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = None
    return out


def install_source(name: str) -> str:
    """Where an installed distribution came from (PEP 610 ``direct_url.json``): ``editable:<url>``
    for an editable install, the file or VCS URL otherwise, empty for a package index."""
    try:
        text = importlib_metadata.distribution(name).read_text("direct_url.json")
    except importlib_metadata.PackageNotFoundError:
        return ""
    if not text:
        return ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return ""
    url = str(data.get("url", ""))
    if (data.get("dir_info") or {}).get("editable"):
        return f"editable:{url}"
    return url
