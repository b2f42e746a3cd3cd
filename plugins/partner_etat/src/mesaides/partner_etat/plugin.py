"""The État partner's hook implementations: its partner card, legislation values, intermediate
quantities and aides.

The prime de Noël reads the CAF's ``rsa`` (and the RSA foyer's composition, ``rsa_nb_enfants``)
and France Travail's ``ass``: the partner card declares the versions of both it supports, and
the core marks the aide unavailable, with the reason, when one is absent or out of range. The
chèque énergie reads only the core.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import Institution, Partner, PartnerPlugin

HERE = files("mesaides.partner_etat")

plugin = PartnerPlugin(
    "mesaides.partner_etat",
    Partner(
        id="etat",
        name="État",
        scope="national",
        institutions=(Institution(id="etat", name="État (République française)", logo=HERE / "logo_etat.png"),),
        referent_email="partenariats@etat.example.org",
        requires={"mesaides-partner-caf": ">=1.0,<2", "mesaides-partner-france-travail": ">=1.0,<2"},
    ),
    rule_modules=("cheque_energie", "aefa"),
)
