"""Parameters the Métropole de Lyon's rules read that neither the core nor another partner
declares (names as in openfisca-france-local)."""

from mesaides.core import INDIVIDU, MONTH, Parameter

PARAMETERS = (
    # Convention P2: the revenu solidarité jeunes excludes young people in a contrat d'engagement
    # jeune (which replaced the Garantie jeunes); no existing Parameter says so.
    Parameter(
        name="sous_contrat_engagement_jeune",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="En contrat d'engagement jeune (CEJ)",
        year_input="dispatch",
    ),
)
