"""France Travail's hook implementations: its partner card, legislation values, intermediate
quantities and aides.

The ASS reads the CAF's ``aah`` (not cumulable with it, and counted in the resources): the
partner card says which versions of ``mesaides-partner-caf`` it supports, and the core marks the
aide unavailable, with the reason, when that distribution is absent or out of range.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import Institution, Partner, PartnerPlugin

HERE = files("mesaides.partner_france_travail")

plugin = PartnerPlugin(
    "mesaides.partner_france_travail",
    Partner(
        id="france_travail",
        name="France Travail",
        scope="national",
        institutions=(Institution(id="france_travail", name="France Travail", logo=HERE / "logo_france_travail.png"),),
        referent_email="partenariats@francetravail.example.org",
        requires={"mesaides-partner-caf": ">=1.0,<2"},
    ),
    rule_modules=("ass",),
)
