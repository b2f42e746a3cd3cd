"""The Assurance retraite partner's hook implementations: its partner card, legislation values,
intermediate quantities and aides.

The ASPA reads other partners' values: a partner's AAH and the incapacity rate (a Parameter
the CAF declares) from the CAF, the ASS from France Travail, the ASI and its eligibility from the
Assurance maladie. The card declares them in ``takes``: without those partners, their values are taken from the situation (0 or
False when not given), and the ASPA is still computed.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import INDIVIDU, MONTH, Institution, Parameter, Partner, PartnerPlugin

HERE = files("mesaides.partner_assurance_retraite")

MONTHLY_AIDE_CEILING = 10_000.0
"""The largest monthly amount of another partner's aide a situation may give (€): far above any
AAH, ASS or ASI, so that a typing mistake is refused instead of computed."""


def _monthly_aide(name: str, label: str) -> Parameter:
    return Parameter(
        name=name, entity=INDIVIDU, period=MONTH, label=label, unit="EUR", minimum=0.0, maximum=MONTHLY_AIDE_CEILING
    )


TAKEN = (
    _monthly_aide("aah", "Allocation aux adultes handicapés (AAH)"),
    Parameter(
        name="taux_incapacite",
        entity=INDIVIDU,
        period=MONTH,
        unit="rate",
        year_input="dispatch",
        label="Taux d'incapacité reconnu par la CDAPH (entre 0 et 1)",
        minimum=0.0,
        maximum=1.0,
    ),
    _monthly_aide("ass", "Allocation de solidarité spécifique (ASS)"),
    _monthly_aide("asi", "Allocation supplémentaire d'invalidité (ASI)"),
    Parameter(
        name="asi_eligibilite",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="Éligibilité à l'allocation supplémentaire d'invalidité (ASI)",
    ),
)

plugin = PartnerPlugin(
    "mesaides.partner_assurance_retraite",
    Partner(
        id="assurance_retraite",
        name="Assurance retraite (Cnav, Carsat)",
        scope="national",
        institutions=(
            Institution(
                id="assurance_retraite", name="L'Assurance retraite", logo=HERE / "logo_assurance_retraite.png"
            ),
        ),
        referent_email="partenariats@assurance-retraite.example.org",
        takes=TAKEN,
    ),
    rule_modules=("aspa",),
)
