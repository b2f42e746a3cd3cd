"""Prestation d'accueil du jeune enfant (PAJE): allocation de base, taux plein or taux partiel
(art. L531-3, R531-1, D531-3 CSS; rules for children born from April 2018, the only ones
since May 2021), as OpenFisca-France 176.1.8 computes it.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, quantity
from mesaides.partner_caf.helpers import PF

PAJE = f"{PF}.paje"


@quantity(
    INDIVIDU,
    MONTH,
    label="Enfant ouvrant droit à l'allocation de base de la PAJE",
    value_type="bool",
)
def enfant_eligible_paje(c):
    """Born before M and not turning 3 during M (due from the month after the birth until the
    month before the third birthday's: art. R552-2 CSS, ``pf_age_fin_de_mois``), not
    financially autonomous. Like OpenFisca, no role is checked."""
    ne = c("pf_age_fin_de_mois", c.period.last_month) >= 0
    return ne & (c("pf_age_fin_de_mois") < c.law(f"{PAJE}.age_limite")) & ~c("autonomie_financiere")


@quantity(FAMILLE, MONTH, label="Un enfant de moins de 3 ans", value_type="bool")
def paje_base_eligibilite(c):
    """A child of the famille eligible to the PAJE (under 3, not financially autonomous)."""
    return c.members("enfant_eligible_paje").any()


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de base de la PAJE",
    defined_for="paje_base_eligibilite",
    unit="EUR",
)
def paje_base(c):
    """Full rate (41.65 % of the BMAF) under the full-rate ceiling, half of it under the
    partial-rate ceiling. Ceilings: base + 25 % for each of the first two children à charge and
    30 % for each further one, plus a fixed amount for two-earner couples and single parents."""
    n = c("af_nbenf")
    bonus = c("biactivite").astype(int) + (~c("en_couple")).astype(int)
    maj = f"{PAJE}.majoration_plafond"

    def plafond(base, bonus_amount):
        return (
            base
            + np.minimum(n, 2) * c.law(f"{maj}.deux_premiers_enfants") * base
            + np.maximum(n - 2, 0) * c.law(f"{maj}.troisieme_enfant_et_plus") * base
            + bonus * bonus_amount
        )

    plafond_plein = plafond(
        c.law(f"{PAJE}.plafond_taux_plein_0_enfant"), c.law(f"{PAJE}.plafond_taux_plein_biactifs_isoles")
    )
    plafond_partiel = plafond(
        c.law(f"{PAJE}.plafond_taux_partiel_0_enfant"), c.law(f"{PAJE}.plafond_taux_partiel_biactifs_isoles")
    )
    ressources = c("prestations_familiales_base_ressources")
    plein = c.law(f"{PF}.bmaf") * c.law(f"{PAJE}.taux_plein")
    partiel = c.law(f"{PF}.bmaf") * c.law(f"{PAJE}.taux_partiel")
    montant = (ressources <= plafond_plein) * plein + (
        (ressources > plafond_plein) & (ressources <= plafond_partiel)
    ) * partiel
    c.check(
        "Ressources sous le plafond de l'allocation de base",
        ressources <= plafond_partiel,
        "vos ressources de l'année de référence, {ressources}, dépassent le plafond de {plafond}",
        ressources=ressources,
        plafond=plafond_partiel,
    )
    enfant = c("paje_base_eligibilite")  # the notes apply only where the aide is defined
    c.note(
        "taux plein : vos ressources de l'année de référence, {ressources}, sont sous le plafond du taux plein "
        "de {plafond}",
        enfant & (ressources <= plafond_plein),
        ressources=ressources,
        plafond=plafond_plein,
    )
    c.note(
        "taux partiel : vos ressources de l'année de référence, {ressources}, dépassent le plafond du taux plein "
        "de {plafond}, mais pas celui du taux partiel de {plafond_partiel}",
        enfant & (ressources > plafond_plein) & (ressources <= plafond_partiel),
        ressources=ressources,
        plafond=plafond_plein,
        plafond_partiel=plafond_partiel,
    )
    return montant


QUANTITIES = (enfant_eligible_paje, paje_base_eligibilite)
AIDES = (paje_base,)
