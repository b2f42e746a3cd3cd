"""Allocation de rentrée scolaire (ARS), per school year (art. L543-1, R543-2, R543-6-1,
D543-1, D543-2 CSS), as OpenFisca-France 176.1.8 computes it for a calendar year: resources of
January (income of N-2), children à charge in October, ages in December, differential above the
ceiling.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, YEAR, Period, quantity
from mesaides.partner_caf.helpers import PF, nb_enfants_par_age

ARS = f"{PF}.ars"

# OpenFisca's reading of "under 18 on 15 September": children who turned 18 at most 2 months
# before 1 December still count (216 to 218 months of age on 1 December).
MOIS_TOLERANCE_18_ANS = 2


@quantity(
    FAMILLE,
    YEAR,
    label="Allocation de rentrée scolaire (ARS)",
    law=(ARS,),
    unit="EUR",
)
def ars(c):
    """Per child of 6 to 10, 11 to 14 and 15 to 17 years in December (and those who turned 18
    since September), 89.72 %, 94.67 % and 97.95 % of the BMAF of October. Above the ceiling
    (raised by 30 % per child à charge in October), the amount is reduced by the excess of the
    January resources; not paid below 15 €."""
    year = c.period.year
    janvier = Period.month_of(year, 1)
    octobre = Period.month_of(year, 10)
    decembre = Period.month_of(year, 12)

    def law(name):
        return c.law(f"{ARS}.{name}", at=octobre)

    primaire, college, lycee, sortie = (
        law(k) for k in ("age_entree_primaire", "age_entree_college", "age_entree_lycee", "age_sortie_lycee")
    )
    n_primaire = nb_enfants_par_age(c, decembre, primaire, college - 1)
    n_college = nb_enfants_par_age(c, decembre, college, lycee - 1)
    n_lycee = nb_enfants_par_age(c, decembre, lycee, sortie - 1)
    mois = c.members("age_en_mois", decembre)
    autonome = c.members("autonomie_financiere", decembre).values
    dix_huit = (mois.values >= 12 * sortie) & (mois.values <= 12 * sortie + MOIS_TOLERANCE_18_ANS) & ~autonome
    n_lycee = n_lycee + c.per_member(dix_huit).count("enfants")

    plafond = law("plafond_ressources") * (1 + c("af_nbenf", octobre) * law("majoration_plafond_par_enfant"))
    base = c.law(f"{PF}.bmaf", at=octobre) * (
        law("taux_primaire") * n_primaire + law("taux_college") * n_college + law("taux_lycee") * n_lycee
    )
    c.check("Au moins un enfant de 6 à 18 ans", base > 0, "aucun enfant de 6 à 18 ans à la rentrée")
    ressources = c("prestations_familiales_base_ressources", janvier)
    depassement = np.maximum(0, ressources - plafond)
    montant = np.maximum(0, base - depassement)
    minimum = float(law("montant_minimum_verse"))
    c.check(
        "Ressources sous le plafond (ou allocation réduite d'au moins le minimum versé)",
        (base <= 0) | (montant >= minimum),
        "vos ressources de référence, {ressources}, dépassent le plafond de {plafond} : l'allocation réduite, "
        "{montant}, est inférieure au minimum versé de {minimum}",
        ressources=ressources,
        plafond=plafond,
        montant=montant,
        minimum=minimum,
    )
    return montant * (montant >= minimum)


QUANTITIES = ()
AIDES = (ars,)
