"""The menage's territory: département, région and EPCI of its commune (``depcom``).

From INSEE's Code officiel géographique as shipped in ``mesaides/core/data/communes.csv`` (see
:mod:`mesaides.core.geography` for the source, the vintage and the helpers partners use to
describe their territory). A territorial aide tests its territory with these quantities,
e.g. ``c("departement") == "59"`` or ``c("epci") == "200046977"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mesaides.core.definitions import quantity
from mesaides.core.entities import MENAGE
from mesaides.core.geography import departements, epcis, regions
from mesaides.core.periods import MONTH

if TYPE_CHECKING:
    from mesaides.core.context import Context


@quantity(
    MENAGE,
    MONTH,
    label="Département de résidence (code INSEE)",
    value_type="str",
)
def departement(c: Context) -> np.ndarray:
    """The département of the menage's commune: ``"59"``, ``"2A"``, ``"971"``; for a collectivité
    d'outre-mer its code (``"987"``). ``""`` when the commune code is empty or unknown."""
    return c.per_text("depcom", departements)


@quantity(
    MENAGE,
    MONTH,
    label="Région de résidence (code INSEE)",
    value_type="str",
)
def region(c: Context) -> np.ndarray:
    """The INSEE code of the région of the menage's commune (``"32"`` Hauts-de-France, ``"84"``
    Auvergne-Rhône-Alpes, ``"01"`` Guadeloupe). ``""`` when the code is empty or unknown and in
    the collectivités d'outre-mer, which have no région. OpenFisca-France's ``region`` is an enum
    of the same codes."""
    return c.per_text("depcom", regions)


@quantity(
    MENAGE,
    MONTH,
    label="EPCI à fiscalité propre de résidence (SIREN)",
    value_type="str",
)
def epci(c: Context) -> np.ndarray:
    """The SIREN of the EPCI à fiscalité propre (métropole, communauté urbaine,
    d'agglomération or de communes) the menage's commune belongs to: ``"200046977"`` for the
    Métropole de Lyon. The arrondissements of Paris, Lyon and Marseille belong to their city's
    EPCI. ``""`` for a commune in no EPCI (a few islands, the collectivités d'outre-mer) or an
    empty or unknown code."""
    return c.per_text("depcom", epcis)


QUANTITIES = (departement, region, epci)
