"""Complément familial (CF), base, differential and majoré (art. L522-1 to L522-3, R522-1,
R522-2, D522-1, D522-2 CSS; DOM: D755-6 and D755-6-1), as OpenFisca-France 176.1.8 computes it.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, quantity
from mesaides.partner_caf.helpers import PF

CF = f"{PF}.cf"


@quantity(
    INDIVIDU,
    MONTH,
    label="Complément familial : enfant à charge",
    value_type="bool",
)
def cf_enfant_a_charge(c):
    """A child of the famille born before M, who does not turn 21 during M, not financially
    autonomous (ages as art. R552-2 CSS counts them: ``pf_age_fin_de_mois``)."""
    ne = c("pf_age_fin_de_mois", c.period.last_month) >= 0
    return (
        c.is_role("famille", "enfants")
        & ne
        & (c("pf_age_fin_de_mois") < c.law(f"{CF}.age_max"))
        & ~c("autonomie_financiere")
    )


@quantity(
    INDIVIDU,
    MONTH,
    label="Complément familial : enfant ouvrant droit (3 ans ou plus)",
    value_type="bool",
)
def cf_enfant_eligible(c):
    """A child à charge aged 3 to 20 (compulsory schooling assumed fulfilled before 16): from
    the month after the 3rd birthday (art. R552-2 CSS)."""
    age = c("pf_age_fin_de_mois")
    intermediate = c.law(f"{PF}.def_pac.enfants.age_intermediaire")
    child = (c("pf_age_fin_de_mois", c.period.last_month) >= c.law(f"{CF}.age_min")) & (age < intermediate)
    young = (age >= intermediate) & (age < c.law(f"{CF}.age_max"))
    return (child | young) & c("cf_enfant_a_charge")


@quantity(
    INDIVIDU,
    MONTH,
    label="Complément familial (DOM) : enfant de 3 à 5 ans ouvrant droit",
    value_type="bool",
)
def cf_dom_enfant_eligible(c):
    """In the DOM: a child à charge aged 3 or 4 (from the month after the 3rd birthday, until
    the month before the 5th's: art. R552-2 CSS)."""
    atteint = c("pf_age_fin_de_mois", c.period.last_month) >= c.law(f"{CF}.dom.age_min")
    return atteint & (c("pf_age_fin_de_mois") < c.law(f"{CF}.dom.age_max")) & c("cf_enfant_a_charge")


@quantity(
    INDIVIDU,
    MONTH,
    label="Complément familial (DOM) : enfant de moins de 3 ans",
    value_type="bool",
)
def cf_dom_enfant_trop_jeune(c):
    """In the DOM a child born by the end of M who has not turned 3 before M excludes the CF."""
    ne = c("pf_age_fin_de_mois") >= 0
    return (
        c.is_role("famille", "enfants") & ne & (c("pf_age_fin_de_mois", c.period.last_month) < c.law(f"{CF}.age_min"))
    )


def _demandeur_menage(c, name):
    return c.members(name).first("parents", default=False)


@quantity(
    FAMILLE,
    MONTH,
    label="Complément familial : éligibilité hors DOM avant conditions de ressources",
    value_type="bool",
)
def cf_eligibilite_base(c):
    """Outside the DOM: at least three children à charge aged 3 or more."""
    n = c.members("cf_enfant_eligible").count()
    return ~_demandeur_menage(c, "residence_dom") & (n >= c.law(f"{CF}.nb_enfants_min"))


@quantity(
    FAMILLE,
    MONTH,
    label="Complément familial : éligibilité dans les DOM avant conditions de ressources",
    value_type="bool",
)
def cf_eligibilite_dom(c):
    """In the DOM except Mayotte: a child à charge aged 3 or 4 and no child under 3."""
    dom = _demandeur_menage(c, "residence_dom") & ~_demandeur_menage(c, "residence_mayotte")
    composition = (c.members("cf_dom_enfant_eligible").count() >= 1) & (
        c.members("cf_dom_enfant_trop_jeune").count() == 0
    )
    return dom & composition


@quantity(
    FAMILLE,
    MONTH,
    label="Plafond annuel de ressources du complément familial",
)
def cf_plafond(c):
    """Base ceiling raised by 25 % for each of the first two children à charge and 30 % for each
    further one, plus a fixed amount for single parents and two-earner couples (art. R522-2
    CSS); in the DOM, the ARS ceiling raised by 30 % per child. Zero when not eligible."""
    n = c.members("cf_enfant_a_charge").count()
    base = c.law(f"{CF}.plafond_ressources_0_enfant")
    maj = f"{CF}.majoration_plafond"
    metropole = base * (
        1
        + c.law(f"{maj}.deux_premiers_enfants") * np.minimum(n, 2)
        + c.law(f"{maj}.troisieme_enfant_et_plus") * np.maximum(n - 2, 0)
    ) + c.law(f"{maj}.biactifs_isoles") * (~c("en_couple") | c("biactivite"))
    dom = c.law(f"{PF}.ars.plafond_ressources") * (1 + n * c.law(f"{PF}.ars.majoration_plafond_par_enfant"))
    return c("cf_eligibilite_base") * metropole + c("cf_eligibilite_dom") * dom


@quantity(
    FAMILLE,
    MONTH,
    label="Plafond annuel de ressources du complément familial majoré",
)
def cf_majore_plafond(c):
    """Half of the CF ceiling (art. L522-3 CSS)."""
    return c("cf_plafond") * c.law(f"{CF}.taux_plafond_majore")


@quantity(
    FAMILLE,
    MONTH,
    label="Ressources prises en compte pour le complément familial",
)
def cf_base_ressources(c):
    """N-2 resources of the parents and of the children à charge in the CF's sense (under 21)."""
    base = c.members("prestations_familiales_base_ressources_individu")
    a_charge = c.members("cf_enfant_a_charge").values
    return base.sum("parents") + c.per_member(base.values * a_charge).sum("enfants")


@quantity(
    FAMILLE,
    MONTH,
    label="Complément familial non majoré (y compris différentiel), avant cumul",
)
def cf_non_majore_avant_cumul(c):
    """41.65 % of the BMAF under the ceiling; just above it, the differential amount: the ceiling
    plus 12 monthly amounts, less the resources, divided by 12."""
    base, dom = c("cf_eligibilite_base"), c("cf_eligibilite_dom")
    ressources, plafond = c("cf_base_ressources"), c("cf_plafond")
    montant = c.law(f"{PF}.bmaf") * (c.law(f"{CF}.taux_base") * base + c.law(f"{CF}.dom.taux_base") * dom)
    sous_condition = base | dom
    eligible = sous_condition & (ressources <= plafond)
    plafond_diff = plafond + 12 * montant
    eligible_diff = ~eligible & sous_condition & (ressources <= plafond_diff)
    return np.maximum(eligible * montant, eligible_diff * (plafond_diff - ressources) / 12)


@quantity(
    FAMILLE,
    MONTH,
    label="Complément familial majoré, avant cumul",
)
def cf_majore_avant_cumul(c):
    """62.48 % of the BMAF when resources are at most half the ceiling."""
    base, dom = c("cf_eligibilite_base"), c("cf_eligibilite_dom")
    montant = c.law(f"{PF}.bmaf") * (c.law(f"{CF}.taux_majore") * base + c.law(f"{CF}.dom.taux_majore") * dom)
    return (base | dom) * (c("cf_base_ressources") <= c("cf_majore_plafond")) * montant


@quantity(
    FAMILLE,
    MONTH,
    label="Au moins trois enfants de 3 ans ou plus (DOM : un enfant de 3 à 5 ans)",
    value_type="bool",
)
def cf_eligibilite(c):
    """The famille meets the children condition of the complément familial, in mainland France
    or in the DOM."""
    return c("cf_eligibilite_base") | c("cf_eligibilite_dom")


@quantity(
    FAMILLE,
    MONTH,
    label="Montant du complément familial avant cumul",
    defined_for="cf_eligibilite",
)
def cf_montant(c):
    return np.maximum(c("cf_non_majore_avant_cumul"), c("cf_majore_avant_cumul"))


@quantity(
    FAMILLE,
    MONTH,
    label="Complément familial",
    unit="EUR",
)
def cf(c):
    """Complément familial, rounded to the cent; not paid with the PAJE allocation de base
    (art. L532-1 CSS) nor in Mayotte. The PAJE ends in the month of the child's third birthday;
    the complément familial that takes over is due from the month after (art. R552-2 CSS), so
    neither is paid in that month."""
    eligible = c.check("Au moins trois enfants de 3 ans ou plus (DOM : un enfant de 3 à 5 ans)", c("cf_eligibilite"))
    pas_de_paje = c.check(
        "Pas d'allocation de base de la PAJE ce mois-ci ni le mois précédent",
        (c("paje_base") == 0) & (c("paje_base", c.period.last_month) == 0),
    )
    mayotte = c.members("residence_mayotte").first("parents", default=False)
    montant = np.round(c("cf_montant"), 2)
    trop = eligible & (montant <= 0)
    # The figures, only where they are said: the resources and the ceiling are computed for an
    # eligible famille only (cf_montant is defined for it).
    c.check(
        "Ressources sous le plafond du complément familial",
        ~trop,
        "vos ressources de l'année de référence, {ressources}, dépassent le plafond de {plafond} de plus "
        "de douze mois de complément",
        ressources=c("cf_base_ressources") if trop.any() else c.zeros(),
        plafond=c("cf_plafond") if trop.any() else c.zeros(),
    )
    return ~mayotte * pas_de_paje * montant


QUANTITIES = (
    cf_enfant_a_charge,
    cf_enfant_eligible,
    cf_dom_enfant_eligible,
    cf_dom_enfant_trop_jeune,
    cf_eligibilite_base,
    cf_eligibilite_dom,
    cf_plafond,
    cf_majore_plafond,
    cf_base_ressources,
    cf_non_majore_avant_cumul,
    cf_majore_avant_cumul,
    cf_eligibilite,
    cf_montant,
)
AIDES = (cf,)
