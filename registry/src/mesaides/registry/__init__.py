"""mesaides registry: the partnership convention (``convention.md``, rules cited by number)
enforced for the operator and the partners.

    from mesaides.registry import open_registry

    registry = open_registry(url=None, clock=None)
    state = registry.public_state()      # per aide: status, A7 notice, G3 notice; per partner: versions
    registry.pending_notices()

Names are imported on first use, so that the command-line plugin (``mesaides.registry.plugin``)
stays light for ``mesaides --help``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "AideState": "public",
    "DistributionState": "public",
    "PartnerState": "public",
    "PendingNotice": "public",
    "PublicState": "public",
    "Catalogue": "checks",
    "CheckReport": "checks",
    "Finding": "checks",
    "Clock": "clock",
    "FixedClock": "clock",
    "SystemClock": "clock",
    "clock_from_env": "clock",
    "SendReport": "mailer",
    "Registry": "registry",
    "RegistryError": "registry",
    "ShowingAnswer": "registry",
    "open_registry": "registry",
    "SmtpSettings": "settings",
    "SyncReport": "sync_report",
}

__all__ = [
    "AideState",
    "Catalogue",
    "CheckReport",
    "Clock",
    "DistributionState",
    "Finding",
    "FixedClock",
    "PartnerState",
    "PendingNotice",
    "PublicState",
    "Registry",
    "RegistryError",
    "SendReport",
    "ShowingAnswer",
    "SmtpSettings",
    "SyncReport",
    "SystemClock",
    "clock_from_env",
    "open_registry",
]

if TYPE_CHECKING:
    from mesaides.registry.checks import Catalogue, CheckReport, Finding
    from mesaides.registry.clock import Clock, FixedClock, SystemClock, clock_from_env
    from mesaides.registry.mailer import SendReport
    from mesaides.registry.public import AideState, DistributionState, PartnerState, PendingNotice, PublicState
    from mesaides.registry.registry import Registry, RegistryError, ShowingAnswer, open_registry
    from mesaides.registry.settings import SmtpSettings
    from mesaides.registry.sync_report import SyncReport


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mesaides.registry' has no attribute {name!r}")
    return getattr(importlib.import_module(f"mesaides.registry.{module}"), name)
