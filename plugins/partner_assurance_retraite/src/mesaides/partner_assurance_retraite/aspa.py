"""Allocation de solidarité aux personnes âgées (ASPA), per famille and per month.

The rule is OpenFisca-France 176.1.8's (``asi_aspa.py``, formula since 2020-04-01), except for
the resources, which follow the law (art. L815-9 and R815-22 CSS): retirement pensions and
professional income of the applicant and of the partner count, where OpenFisca reads gross
amounts that are not inputs and counts them as 0. See ``docs/known-differences.md``.

The resource base is shared with the allocation supplémentaire d'invalidité (ASI, Assurance
maladie), which reads it: art. L815-24-1 CSS applies the ASPA's resource rules to the ASI.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, StatutMarital, quantity

ASPA = "aspa"


# ---------------------------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Âge ouvrant droit à l'ASPA (65 ans, ou âge légal de départ en cas d'inaptitude ou d'incapacité)",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047633276",),
)
def aspa_eligibilite(c):
    """Aged 65, or aged at least the legal retirement age when recognised unfit for work or with
    an incapacity rate above 50 % (art. L815-1 CSS). The nationality and residence conditions
    (L816-1) are taken as met."""
    age = c("age")
    anticipe = (age >= c.law(f"{ASPA}.age_legal_retraite")) & (
        (c("taux_incapacite") > c.law(f"{ASPA}.taux_incapacite_aspa_anticipe")) | c("inapte_travail")
    )
    return (age >= c.law(f"{ASPA}.age_min")) | anticipe


@quantity(FAMILLE, MONTH, label="Nombre de parents éligibles à l'ASI ou à l'ASPA", value_type="int")
def asi_aspa_nb_alloc(c):
    return c.members("asi_eligibilite").count("parents") + c.members("aspa_eligibilite").count("parents")


@quantity(FAMILLE, MONTH, label="Parents mariés (au moins un parent marié)", value_type="bool")
def asi_aspa_maries(c):
    """At least one parent has the marital status ``marie`` (it decides whose ASI a mixed
    ASI/ASPA couple's ASPA adds, as in OpenFisca)."""
    statut = c.members("statut_marital")
    return c.per_member(statut.values == StatutMarital.MARIE.code).any("parents")


@quantity(FAMILLE, MONTH, label="Un parent a l'âge ouvrant droit à l'ASPA", value_type="bool")
def aspa_eligibilite_famille(c):
    return c.members("aspa_eligibilite").any("parents")


# ---------------------------------------------------------------------------------------------
# Resources (art. R815-22 and following CSS): the three months before, both partners
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenus professionnels des trois derniers mois après abattement forfaitaire (ASPA, ASI)",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000029968931",),
)
def asi_aspa_revenus_professionnels(c):
    """Salaries of the three months before, minus a forfait of 0.9 (single) or 1.5 (couple)
    monthly gross SMIC of 1 January (art. R815-29 CSS). Salaries are counted at the larger of
    their net and taxable amounts given (the gross salary the Cnav uses is not an input)."""
    months = c.period.last_months(3)
    salaires = np.maximum(c.sum("salaire_net", months), c.sum("salaire_imposable", months))
    janvier = dt.date(c.period.year, 1, 1)
    smic_mensuel = c.law("smic.horaire_brut", at=janvier) * c.law("smic.nb_heures_mensuelles", at=janvier)
    en_couple = c("nb_parents") == 2
    taux = np.where(
        en_couple,
        c.law(f"{ASPA}.abattement_forfaitaire.couples"),
        c.law(f"{ASPA}.abattement_forfaitaire.personnes_seules"),
    )
    return np.maximum(salaires - taux * smic_mensuel, 0)


@quantity(
    INDIVIDU,
    MONTH,
    label="Base ressources individuelle de l'ASI et de l'ASPA (moyenne des trois derniers mois)",
    minimum=0,
    reads_past=("aah",),
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006750536",),
)
def asi_aspa_base_ressources_individu(c):
    """Mean over the three months before (art. R815-25 CSS) of the person's resources: pensions
    of retirement (at the larger of the net and taxable amounts given: the Cnav counts the gross
    pension, which is not an input) and of invalidity, unemployment benefits, child support
    received, professional income after its abatement, and the AAH of a person eligible to
    neither the ASI nor the ASPA and without an invalidity pension (as OpenFisca)."""
    months = c.period.last_months(3)
    retraites = np.maximum(c.sum("retraite_nette", months), c.sum("retraite_imposable", months))
    autres = (
        c.sum("pensions_invalidite", months)
        + c.sum("chomage_net", months)
        + c.sum("pensions_alimentaires_percues", months)
    )
    aah_retenue = ~c("aspa_eligibilite") & ~c("asi_eligibilite") & ~(c("pensions_invalidite") > 0)
    aah = c.sum("aah", months) * aah_retenue
    return (np.maximum(retraites, 0) + np.maximum(autres, 0) + c("asi_aspa_revenus_professionnels") + aah) / 3


@quantity(FAMILLE, MONTH, label="Base ressources de l'ASI et de l'ASPA (parents de la famille)", minimum=0)
def asi_aspa_base_ressources(c):
    """Both partners' resources (art. L815-9 CSS), plus the ASS they receive this month."""
    return c.members("asi_aspa_base_ressources_individu").sum("parents") + c.members("ass").sum("parents")


# ---------------------------------------------------------------------------------------------
# Amount
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de solidarité aux personnes âgées (ASPA)",
    defined_for="aspa_eligibilite_famille",
    minimum=0,
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047633276",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000036760292",
    ),
)
def aspa(c):
    """Differential ASPA of the famille (art. L815-1, L815-9, D815-1 and D815-2 CSS).

    The maximum amount (single, or couple when both parents are eligible) is reduced by what the
    resources plus that maximum exceed the ceiling (single, or couple as soon as the famille has
    two parents). A parent eligible to the ASPA beside a partner eligible to the ASI gets half
    the couple amount, minus half the excess, counting the partner's ASI (as OpenFisca)."""
    aspa_elig = c.members("aspa_eligibilite")
    asi_elig = c.members("asi_eligibilite")
    dem_aspa = aspa_elig.nth("parents", 0).astype(bool)
    conj_aspa = aspa_elig.nth("parents", 1).astype(bool)
    dem_asi = asi_elig.nth("parents", 0).astype(bool)
    conj_asi = asi_elig.nth("parents", 1).astype(bool)
    asi = c.members("asi")
    asi_dem = asi.nth("parents", 0).astype(float)
    asi_conj = asi.nth("parents", 1).astype(float)
    maries = c("asi_aspa_maries")
    en_couple = c("nb_parents") == 2

    elig1 = (c("asi_aspa_nb_alloc") == 1) & (dem_aspa | conj_aspa)
    elig2 = dem_aspa & conj_aspa
    mixte = (dem_asi & conj_aspa) | (conj_asi & dem_aspa)
    elig3 = mixte & maries
    elig4 = mixte & ~maries

    seul = c.law(f"{ASPA}.montant_maximum_annuel.personnes_seules")
    couple = c.law(f"{ASPA}.montant_maximum_annuel.couples")
    plafond_seul = c.law(f"{ASPA}.plafond_ressources.personnes_seules")
    plafond_couple = c.law(f"{ASPA}.plafond_ressources.couples")

    montant_max = (
        elig1 * seul + elig2 * couple + elig3 * (asi_dem + couple / 2) + elig4 * (asi_conj + couple / 2)
    ) / 12
    plafond = (
        elig1 * np.where(en_couple, plafond_couple, plafond_seul) + (elig2 | elig3 | elig4) * plafond_couple
    ) / 12
    ressources = c("asi_aspa_base_ressources")
    depassement = np.maximum(ressources + montant_max - plafond, 0)
    montant = (elig1 | elig2) * (montant_max - depassement) + (elig3 | elig4) * (couple / 12 / 2 - depassement / 2)
    c.check(
        "Ressources sous le plafond de l'ASPA",
        montant > 0,
        "vos ressources des trois derniers mois, {ressources} par mois, atteignent le plafond de {plafond}",
        ressources=ressources,
        plafond=plafond,
    )
    return (elig1 | elig2 | elig3 | elig4) * np.maximum(montant, 0)


QUANTITIES = (
    aspa_eligibilite,
    asi_aspa_nb_alloc,
    asi_aspa_maries,
    aspa_eligibilite_famille,
    asi_aspa_revenus_professionnels,
    asi_aspa_base_ressources_individu,
    asi_aspa_base_ressources,
)
AIDES = (aspa,)
