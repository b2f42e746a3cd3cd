"""Allocation de soutien familial (ASF) (art. L523-1, R523-7, D523-3 CSS), as
OpenFisca-France 176.1.8 computes it: paid to every single parent for each child, less the
child support received in the month (differential ASF).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, quantity
from mesaides.partner_caf.helpers import PF

ASF = f"{PF}.asf"


@quantity(
    INDIVIDU,
    MONTH,
    label="Enfant pouvant ouvrir droit à l'allocation de soutien familial",
    value_type="bool",
)
def asf_elig_enfant(c):
    """Born before M, not turning 20 during M (art. R552-2 CSS: ``pf_age_fin_de_mois``) and not
    financially autonomous (evaluated at any age)."""
    return (
        (c("pf_age_fin_de_mois", c.period.last_month) >= c.law(f"{PF}.def_pac.enfants.age_minimal"))
        & (c("pf_age_fin_de_mois") < c.law(f"{PF}.def_pac.enfants.age_limite"))
        & ~c("autonomie_financiere")
    )


@quantity(
    FAMILLE,
    MONTH,
    label="Éligibilité à l'allocation de soutien familial",
    value_type="bool",
)
def asf_elig(c):
    """A single parent (no couple), not living in Mayotte. Whether the other parent
    contributes is not asked: only the child support received reduces the ASF."""
    mayotte = c.members("residence_mayotte").first("parents", default=False)
    isole = c.check("Parent isolé", ~c("en_couple"))
    return isole & ~mayotte


@quantity(
    FAMILLE,
    MONTH,
    label="Montant de l'allocation de soutien familial",
)
def asf_montant(c):
    """42.2 % of the BMAF per eligible child, less the child support received this month by the
    famille's members (not below zero)."""
    eligible = c.members("asf_elig_enfant")
    par_enfant = c.law(f"{PF}.bmaf") * c.law(f"{ASF}.taux_orphelin_un_parent")
    montant = c.per_member(eligible.values * par_enfant).sum("enfants")
    pensions = c.members("pensions_alimentaires_percues").sum()
    return np.maximum(montant - pensions, 0)


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de soutien familial (ASF)",
    defined_for="asf_elig",
    unit="EUR",
)
def asf(c):
    """The ASF amount, if the famille is eligible and it is above the payment threshold."""
    enfant = c.check(
        "Au moins un enfant de moins de 20 ans à charge",
        c.members("asf_elig_enfant").any("enfants"),
        "aucun enfant de moins de 20 ans à charge dans votre famille",
    )
    montant = c("asf_montant")
    seuil = c.law(f"{ASF}.seuil_versement")
    c.check(
        "Pension alimentaire reçue inférieure à l'allocation",
        ~enfant | (montant > seuil),
        "les pensions alimentaires reçues ne laissent qu'une allocation de {montant}",
        montant=montant,
    )
    return (montant > seuil) * montant


QUANTITIES = (asf_elig_enfant, asf_elig, asf_montant)
AIDES = (asf,)
