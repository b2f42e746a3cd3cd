"""Fiscal income of a foyer fiscal: revenu net imposable, revenu fiscal de référence, parts.

Several partners read the income tax return of year N-2 (a region's childcare aid compares the
revenu net imposable with the SMIC; a town compares the revenu fiscal de référence with its
ceilings; a driving-licence aid divides it by the number of parts). The core derives them once,
here, from the situation's monthly taxable incomes, the way the tax return would:

    salaires + chômage (per person)  -  10 % frais professionnels (floor, ceiling)
                                      =  revenu_assimile_salaire_apres_abattements
  + pensions, retraites, pensions alimentaires reçues (per person)
                                      -  10 % abattement (floor per person)
                                      =  revenu_assimile_pension_apres_abattements
  + the part of the pension abattements above the foyer's ceiling (indu_plaf_abat_pen)
  = revenu_categoriel -> rbg -> rng   -  abattement for declarants over 65 (abat_spe)
  = rni;  rfr = rni (no other income of the situation enters the RFR)

The two per-person amounts are also what resource bases of year N-2 read (the CAF's prestations
familiales): the income-tax deductions and their amounts are owned here, once.

Read them for a year: ``c("rni", c.period.n_2)`` in a foyer fiscal's formula, or through the
members from another entity. Names are OpenFisca-France's. Other incomes of a real tax return
(self-employment, capital, property, deductible charges, real expenses) are not in the situation
and count as 0; see ``core/docs/geography-and-fiscal.md``.

Legislation values: ``impot.*`` (``legislation/impot.yaml``), dated by year of the incomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mesaides.core.builtin.base import STATUT_MARITAL
from mesaides.core.definitions import Parameter, quantity
from mesaides.core.entities import FOYER_FISCAL, INDIVIDU
from mesaides.core.periods import YEAR

if TYPE_CHECKING:
    from mesaides.core.context import Context

_MARIE, _PACSE, _VEUF, _JEUNE_VEUF = (STATUT_MARITAL.index(s) for s in ("marie", "pacse", "veuf", "jeune_veuf"))

PARAMETERS = (
    Parameter(
        name="case_t",
        entity=FOYER_FISCAL,
        period=YEAR,
        value_type="bool",
        label="Case T : parent isolé vivant seul au 1er janvier de l'année des revenus",
        description=(
            "OpenFisca-France's caseT: a single, divorced or widowed declarant living alone with "
            "a dependant gets a further half part. Not derived from the household, as in OpenFisca: "
            "false unless given."
        ),
    ),
)


def _round_euro(x: np.ndarray) -> np.ndarray:
    """To the nearest euro, 0.50 counting for 1 (CGI art. 1657)."""
    return np.floor(np.asarray(x, dtype=float) + 0.5 + 1e-9)


# ---- Per person ---------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    YEAR,
    label="Salaires et allocations chômage imposables de l'année",
)
def revenu_assimile_salaire(c: Context) -> np.ndarray:
    """Taxable salaries and unemployment benefits of the year (the twelve months' sum):
    unemployment benefits are taxed as salaries (CGI art. 79)."""
    months = c.period.months
    return c.sum("salaire_imposable", months) + c.sum("chomage_imposable", months)


@quantity(
    INDIVIDU,
    YEAR,
    label="Pensions, retraites, pensions d'invalidité et pensions alimentaires imposables de l'année",
)
def revenu_assimile_pension(c: Context) -> np.ndarray:
    """Taxable retirement pensions, invalidity pensions and pensions alimentaires received during
    the year (the twelve months' sum); invalidity pensions and pensions alimentaires are taxed as
    pensions (CGI art. 79 and 158, 5. a), with their 10 % abatement."""
    months = c.period.months
    return (
        c.sum("retraite_imposable", months)
        + c.sum("pensions_invalidite", months)
        + c.sum("pensions_alimentaires_percues", months)
    )


@quantity(
    INDIVIDU,
    YEAR,
    label="Salaires et chômage imposables après abattements",
)
def revenu_assimile_salaire_apres_abattements(c: Context) -> np.ndarray:
    """A person's taxable salaries and unemployment benefits of the year less the 10 %
    deduction for professional expenses (CGI art. 83, 3°): at least the minimum, at most the
    ceiling, rounded to the euro; never below 0 (the minimum does not exceed the income). Real
    expenses are not in the situation. The CAF's N-2 resource bases read it too."""
    law = "impot.abattement_frais_professionnels."
    salaires = c("revenu_assimile_salaire")
    deduction = _round_euro(np.clip(c.law(law + "taux") * salaires, c.law(law + "minimum"), c.law(law + "plafond")))
    return np.maximum(salaires - deduction, 0.0)


@quantity(
    INDIVIDU,
    YEAR,
    label="Pensions imposables après abattements",
)
def revenu_assimile_pension_apres_abattements(c: Context) -> np.ndarray:
    """A person's taxable pensions of the year less the 10 % abattement (CGI art. 158, 5. a):
    at least the minimum per pensioner, rounded to the euro; never below 0. The ceiling of that
    abattement applies to the foyer's total and is added back by ``indu_plaf_abat_pen``, so it
    is not applied here (the CAF's N-2 resource bases read this amount, as in OpenFisca)."""
    law = "impot.abattement_pensions."
    pensions = c("revenu_assimile_pension")
    abattement = _round_euro(np.maximum(c.law(law + "taux") * pensions, c.law(law + "minimum")))
    return np.maximum(pensions - abattement, 0.0)


@quantity(
    INDIVIDU,
    YEAR,
    label="Traitements, salaires, pensions et rentes après abattements",
)
def traitements_salaires_pensions_rentes(c: Context) -> np.ndarray:
    """A person's salaries and pensions after their 10 % deductions (before the foyer-wide
    ceiling of the pension abattement, applied in ``revenu_categoriel_tspr``). Annuities
    (rentes viagères) are not in the situation."""
    return c("revenu_assimile_salaire_apres_abattements") + c("revenu_assimile_pension_apres_abattements")


# ---- Per foyer fiscal: revenu net imposable and revenu fiscal de référence -------------------


@quantity(
    FOYER_FISCAL,
    YEAR,
    label="Part de l'abattement sur les pensions dépassant son plafond par foyer",
)
def indu_plaf_abat_pen(c: Context) -> np.ndarray:
    """The part of the members' pension abattements above the foyer's ceiling (CGI art. 158,
    5. a), added back to the foyer's income."""
    pensions = c.members("revenu_assimile_pension").sum()
    abattements = pensions - c.members("revenu_assimile_pension_apres_abattements").sum()
    return np.maximum(abattements - c.law("impot.abattement_pensions.plafond"), 0.0)


@quantity(
    FOYER_FISCAL,
    YEAR,
    label="Revenu catégoriel des traitements, salaires, pensions et rentes",
)
def revenu_categoriel_tspr(c: Context) -> np.ndarray:
    """The foyer's salaries and pensions after deductions, the pension abattement capped."""
    return c.members("traitements_salaires_pensions_rentes").sum() + c("indu_plaf_abat_pen")


@quantity(
    FOYER_FISCAL,
    YEAR,
    label="Revenus catégoriels",
)
def revenu_categoriel(c: Context) -> np.ndarray:
    """The sum of the foyer's net categorical incomes. Only salaries and pensions are in the
    situation: capital, property, self-employment incomes and capital gains count as 0."""
    return c("revenu_categoriel_tspr")


@quantity(FOYER_FISCAL, YEAR, label="Revenu brut global")
def rbg(c: Context) -> np.ndarray:
    """Revenu brut global: the categorical incomes, with no previous deficit to deduct."""
    return np.maximum(c("revenu_categoriel"), 0.0)


@quantity(FOYER_FISCAL, YEAR, label="Revenu net global")
def rng(c: Context) -> np.ndarray:
    """Revenu net global: the revenu brut global less deductible charges (pensions
    alimentaires paid, deductible CSG on capital...), which are not in the situation."""
    return c("rbg")


@quantity(
    FOYER_FISCAL,
    YEAR,
    label="Abattements spéciaux sur le revenu net global (personnes âgées)",
)
def abat_spe(c: Context) -> np.ndarray:
    """Abattement for the elderly (CGI art. 157 bis): a declarant aged 65 or more on 31
    December of the year of the incomes (born in year Y-65 or before) deducts the full amount
    while the revenu net global does not exceed the first limit, the reduced amount up to the
    second; doubled for a couple whose two declarants qualify; never more than the revenu net
    global. (OpenFisca-France 176.1.8 reads the age on 1 January and never doubles: see
    ``core/docs/geography-and-fiscal.md``.) The invalidity case and the abattement for married
    children attached to the foyer need inputs the situation does not have."""
    birth = c.members("date_naissance")
    birth_year = birth.values.astype("datetime64[Y]").astype(np.int64) + 1970
    qualifies = c.per_member(c.period.year - birth_year >= c.law("impot.abattement_personnes_agees.age_minimum"))
    nb_ages = qualifies.count("declarants")
    revenu = c("rng")
    par_personne = np.where(
        revenu <= c.law("impot.abattement_personnes_agees.plafond_abattement_plein"),
        c.law("impot.abattement_personnes_agees.montant_plein"),
        np.where(
            revenu <= c.law("impot.abattement_personnes_agees.plafond_abattement_reduit"),
            c.law("impot.abattement_personnes_agees.montant_reduit"),
            0.0,
        ),
    )
    return np.minimum(nb_ages * par_personne, revenu)


@quantity(FOYER_FISCAL, YEAR, label="Revenu net imposable")
def rni(c: Context) -> np.ndarray:
    """Revenu net imposable of the foyer for the year: the revenu net global less the special
    abattements. The aides "sous condition de ressources N-2" read it for ``c.period.n_2``."""
    return c("rng") - c("abat_spe")


@quantity(FOYER_FISCAL, YEAR, label="Revenu fiscal de référence")
def rfr(c: Context) -> np.ndarray:
    """Revenu fiscal de référence (CGI art. 1417, IV): the revenu net imposable plus incomes
    taxed apart or exempt (capital income under the flat tax, exempt business income, some
    deductions added back), none of which is in the situation; so it equals the RNI here."""
    return np.maximum(c("rni"), 0.0)


# ---- Per foyer fiscal: situation de famille and number of parts -----------------------------


def _statut(c: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The declarants' situation de famille on 1 January, as four exclusive booleans."""
    january = c.period.first_month
    statut = c.members("statut_marital", january).first("declarants", default=-1)
    # Two declarants file jointly: they are married or pacsed (OpenFisca-France's default
    # statut_marital for such a foyer), whatever the first one's status says.
    couple = (statut == _MARIE) | (statut == _PACSE) | (c.nb_members("declarants") >= 2)
    jeune_veuf = (statut == _JEUNE_VEUF) & ~couple
    veuf = (statut == _VEUF) & ~couple
    seul = ~(couple | jeune_veuf | veuf)
    return couple, jeune_veuf, veuf, seul


@quantity(FOYER_FISCAL, YEAR, label="Déclarants mariés ou pacsés", value_type="bool")
def maries_ou_pacses(c: Context) -> np.ndarray:
    """The declarants file jointly as a married or pacsed couple (statut_marital of the first
    declarant in January, or two declarants)."""
    return _statut(c)[0]


@quantity(FOYER_FISCAL, YEAR, label="Déclarant veuf", value_type="bool")
def veuf(c: Context) -> np.ndarray:
    """The declarant is a widow(er) (not a "jeune veuf", who keeps the couple's parts)."""
    return _statut(c)[2]


@quantity(FOYER_FISCAL, YEAR, label="Déclarant jeune veuf", value_type="bool")
def jeune_veuf(c: Context) -> np.ndarray:
    """The declarant was widowed during the year of the incomes: taxed as a couple."""
    return _statut(c)[1]


@quantity(FOYER_FISCAL, YEAR, label="Déclarant célibataire ou divorcé", value_type="bool")
def celibataire_ou_divorce(c: Context) -> np.ndarray:
    """The declarant is single, divorced or separated (an unknown status counts as single)."""
    return _statut(c)[3]


@quantity(FOYER_FISCAL, YEAR, label="Nombre de personnes à charge du foyer fiscal", value_type="int")
def nb_pac(c: Context) -> np.ndarray:
    """The foyer's dependants (its ``personnes_a_charge``: minor children, and young adults
    attached to the foyer). Children in shared custody and disabled dependants, which change
    the count of parts, need inputs the situation does not have."""
    return c.nb_members("personnes_a_charge")


@quantity(
    FOYER_FISCAL,
    YEAR,
    label="Nombre de parts (quotient familial)",
)
def nbptr(c: Context) -> np.ndarray:
    """Number of parts of the foyer (CGI art. 194): 2 for a couple (and a "jeune veuf"), 1
    otherwise; plus a half part for each of the first two dependants and a whole part from the
    third; a widow(er) with dependants has a further part (so counts as a couple), and a single
    parent with case T a further half part."""
    qf = "impot.quotient_familial."
    n = c("nb_pac")
    pac = n > 0
    enfants = (
        c.law(qf + "premiere_personne_a_charge") * np.minimum(n, 1)
        + c.law(qf + "deuxieme_personne_a_charge") * np.clip(n - 1, 0, 1)
        + c.law(qf + "personne_a_charge_a_partir_de_la_troisieme") * np.maximum(n - 2, 0)
    )
    couple = c("maries_ou_pacses") | c("jeune_veuf")
    veuf_ = c("veuf")
    seul = c.law(qf + "personne_seule")
    parent_isole = c.law(qf + "parent_isole") * (c("case_t") & pac)
    return np.where(
        couple,
        c.law(qf + "couple") + enfants,
        seul + enfants + parent_isole + np.where(veuf_, c.law(qf + "veuf_avec_personne_a_charge") * pac, 0.0),
    )


QUANTITIES = (
    revenu_assimile_salaire,
    revenu_assimile_pension,
    revenu_assimile_salaire_apres_abattements,
    revenu_assimile_pension_apres_abattements,
    traitements_salaires_pensions_rentes,
    indu_plaf_abat_pen,
    revenu_categoriel_tspr,
    revenu_categoriel,
    rbg,
    rng,
    abat_spe,
    rni,
    rfr,
    maries_ou_pacses,
    veuf,
    jeune_veuf,
    celibataire_ou_divorce,
    nb_pac,
    nbptr,
)
