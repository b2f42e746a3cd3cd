"""Bourses nationales de collège and de lycée (Code de l'éducation D531-1 to D531-43).

Both aides are yearly amounts for the school year, given for the month asked (OpenFisca-France's
``bourse_college`` and ``bourse_lycee`` are MONTH variables worth the year's bourse). A famille's
échelon follows from its resources and its number of children: the ceilings are multiples of the
hourly gross SMIC (arrêtés du 22 mars 2016), the amounts shares of the BMAF of 1 January of the
year of the rentrée (D531-7 collège, D531-29 lycée), paid in three terms each rounded to the euro.

Resources as the law reads them, not as OpenFisca does (``docs/known-differences.md``):
- D531-5 (décret n° 2019-918 du 30 août 2019): the resources of "la dernière année civile par
  rapport à celle du dépôt de la demande", i.e. the RFR of year N-1 for a claim made in year N
  (OpenFisca still reads N-2);
- the resources of the household asking: the RFR of each parent's foyer fiscal, so both foyers of
  an unmarried couple (OpenFisca reads the first parent's foyer only).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Scolarite, quantity

COLLEGE = "bourse_college"
LYCEE = "bourse_lycee"
ECHELONS = {COLLEGE: (3, 2, 1), LYCEE: (6, 5, 4, 3, 2, 1)}
"""The échelons of each scale, the highest (lowest resources) first."""
MAX_ENFANTS = 8
"""The ceilings stop at 8 children: "8 enfants et plus" (arrêtés du 22 mars 2016)."""


@quantity(
    INDIVIDU,
    MONTH,
    label="Revenu fiscal de référence de l'année précédente du foyer fiscal dont la personne est le premier déclarant",
)
def bourse_rfr_declarant(c):
    """The RFR of year N-1 of the person's foyer fiscal, counted once: for its first declarant
    only (D531-5 C. éduc.: the resources of the last calendar year before the claim)."""
    annee_precedente = c.period.this_year.offset(-1)
    premier_declarant = c.is_role("foyer_fiscal", "declarants") & (c.rank("foyer_fiscal") == 0)
    return np.where(premier_declarant, c("rfr", annee_precedente), 0.0)


@quantity(FAMILLE, MONTH, label="Ressources retenues pour les bourses de collège et de lycée")
def bourse_ressources(c):
    """The resources of the famille asking: the RFR of N-1 of each parent's foyer fiscal (both
    foyers of an unmarried couple; circulaire annuelle des bourses, "ressources du foyer")."""
    return c.members("bourse_rfr_declarant").sum("parents")


@quantity(FAMILLE, MONTH, label="Nombre d'enfants retenu pour les plafonds des bourses", value_type="int")
def bourse_nb_enfants(c):
    """The famille's children (every born child, as OpenFisca counts them for the ceilings)."""
    return c.per_member(c.members("age").values >= 0).count("enfants")


def _plafond(c, bourse: str, e: int) -> np.ndarray:
    """The famille's ceiling of échelon ``e`` on ``bourse``'s scale: the coefficient of its
    number of children (0 children reads one child's), × the hourly gross SMIC of July of year
    N-2 as OpenFisca reads it (the arrêtés give multiples of the hourly SMIC without a date;
    docs/known-differences.md), rounded to the euro."""
    nb_enfants = np.clip(c("bourse_nb_enfants"), 1, MAX_ENFANTS)
    smic = c.law("smic.horaire_brut", at=dt.date(c.period.year - 2, 7, 1))
    coefficient = np.zeros(c.size)
    for k in range(1, MAX_ENFANTS + 1):
        coefficient = np.where(nb_enfants == k, c.law(f"{bourse}.plafond.echelon_{e}.enfants_{k}"), coefficient)
    return np.round(coefficient * smic)


def _echelon(c, bourse: str) -> np.ndarray:
    """The famille's échelon on ``bourse``'s scale (0: resources above every ceiling). A famille
    exactly on a ceiling gets that échelon."""
    ressources = c("bourse_ressources")
    echelon = np.zeros(c.size, dtype=int)
    for e in reversed(ECHELONS[bourse]):  # lowest échelon first: a higher one overrides it
        echelon = np.where(ressources <= _plafond(c, bourse, e), e, echelon)
    return echelon


def _sous_le_plafond(c, bourse: str, echelon: np.ndarray) -> None:
    """The condition on resources, with the figures that decide it."""
    c.check(
        "Ressources sous le plafond de l'échelon 1",
        echelon > 0,
        "les ressources retenues, {ressources} (revenu fiscal de référence de l'année précédente), "
        "dépassent le plafond de {plafond} pour {enfants} enfant(s)",
        ressources=c("bourse_ressources"),
        plafond=_plafond(c, bourse, 1),
        enfants=c("bourse_nb_enfants"),
    )


def _montant_par_eleve(c, bourse: str, echelon: np.ndarray) -> np.ndarray:
    """The yearly amount per pupil: the échelon's share of the BMAF of 1 January of the year,
    paid in ``nb_termes`` terms each rounded to the euro."""
    bmaf = c.law("prestations_familiales.bmaf", at=dt.date(c.period.year, 1, 1))
    termes = c.law(f"{bourse}.nb_termes")
    montant = np.zeros(c.size)
    for e in ECHELONS[bourse]:
        montant = np.where(
            echelon == e, np.round(c.law(f"{bourse}.taux.echelon_{e}") * bmaf / termes) * termes, montant
        )
    return montant


@quantity(FAMILLE, MONTH, label="Échelon de la bourse de collège", value_type="int", law=("bourse_college.plafond",))
def bourse_college_echelon(c):
    return _echelon(c, COLLEGE)


@quantity(FAMILLE, MONTH, label="Échelon de la bourse de lycée", value_type="int", law=("bourse_lycee.plafond",))
def bourse_lycee_echelon(c):
    return _echelon(c, LYCEE)


@quantity(FAMILLE, MONTH, label="Un enfant au collège", value_type="bool")
def bourse_college_eligibilite(c):
    return c.check(
        "Un enfant scolarisé au collège",
        c("bourse_college_nb_eleves") > 0,
        "aucun enfant de la famille n'est au collège",
    )


@quantity(FAMILLE, MONTH, label="Un enfant au lycée", value_type="bool")
def bourse_lycee_eligibilite(c):
    return c.check(
        "Un enfant scolarisé au lycée", c("bourse_lycee_nb_eleves") > 0, "aucun enfant de la famille n'est au lycée"
    )


@quantity(FAMILLE, MONTH, label="Nombre d'enfants de la famille scolarisés au collège", value_type="int")
def bourse_college_nb_eleves(c):
    return c.per_member(c.members("scolarite").values == Scolarite.COLLEGE.code).count("enfants")


@quantity(FAMILLE, MONTH, label="Nombre d'enfants de la famille scolarisés au lycée", value_type="int")
def bourse_lycee_nb_eleves(c):
    return c.per_member(c.members("scolarite").values == Scolarite.LYCEE.code).count("enfants")


@quantity(
    FAMILLE,
    MONTH,
    label="Bourse de collège (montant annuel)",
    defined_for="bourse_college_eligibilite",
    minimum=0,
    law=("bourse_college.taux", "bourse_college.plafond"),
    references=("https://www.legifrance.gouv.fr/codes/section_lc/LEGITEXT000006071191/LEGISCTA000006182528/",),
)
def bourse_college(c):
    """The yearly bourse de collège: for each child at collège, the amount of the famille's
    échelon (D531-4 to D531-8 C. éduc.); nothing above the échelon 1 ceiling."""
    echelon = c("bourse_college_echelon")
    _sous_le_plafond(c, COLLEGE, echelon)
    return c("bourse_college_nb_eleves") * _montant_par_eleve(c, COLLEGE, echelon)


@quantity(
    FAMILLE,
    MONTH,
    label="Bourse de lycée (montant annuel)",
    defined_for="bourse_lycee_eligibilite",
    minimum=0,
    law=("bourse_lycee.taux", "bourse_lycee.plafond"),
    references=("https://www.legifrance.gouv.fr/codes/section_lc/LEGITEXT000006071191/LEGISCTA000006182532/",),
)
def bourse_lycee(c):
    """The yearly bourse de lycée: for each child at lycée, the amount of the famille's échelon
    (D531-19 to D531-29 C. éduc.); nothing above the échelon 1 ceiling."""
    echelon = c("bourse_lycee_echelon")
    _sous_le_plafond(c, LYCEE, echelon)
    return c("bourse_lycee_nb_eleves") * _montant_par_eleve(c, LYCEE, echelon)


QUANTITIES = (
    bourse_rfr_declarant,
    bourse_ressources,
    bourse_nb_enfants,
    bourse_college_echelon,
    bourse_lycee_echelon,
    bourse_college_nb_eleves,
    bourse_lycee_nb_eleves,
    bourse_college_eligibilite,
    bourse_lycee_eligibilite,
)
AIDES = (bourse_college, bourse_lycee)
