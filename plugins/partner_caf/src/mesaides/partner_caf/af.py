"""Allocations familiales (AF): base amount, age supplements, flat allowance for children of 20,
modulation by resources and the degressive complements (art. L521-1 to L521-3, D521-1 to D521-3
CSS), as OpenFisca-France 176.1.8 computes them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, quantity
from mesaides.partner_caf.helpers import PF

AF = f"{PF}.af"


# ---- Eligibility -----------------------------------------------------------------------------


def _demandeur_menage(c, name):
    """A ménage value (read by the famille) taken at the famille's first parent's ménage."""
    return c.members(name).first("parents", default=False)


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : éligibilité hors DOM",
    value_type="bool",
)
def af_eligibilite_base(c):
    """Outside the overseas departments: at least two children à charge."""
    return ~_demandeur_menage(c, "residence_dom") & (c("af_nbenf") >= c.law(f"{AF}.nb_enfants_min_pour_allocation"))


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : éligibilité dans les DOM (hors Mayotte)",
    value_type="bool",
)
def af_eligibilite_dom(c):
    """In Guadeloupe, Martinique, Guyane and La Réunion: from the first child à charge."""
    dom = _demandeur_menage(c, "residence_dom") & ~_demandeur_menage(c, "residence_mayotte")
    return dom & (c("af_nbenf") >= 1)


# ---- Modulation by resources -----------------------------------------------------------------


def _plafonds(c, nb_enfants):
    """The two annual resource ceilings of the AF for ``nb_enfants`` children."""
    majoration = np.maximum(nb_enfants, 0) * c.law(f"{AF}.majoration_plafond_par_enfant")
    return c.law(f"{AF}.plafond_tranche_1_base") + majoration, c.law(f"{AF}.plafond_tranche_2_base") + majoration


def _taux(c, nb_enfants):
    resources = c("prestations_familiales_base_ressources")
    plafond1, plafond2 = _plafonds(c, nb_enfants)
    return np.where(
        resources <= plafond1,
        1.0,
        np.where(
            resources <= plafond2, c.law(f"{AF}.modulation.taux_tranche_2"), c.law(f"{AF}.modulation.taux_tranche_3")
        ),
    )


def _depassement_mensuel(c, nb_enfants):
    """Monthly excess of resources over the ceiling just below them (0 under the first)."""
    resources = c("prestations_familiales_base_ressources")
    plafond1, plafond2 = _plafonds(c, nb_enfants)
    excess1 = np.maximum(0, resources - plafond1)
    excess2 = np.maximum(0, resources - plafond2)
    return np.where(excess2 > 0, excess2, excess1) / 12


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : taux de modulation selon les ressources",
)
def af_taux_modulation(c):
    """1, 1/2 or 1/4 depending on the N-2 resources against the two ceilings, raised per child
    à charge (art. D521-1 and D521-3 CSS)."""
    return _taux(c, c("af_nbenf"))


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : nombre d'enfants de 20 ans ouvrant droit à l'allocation forfaitaire",
    value_type="int",
)
def af_allocation_forfaitaire_nb_enfants(c):
    """Children who turned 20 before M and do not turn 21 during M, not financially autonomous
    (art. R552-2 CSS: due from the month after the 20th birthday, no longer in the month of the
    21st; ``pf_age_fin_de_mois``)."""
    age = c.law(f"{AF}.forfait.age")
    atteint = c.members("pf_age_fin_de_mois", c.period.last_month).values >= age
    avant_limite = c.members("pf_age_fin_de_mois").values < age + 1
    autonome = c.members("autonomie_financiere").values
    return c.per_member(atteint & avant_limite & ~autonome).count("enfants")


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : taux de modulation de l'allocation forfaitaire",
)
def af_allocation_forfaitaire_taux_modulation(c):
    """Modulation rate of the flat allowance, the ceilings counting the children of 20 too."""
    return _taux(c, c("af_nbenf") + c("af_allocation_forfaitaire_nb_enfants"))


# ---- Amounts ---------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : montant de base",
)
def af_base(c):
    """32 % of the BMAF for the second child, 41 % for each further child (5.88 % for a single
    child in the DOM), rounded to the cent, times the modulation rate. Shared residence of a
    child (garde alternée) is not asked for."""
    n = c("af_nbenf")
    eligible_dom = c("af_eligibilite_dom")
    eligible = c("af_eligibilite_base") | eligible_dom
    rank2 = c.law(f"{AF}.taux.nb_enf2")
    rank3 = c.law(f"{AF}.taux.nb_enf3")
    taux = (
        (eligible_dom & (n == 1)) * c.law(f"{AF}.dom.taux_un_enfant")
        + (n >= rank2) * np.minimum(n - (rank2 - 1), rank3 - rank2) * c.law(f"{AF}.taux.enf2")
        + np.maximum(n - (rank3 - 1), 0) * c.law(f"{AF}.taux.enf3")
    )
    montant = eligible * np.round(c.law(f"{PF}.bmaf") * taux, 2)
    return montant * c("af_taux_modulation")


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : âge de l'aîné des enfants à charge",
    value_type="int",
)
def af_age_aine(c):
    """The highest age among the children à charge (0 when there is none)."""
    age = c.members("age")
    eligible = c.members("prestations_familiales_enfant_a_charge").values & (
        age.values <= c.law(f"{AF}.age_maximal_aine")
    )
    return np.maximum(c.per_member(age.values * eligible).max("enfants"), 0).astype(int)


def _majoration_enfant(c, seuil):
    # An age increase is due from the month after the birthday (art. R552-2 CSS): the age
    # reached by the end of the month before.
    age = c("pf_age_fin_de_mois", c.period.last_month)
    n = c("af_nbenf")
    bmaf = c.law(f"{PF}.bmaf")
    dom = f"{AF}.dom.majoration_un_enfant"
    age1, age2 = c.law(f"{dom}.age_tranche_1"), c.law(f"{dom}.age_tranche_2")
    seul = bmaf * (
        ((age >= age1) & (age < age2)) * c.law(f"{dom}.taux_tranche_1") + (age >= age2) * c.law(f"{dom}.taux_tranche_2")
    )
    plusieurs = bmaf * (age >= seuil) * c.law(f"{AF}.majoration_age.taux")
    montant = (n == 1) * seul + (n > 1) * plusieurs
    # With exactly two children the eldest opens no supplement; ages are whole years, so two
    # children of the same age (twins) both count as the eldest and neither opens it.
    pas_aine = (n != 2) | (age != c("af_age_aine"))
    return c("prestations_familiales_enfant_a_charge") * (c("af_base") > 0) * pas_aine * montant


@quantity(
    INDIVIDU,
    MONTH,
    label="Allocations familiales : majoration pour âge de l'enfant",
    valid_to=dt.date(2026, 2, 28),
)
def af_majoration_enfant(c):
    """Supplement for each child à charge from 14 years (from March 2026: 18 years for children
    born from 1 March 2012, décret n° 2026-138), 16 % of the BMAF, except for the eldest of
    exactly two children; for a single child in the DOM, 3.69 % (11 to 15 years) or 5.67 % (16
    and over) of the BMAF (art. D521-1 and D755-5 CSS).

    Until February 2026: from 14 for every child."""
    return _majoration_enfant(c, c.law(f"{AF}.majoration_age.age"))


@af_majoration_enfant.formula(valid_from=dt.date(2026, 3, 1))
def af_majoration_enfant(c):  # the formula from March 2026 of the same quantity
    """From 18 for children born from the pivot date (1 March 2012), from 14 for the older ones."""
    pivot = np.datetime64(c.law(f"{AF}.majoration_age.date_naissance_pivot"), "D")
    seuil = np.where(
        c("date_naissance") < pivot,
        c.law(f"{AF}.majoration_age.age_ancien_regime"),
        c.law(f"{AF}.majoration_age.age"),
    )
    return _majoration_enfant(c, seuil)


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : majorations pour âge",
)
def af_majoration(c):
    """Sum of the children's age supplements, times the modulation rate."""
    return c.members("af_majoration_enfant").sum("enfants") * c("af_taux_modulation")


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : allocation forfaitaire",
)
def af_allocation_forfaitaire(c):
    """20.234 % of the BMAF (rounded to the cent) per child of 20, for families of at least
    three children counting them (art. L521-1, D521-2 CSS), times its modulation rate."""
    n20 = c("af_allocation_forfaitaire_nb_enfants")
    forfait = np.round(c.law(f"{PF}.bmaf") * c.law(f"{AF}.forfait.taux"), 2)
    eligible = (c("af_nbenf") + n20) >= c.law(f"{AF}.forfait.nb_enfants_min")
    return eligible * n20 * forfait * c("af_allocation_forfaitaire_taux_modulation")


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : complément dégressif",
)
def af_complement_degressif(c):
    """Just above a ceiling: the modulated AF less the monthly excess of resources, if positive
    (art. D521-3 CSS). Not in the DOM."""
    depassement = _depassement_mensuel(c, c("af_nbenf"))
    af = c("af_base") + c("af_majoration")
    return ~c("af_eligibilite_dom") * (depassement > 0) * np.maximum(0, af - depassement)


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales : complément dégressif de l'allocation forfaitaire",
)
def af_allocation_forfaitaire_complement_degressif(c):
    """Same for the flat allowance; the excess is measured on the ceilings of the children à
    charge only (children of 20 not counted), as OpenFisca does."""
    depassement = _depassement_mensuel(c, c("af_nbenf"))
    return (depassement > 0) * np.maximum(0, c("af_allocation_forfaitaire") - depassement)


@quantity(
    FAMILLE,
    MONTH,
    label="Allocations familiales",
    unit="EUR",
)
def af(c):
    """Allocations familiales: base amount, age supplements, flat allowance and degressive
    complements."""
    c.check(
        "Au moins deux enfants à charge (un seul dans les DOM), ou trois en comptant ceux de 20 ans",
        c("af_eligibilite_base") | c("af_eligibilite_dom") | (c("af_allocation_forfaitaire") > 0),
        "vous avez {enfants} enfant(s) à charge au sens des allocations familiales",
        enfants=c("af_nbenf"),
    )
    return (
        c("af_base")
        + c("af_majoration")
        + c("af_allocation_forfaitaire")
        + c("af_complement_degressif")
        + c("af_allocation_forfaitaire_complement_degressif")
    )


QUANTITIES = (
    af_eligibilite_base,
    af_eligibilite_dom,
    af_taux_modulation,
    af_allocation_forfaitaire_nb_enfants,
    af_allocation_forfaitaire_taux_modulation,
    af_base,
    af_age_aine,
    af_majoration_enfant,
    af_majoration,
    af_allocation_forfaitaire,
    af_complement_degressif,
    af_allocation_forfaitaire_complement_degressif,
)
AIDES = (af,)
