"""mesaides core: the engine and the plugin API partners build on.

Partners import what they need from here::

    from mesaides.core import hookimpl, Parameter, quantity, as_aide, FAMILLE, MONTH
"""

from mesaides.core.api import Engine, calculate
from mesaides.core.context import Context, Members, UndeclaredRead
from mesaides.core.definitions import (
    Aide,
    AideInfo,
    ApplyChannel,
    Formula,
    Institution,
    LegalReference,
    Parameter,
    Partner,
    Quantity,
    as_aide,
    quantity,
)
from mesaides.core.entities import FAMILLE, FOYER_FISCAL, INDIVIDU, MENAGE, Entity
from mesaides.core.enums import Activite, Enumeration, Scolarite, StatutMarital, StatutOccupationLogement
from mesaides.core.geography import (
    communes_of,
    departement_of,
    departements,
    epci_of,
    epcis,
    in_territory,
    name_of,
    region_of,
    regions,
)
from mesaides.core.hookspecs import hookimpl, hookspec
from mesaides.core.limits import Limits, TooLarge
from mesaides.core.partner_plugin import PartnerPlugin
from mesaides.core.periods import ETERNITY, MONTH, YEAR, Period
from mesaides.core.plugins import get_plugin_manager
from mesaides.core.ruleset import RuleSet, load_rules
from mesaides.core.simulation import ComputationError, Simulation
from mesaides.core.situation import InconsistentSituation, Situation, SituationError, SituationIssue

__all__ = [
    "ETERNITY",
    "FAMILLE",
    "FOYER_FISCAL",
    "INDIVIDU",
    "MENAGE",
    "MONTH",
    "YEAR",
    "Activite",
    "Aide",
    "AideInfo",
    "ApplyChannel",
    "ComputationError",
    "Context",
    "Engine",
    "Entity",
    "Enumeration",
    "Formula",
    "InconsistentSituation",
    "Institution",
    "LegalReference",
    "Limits",
    "Members",
    "Parameter",
    "Partner",
    "PartnerPlugin",
    "Period",
    "Quantity",
    "RuleSet",
    "Scolarite",
    "Simulation",
    "Situation",
    "SituationError",
    "SituationIssue",
    "StatutMarital",
    "StatutOccupationLogement",
    "TooLarge",
    "UndeclaredRead",
    "as_aide",
    "calculate",
    "communes_of",
    "departement_of",
    "departements",
    "epci_of",
    "epcis",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "in_territory",
    "load_rules",
    "name_of",
    "quantity",
    "region_of",
    "regions",
]
