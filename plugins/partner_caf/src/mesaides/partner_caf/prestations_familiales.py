"""Shared notions of the prestations familiales (CAF): couple and overseas residence, the
"enfant à charge" of the PF and its financial autonomy, the N-2 resource base and biactivity.

Rules as OpenFisca-France 176.1.8 computes them (see ``/work/notes/rules-pf.md`` during
development; the package docs summarise them). Legislation values: ``prestations_familiales.*``;
the N-2 incomes after the income-tax deductions come from the core (``impot.*``).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import ETERNITY, FAMILLE, INDIVIDU, MENAGE, MONTH, quantity
from mesaides.partner_caf.helpers import PF, starts_with

# Overseas departments whose residents get the DOM rules of the prestations familiales
# (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte), by the first digits of the INSEE code.
DOM_PREFIXES = ("971", "972", "973", "974", "976")
MAYOTTE_PREFIX = "976"


# ---- Family composition and residence ---------------------------------------------------------


@quantity(FAMILLE, MONTH, label="Famille en couple (deux parents)", value_type="bool")
def en_couple(c):
    """True when the famille has two parents, married or not."""
    return c("nb_parents") == 2


@quantity(
    MENAGE,
    MONTH,
    label="Résidence dans un département d'outre-mer (y compris Mayotte)",
    value_type="bool",
)
def residence_dom(c):
    """Commune code starting with 971, 972, 973, 974 or 976."""
    return starts_with(c("depcom"), DOM_PREFIXES)


@quantity(MENAGE, MONTH, label="Résidence à Mayotte", value_type="bool")
def residence_mayotte(c):
    """Commune code starting with 976."""
    return starts_with(c("depcom"), (MAYOTTE_PREFIX,))


# ---- Age limits (art. R552-2 CSS) ---------------------------------------------------------------


@quantity(INDIVIDU, ETERNITY, label="Mois de naissance (en mois depuis janvier 1970)", value_type="int")
def pf_mois_de_naissance(c):
    """The month of birth, counted from January 1970: computed once, as it never changes (the
    conversion of a date into its month is most of what an age per month costs)."""
    return c("date_naissance").astype("datetime64[M]").astype(np.int64)


@quantity(
    INDIVIDU,
    MONTH,
    label="Âge au dernier jour du mois (limites d'âge des prestations familiales)",
    value_type="int",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000030048871",),
)
def pf_age_fin_de_mois(c):
    """Age in whole years on the last day of M. A prestation familiale is due from the month after
    the one in which its conditions are met and stops from the first day of the month in which
    they cease (art. R552-2 CSS). So an upper age limit N is met in M while this is below N (a
    child turning N during M, on whatever day, no longer counts in M), and an age N is reached
    for M when this quantity of the month before is at least N (from the month after the
    birthday). The core's ``age`` (on the first day of M) counts a child turning N on the 2nd
    of M as N-1 for the whole of M, and one turning N on the 1st as N from that month."""
    return (c.period.year * 12 + c.period.month - 1 - 1970 * 12 - c("pf_mois_de_naissance")) // 12


# ---- Enfant à charge -------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Autonomie financière au sens des prestations familiales",
    value_type="bool",
)
def autonomie_financiere(c):
    """The person's mean net salary over the previous months (6) reaches 55 % of the gross
    monthly SMIC counted on 169 hours (art. R512-2 CSS). Evaluated for everyone, whatever the age."""
    n = int(c.law(f"{PF}.def_pac.nb_mois_remuneration_enfant"))
    mean_salary = c.mean("salaire_net", c.period.last_months(n))
    ceiling = (
        c.law(f"{PF}.def_pac.revenu_plafond_pac_non_scolaire")
        * c.law("smic.horaire_brut")
        * c.law(f"{PF}.def_pac.nb_heures_smic_mensuel")
    )
    return mean_salary >= ceiling


@quantity(
    INDIVIDU,
    MONTH,
    label="Enfant à charge au sens des prestations familiales",
    value_type="bool",
)
def prestations_familiales_enfant_a_charge(c):
    """A child of the famille born before M and under 16 (compulsory schooling, assumed
    fulfilled), or aged 16 to 19 and not financially autonomous (art. L512-3 and R512-2 CSS),
    ages as art. R552-2 counts them (``pf_age_fin_de_mois``)."""
    age = c("pf_age_fin_de_mois")
    intermediate = c.law(f"{PF}.def_pac.enfants.age_intermediaire")
    child = (c("pf_age_fin_de_mois", c.period.last_month) >= c.law(f"{PF}.def_pac.enfants.age_minimal")) & (
        age < intermediate
    )
    young = (age >= intermediate) & (age < c.law(f"{PF}.def_pac.enfants.age_limite")) & ~c("autonomie_financiere")
    return c.is_role("famille", "enfants") & (child | young)


@quantity(
    FAMILLE,
    MONTH,
    label="Nombre d'enfants à charge au sens des allocations familiales",
    value_type="int",
)
def af_nbenf(c):
    """Number of the famille's children à charge (prestations familiales)."""
    return c.members("prestations_familiales_enfant_a_charge").count()


# ---- Resources of year N-2 -------------------------------------------------------------------
# The income-tax deductions (10 % for professional expenses on salaries and unemployment
# benefits, 10 % on pensions, with their floors and ceilings) are the core's:
# ``revenu_assimile_salaire_apres_abattements`` and ``revenu_assimile_pension_apres_abattements``
# (mesaides.core.builtin.fiscal, legislation ``impot.*``), read here for year N-2.


@quantity(
    INDIVIDU,
    MONTH,
    label="Ressources individuelles de l'année N-2 prises en compte pour les prestations familiales",
)
def prestations_familiales_base_ressources_individu(c):
    """Net taxable income (salaries, unemployment benefits, pensions) of calendar year N-2
    (art. R532-3 CSS); the same for every month of a year."""
    year = c.period.n_2
    return c("revenu_assimile_salaire_apres_abattements", year) + c("revenu_assimile_pension_apres_abattements", year)


@quantity(
    FAMILLE,
    MONTH,
    label="Base ressources des prestations familiales (revenus de l'année N-2)",
    unit="EUR",
)
def prestations_familiales_base_ressources(c):
    """Annual resources of N-2 of the parents and of the children à charge this month
    (art. D521-4 and R532-3 CSS). Household-level resources (rental, capital income...) are
    not asked for and count as zero."""
    base = c.members("prestations_familiales_base_ressources_individu")
    a_charge = c.members("prestations_familiales_enfant_a_charge").values
    return base.sum("parents") + c.per_member(base.values * a_charge).sum("enfants")


@quantity(
    FAMILLE,
    MONTH,
    label="Couple dont chaque membre a des revenus professionnels (biactivité)",
    value_type="bool",
)
def biactivite(c):
    """Two parents, each with professional income of year N-2 of at least 12 BMAF (BMAF in force
    on 1 January of N-2)."""
    year = c.period.n_2
    threshold = c.law(f"{PF}.biactivite.revenu_plancher_en_bmaf", at=year) * c.law(f"{PF}.bmaf", at=year)
    income = c.members("revenu_assimile_salaire_apres_abattements", year)
    return (c("nb_parents") == 2) & c.per_member(income.values >= threshold).all("parents")


QUANTITIES = (
    pf_mois_de_naissance,
    pf_age_fin_de_mois,
    en_couple,
    residence_dom,
    residence_mayotte,
    autonomie_financiere,
    prestations_familiales_enfant_a_charge,
    af_nbenf,
    prestations_familiales_base_ressources_individu,
    prestations_familiales_base_ressources,
    biactivite,
)
AIDES = ()
