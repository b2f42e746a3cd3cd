"""The Assurance maladie partner's hook implementations: its partner card, legislation values,
intermediate quantities and aides.

The CSS reads the CAF's aides (RSA, housing aid, prestations familiales, AAH) and the Assurance
retraite's ASPA, both required; the ASS of France Travail is declared in ``takes``: without
France Travail it is taken from the situation (0 when not given).
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import INDIVIDU, MONTH, Institution, Parameter, Partner, PartnerPlugin

HERE = files("mesaides.partner_assurance_maladie")

plugin = PartnerPlugin(
    "mesaides.partner_assurance_maladie",
    Partner(
        id="assurance_maladie",
        name="Assurance maladie (CPAM)",
        scope="national",
        institutions=(
            Institution(id="assurance_maladie", name="L'Assurance maladie", logo=HERE / "logo_assurance_maladie.png"),
        ),
        referent_email="partenariats@assurance-maladie.example.org",
        requires={
            "mesaides-partner-caf": ">=1.0,<2",
            "mesaides-partner-assurance-retraite": ">=1.0,<2",
        },
        takes=(
            # Far above any monthly ASS: a typing mistake is refused instead of computed.
            Parameter(
                name="ass",
                entity=INDIVIDU,
                period=MONTH,
                unit="EUR",
                minimum=0.0,
                maximum=10_000.0,
                label="Allocation de solidarité spécifique (ASS)",
            ),
        ),
    ),
    rule_modules=("asi", "css"),
)
