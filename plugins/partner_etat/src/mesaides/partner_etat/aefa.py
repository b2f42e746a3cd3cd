"""Aide exceptionnelle de fin d'année, the "prime de Noël", as the yearly decree grants it
(décret n° 2024-1140 du 4 décembre 2024, renewed each year; ``legislation/aefa.yaml`` says which
decree applies to which year).

- A foyer entitled to a non-nil RSA for November gets 152.45 €, raised by 50 % when the RSA foyer
  has two persons, 30 % for each further person, 40 % for each child or dependant under 25 from
  the third (art. 3 and 4); one aide per foyer, at the RSA rate when the foyer also has the ASS.
- A person entitled to the ASS for November gets 152.45 € (art. 1 and 2).

Not OpenFisca-France's rule (a right in any month of the year, the composition of January):
``docs/known-differences.md``. The decree's "à défaut, au titre du mois de décembre" is not
computed: a December right cannot be told from a situation described up to November.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from mesaides.core import FAMILLE, YEAR, Period, quantity

AEFA = "aefa"


def _mois_de_reference(c) -> Period:
    """November of the year (the decree's month of reference)."""
    return Period.month_of(c.period.year, int(c.law(f"{AEFA}.mois_de_reference", at=_decret(c))))


def _decret(c) -> dt.date:
    """The day whose decree applies: the last of the year (each decree is published in
    December and grants the aide of its year)."""
    return dt.date(c.period.year, 12, 31)


@quantity(FAMILLE, YEAR, label="Droit au RSA au titre du mois de novembre", value_type="bool")
def aefa_droit_rsa(c):
    """A non-nil RSA is due for November (art. 3)."""
    return c("rsa", _mois_de_reference(c)) > 0


@quantity(FAMILLE, YEAR, label="Droit à l'ASS au titre du mois de novembre", value_type="bool")
def aefa_droit_ass(c):
    """A member of the famille is entitled to the ASS for November (art. 1)."""
    return c.members("ass", _mois_de_reference(c)).any()


@quantity(FAMILLE, YEAR, label="Bénéficiaire du RSA ou de l'ASS au titre de novembre", value_type="bool")
def aefa_eligibilite(c):
    rsa = c("aefa_droit_rsa")
    ass = c("aefa_droit_ass")
    return c.check(
        "Avoir droit au RSA ou à l'ASS au titre du mois de novembre",
        rsa | ass,
        "le foyer n'a droit ni au RSA ni à l'ASS au titre du mois de novembre",
    )


@quantity(FAMILLE, YEAR, label="Coefficient de la prime de Noël selon la composition du foyer RSA")
def aefa_coefficient(c):
    """Art. 4: 1 for one person, +50 % for the second, +30 % for each further one, +40 % instead
    for each child or dependant under 25 from the third. The persons are those the RSA counts
    (the CAF's ``rsa_nb_enfants``) for November."""
    novembre = _mois_de_reference(c)
    at = _decret(c)
    enfants = c("rsa_nb_enfants", novembre)
    personnes = c("nb_parents", novembre) + enfants
    a_partir_du_troisieme = np.maximum(enfants - 2, 0)
    return (
        1
        + c.law(f"{AEFA}.majoration.deuxieme_personne", at=at) * (personnes >= 2)
        + c.law(f"{AEFA}.majoration.personne_supplementaire", at=at)
        * (np.maximum(personnes - 2, 0) - a_partir_du_troisieme)
        + c.law(f"{AEFA}.majoration.a_partir_du_troisieme_enfant", at=at) * a_partir_du_troisieme
    )


@quantity(
    FAMILLE,
    YEAR,
    label="Prime de Noël (aide exceptionnelle de fin d'année)",
    defined_for="aefa_eligibilite",
    minimum=0,
    references=("https://www.legifrance.gouv.fr/eli/decret/2024/12/4/2024-1140/jo/texte",),
)
def aefa(c):
    """The foyer's prime: at the RSA rate when it has the RSA for November (the higher one when
    it also has the ASS, art. 5), else the ASS's flat amount.

    The decree gives rates, not cents: the amounts paid are cut to the cent, as the ministry
    publishes them (communiqué of December 2021: "une personne isolée avec un enfant touchera
    228,67 €, … un couple avec trois enfants, 381,12 €", i.e. 152.45 × 1.5 = 228.675 and
    152.45 × 2.5 = 381.125 cut, not rounded)."""
    base = c.law(f"{AEFA}.montant_de_base", at=_decret(c))
    coefficient = np.where(c("aefa_droit_rsa"), c("aefa_coefficient"), 1.0)
    exact = np.round(base * 100 * coefficient, 6)
    centimes = np.floor(exact)
    c.note(
        "{montant} majorés de {majoration:%} selon la composition du foyer au RSA",
        c("aefa_droit_rsa") & (coefficient > 1),
        montant=base,
        majoration=coefficient - 1,
    )
    c.note("montant arrondi au centime inférieur", centimes != exact)
    return centimes / 100


QUANTITIES = (aefa_droit_rsa, aefa_droit_ass, aefa_eligibilite, aefa_coefficient)
AIDES = (aefa,)
