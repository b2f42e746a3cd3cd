"""Aide au permis de conduire of the Région Hauts-de-France (dispositif 931).

A one-off amount towards the driving licence (B) for young people, and single parents of any
age, who are job seekers or apprentices, under a revenu fiscal de référence ceiling. See
``docs/rules.md`` for the sources, what is modelled and what is assumed.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import INDIVIDU, MONTH, quantity

LAW = "hauts_de_france.aide_permis"


@quantity(
    INDIVIDU,
    MONTH,
    label="Parent isolé (seul parent d'une famille avec enfant)",
    value_type="bool",
)
def hauts_de_france_aide_permis_parent_isole(c):
    """The person is the only parent of a famille that has at least one child: the Région's
    age limit does not apply to single parents."""
    parent = c.is_role("famille", "parents")
    return parent & (c("nb_parents") == 1) & (c.group("famille").nb_members("enfants") > 0)


@quantity(
    INDIVIDU,
    MONTH,
    label="Plafond de revenu fiscal de référence de l'aide au permis applicable à la personne",
)
def hauts_de_france_aide_permis_plafond_rfr(c):
    """The higher ceiling for a person rattachée to its parents' foyer fiscal (a personne à
    charge) or married/pacsed (a foyer with two declarants); the lower one for a fiscally
    autonomous person."""
    a_charge = c.is_role("foyer_fiscal", "personnes_a_charge")
    couple = c.group("foyer_fiscal").nb_members("declarants") >= 2
    return np.where(
        a_charge | couple, c.law(f"{LAW}.plafond_rfr.couple_ou_rattache"), c.law(f"{LAW}.plafond_rfr.personne_autonome")
    )


@quantity(
    INDIVIDU,
    MONTH,
    label="Avoir l’âge requis et être inscrit à France Travail ou apprenti",
    value_type="bool",
    defined_for="hauts_de_france_residence",
)
def hauts_de_france_aide_permis_profil(c):
    """Is 16 to 30 years old, or a single parent (no upper age limit); and is a job seeker
    (``activite`` ``chomeur``) or an apprentice."""
    age = c("age")
    age_ok = c.check(
        "Avoir l’âge requis, ou être parent isolé",
        (age >= c.law(f"{LAW}.age_minimum"))
        & ((age <= c.law(f"{LAW}.age_maximum")) | c("hauts_de_france_aide_permis_parent_isole")),
    )
    situation = c.check(
        "Être inscrit à France Travail ou apprenti",
        c.enum("activite").is_("chomeur") | c("apprenti"),
    )
    return age_ok & situation


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité à l'aide au permis de conduire des Hauts-de-France",
    value_type="bool",
    defined_for="hauts_de_france_aide_permis_profil",
)
def hauts_de_france_aide_permis_eligibilite(c):
    """Lives in the Région, has the age and the situation required (the profil), and the foyer
    fiscal's revenu fiscal de référence (year N-2) is under the applicable ceiling."""
    rfr = c("rfr", c.period.n_2)
    return c.check("Revenu fiscal de référence sous le plafond", rfr < c("hauts_de_france_aide_permis_plafond_rfr"))


@quantity(
    INDIVIDU,
    MONTH,
    label="Aide au permis de conduire des Hauts-de-France",
    defined_for="hauts_de_france_aide_permis_eligibilite",
    references=("https://guide-aides.hautsdefrance.fr/dispositif931",),
)
def hauts_de_france_aide_permis(c):
    """The maximum amount (the aide covers at most 90 % of the driving school's quote): for an
    apprentice, one amount if adult (complementing the State's aide) and a higher one if minor;
    for a job seeker, the general amount. Defined for the eligible: its residence, its profil
    and its income, each defined for the one before."""
    apprenti = c("apprenti").astype(bool)
    majeur = c("age") >= c.law(f"{LAW}.age_majorite")
    montant = np.where(
        apprenti,
        np.where(majeur, c.law(f"{LAW}.montant.apprenti_majeur"), c.law(f"{LAW}.montant.apprenti_mineur")),
        c.law(f"{LAW}.montant.demandeur_emploi"),
    )
    return montant


QUANTITIES = (
    hauts_de_france_aide_permis_parent_isole,
    hauts_de_france_aide_permis_plafond_rfr,
    hauts_de_france_aide_permis_profil,
    hauts_de_france_aide_permis_eligibilite,
)
AIDES = (hauts_de_france_aide_permis,)
