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
  resources, capped at the maximal AAH and reduced by the allocation supplémentaire
  d'invalidité (ASI) received the month before.

The ASI (and the ASPA eligibility that rules it out) is computed here because it is the
non-cumulable amount AAH is reduced by.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, quantity

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
    reads_past=("aah_asi_non_cumulable",),
)
def aah_base_ressources_hors_activite_eval_trimestrielle(c):
    """Net pensions, child support received and ASI of the three months before, times four."""
    months = c.period.last_months(3)
    return 4 * (_hors_activite_hors_asi_3_mois(c, months) + c.sum("aah_asi_non_cumulable", months))


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
    label="Montants non cumulables avec l'AAH (ASI du mois précédent)",
    reads_past=("aah_asi_non_cumulable",),
)
def aah_base_non_cumulable(c):
    """The ASI received the month before (invalidity pensions, also non-cumulable, are not an
    input of mesaides)."""
    return c("aah_asi_non_cumulable", c.period.last_month)


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
        "Allocation supplémentaire d'invalidité inférieure à l'AAH",
        ~eligible | (ressources >= plafond) | (non_cumulable < c.law("aah.montant")),
        "l'allocation supplémentaire d'invalidité, {asi}, atteint le montant de l'AAH",
        asi=non_cumulable,
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
# ASI: the non-cumulable amount (and the ASPA eligibility that rules it out)
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité à l'allocation de solidarité aux personnes âgées (ASPA), pour l'ASI",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000047633276",),
)
def aspa_eligibilite(c):
    """Aged 65, or aged at least the legal retirement age with an incapacity rate above 50 %
    (nationality conditions hold by default)."""
    age = c("age")
    anticipe = (age >= c.law("aah.age_legal_retraite")) & (
        c("taux_incapacite") > c.law("aah.aspa.taux_incapacite_aspa_anticipe")
    )
    return (age >= c.law("aah.aspa.age_min")) | anticipe


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité à l'allocation supplémentaire d'invalidité (ASI)",
    value_type="bool",
)
def asi_eligibilite(c):
    """A disabled person who received a pension the month before and is not eligible to the
    ASPA (invalidity pensions, the other way in, are not an input of mesaides)."""
    pension = c("retraite_nette", c.period.last_month) > 0
    return ~c("aspa_eligibilite") & c("handicap") & pension


@quantity(
    FAMILLE,
    MONTH,
    label="Nombre de parents éligibles à l'ASI ou à l'ASPA",
    value_type="int",
)
def asi_aspa_nb_alloc(c):
    return c.members("asi_eligibilite").count("parents") + c.members("aspa_eligibilite").count("parents")


@quantity(
    INDIVIDU,
    MONTH,
    label="AAH du mois calculée sans ASI (pour la base ressources de l'ASI)",
    defined_for="aah_eligible",
)
def aah_hors_asi(c):
    """The AAH the person would get with no ASI. It is what the ASI resource base counts for a
    partner who is not himself eligible to the ASI or the ASPA; using it instead of ``aah``
    avoids a recursion through past months (ASI → AAH → ASI ...). It equals ``aah`` for anyone
    who received no ASI in the previous months."""
    months = c.period.last_months(3)
    base = _base_ressources(c, 4 * _hors_activite_hors_asi_3_mois(c, months))
    return _aah_amount(c, c("aah_eligible"), base, c("aah_plafond_ressources_deconjugalise"), c.zeros())


@quantity(
    INDIVIDU,
    MONTH,
    label="Base ressources individuelle de l'ASI et de l'ASPA, hors AAH (moyenne des trois derniers mois)",
)
def asi_aspa_base_ressources_individu_hors_aah(c):
    """Mean over the three months before of unemployment benefits and child support received.

    Pensions enter this base through their gross amount, which is not an input of mesaides
    (nor derived from the net one in OpenFisca), so they count for 0 here, as in OpenFisca.
    """
    months = c.period.last_months(3)
    chomage = np.maximum(0, c.sum("chomage_net", months))
    pensions_alimentaires = np.maximum(0, c.sum("pensions_alimentaires_percues", months))
    return (chomage + pensions_alimentaires) / 3


@quantity(
    INDIVIDU,
    MONTH,
    label="Base ressources individuelle de l'ASI et de l'ASPA (moyenne des trois derniers mois)",
)
def asi_aspa_base_ressources_individu(c):
    """The base without AAH, plus the mean AAH of the three months before for someone eligible
    to neither the ASI nor the ASPA."""
    aah_retenue = c.sum("aah_hors_asi", c.period.last_months(3)) * ~c("aspa_eligibilite") * ~c("asi_eligibilite")
    return c("asi_aspa_base_ressources_individu_hors_aah") + aah_retenue / 3


@quantity(
    FAMILLE,
    MONTH,
    label="Base ressources de l'ASI et de l'ASPA (parents de la famille)",
)
def asi_aspa_base_ressources(c):
    return c.members("asi_aspa_base_ressources_individu").sum("parents")


_ASI_READS = ("asi_eligibilite", "asi_aspa_nb_alloc", "nb_parents")


@quantity(
    INDIVIDU,
    MONTH,
    label="Allocation supplémentaire d'invalidité (ASI)",
    defined_for="asi_eligibilite",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041474269",),
)
def asi(c):
    """Since 2020-04-01 the ASI is the ceiling (single or couple) minus the resources of the
    couple. It is paid when the person is the only ASI/ASPA-eligible parent, or shared half and
    half when both parents are ASI-eligible; a parent eligible to the ASI beside a partner
    eligible to the ASPA gets none (as in OpenFisca)."""
    return _asi_amount(c, c("asi_aspa_base_ressources"))


@quantity(
    INDIVIDU,
    MONTH,
    label="ASI retenue pour l'AAH (base ressources de l'ASI sans l'AAH)",
    defined_for="asi_eligibilite",
)
def aah_asi_non_cumulable(c):
    """The ASI as OpenFisca's AAH formula sees it: when the AAH is computed, OpenFisca cuts the
    loop AAH → ASI → AAH of earlier months by taking those AAH as 0, so the partner's AAH is
    left out of the ASI resources. Equal to ``asi`` unless a partner eligible to neither the
    ASI nor the ASPA receives the AAH."""
    return _asi_amount(c, c.group("famille").sum("asi_aspa_base_ressources_individu_hors_aah", "parents"))


def _asi_amount(c, base_ressources):
    """The ASI of each eligible person (the quantities are ``defined_for`` the ASI's
    eligibility), from the resource base of its couple."""
    famille = c.group("famille")
    parent = c.is_role("famille", "parents")
    demandeur = famille.nth("asi_eligibilite", "parents", 0).astype(bool)
    conjoint = famille.nth("asi_eligibilite", "parents", 1).astype(bool)
    seul_allocataire = (c("asi_aspa_nb_alloc") == 1) & (demandeur | conjoint)
    deux_asi = demandeur & conjoint
    en_couple = c("nb_parents") == 2
    plafond = (
        seul_allocataire
        * np.where(en_couple, c.law("aah.asi.plafond_ressource_couple"), c.law("aah.asi.plafond_ressource_seul"))
        + deux_asi * c.law("aah.asi.plafond_ressource_couple")
    ) / 12
    montant = np.maximum(plafond - base_ressources, 0)
    return montant * parent * (seul_allocataire + deux_asi / 2)


# ---------------------------------------------------------------------------------------------
# Shared computations
# ---------------------------------------------------------------------------------------------


def _hors_activite_hors_asi_3_mois(c, months):
    return c.sum("retraite_nette", months) + c.sum("pensions_alimentaires_percues", months)


def _assiette_revenus_activite(c, revenus, en_activite):
    """Activity income after the abatements of art. D821-9 CSS (80 % up to 30 % of the yearly
    gross SMIC in force this month, 40 % above) and the 30 % abatement of art. R532-5 CSS when
    activity has stopped (no salary this month and not a student) or when unemployment
    benefits or a pension were received the month before."""
    smic_annuel = 12 * c.law("smic.horaire_brut") * c.law("smic.nb_heures_mensuelles")
    tranche_1 = np.minimum(revenus, c.law("aah.travail_ordinaire.tranche_smic") * smic_annuel)
    tranche_2 = np.maximum(0, revenus - tranche_1)
    abattus = (1 - c.law("aah.travail_ordinaire.abattement_30")) * tranche_1 + (
        1 - c.law("aah.travail_ordinaire.abattement_sup")
    ) * tranche_2
    ressource_interrompue = ~(en_activite | c.enum("activite").is_("etudiant"))
    mois_precedent = c.period.last_month
    substitution = (c("chomage_net", mois_precedent) + c("retraite_nette", mois_precedent)) > 0
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
    aspa_eligibilite,
    asi_eligibilite,
    asi_aspa_nb_alloc,
    aah_hors_asi,
    asi_aspa_base_ressources_individu_hors_aah,
    asi_aspa_base_ressources_individu,
    asi_aspa_base_ressources,
    asi,
    aah_asi_non_cumulable,
)
AIDES = (aah,)
