"""Activ'Emploi of the Département du Nord: a financial aide to RSA beneficiaries who take up a
job or a training, towards its first costs (transport, childcare, work equipment).

Computed, as openfisca-france-local does, as the maximum amount for every member of a famille
that receives the RSA and lives in the Nord. See ``docs/rules.md`` for the differences with the
Département's own description.
"""

from __future__ import annotations

from mesaides.core import INDIVIDU, MENAGE, MONTH, quantity

DEPARTEMENT_NORD = "59"
"""INSEE code of the Département du Nord (the core's ``departement`` quantity)."""


@quantity(
    MENAGE,
    MONTH,
    label="Résider dans le Nord",
    value_type="bool",
)
def nord_eligibilite_residence(c):
    """The menage's commune is in the Nord."""
    return c("departement") == DEPARTEMENT_NORD


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité au dispositif Activ'Emploi du département du Nord",
    defined_for="nord_eligibilite_residence",
    value_type="bool",
)
def nord_activ_emploi_eligibilite(c):
    """The person lives in the Nord and belongs to a famille that receives the RSA this month."""
    return c.check("Foyer bénéficiaire du RSA", c("rsa") > 0)


@quantity(
    INDIVIDU,
    MONTH,
    label="Montant maximum de l'aide financière Activ'Emploi du département du Nord",
    defined_for="nord_activ_emploi_eligibilite",
    references=("https://lenord.fr/jcms/prd1_608417/activ-emploi",),
)
def nord_activ_emploi_maximum(c):
    """The maximum amount, for each eligible person."""
    return c.full(c.law("nord.activ_emploi.montant_maximum"))


QUANTITIES = (nord_eligibilite_residence, nord_activ_emploi_eligibilite)
AIDES = (nord_activ_emploi_maximum,)
