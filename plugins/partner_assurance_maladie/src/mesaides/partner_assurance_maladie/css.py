"""Complémentaire santé solidaire (CSS), per famille and per month: without contribution
(``cmu_c``, a boolean as in OpenFisca-France) and with contribution
(``css_participation_forfaitaire``, the monthly contribution of the foyer).

Rules as OpenFisca-France 176.1.8 computes them (``model/prestations/minima_sociaux/cs/``),
with the law's ceilings (10 339 € from 2025-04-01, 10 422 € from 2026-04-01), the law's period
of resources and the law's age for the contribution (1 January of the year); see
``docs/rules.md`` and ``docs/known-differences.md``.

The foyer (art. R861-2 CSS) is the famille's parents and its children aged 25 or less. Its
resources are those of the twelve months M-13..M-2 (art. R861-8 CSS), including other
partners' aides: the AAH, its complement, the prestations familiales (CAF), the ASPA (Assurance
retraite), the ASS (France Travail), the ASI; the engine computes each of them month by month.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MENAGE, MONTH, StatutOccupationLogement, quantity

CSS = "css"
RSA = "rsa"

MOIS_DE_DECALAGE = 2
"""The twelve months counted end this many months before the month of the computation: from the
thirteenth to the second month before the application (art. R861-8 CSS, since 2022-01-01,
décret n° 2021-1642); OpenFisca-France takes M-12..M-1 (``docs/known-differences.md``)."""

DEPARTEMENTS_MAJORES = ("971", "972", "973", "974")
"""Départements where the ceiling is raised (Guadeloupe, Martinique, Guyane, La Réunion;
art. D861-1 CSS)."""
MAYOTTE = "976"

AGES_PARTICIPATION = (30, 50, 60, 70)
"""Ages opening each bracket of the contribution (arrêté du 29 décembre 2023 fixant les montants
de la participation financière, art. 1): under 30, 30-49, 50-59, 60-69, 70 and over."""
PARTICIPATION = (
    f"{CSS}.participation.moins_30_ans",
    f"{CSS}.participation.de_30_a_49_ans",
    f"{CSS}.participation.de_50_a_59_ans",
    f"{CSS}.participation.de_60_a_69_ans",
    f"{CSS}.participation.plus_69_ans",
)


def _douze_mois(c):
    return c.period.rolling_year(MOIS_DE_DECALAGE)


# ---------------------------------------------------------------------------------------------
# The foyer and its eligibility
# ---------------------------------------------------------------------------------------------


@quantity(INDIVIDU, MONTH, label="Enfant de 25 ans au plus, à charge pour la CSS", value_type="bool")
def css_personne_a_charge(c):
    """A child of the famille aged 25 or less (art. R861-2 CSS)."""
    return c.is_role("famille", "enfants") & (c("age") <= c.law(f"{CSS}.age_limite_pac"))


@quantity(INDIVIDU, MONTH, label="Membre du foyer de la CSS", value_type="bool")
def css_membre_foyer(c):
    """The applicant, the partner and the children aged 25 or less."""
    return c.is_role("famille", "parents") | c("css_personne_a_charge")


@quantity(
    INDIVIDU,
    MONTH,
    label="Rattaché à un autre foyer (enfant à charge fiscalement ou pension alimentaire reçue)",
    value_type="bool",
)
def css_rattache(c):
    """A dependant of a foyer fiscal, minor on 1 January or disabled, or someone who received
    child support in the twelve months (as OpenFisca's ``enfant_a_charge``)."""
    mineur = c("age", c.period.this_year.first_month) < 18
    a_charge = c.is_role("foyer_fiscal", "personnes_a_charge") & (mineur | c("handicap"))
    return a_charge | (c.sum("pensions_alimentaires_percues", _douze_mois(c)) > 0)


@quantity(MENAGE, MONTH, label="Résider à Mayotte", value_type="bool")
def css_residence_mayotte(c):
    return c("departement") == MAYOTTE


@quantity(MENAGE, MONTH, label="Résider en Guadeloupe, Martinique, Guyane ou à La Réunion", value_type="bool")
def css_residence_dom(c):
    return np.isin(c("departement"), DEPARTEMENTS_MAJORES)


@quantity(
    FAMILLE,
    MONTH,
    label="Conditions d'ouverture de la complémentaire santé solidaire",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000037950247",),
)
def css_eligibilite(c):
    """A foyer of its own: a child aged 25 or less, or a member aged 25 or more, or members none
    of whom is attached to another foyer (as OpenFisca); outside Mayotte, where the CSS does not
    apply (as OpenFisca)."""
    pac = c.members("css_personne_a_charge").any()
    adulte = c.per_member(c.members("age").values >= c.law(f"{CSS}.age_limite_pac")).any()
    independant = ~c.members("css_rattache").any()
    foyer = c.check(
        "Former un foyer distinct de celui de ses parents",
        pac | adulte | independant,
        "vous êtes rattaché au foyer de vos parents (à charge fiscalement ou aidé par une pension alimentaire)",
    )
    hors_mayotte = c.check(
        "Résider ailleurs qu'à Mayotte",
        ~c.members("css_residence_mayotte").first("parents"),
        "la complémentaire santé solidaire n'est pas ouverte à Mayotte",
    )
    return foyer & hors_mayotte


# ---------------------------------------------------------------------------------------------
# Resources of the twelve months (art. R861-4 to R861-8 CSS)
# ---------------------------------------------------------------------------------------------


@quantity(INDIVIDU, MONTH, label="AAH du mois retenue pour la CSS (après abattement)", minimum=0)
def css_aah_retenue(c):
    """The AAH minus a monthly abatement (instruction DSS of 30 March 2021)."""
    return np.maximum(c("aah") - c.law(f"{CSS}.abattements.aah"), 0)


@quantity(INDIVIDU, MONTH, label="ASI du mois retenue pour la CSS (après abattement)", minimum=0)
def css_asi_retenue(c):
    """The ASI minus a monthly abatement: none for a person who also receives the AAH, half the
    couple's when both parents receive the ASI, the single one otherwise."""
    asi = c("asi")
    famille = c.group("famille")
    deux_asi = (famille.nth("asi", "parents", 0) > 0) & (famille.nth("asi", "parents", 1) > 0)
    abattement = np.where(
        c("aah") > 0,
        0.0,
        np.where(
            deux_asi,
            c.law(f"{CSS}.abattements.asi.couple") / 2,
            (asi > 0) * c.law(f"{CSS}.abattements.asi.personne_seule"),
        ),
    )
    return np.maximum(asi - abattement, 0)


@quantity(FAMILLE, MONTH, label="ASPA du mois retenue pour la CSS (après abattement)", minimum=0)
def css_aspa_retenue(c):
    """The ASPA minus a monthly abatement, single or couple."""
    abattement = np.where(
        c("nb_parents") == 2,
        c.law(f"{CSS}.abattements.aspa_asv.couple"),
        c.law(f"{CSS}.abattements.aspa_asv.personne_seule"),
    )
    return np.maximum(c("aspa") - abattement, 0)


@quantity(
    INDIVIDU,
    MONTH,
    label="Ressources individuelles des douze mois pour la CSS",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006753243",),
)
def css_base_ressources_individu(c):
    """Net incomes, pensions, child support received and the minima sociaux of the twelve
    months (art. R861-4 and R861-5 CSS); activity income is abated by 30 % for a person
    receiving unemployment benefits or the ASS in the month (art. R861-8 CSS)."""
    months = _douze_mois(c)
    ressources = c.zeros()
    for name in (
        "salaire_net",
        "chomage_net",
        "retraite_nette",
        "pensions_invalidite",
        "pensions_alimentaires_percues",
        "ass",
        "caah",
        "css_aah_retenue",
        "css_asi_retenue",
    ):
        ressources = ressources + c.sum(name, months)
    chomage_indemnise = (c.enum("activite").is_("chomeur") & (c("chomage_net") > 0)) | (c("ass") > 0)
    abattement = c.law(f"{CSS}.abattement_chomage") * c.sum("salaire_net", months) * chomage_indemnise
    return ressources - abattement


@quantity(
    FAMILLE,
    MONTH,
    label="Forfait logement de la CSS",
    minimum=0,
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006753243",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038929244",
    ),
)
def css_forfait_logement(c):
    """Twelve times a share of the RSA's montant forfaitaire for the foyer's size: for an owner
    or someone housed free of charge (art. R861-5 CSS), and for a famille receiving a housing aid
    this month, capped at twelve times that aid (art. R861-7 CSS); both add up."""
    nbp = c("nb_parents") + c.members("css_personne_a_charge").count()
    socle = c.law(f"{RSA}.montant_de_base") * (
        1
        + c.law(f"{RSA}.maj_montant_max.couples_celibataire_avec_enfant") * (nbp >= 2)
        + c.law(f"{RSA}.maj_montant_max.couple_1_enfant_ou_2e_enfant") * (nbp >= 3)
    )
    sans_al = np.select(
        [nbp <= 1, nbp == 2],
        [c.law(f"{CSS}.forfait_logement_sans_al.taux_1p"), c.law(f"{CSS}.forfait_logement_sans_al.taux_2p")],
        c.law(f"{CSS}.forfait_logement_sans_al.taux_3p_plus"),
    )
    avec_al = np.select(
        [nbp <= 1, nbp == 2],
        [c.law(f"{CSS}.forfait_logement_avec_al.taux_1p"), c.law(f"{CSS}.forfait_logement_avec_al.taux_2p")],
        c.law(f"{CSS}.forfait_logement_avec_al.taux_3p_plus"),
    )
    statut = c.members("statut_occupation_logement").first("parents")
    loge = (statut == StatutOccupationLogement.PROPRIETAIRE.code) | (
        statut == StatutOccupationLogement.LOGE_GRATUITEMENT.code
    )
    aide_logement = c("aide_logement")
    forfait_al = (aide_logement > 0) * np.minimum(12 * aide_logement, 12 * socle * avec_al)
    return 12 * socle * sans_al * loge + forfait_al


@quantity(
    FAMILLE,
    MONTH,
    label="Ressources des douze mois du foyer pour la CSS",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006753243",),
)
def css_base_ressources(c):
    """The housing forfait, the allocations familiales, complément familial, allocation de
    soutien familial and ASPA (after its abatement) of the twelve months, and the individual
    resources of the foyer's members."""
    months = _douze_mois(c)
    prestations = c.zeros()
    for name in ("af", "cf", "asf", "css_aspa_retenue"):
        prestations = prestations + c.sum(name, months)
    individuelles = c.members("css_base_ressources_individu").values * c.members("css_membre_foyer").values
    return c("css_forfait_logement") + prestations + c.per_member(individuelles).sum()


@quantity(
    FAMILLE,
    MONTH,
    label="Plafond de ressources de la CSS sans participation",
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000037950247",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006753235",
    ),
)
def cmu_c_plafond(c):
    """The ceiling for one person (art. L861-1 1°), raised by 50 % for the second person, 30 %
    for the third and the fourth, 40 % from the fifth (art. R861-3 CSS; every child of the
    famille counts, as in OpenFisca), and by 11.3 % in the départements d'outre-mer; rounded to
    the euro."""
    personnes_en_plus = (c("nb_parents") == 2) + c.nb_members("enfants")
    coefficient = (
        1
        + c.law(f"{CSS}.coeff_p2") * (personnes_en_plus >= 1)
        + c.law(f"{CSS}.coeff_p3_p4") * np.clip(personnes_en_plus - 1, 0, 2)
        + c.law(f"{CSS}.coeff_p5_plus") * np.maximum(personnes_en_plus - 3, 0)
    )
    dom = c.members("css_residence_dom").first("parents")
    return np.round(c.law(f"{CSS}.plafond_base") * (1 + c.law(f"{CSS}.majoration_dom") * dom) * coefficient)


# ---------------------------------------------------------------------------------------------
# The aides
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Complémentaire santé solidaire sans participation financière",
    value_type="bool",
    defined_for="css_eligibilite",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000037950247",),
)
def cmu_c(c):
    """Resources of the twelve months within the ceiling (art. L861-1 1° CSS), or a famille
    receiving the RSA this month (art. L861-2)."""
    ressources = c("css_base_ressources")
    plafond = c("cmu_c_plafond")
    return c.check(
        "Ressources des douze mois de référence sous le plafond, ou foyer bénéficiaire du RSA",
        (ressources <= plafond) | (c("rsa") > 0),
        "les ressources de votre foyer sur les douze mois de référence, {ressources}, dépassent le plafond "
        "de {plafond}, et votre foyer ne perçoit pas le RSA",
        ressources=ressources,
        plafond=plafond,
    )


@quantity(INDIVIDU, MONTH, label="Participation financière mensuelle à la CSS selon l'âge", minimum=0)
def css_participation_individu(c):
    """The contribution of a member of the foyer, by age on 1 January of the year (arrêté fixing
    the amounts, art. 1; OpenFisca uses the age in the month)."""
    age = c("age", c.period.this_year.first_month)
    tranche = np.searchsorted(np.array(AGES_PARTICIPATION), age, side="right")
    montants = np.array([c.law(path) for path in PARTICIPATION], dtype=float)
    return montants[tranche] * c("css_membre_foyer")


@quantity(
    FAMILLE,
    MONTH,
    label="Complémentaire santé solidaire avec participation financière (montant mensuel)",
    defined_for="css_eligibilite",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000037950247",),
)
def css_participation_forfaitaire(c):
    """For a foyer whose resources exceed the ceiling of the CSS without contribution by at most
    35 % (art. L861-1 2° CSS), the sum of its members' monthly contributions."""
    payante = c.check(
        "Ne pas avoir droit à la CSS sans participation",
        ~c("cmu_c"),
        "votre foyer a droit à la complémentaire santé solidaire sans participation",
    )
    plafond = c("cmu_c_plafond") * (1 + c.law(f"{CSS}.majoration_plafond_participation"))
    ressources = c("css_base_ressources")
    sous_plafond = c.check(
        "Ressources des douze mois de référence sous le plafond majoré de 35 %",
        ~payante | (ressources <= plafond),
        "les ressources de votre foyer sur les douze mois de référence, {ressources}, dépassent le plafond "
        "de {plafond}",
        ressources=ressources,
        plafond=plafond,
    )
    return (payante & sous_plafond) * c.members("css_participation_individu").sum()


QUANTITIES = (
    css_personne_a_charge,
    css_membre_foyer,
    css_rattache,
    css_residence_mayotte,
    css_residence_dom,
    css_eligibilite,
    css_aah_retenue,
    css_asi_retenue,
    css_aspa_retenue,
    css_base_ressources_individu,
    css_forfait_logement,
    css_base_ressources,
    cmu_c_plafond,
    css_participation_individu,
)
AIDES = (cmu_c, css_participation_forfaitaire)
