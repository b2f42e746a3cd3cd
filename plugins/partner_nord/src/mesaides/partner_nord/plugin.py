"""The Département du Nord partner's hook implementations: its partner card, legislation values,
intermediate quantities and aides.

Activ'Emploi reads the CAF's ``rsa``: the partner card says which versions of
``mesaides-partner-caf`` it supports, and the core marks the aide unavailable, with the reason,
when that distribution is absent or out of range.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import Institution, Partner, PartnerPlugin

HERE = files("mesaides.partner_nord")

plugin = PartnerPlugin(
    "mesaides.partner_nord",
    Partner(
        id="departement_nord",
        name="Département du Nord",
        scope="territorial",
        institutions=(
            Institution(id="departement_nord", name="Département du Nord", logo=HERE / "logo_departement_nord.png"),
        ),
        referent_email="partenariats@lenord.example.org",
        requires={"mesaides-partner-caf": ">=1.0,<2"},
    ),
    rule_modules=("activ_emploi",),
)
