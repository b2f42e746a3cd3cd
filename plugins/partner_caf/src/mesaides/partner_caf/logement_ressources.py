"""Aides personnelles au logement: the annual resource base (secteur locatif), per famille.

Rules as OpenFisca-France 176.1.8 computes them (formula in force since 2021-01-01; see
``/work/notes/rules-logement.md`` during development, the package docs summarise them):

* each person's taxable salaries, unemployment benefits and pensions of a rolling year (the
  twelve months ending two months before M), child support received in the calendar year
  before M, after the income-tax deductions of 10 %;
* a 30 % abatement on activity income for people unemployed for more than two months, for
  retirees and for AAH recipients without salary, and on unemployment benefits for the latter
  two; the activity and unemployment income of both parents is neutralised when one of them is
  a jobseeker without benefit for more than two months, or when the famille received the RSA
  last month;
* the children's resources beyond 1.25 times the ASPA ceiling, a double-activity abatement, a
  flat amount for students, rounded up to the next 100 €.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Activite, Period, StatutOccupationLogement, quantity
from mesaides.partner_caf.logement_loyer import SINCE

AL = "aides_logement"
RES = f"{AL}.ressources"
FRAIS_PRO = "impot.abattement_frais_professionnels"
PENSIONS = "impot.abattement_pensions"
LOCATAIRE_FOYER = StatutOccupationLogement.LOCATAIRE_FOYER.code


@quantity(INDIVIDU, MONTH, label="Au chômage", value_type="bool", valid_from=SINCE)
def aide_logement_chomeur(c):
    """The person's activity is ``chomeur``."""
    return c.enum("activite").is_("chomeur")


@quantity(
    INDIVIDU,
    MONTH,
    label="Au chômage depuis avant le premier jour du mois M-2",
    value_type="bool",
    defined_for="aide_logement_chomeur",
    valid_from=SINCE,
)
def aide_logement_chomeur_depuis_plus_de_deux_mois(c):
    """An unemployed person whose spell began before the first day of M-2."""
    return c("date_debut_chomage") < np.datetime64(c.period.offset(-2).start, "D")


def _round_half_up(x):
    """Rounding to the euro, 0.50 counting for 1 (as the core rounds the income-tax deductions)."""
    return np.floor(np.asarray(x, dtype=float) + 0.5)


# ---- Abatements and neutralisation (per person, month M) --------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Aides au logement : abattement de 30 % sur les revenus d'activité (chômage, retraite, AAH)",
    value_type="bool",
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878977",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878975",
    ),
    valid_from=SINCE,
)
def aide_logement_abattement_revenus_activite_professionnelle(c):
    """Art. R822-13 and R822-14 CCH: a person unemployed in M whose spell began before M-2
    (benefits or not), or a retiree or an AAH recipient with no taxable salary in M."""
    activite = c.enum("activite")
    sans_salaire = c("salaire_imposable") == 0
    chomeur = c("aide_logement_chomeur_depuis_plus_de_deux_mois")
    return chomeur | (activite.is_("retraite") & sans_salaire) | ((c("aah") > 0) & sans_salaire)


@quantity(
    INDIVIDU,
    MONTH,
    label="Aides au logement : abattement de 30 % sur les allocations chômage (retraite, AAH)",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878977",),
    valid_from=SINCE,
)
def aide_logement_abattement_indemnites_chomage(c):
    """A retiree or an AAH recipient with no taxable salary in M."""
    return (c.enum("activite").is_("retraite") | (c("aah") > 0)) & (c("salaire_imposable") == 0)


@quantity(
    INDIVIDU,
    MONTH,
    label="Aides au logement : chômeur non indemnisé depuis plus de deux mois",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878973",),
    valid_from=SINCE,
)
def aide_logement_chomeur_non_indemnise(c):
    """Unemployed in M, the spell having begun before M-2, without unemployment benefit in M or
    receiving the ASS in M (France Travail's aide, through ``takes``: art. R822-15 CCH treats a
    jobseeker on the ASS as one without insurance benefit)."""
    return c("aide_logement_chomeur_depuis_plus_de_deux_mois") & ((c("chomage_imposable") == 0) | (c("ass") > 0))


@quantity(
    INDIVIDU,
    MONTH,
    label="Aides au logement : neutralisation des revenus d'activité et de chômage",
    reads_past=("rsa",),
    value_type="bool",
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878973",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878969",
    ),
    valid_from=SINCE,
)
def aide_logement_condition_neutralisation(c):
    """For the parents of the famille (art. R822-15 and R822-17 CCH): when one parent is a
    jobseeker without benefit for more than two months, or when the famille received the RSA in
    M-1, the activity and unemployment income of both parents is not counted.

    The law applies the RSA criterion to every tenant. OpenFisca-France 176.1.8 applies it to
    the APL only in the reference cases, an effect of the order in which it computes outputs
    (its cycle guard answers the RSA of M-1 with 0 for the ALF and ALS); see
    ``docs/known-differences.md``."""
    famille = c.group("famille")
    parent = c.is_role("famille", "parents")
    chomeur = famille.any("aide_logement_chomeur_non_indemnise", role="parents")
    rsa_last_month = c("rsa", c.period.last_month) > 0
    return parent & (chomeur | rsa_last_month)


# ---- Per person ------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Aides au logement : ressources annuelles d'une personne",
    references=(
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000039701752",
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042841854",
    ),
    unit="EUR",
    valid_from=SINCE,
)
def aide_logement_base_ressources_individu(c):
    """Annual resources of the rolling year M-13..M-2 (art. R822-3 and following CCH, since
    2021): taxable salaries S and unemployment benefits C minus the 10 % deduction for
    professional expenses computed on S + C (floor and ceiling of the previous calendar year;
    the part not absorbed by salaries is taken from C), with the 30 % abatements and the
    neutralisation; plus taxable retirement and invalidity pensions of the rolling year and child support received in the
    previous calendar year, minus 10 % (at least the minimum, no ceiling)."""
    rolling = c.period.rolling_year(2)
    last_year = Period.year_of(c.period.year - 1)
    salaires = c.sum("salaire_imposable", rolling)
    chomage = c.sum("chomage_imposable", rolling)
    # Invalidity pensions are taxed as pensions: the rolling year like the others (OpenFisca
    # 176.1.8 reads them for the calendar year N-2; see docs/known-differences.md).
    retraites = c.sum("retraite_imposable", rolling) + c.sum("pensions_invalidite", rolling)
    pensions_alimentaires = c.sum("pensions_alimentaires_percues", last_year.months)

    at = last_year.start
    assimile_salaire = salaires + chomage
    deduction = _round_half_up(
        np.minimum(
            np.maximum(c.law(f"{FRAIS_PRO}.taux", at=at) * assimile_salaire, c.law(f"{FRAIS_PRO}.minimum", at=at)),
            c.law(f"{FRAIS_PRO}.plafond", at=at),
        )
    )
    pensions = pensions_alimentaires + retraites
    abattement_pensions = _round_half_up(np.maximum(c.law(f"{PENSIONS}.taux") * pensions, c.law(f"{PENSIONS}.minimum")))
    pensions = np.maximum(0, pensions - abattement_pensions)

    taux = c.law(f"{RES}.taux_abattement_chomage_retraite")
    net_salaires = salaires - deduction
    activite = np.maximum(0, net_salaires) * (1 - taux * c("aide_logement_abattement_revenus_activite_professionnelle"))
    reste_deduction = np.minimum(0, net_salaires) * (assimile_salaire > 0)
    chomage_net = (chomage + reste_deduction) * (1 - taux * c("aide_logement_abattement_indemnites_chomage"))
    neutralise = c("aide_logement_condition_neutralisation")
    return (activite + chomage_net) * ~neutralise + pensions


# ---- Per famille -----------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Aides au logement : abattement pour double activité",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041419409",),
    valid_from=SINCE,
)
def aide_logement_biactivite(c):
    """Two parents each earning at least 12 BMAF. OpenFisca-France compares the taxable salary
    of the month M alone with this annual threshold, so it almost never applies; so do we."""
    seuil = c.law(f"{RES}.double_activite_nombre_bmaf") * c.law("prestations_familiales.bmaf")
    salaire = c.members("salaire_imposable")
    return (c("nb_parents") == 2) & c.per_member(salaire.values >= seuil).all("parents")


@quantity(
    FAMILLE,
    MONTH,
    label="Base ressources des aides au logement",
    references=(
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000039701752",
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042841854",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000041419188",
    ),
    unit="EUR",
    valid_from=SINCE,
)
def aide_logement_base_ressources(c):
    """Annual resources of the famille: the parents' resources, the children's resources beyond
    1.25 times the ASPA ceiling for a single person in force on 31 December of year N-2, minus
    the double-activity abatement. A demandeur (first parent) who is a student under 28 has a
    flat amount instead (art. R822-20 CCH; boursiers are not asked, so no reduction). Rounded
    up to the next 100 €."""
    base = c.members("aide_logement_base_ressources_individu")
    n_2_end = dt.date(c.period.year - 2, 12, 31)
    abattement_enfant = c.law(f"{RES}.plafond_aspa_personne_seule", at=n_2_end) * c.law(f"{RES}.coef_plafond_aspa")
    parents = base.sum("parents")
    enfants = c.per_member(np.maximum(0, base.values - abattement_enfant)).sum("enfants")
    ressources = np.maximum(
        0, parents + enfants - c("aide_logement_biactivite") * c.law(f"{RES}.abattement_double_activite")
    )

    etudiant = c.members("activite").first("parents", default=-1) == Activite.ETUDIANT.code
    jeune = c.members("age").first("parents", default=999) < c.law(f"{RES}.etudiants.age_max")
    # The foyer's flat amount for a resident of a logement-foyer or a CROUS residence (R822-20 CCH).
    foyer = c.members("statut_occupation_logement").first("parents", default=-1) == LOCATAIRE_FOYER
    forfait = np.where(foyer, c.law(f"{RES}.etudiants.forfait_foyer"), c.law(f"{RES}.etudiants.forfait_locatif"))
    ressources = np.where(etudiant & jeune, forfait, ressources)

    return np.ceil(np.round(ressources * 100) / 100 / 100) * 100


QUANTITIES = (
    aide_logement_chomeur,
    aide_logement_chomeur_depuis_plus_de_deux_mois,
    aide_logement_abattement_revenus_activite_professionnelle,
    aide_logement_abattement_indemnites_chomage,
    aide_logement_chomeur_non_indemnise,
    aide_logement_condition_neutralisation,
    aide_logement_base_ressources_individu,
    aide_logement_biactivite,
    aide_logement_base_ressources,
)
