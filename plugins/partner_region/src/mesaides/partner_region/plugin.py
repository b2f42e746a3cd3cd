"""The Région Hauts-de-France partner's hook implementations: its partner card, Parameters,
legislation values, intermediate quantities and aides.

Rule modules each expose ``QUANTITIES`` (intermediates) and ``AIDES`` (quantities that are
aides, whose convention metadata comes from ``aides.yaml``).
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import Institution, Partner, PartnerPlugin
from mesaides.partner_region.parameters import PARAMETERS

HERE = files("mesaides.partner_region")

plugin = PartnerPlugin(
    "mesaides.partner_region",
    Partner(
        id="region_hauts_de_france",
        name="Région Hauts-de-France",
        scope="territorial",
        institutions=(
            Institution(id="hauts_de_france", name="Région Hauts-de-France", logo=HERE / "logo_hauts_de_france.png"),
        ),
        referent_email="partenariats@hautsdefrance.example.org",
    ),
    rule_modules=("garde_enfant", "permis"),
    parameters=PARAMETERS,
)
