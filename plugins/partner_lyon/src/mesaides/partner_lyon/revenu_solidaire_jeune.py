"""Revenu solidarité jeunes (RSJ) of the Métropole de Lyon: a monthly aide to young people aged
18 to 24 who have left education, receive no other minimum income and have little or no
activity income. See ``docs/rules.md`` for the sources and the assumptions.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MENAGE, MONTH, quantity

EPCI_METROPOLE_DE_LYON = "200046977"
"""SIREN of the Métropole de Lyon (the core's ``epci`` quantity)."""

LAW = "metropole_lyon.revenu_solidaire_jeune"


@quantity(
    MENAGE,
    MONTH,
    label="Résider dans la Métropole de Lyon",
    value_type="bool",
)
def lyon_metropole_eligibilite_geographique(c):
    """The menage's commune belongs to the Métropole de Lyon."""
    return c("epci") == EPCI_METROPOLE_DE_LYON


@quantity(
    INDIVIDU,
    MONTH,
    label="Enfant handicapé de moins de 20 ans, ouvrant présumément droit à l'AEEH",
    value_type="bool",
)
def revenu_solidaire_jeune_enfant_aeeh(c):
    """A child of its famille who is disabled (``handicap``) and under the AEEH's age limit."""
    enfant = c.is_role("famille", "enfants")
    return enfant & c("handicap").astype(bool) & (c("age") < c.law(f"{LAW}.aeeh_age_maximum_enfant"))


@quantity(
    FAMILLE,
    MONTH,
    label="Famille présumée bénéficiaire de l'AEEH",
    value_type="bool",
)
def revenu_solidaire_jeune_famille_aeeh(c):
    """No partner computes the allocation d'éducation de l'enfant handicapé (AEEH). The famille
    is taken to receive it when one of its children is disabled and under the AEEH's age limit,
    which is when OpenFisca-France's ``aeeh`` is not zero. A client that knows better can give
    this value in the situation."""
    return c.members("revenu_solidaire_jeune_enfant_aeeh").any("enfants")


@quantity(
    INDIVIDU,
    MONTH,
    label="Ressources d'activité du mois retenues pour le revenu solidarité jeunes",
)
def revenu_solidaire_jeune_ressources(c):
    """The person's net salary plus the prime d'activité of its famille, this month."""
    return c("salaire_net") + c("ppa")


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenu solidarité jeunes de la Métropole de Lyon",
    defined_for="lyon_metropole_eligibilite_geographique",
    references=("https://aides-jeunes.grandlyon.com/#c21886",),
)
def revenu_solidaire_jeune(c):
    """420 € without activity income, 315 € with activity income under 400 €, for a person aged
    18 to 24 living in the Métropole, not a student, who receives no AAH and no CEJ and whose
    famille receives neither the RSA nor the AEEH."""
    age = c("age")
    age_ok = c.check(
        "Avoir entre 18 et 24 ans", (age >= c.law(f"{LAW}.age_minimum")) & (age <= c.law(f"{LAW}.age_maximum"))
    )
    pas_etudiant = c.check("Ne pas être étudiant", ~c.enum("activite").is_("etudiant"))
    sans_autre_aide = c.check(
        "Ne bénéficier ni du RSA, ni de l'AAH, ni de l'AEEH, ni du CEJ",
        (c("rsa") <= 0)
        & (c("aah") <= 0)
        & ~c("revenu_solidaire_jeune_famille_aeeh").astype(bool)
        & ~c("sous_contrat_engagement_jeune").astype(bool),
    )
    ressources = c("revenu_solidaire_jeune_ressources")
    c.check(
        "Revenus d'activité du mois sous le plafond",
        ressources < c.law(f"{LAW}.plafond_ressources"),
        "vos revenus d'activité du mois, {ressources}, atteignent le plafond de {plafond}",
        ressources=ressources,
        plafond=float(c.law(f"{LAW}.plafond_ressources")),
    )
    montant = np.select(
        [ressources <= 0, ressources < c.law(f"{LAW}.plafond_ressources")],
        [c.law(f"{LAW}.montant.sans_ressources"), c.law(f"{LAW}.montant.faibles_ressources")],
        0.0,
    )
    return np.where(age_ok & pas_etudiant & sans_autre_aide, montant, 0.0)


QUANTITIES = (
    lyon_metropole_eligibilite_geographique,
    revenu_solidaire_jeune_enfant_aeeh,
    revenu_solidaire_jeune_famille_aeeh,
    revenu_solidaire_jeune_ressources,
)
AIDES = (revenu_solidaire_jeune,)
