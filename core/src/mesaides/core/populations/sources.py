"""Which rules a computation runs on: the installed partners, or the installed partners with
one partner replaced by a candidate (a wheel or the folder of its distribution), not installed.

A candidate is loaded in its own worker processes: its package takes the place of the installed
one on ``sys.path`` before any partner is imported, and its entry point replaces the installed
one's (or joins them, for a new partner). A process that already imported the installed
partner cannot load the candidate: :func:`load_rules_from` refuses rather than mixing them.
"""

from __future__ import annotations

import configparser
import email.parser
import os
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from mesaides.core.declarative import DataPartner, is_data_partner
from mesaides.core.plugins import DISABLE_ENV, get_plugin_manager
from mesaides.core.ruleset import RuleSet, load_rules

ENTRY_POINT_GROUP = "mesaides"


class CandidateError(ValueError):
    """A candidate that cannot be read or loaded: which and why."""


@dataclass(frozen=True)
class RuleSource:
    """The rules a run loads: the installed ones (``candidate`` None) or a candidate's."""

    candidate: str | None = None
    """The path of a wheel (``.whl``) or of a distribution's folder (with ``pyproject.toml``)."""

    @property
    def label(self) -> str:
        return "installed partners" if self.candidate is None else f"candidate {Path(self.candidate).name}"


@dataclass(frozen=True)
class Candidate:
    """A partner distribution read from its wheel or folder, not installed."""

    distribution: str
    version: str
    entry_points: dict[str, str]
    """Entry point name -> ``module:attribute`` of the ``mesaides`` group."""
    root: Path
    """The folder to put on ``sys.path``: the one holding the ``mesaides`` package."""


def read_candidate(path: Path, unpack_into: Path | None = None) -> Candidate:
    """The candidate at ``path``: a distribution folder or a wheel (unpacked into
    ``unpack_into``, a new temporary folder by default).

    :raises CandidateError: not found, not a partner distribution, no ``mesaides`` entry point.
    """
    if path.is_dir():
        pyproject = path / "pyproject.toml"
        if not pyproject.is_file():
            raise CandidateError(f"{path}: no pyproject.toml: give a partner distribution's folder or its wheel")
        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        except tomllib.TOMLDecodeError as exc:
            raise CandidateError(f"{pyproject}: not valid TOML: {exc}") from None
        entry_points = dict(project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {}))
        root = path / "src" if (path / "src" / "mesaides").is_dir() else path
        name, version = str(project.get("name", "")), str(project.get("version", "0+candidate"))
    elif path.is_file() and path.suffix == ".whl":
        target = unpack_into or Path(tempfile.mkdtemp(prefix="mesaides-candidate-"))
        try:
            with zipfile.ZipFile(path) as wheel:
                wheel.extractall(target)
        except (zipfile.BadZipFile, OSError) as exc:
            raise CandidateError(f"{path}: not a readable wheel: {exc}") from None
        infos = list(target.glob("*.dist-info"))
        if not infos:
            raise CandidateError(f"{path}: no .dist-info folder: not a wheel")
        metadata = email.parser.Parser().parsestr((infos[0] / "METADATA").read_text(encoding="utf-8"))
        name, version = str(metadata.get("Name", "")), str(metadata.get("Version", ""))
        parser = configparser.ConfigParser(delimiters=("=",))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(infos[0] / "entry_points.txt", encoding="utf-8")
        entry_points = dict(parser[ENTRY_POINT_GROUP]) if parser.has_section(ENTRY_POINT_GROUP) else {}
        root = target
    else:
        raise CandidateError(f"{path}: not found: give a partner distribution's folder or its wheel (.whl)")
    if not name:
        raise CandidateError(f"{path}: the distribution has no name")
    if not entry_points:
        raise CandidateError(f"{path}: {name} declares no entry point in the {ENTRY_POINT_GROUP!r} group")
    return Candidate(name, version, {k: v.strip() for k, v in entry_points.items()}, root)


def load_rules_from(source: RuleSource, unpack_into: Path | None = None) -> RuleSet:
    """The rule set of ``source``, loaded in this process.

    :raises CandidateError: a candidate that cannot be read, or whose package this process
        already imported from the installed partner.
    """
    if source.candidate is None:
        return load_rules()
    candidate = read_candidate(Path(source.candidate), unpack_into)
    modules = {value.partition(":")[0] for value in candidate.entry_points.values()}
    packages = {".".join(m.split(".")[:2]) for m in modules}
    loaded = sorted(p for p in packages if p in sys.modules)
    if loaded:
        raise CandidateError(
            f"this process already imported the installed {', '.join(loaded)}: "
            "compute the candidate on workers of its own"
        )
    sys.path.insert(0, str(candidate.root))
    blocked = tuple(n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip())
    pm = get_plugin_manager(blocked=blocked + tuple(candidate.entry_points))
    for name, value in candidate.entry_points.items():
        module_name, _, attribute = value.partition(":")
        plugin: Any
        try:
            plugin = import_module(module_name)
            for part in filter(None, attribute.split(".")):
                plugin = getattr(plugin, part)
            if is_data_partner(plugin):  # a partner made only of data (issue 16)
                plugin = DataPartner(module_name)
        except Exception as exc:  # the candidate's broken import is reported like an installed one's
            pm.fail(
                name,
                candidate.distribution,
                candidate.version,
                value,
                f"cannot be imported: {type(exc).__name__}: {exc}",
            )
            continue
        pm.register_plugin(plugin, name, candidate.distribution, candidate.version, module=value)
    pm.check_pending()
    return load_rules(pm)
