"""The Métropole de Lyon partner's hook implementations: its partner card, Parameters,
legislation values, intermediate quantities and aides.

The revenu solidarité jeunes reads the CAF's ``rsa``, ``aah`` and ``ppa``: the partner card says
which versions of ``mesaides-partner-caf`` it supports, and the core marks the aide unavailable,
with the reason, when that distribution is absent or out of range.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import Institution, Partner, PartnerPlugin
from mesaides.partner_lyon.parameters import PARAMETERS

HERE = files("mesaides.partner_lyon")

plugin = PartnerPlugin(
    "mesaides.partner_lyon",
    Partner(
        id="metropole_lyon",
        name="Métropole de Lyon",
        scope="territorial",
        institutions=(
            Institution(id="metropole_lyon", name="Métropole de Lyon", logo=HERE / "logo_metropole_lyon.png"),
        ),
        referent_email="partenariats@grandlyon.example.org",
        requires={"mesaides-partner-caf": ">=1.0,<2"},
    ),
    rule_modules=("revenu_solidaire_jeune",),
    parameters=PARAMETERS,
)
