"""Allocation aux adultes handicapés (AAH), per person and per month.

Rules as OpenFisca-France 176.1.8 computes them since the déconjugalisation of 2023-10-01
(see ``/work/notes/rules-aah.md`` for the derivation and every quirk):

* eligibility: incapacity rate of at least 80 %, or 50–79 % with a RSDAE recognised and an age
  not above the legal retirement age; aged 20 or more (16 if no longer a dependent child for
  the prestations familiales);
* resources of the person only (the partner's income no longer counts): the last three months
  annualised when the person has a taxable salary in the month, otherwise the fiscal incomes of
  year N-2; activity income is abated by 80 % up to 30 % of the yearly SMIC and by 40 % above,
  then by a further 30 % after a cessation of activity or when replacement income was received;
* amount: the ceiling (maximal AAH, raised by half of it per dependent child) minus the monthly
  resources, capped at the maximal AAH and reduced by the invalidity pension of the month and
  the allocation supplémentaire d'invalidité (ASI) received the month before.

The ASI is the Assurance maladie's aide (``mesaides-partner-assurance-maladie``); without that
partner its value is taken from the situation (the partner card's ``takes``).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import INDIVIDU, MONTH, quantity

# ---------------------------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité à l'allocation aux adultes handicapés (taux d'incapacité et âge)",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/id/LEGIARTI000006739685/",),
)
def aah_eligible(c):
    """Handicap condition (art. L821-1 and L821-2 CSS) and age condition (art. R821-1 CSS).

    A rate of 50 to 79 % only opens the right with a restriction substantielle et durable pour
    l'accès à l'emploi (RSDAE) and up to the legal retirement age (included, in whole years).
    The age floor is 20, or 16 for someone who is no longer a dependent child for the
    prestations familiales.
    """
    taux = c("taux_incapacite")
    age = c("age")
    taux_plein = taux >= c.law("aah.taux_capacite.taux_incapacite")
    taux_rsdae = (
        (taux >= c.law("aah.taux_capacite.taux_incapacite_rsdae"))
        & c("aah_restriction_substantielle_durable_acces_emploi")
        & (age <= c.law("aah.age_legal_retraite"))
    )
    handicap = c.check(
        "Taux d'incapacité d'au moins 80 %, ou de 50 à 79 % avec RSDAE",
        taux_plein | taux_rsdae,
        "votre taux d'incapacité est de {taux:%}",
        taux=taux,
    )
    age_ok = c.check(
        "Âge d'au moins 20 ans (16 ans si plus à charge au sens des prestations familiales)",
        (age >= c.law("aah.age_minimal"))
        | ((age >= c.law("aah.age_fin_educ")) & ~c("prestations_familiales_enfant_a_charge")),
        "vous avez {age} ans",
        age=age,
    )
    return handicap & age_ok


# ---------------------------------------------------------------------------------------------
# Resources of the person (déconjugalisées)
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Activité salariée dans le mois, au sens de l'AAH (évaluation trimestrielle des ressources)",
    value_type="bool",
)
def aah_en_activite(c):
    """A taxable salary in the month itself puts the person in the quarterly evaluation of
    resources (art. R821-4-1 CSS); otherwise the yearly evaluation on N-2 applies (R821-4).

    Only the month of the computation is looked at, not the quarter (as OpenFisca does).
    """
    return c("salaire_imposable") > 0


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenus d'activité des trois derniers mois annualisés (AAH, évaluation trimestrielle)",
)
def aah_base_ressources_activite_eval_trimestrielle(c):
    """Net salaries and unemployment benefits of the three months before, times four.

    Unemployment benefits are counted with activity income, so they get its abatements.
    """
    months = c.period.last_months(3)
    return 4 * (c.sum("salaire_net", months) + c.sum("chomage_net", months))


@quantity(
    INDIVIDU,
    MONTH,
    label="Autres ressources des trois derniers mois annualisées (AAH, évaluation trimestrielle)",
    reads_past=("asi",),
)
def aah_base_ressources_hors_activite_eval_trimestrielle(c):
    """Net retirement and invalidity pensions, child support received and ASI of the three months
    before, times four (art. R532-3 CSS: every resource, the invalidity pension included)."""
    months = c.period.last_months(3)
    return 4 * (_hors_activite_hors_asi_3_mois(c, months) + c.sum("asi", months))


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenus d'activité imposables de l'année N-2 (AAH, évaluation annuelle)",
)
def aah_base_ressources_activite_eval_annuelle(c):
    """Taxable salaries and unemployment benefits of the calendar year N-2, before the 10 %
    deduction of the income tax (the core's ``revenu_assimile_salaire``)."""
    return c("revenu_assimile_salaire", c.period.n_2)


@quantity(
    INDIVIDU,
    MONTH,
    label="Pensions imposables de l'année N-2 (AAH, évaluation annuelle)",
)
def aah_base_ressources_hors_activite_eval_annuelle(c):
    """Income taxed as pensions in year N-2, before the 10 % abattement: taxable retirement
    pensions and child support received (the core's ``revenu_assimile_pension``)."""
    return c("revenu_assimile_pension", c.period.n_2)


@quantity(
    INDIVIDU,
    MONTH,
    label="Base ressources mensuelle de l'AAH (ressources propres du bénéficiaire)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000023097737",),
)
def aah_base_ressources_deconjugalisee(c):
    """Monthly resources of the person since the déconjugalisation (2023-10-01).

    Quarterly evaluation (salary in the month): abated activity income of the last three
    months plus other income, annualised, floored at 0. Yearly evaluation otherwise: abated
    activity income of N-2 plus pensions of N-2. Both divided by 12.
    """
    return _base_ressources(c, c("aah_base_ressources_hors_activite_eval_trimestrielle"))


@quantity(
    INDIVIDU,
    MONTH,
    label="Plafond de ressources de l'AAH (après déconjugalisation)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000039211076",),
)
def aah_plafond_ressources_deconjugalise(c):
    """The maximal AAH, raised by half of it for each dependent child of the famille
    (art. D821-2 CSS); the partner no longer raises it."""
    return c.law("aah.montant") * (
        1 + c.law("aah.majoration_plafond.majoration_par_enfant_supplementaire") * c("af_nbenf")
    )


@quantity(
    INDIVIDU,
    MONTH,
    label="Montants non cumulables avec l'AAH (pension d'invalidité du mois, ASI du mois précédent)",
    reads_past=("asi",),
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006754198",),
)
def aah_base_non_cumulable(c):
    """The invalidity pension of the month and the ASI received the month before, which the AAH
    only completes (art. L821-1 CSS, 2nd paragraph: the AAH is due only up to the maximal AAH
    minus the avantage d'invalidité)."""
    return c("pensions_invalidite") + c("asi", c.period.last_month)


@quantity(
    INDIVIDU,
    MONTH,
    label="Montant de l'AAH avant réduction pour hospitalisation ou incarcération",
    defined_for="aah_eligible",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006754198",),
)
def aah_base(c):
    """Ceiling minus resources, capped at the maximal AAH and at the maximal AAH minus the
    non-cumulable ASI. The calcul conjugalisé kept for some couples since 2023-10-01 is not
    modelled (OpenFisca's ``aah_conjugalise_eligible`` input, False by default)."""
    eligible = c("aah_eligible")
    ressources = c("aah_base_ressources_deconjugalisee")
    plafond = c("aah_plafond_ressources_deconjugalise")
    c.check(
        "Ressources sous le plafond de l'AAH",
        ~eligible | (ressources < plafond),
        "vos ressources de référence, {ressources}, atteignent le plafond de {plafond}",
        ressources=ressources,
        plafond=plafond,
    )
    non_cumulable = c("aah_base_non_cumulable")
    c.check(
        "Pension d'invalidité et allocation supplémentaire d'invalidité inférieures à l'AAH",
        ~eligible | (ressources >= plafond) | (non_cumulable < c.law("aah.montant")),
        "votre pension d'invalidité et l'allocation supplémentaire d'invalidité, {non_cumulable}, "
        "atteignent le montant de l'AAH",
        non_cumulable=non_cumulable,
    )
    return _aah_amount(c, eligible, ressources, plafond, non_cumulable)


@quantity(
    INDIVIDU,
    MONTH,
    label="Allocation aux adultes handicapés (AAH)",
    references=(
        "https://www.legifrance.gouv.fr/affichCodeArticle.do?cidTexte=LEGITEXT000006073189&idArticle=LEGIARTI000006754198",
    ),
)
def aah(c):
    """Monthly AAH of the person. The reduction to 30 % after 60 days of hospitalisation or
    imprisonment (art. R821-8 CSS) needs dates that are not inputs of mesaides, so it never
    applies (as in OpenFisca with its defaults)."""
    return c("aah_base")


# ---------------------------------------------------------------------------------------------
# Shared computations
# ---------------------------------------------------------------------------------------------


def _hors_activite_hors_asi_3_mois(c, months):
    return (
        c.sum("retraite_nette", months)
        + c.sum("pensions_invalidite", months)
        + c.sum("pensions_alimentaires_percues", months)
    )


def _assiette_revenus_activite(c, revenus, en_activite):
    """Activity income after the abatements of art. D821-9 CSS (80 % up to 30 % of the yearly
    gross SMIC in force this month, 40 % above) and the 30 % abatement of art. R532-5 CSS when
    activity has stopped (no salary this month and not a student) or when unemployment
    benefits, a retirement or an invalidity pension were received the month before."""
    smic_annuel = 12 * c.law("smic.horaire_brut") * c.law("smic.nb_heures_mensuelles")
    tranche_1 = np.minimum(revenus, c.law("aah.travail_ordinaire.tranche_smic") * smic_annuel)
    tranche_2 = np.maximum(0, revenus - tranche_1)
    abattus = (1 - c.law("aah.travail_ordinaire.abattement_30")) * tranche_1 + (
        1 - c.law("aah.travail_ordinaire.abattement_sup")
    ) * tranche_2
    ressource_interrompue = ~(en_activite | c.enum("activite").is_("etudiant"))
    mois_precedent = c.period.last_month
    substitution = (
        c("chomage_net", mois_precedent)
        + c("retraite_nette", mois_precedent)
        + c("pensions_invalidite", mois_precedent)
    ) > 0
    cessation = ressource_interrompue | substitution
    return abattus * (1 - c.law("aah.abattement_cessation_activite") * cessation)


def _base_ressources(c, hors_activite_trimestrielle):
    en_activite = c("aah_en_activite")
    trimestrielle = np.maximum(
        0,
        _assiette_revenus_activite(c, c("aah_base_ressources_activite_eval_trimestrielle"), en_activite)
        + hors_activite_trimestrielle,
    )
    annuelle = _assiette_revenus_activite(c, c("aah_base_ressources_activite_eval_annuelle"), en_activite) + c(
        "aah_base_ressources_hors_activite_eval_annuelle"
    )
    return np.where(en_activite, trimestrielle, annuelle) / 12


def _aah_amount(c, eligible, base_ressources, plafond, non_cumulable):
    montant = c.law("aah.montant")
    differentielle = np.minimum(montant, np.maximum(0, plafond - base_ressources))
    return eligible * np.minimum(differentielle, np.maximum(0, montant - non_cumulable))


QUANTITIES = (
    aah_eligible,
    aah_en_activite,
    aah_base_ressources_activite_eval_trimestrielle,
    aah_base_ressources_hors_activite_eval_trimestrielle,
    aah_base_ressources_activite_eval_annuelle,
    aah_base_ressources_hors_activite_eval_annuelle,
    aah_base_ressources_deconjugalisee,
    aah_plafond_ressources_deconjugalise,
    aah_base_non_cumulable,
    aah_base,
)
AIDES = (aah,)
