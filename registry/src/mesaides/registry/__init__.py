"""mesaides registry: the partnership convention (``convention.md``, rules cited by number)
enforced for the operator and the partners.

    from mesaides.registry import open_registry

    registry = open_registry(url=None, clock=None)
    state = registry.public_state()      # per aide: status, A7 notice, G3 notice; per partner: versions
    registry.pending_notices()
"""

from mesaides.registry.checks import Catalogue, CheckReport, Finding
from mesaides.registry.clock import Clock, FixedClock, SystemClock, clock_from_env
from mesaides.registry.mailer import SendReport
from mesaides.registry.public import AideState, DistributionState, PartnerState, PendingNotice, PublicState
from mesaides.registry.registry import Registry, RegistryError, open_registry
from mesaides.registry.settings import SmtpSettings
from mesaides.registry.sync import SyncReport

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
    "SmtpSettings",
    "SyncReport",
    "SystemClock",
    "clock_from_env",
    "open_registry",
]
