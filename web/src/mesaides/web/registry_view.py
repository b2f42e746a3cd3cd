"""What the registry says about each aide and partner, as the web simulator needs it.

The registry (``mesaides-registry``) decides whether an aide is public (A6, G2, G4) and which
notices users see (A7, G3). This module reads its public state through the agreed contract::

    from mesaides.registry import open_registry
    reg = open_registry(url=None, clock=None)
    reg.public_state()      # per aide: status, notice, territorial_notice; per partner: ...
    reg.pending_notices()

**Fallback, on purpose.** An aide the registry has not synced yet (or every aide, when the
registry cannot be opened or read) is treated as *published* with no notice, so
that a fresh default deployment (the README's one-command start) shows results at once. The
``/stats`` page and ``GET /aides`` say for each aide whether its status comes from the registry
or from this fallback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mesaides.registry import open_registry

log = logging.getLogger(__name__)

PUBLISHED = "published"
PREVIEW = "preview"
FALLBACK_STATUS = PUBLISHED
STATUS_FR = {
    "suggested": "proposée",
    "feasible": "jugée faisable",
    "refused": "refusée",
    "development": "en développement",
    "preview": "en aperçu",
    "published": "publiée",
    "suspended": "suspendue",
    "removed": "retirée",
    "disabled": "non proposée sur cette instance",
    "active": "active",
    "deprecated": "dépréciée",
    "open": "ouvert",
    "resolved": "résolu",
    "expired": "délai expiré",
}
"""The registry's statuses (an aide's, a Parameter's, a defect's) and the deployment's
``disabled``, as the pages say them."""


@dataclass(frozen=True)
class AideState:
    status: str
    notice: str | None = None
    """A7: interactions with the other aides not yet confirmed."""
    territorial_notice: str | None = None
    """G3: a territorial aide that may change eligibility to national ones."""
    from_registry: bool = False
    from_deployment: bool = False
    """The status comes from the deployment lock (``mesaides serve --deployment``)."""

    @property
    def source(self) -> str:
        """Where the status comes from: ``deployment``, ``registry`` or ``fallback``."""
        return "deployment" if self.from_deployment else "registry" if self.from_registry else "fallback"


@dataclass
class PublicState:
    aides: dict[str, AideState] = field(default_factory=dict)
    partners: list[dict[str, Any]] = field(default_factory=list)
    pending_notices: list[dict[str, Any]] = field(default_factory=list)
    available: bool = False
    """Whether the registry could be read at all."""
    synced: bool = False
    """Whether the registry has recorded the installed distributions at least once."""
    problem: str = ""
    impacts: list[dict[str, Any]] = field(default_factory=list)
    """The measured impact of the registry's latest change (``Registry.impact()``: per subject
    and aide, households gaining and losing, totals before and after), for ``/stats``."""

    def aide(self, name: str) -> AideState:
        return self.aides.get(name) or AideState(status=FALLBACK_STATUS)

    def partner(self, partner_id: str, name: str, distribution: str) -> dict[str, Any] | None:
        """What the registry records of an installed partner: found by its id, its name or its
        distribution (the registry names partners by any of them); None when it has none."""
        return next(
            (
                p
                for p in self.partners
                if str(p.get("name")) in {partner_id, name, distribution}
                or str(p.get("id", "")) == partner_id
                or str(p.get("distribution", "")) == distribution
            ),
            None,
        )


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _items(collection: Any, key: str = "name") -> Iterable[tuple[str, Any]]:
    """``(name, item)`` pairs from a mapping, or from a list of items carrying ``key``."""
    if collection is None:
        return []
    if isinstance(collection, Mapping):
        return list(collection.items())
    return [(str(_get(item, key, "")), item) for item in collection]


def _plain(obj: Any) -> Any:
    """A JSON-friendly copy of a registry object (pydantic model, dataclass, mapping, list)."""
    if hasattr(obj, "model_dump"):
        return _plain(obj.model_dump(mode="json"))
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


class RegistryView:
    """A cached read of the registry's public state (refreshed every ``ttl`` seconds)."""

    def __init__(self, url: str | None = None, ttl: float = 30.0, opener: Any = None):
        self.url = url
        self.ttl = ttl
        self._opener = opener or open_registry
        self._registry: Any = None
        self._state: PublicState | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()
        self._refreshing = False

    def _open(self) -> Any:
        if self._registry is None:
            self._registry = self._opener(url=self.url, clock=None)
        return self._registry

    def state(self) -> PublicState:
        """The last state read. The first call reads it; later, a stale state is returned at
        once while a background thread reads the new one, so that no request waits for it."""
        state = self._state
        if state is None:
            return self.refresh()
        if time.monotonic() - self._read_at > self.ttl and not self._refreshing:
            self._refreshing = True
            threading.Thread(target=self._refresh_quietly, name="registry-refresh", daemon=True).start()
        return state

    def refresh(self) -> PublicState:
        """Read the registry now."""
        with self._lock:
            self._state = self._read()
            self._read_at = time.monotonic()
            return self._state

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        finally:
            self._refreshing = False

    def _read(self) -> PublicState:
        try:
            registry = self._open()
            public = registry.public_state()
        except Exception as exc:  # the simulator must keep working when the registry cannot be read
            log.warning("cannot read the registry: %s", exc)
            self._registry = None
            return PublicState(problem=f"registre illisible : {type(exc).__name__}")
        aides = {}
        for name, item in _items(_get(public, "aides")):
            aides[name] = AideState(
                status=str(_get(item, "status") or FALLBACK_STATUS),
                notice=_get(item, "notice"),
                territorial_notice=_get(item, "territorial_notice"),
                from_registry=True,
            )
        partners = []
        for name, item in _items(_get(public, "partners")):
            plain = _plain(item)
            if isinstance(plain, dict):
                plain.setdefault("name", name)
            partners.append(plain if isinstance(plain, dict) else {"name": name, "value": plain})
        try:
            pending = _plain(list(registry.pending_notices() or []))
        except Exception as exc:
            log.warning("cannot read the registry's pending notices: %s", exc)
            pending = []
        try:
            impact = getattr(registry, "impact", None)
            impacts = _plain(list(impact() or [])) if impact is not None else []
        except Exception as exc:  # the measured impact is extra: the page shows the rest without it
            log.warning("cannot read the registry's measured impact: %s", exc)
            impacts = []
        synced = bool(_get(public, "synced", bool(aides)))
        return PublicState(
            aides=aides, partners=partners, pending_notices=pending, available=True, synced=synced, impacts=impacts
        )
