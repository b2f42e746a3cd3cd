"""Finding and loading plugins: the core's built-ins, then partners through entry points.

Nothing happens at import time: :func:`get_plugin_manager` builds a fresh manager on each call.
A partner that fails to import or to register is recorded with the reason and left out; the
others still load.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field

import importlib_metadata
import pluggy

from mesaides.core import hookspecs
from mesaides.core.declarative.errors import DeclarativeError
from mesaides.core.declarative.loader import DataPartner, is_data_partner

ENTRY_POINT_GROUP = "mesaides"
DISABLE_ENV = "MESAIDES_DISABLE_PLUGINS"
"""Comma-separated entry-point names not to load (as tox's TOX_DISABLED_EXTERNAL_PLUGINS)."""

BUILTIN_PLUGINS = ("mesaides.core.builtin.base", "mesaides.core.builtin.shared", "mesaides.core.builtin.situation")
CORE_DISTRIBUTION = "mesaides-core"


@dataclass
class PluginRecord:
    """A loaded (or failed) plugin and the distribution it comes from."""

    name: str
    distribution: str
    version: str
    module: str
    problems: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return not self.problems


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers which distribution each plugin comes from."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.records: dict[str, PluginRecord] = {}

    def register_plugin(
        self, plugin: object, name: str, distribution: str, version: str, module: str | None = None
    ) -> PluginRecord:
        """Register ``plugin``, validating its hooks; a bad plugin is recorded, not raised."""
        module_name = module or str(getattr(plugin, "__name__", repr(plugin)))
        record = PluginRecord(name=name, distribution=distribution, version=version, module=module_name)
        self.records[name] = record
        try:
            self.register(plugin, name=name)
            self.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self.is_registered(plugin):
                self.unregister(plugin)
            record.problems.append(f"invalid hooks: {exc}")
        return record

    def fail(self, name: str, distribution: str, version: str, module: str, reason: str) -> PluginRecord:
        record = PluginRecord(name=name, distribution=distribution, version=version, module=module)
        record.problems.append(reason)
        self.records[name] = record
        return record


def get_plugin_manager(*, load_entry_points: bool = True, blocked: tuple[str, ...] | None = None) -> PluginManager:
    """Build a fresh plugin manager: hook specs, built-ins, then partners from entry points."""
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    core_version = _version(CORE_DISTRIBUTION)
    for module_name in BUILTIN_PLUGINS:
        pm.register_plugin(importlib.import_module(module_name), module_name, CORE_DISTRIBUTION, core_version)
    if load_entry_points:
        if blocked is None:
            blocked = tuple(n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip())
        load_partner_entry_points(pm, blocked=blocked)
    pm.check_pending()
    return pm


def load_partner_entry_points(pm: PluginManager, blocked: tuple[str, ...] = ()) -> None:
    seen: dict[str, str] = {}
    for ep in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else "?"
        version = ep.dist.version if ep.dist else "?"
        if ep.name in blocked:
            continue
        if ep.name in seen:
            pm.fail(
                f"{ep.name} ({dist})",
                dist,
                version,
                ep.value,
                f"entry point name {ep.name!r} is already used by {seen[ep.name]}: "
                "entry-point names must be unique (name them after the distribution)",
            )
            continue
        seen[ep.name] = dist
        try:
            plugin = load_entry_point(ep)
        except DeclarativeError as exc:
            pm.fail(ep.name, dist, version, ep.value, f"partner.yaml refused: {exc}")
            continue
        except Exception as exc:  # a partner's broken import must not stop the others
            pm.fail(ep.name, dist, version, ep.value, f"cannot be imported: {type(exc).__name__}: {exc}")
            continue
        pm.register_plugin(plugin, ep.name, dist, version, module=ep.value)


def load_entry_point(ep: importlib_metadata.EntryPoint) -> object:
    """The plugin an entry point names: its object, or, for a package holding ``partner.yaml``,
    the plugin of a partner made only of data (issue 16).

    :raises DeclarativeError: the package's ``partner.yaml`` is invalid.
    """
    plugin = ep.load()
    if is_data_partner(plugin):
        return DataPartner(ep.value)
    return plugin


def _version(distribution: str) -> str:
    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return "0+unknown"
