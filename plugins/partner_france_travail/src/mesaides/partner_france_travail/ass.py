"""Allocation de solidarité spécifique (ASS): the State's allowance for jobseekers whose
unemployment insurance has ended (Code du travail L5423-1 to L5423-6, R5423-1 to R5423-6,
R5425-2), paid by France Travail.

Computed as OpenFisca-France 176.1.8 does (``minima_sociaux/ass.py``), which follows the texts
for the situations the questionnaire describes (``docs/known-differences.md`` lists the points
where it approximates them):
- eligibility: a jobseeker (or a person in the first months of a resumed activity) without
  unemployment benefit, who worked 5 of the 10 years before the end of the last contract, does
  not receive the AAH and is under the age limit;
- resources: the household's incomes of the 12 months before, an income that stopped being
  removed (or kept at 70 % when a substitution income replaced it: R5423-5);
- amount: the daily amount × 30, reduced so that resources + ASS stay under the ceiling of 70
  (single) or 110 (couple) daily amounts (R5423-1), nothing under one daily amount.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Activite, quantity

ASS = "ass"
MAYOTTE = "976"
RESSOURCES_ABATTUES = ("salaire_imposable", "retraite_nette", "pensions_alimentaires_percues", "aah")
"""The person's incomes counted in the ASS resources, each with the abatement of R5423-5."""


def _abattues(c, name: str) -> np.ndarray:
    """An income over the 12 months before, as R5423-5 C. trav. counts it: when it stopped
    (nothing last month) it is removed, or kept at 70 % when a substitution income (unemployment
    benefit, pension) replaced it."""
    annee = c.sum(name, c.period.last_months(12))
    interrompu = (annee > 0) & (c(name, c.period.last_month) == 0)
    substitution = (c("chomage_net", c.period.last_month) + c("retraite_nette", c.period.last_month)) > 0
    part_retiree = np.where(
        substitution,
        c.law(f"{ASS}.abattement.revenus_interrompus_substitues"),
        c.law(f"{ASS}.abattement.revenus_interrompus_non_substitues"),
    )
    return np.where(interrompu, (1 - part_retiree) * annee, annee)


@quantity(INDIVIDU, MONTH, label="Ressources personnelles retenues pour l'ASS (12 mois précédents)", minimum=0)
def ass_base_ressources_individu(c):
    """The person's own incomes of the 12 months before the month (R5423-2 and R5423-3); an
    invalidity pension counts in full (OpenFisca-France: no abatement)."""
    total = c.sum("pensions_invalidite", c.period.last_months(12))
    for name in RESSOURCES_ABATTUES:
        total = total + _abattues(c, name)
    return total


@quantity(INDIVIDU, MONTH, label="Ressources du conjoint retenues pour l'ASS (12 mois précédents)", minimum=0)
def ass_base_ressources_conjoint(c):
    """The partner's incomes: their own, plus their unemployment benefit of the 12 months before
    when it is still paid last month (R5423-2)."""
    chomage = c.sum("chomage_net", c.period.last_months(12))
    toujours_verse = c("chomage_net", c.period.last_month) != 0
    return c("ass_base_ressources_individu") + np.where(toujours_verse, chomage, 0.0)


@quantity(FAMILLE, MONTH, label="Ressources annuelles du foyer retenues pour l'ASS", minimum=0)
def ass_base_ressources(c):
    """The claimant's (first parent's) resources and the partner's (second parent's)."""
    demandeur = c.members("ass_base_ressources_individu").nth("parents", 0)
    conjoint = c.members("ass_base_ressources_conjoint").nth("parents", 1)
    return demandeur + conjoint


@quantity(INDIVIDU, MONTH, label="Pas plus de 3 mois de cumul de l'ASS avec une activité reprise", value_type="bool")
def ass_eligibilite_cumul_individu(c):
    """R5425-2 C. trav.: the ASS is kept for at most 3 months of a resumed activity; the count
    starts again after 3 months in a row without activity. Counted over the 13 months up to
    this one, as OpenFisca does."""
    # Counts of at most 13 months: one byte each, a few times faster than 8 on a population.
    nb_mois_cumul = c.zeros(dtype=np.int8)
    nb_mois_sans_activite = c.zeros(dtype=np.int8)
    remise_a_zero = c.law(f"{ASS}.cumul.nb_mois_sans_activite_avant_remise_a_zero")
    for mois in (*c.period.last_months(12), c.period):
        activite = c("salaire_imposable", mois) > 0
        chomeur = c("activite", mois) == Activite.CHOMEUR.code
        nb_mois_cumul = nb_mois_cumul * (nb_mois_sans_activite < remise_a_zero)
        nb_mois_sans_activite = np.where(~activite & chomeur, nb_mois_sans_activite + 1, 0)
        cumul = activite & ~chomeur & c("ass_precondition_remplie", mois) & ~(c("aah", mois) > 0)
        nb_mois_cumul = nb_mois_cumul + cumul
    return nb_mois_cumul <= c.law(f"{ASS}.cumul.nb_mois_maximum")


@quantity(
    INDIVIDU,
    MONTH,
    label="Conditions de l'allocation de solidarité spécifique",
    value_type="bool",
    defined_for="ass_precondition_remplie",
)
def ass_eligibilite_individu(c):
    """L5423-1 and R5423-1 C. trav.: the conditions of the ASS, each named."""
    sans_aah = c.check(  # not cumulable since 2017
        "Ne pas percevoir l'AAH",
        ~(c("aah") > 0),
        "l'ASS ne se cumule pas avec l'AAH, de {aah} ce mois-ci",
        aah=c("aah"),
    )
    sans_chomage = c.check(
        "Ne plus percevoir l'allocation chômage",
        c("chomage_net") == 0,
        "l'allocation chômage, {chomage} ce mois-ci, est encore versée",
        chomage=c("chomage_net"),
    )
    demandeur = c.check(
        "Être demandeur d'emploi (ou dans les premiers mois d'une reprise d'activité)",
        (c("activite") == Activite.CHOMEUR.code) | c("ass_eligibilite_cumul_individu"),
    )
    anciennete = c.check(
        "Avoir travaillé au moins 5 ans au cours des 10 ans avant la fin du dernier contrat",
        c("ass_precondition_remplie"),
    )
    limite = c.law(f"{ASS}.age_maximum_mois")
    age = c.check(
        "Ne pas avoir atteint l'âge limite",
        c("age_en_mois") <= limite,
        "l'ASS s'arrête à l'âge de la retraite à taux plein, {annees} ans et {mois} mois",
        annees=int(limite) // 12,
        mois=int(limite) % 12,
    )
    return sans_aah & sans_chomage & demandeur & anciennete & age


@quantity(
    INDIVIDU,
    MONTH,
    label="Allocation de solidarité spécifique (ASS)",
    defined_for="ass_eligibilite_individu",
    minimum=0,
    references=(
        "https://www.legifrance.gouv.fr/codes/section_lc/LEGITEXT000006072050/LEGISCTA000018525078/",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000018525084",
    ),
)
def ass(c):
    """The monthly ASS: 30 daily amounts, reduced so that the household's monthly resources and
    the ASS stay under 70 daily amounts for a single person, 110 for a couple (R5423-1); nothing
    when the result is under one daily amount."""
    journalier = np.where(
        c("departement") == MAYOTTE,
        c.law(f"{ASS}.montant_journalier_mayotte"),
        c.law(f"{ASS}.montant_journalier"),
    )
    en_couple = c("nb_parents") >= 2
    plafond = journalier * np.where(en_couple, c.law(f"{ASS}.plafond.couple"), c.law(f"{ASS}.plafond.personne_seule"))
    ressources = c("ass_base_ressources") / 12
    montant = np.clip(np.minimum(c.law(f"{ASS}.nb_jours_mois") * journalier, plafond - ressources), 0, None)
    c.check(
        "Ressources sous le plafond",
        montant >= journalier,
        "les ressources du foyer des 12 derniers mois, {ressources} par mois, laissent moins d'un "
        "montant journalier ({journalier}) sous le plafond de {plafond}",
        ressources=ressources,
        journalier=journalier,
        plafond=plafond,
    )
    c.note(
        "allocation réduite pour que vos ressources et l'ASS ne dépassent pas {plafond} par mois",
        (montant >= journalier) & (plafond - ressources < c.law(f"{ASS}.nb_jours_mois") * journalier),
        plafond=plafond,
    )
    return np.where(montant >= journalier, montant, 0.0)


QUANTITIES = (
    ass_base_ressources_individu,
    ass_base_ressources_conjoint,
    ass_base_ressources,
    ass_eligibilite_cumul_individu,
    ass_eligibilite_individu,
)
AIDES = (ass,)
