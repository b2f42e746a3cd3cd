"""Allocation supplémentaire d'invalidité (ASI), per person and per month.

Since 2020-04-01 the ASI is the resource ceiling (single, or couple) minus the resources of the
person and of the partner (art. L815-24-1 CSS). The resources are the ASPA's (art. L815-24-1
applies them to the ASI): the base ``asi_aspa_base_ressources`` is the Assurance retraite's, as
is the ASPA eligibility that closes the ASI. Rules as OpenFisca-France 176.1.8 computes them,
except where ``docs/known-differences.md`` says the law is followed (pensions and salaries of the
partner, ceilings revalued on 1 April 2026).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import INDIVIDU, MONTH, quantity

ASI = "asi"


@quantity(INDIVIDU, MONTH, label="Ne pas avoir l'âge d'ouverture de l'ASPA", value_type="bool")
def asi_condition_age(c):
    """The ASI is for those who have not reached the age of the ASPA (art. L815-24 CSS): the
    Assurance retraite's ``aspa_eligibilite``."""
    return ~c("aspa_eligibilite")


@quantity(
    INDIVIDU,
    MONTH,
    label="Percevoir une pension d'invalidité, ou une pension de retraite en situation de handicap",
    value_type="bool",
)
def asi_condition_pension(c):
    """An invalidity pension in the month, or disabled with a retirement or survivor's pension
    the month before (the pensions L815-24 lists, as OpenFisca reads them). The 2/3 reduction of
    capacity is the condition of the invalidity pension itself."""
    return (c("pensions_invalidite") > 0) | (c("handicap") & (c("retraite_nette", c.period.last_month) > 0))


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité à l'allocation supplémentaire d'invalidité (ASI)",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041474264",),
)
def asi_eligibilite(c):
    """Both conditions of art. L815-24 CSS; nationality and residence are taken as met. Read by
    the ASPA (a couple's allocataires), so it names no condition itself (the ASI does)."""
    return c("asi_condition_age") & c("asi_condition_pension")


@quantity(
    INDIVIDU,
    MONTH,
    label="Allocation supplémentaire d'invalidité (ASI)",
    defined_for="asi_condition_pension",
    minimum=0,
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041474269",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041474264",
    ),
)
def asi(c):
    """The ceiling minus the couple's resources (art. L815-24-1 CSS). A person who is the only
    ASI/ASPA-eligible parent gets it with the couple ceiling when in a couple; two ASI-eligible
    parents share it half and half; a parent eligible to the ASI beside a partner eligible to the
    ASPA gets none, the ASPA of the couple counting it (as OpenFisca)."""
    eligible = c.check(
        "Ne pas avoir l'âge d'ouverture de l'ASPA",
        c("asi_condition_age"),
        "à {age} ans, vous relevez de l'allocation de solidarité aux personnes âgées (ASPA)",
        age=c("age"),
    ) & c.check(
        "Percevoir une pension d'invalidité, ou une pension de retraite en situation de handicap",
        c("asi_condition_pension"),
        "vous ne percevez pas de pension d'invalidité (ni de pension de retraite en situation de handicap)",
    )
    famille = c.group("famille")
    parent = c.is_role("famille", "parents")
    demandeur = famille.nth("asi_eligibilite", "parents", 0).astype(bool)
    conjoint = famille.nth("asi_eligibilite", "parents", 1).astype(bool)
    seul_allocataire = (c("asi_aspa_nb_alloc") == 1) & (demandeur | conjoint)
    deux_asi = demandeur & conjoint
    en_couple = c("nb_parents") == 2
    plafond_couple = c.law(f"{ASI}.plafond_ressource_couple")
    plafond = (
        seul_allocataire * np.where(en_couple, plafond_couple, c.law(f"{ASI}.plafond_ressource_seul"))
        + deux_asi * plafond_couple
    ) / 12
    part = parent * (seul_allocataire + deux_asi / 2)
    c.check(
        "Pas de conjoint ayant droit à l'ASPA",
        ~eligible | (part > 0),
        "votre conjoint a droit à l'allocation de solidarité aux personnes âgées, qui tient compte de votre situation",
    )
    ressources = c("asi_aspa_base_ressources")
    montant = np.maximum(plafond - ressources, 0)
    c.check(
        "Ressources sous le plafond de l'ASI",
        (part == 0) | (montant > 0),
        "vos ressources des trois derniers mois, {ressources} par mois, atteignent le plafond de {plafond}",
        ressources=ressources,
        plafond=plafond,
    )
    return montant * part * eligible


QUANTITIES = (asi_condition_age, asi_condition_pension, asi_eligibilite)
AIDES = (asi,)
