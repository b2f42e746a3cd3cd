"""The Ministère de l'Éducation nationale partner's hook implementations: its partner card,
legislation values, intermediate quantities and aides.

The bourses read only the core: the RFR, the ages, the SMIC and the BMAF (a core value, shared
with the CAF's prestations familiales), so the partner requires no other partner.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import Institution, Partner, PartnerPlugin

HERE = files("mesaides.partner_education_nationale")

plugin = PartnerPlugin(
    "mesaides.partner_education_nationale",
    Partner(
        id="education_nationale",
        name="Ministère de l'Éducation nationale",
        scope="national",
        institutions=(
            Institution(
                id="education_nationale",
                name="Ministère de l'Éducation nationale",
                logo=HERE / "logo_education_nationale.png",
            ),
        ),
        referent_email="partenariats@education.example.org",
    ),
    rule_modules=("bourses",),
)
