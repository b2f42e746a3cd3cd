"""Resources shared by the RSA and the prime d'activité that are not CAF aides of their own:
the allocation de solidarité aux personnes âgées (ASPA, per famille) and the complément de
l'AAH (majoration pour la vie autonome, per person).

Rules as OpenFisca-France 176.1.8 computes them (see ``/work/notes/rules-rsa-ppa.md`` during
development). The ASPA eligibility, the ASI and the ASI/ASPA resource base are the AAH
module's (``aah.py``).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, StatutMarital, quantity

MS = "minima_sociaux"


# ---------------------------------------------------------------------------------------------
# Allocation de solidarité aux personnes âgées (ASPA), counted in full in the RSA and PPA
# resources of the month
# ---------------------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Parents mariés (au moins un parent marié)",
    value_type="bool",
)
def maries(c):
    """At least one parent of the famille has the marital status ``marie``."""
    statut = c.members("statut_marital")
    return c.per_member(statut.values == StatutMarital.MARIE.code).any("parents")


@quantity(FAMILLE, MONTH, label="Un parent éligible à l'ASPA", value_type="bool")
def aspa_eligibilite_famille(c):
    """The demandeur or the conjoint of the famille is eligible to the ASPA."""
    aspa_elig = c.members("aspa_eligibilite")
    return (aspa_elig.nth("parents", 0) | aspa_elig.nth("parents", 1)).astype(bool)


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de solidarité aux personnes âgées (ASPA)",
    defined_for="aspa_eligibilite_famille",
    minimum=0,
    references=("https://www.service-public.fr/particuliers/vosdroits/F16871",),
)
def aspa(c):
    """Differential ASPA of the famille (art. L815-1 and following CSS, formula since 2020-04).

    The maximum amount (single, or couple when both parents are eligible) is reduced by what
    the resources of the parents exceed the ceiling (single, or couple as soon as the famille
    has two parents). A parent eligible to the ASPA beside a partner eligible to the ASI gets
    half the couple amount plus the partner's ASI, minus half the excess. The resource base is
    the one of the ASI (three months before, without pensions counted at their net amount,
    which OpenFisca ignores as well).
    """
    aspa_elig = c.members("aspa_eligibilite")
    asi_elig = c.members("asi_eligibilite")
    dem_aspa = aspa_elig.nth("parents", 0).astype(bool)
    conj_aspa = aspa_elig.nth("parents", 1).astype(bool)
    dem_asi = asi_elig.nth("parents", 0).astype(bool)
    conj_asi = asi_elig.nth("parents", 1).astype(bool)
    asi = c.members("asi")
    asi_dem = asi.nth("parents", 0).astype(float)
    asi_conj = asi.nth("parents", 1).astype(float)
    maries = c("maries")
    en_couple = c("nb_parents") == 2

    elig1 = (c("asi_aspa_nb_alloc") == 1) & (dem_aspa | conj_aspa)
    elig2 = dem_aspa & conj_aspa
    mixte = (dem_asi & conj_aspa) | (conj_asi & dem_aspa)
    elig3 = mixte & maries
    elig4 = mixte & ~maries

    seul = c.law(f"{MS}.aspa.montant_maximum_annuel.personnes_seules")
    couple = c.law(f"{MS}.aspa.montant_maximum_annuel.couples")
    plafond_seul = c.law(f"{MS}.aspa.plafond_ressources.personnes_seules")
    plafond_couple = c.law(f"{MS}.aspa.plafond_ressources.couples")

    montant_max = (
        elig1 * seul + elig2 * couple + elig3 * (asi_dem + couple / 2) + elig4 * (asi_conj + couple / 2)
    ) / 12
    plafond = (
        elig1 * np.where(en_couple, plafond_couple, plafond_seul) + (elig2 | elig3 | elig4) * plafond_couple
    ) / 12
    depassement = np.maximum(c("asi_aspa_base_ressources") + montant_max - plafond, 0)
    montant = (elig1 | elig2) * (montant_max - depassement) + (elig3 | elig4) * (couple / 12 / 2 - depassement / 2)
    return (elig1 | elig2 | elig3 | elig4) * np.maximum(montant, 0)


# ---------------------------------------------------------------------------------------------
# Complément de l'AAH: majoration pour la vie autonome (MVA)
# ---------------------------------------------------------------------------------------------


@quantity(
    INDIVIDU,
    MONTH,
    label="Taux d'incapacité d'au moins 80 %",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000039802699",),
)
def taux_incapacite_caah(c):
    """The incapacity rate the compléments de l'AAH require (art. L821-1-2 CSS)."""
    return c("taux_incapacite") >= c.law("aah.taux_capacite.taux_incapacite")


@quantity(
    INDIVIDU,
    MONTH,
    label="Éligibilité aux compléments de l'AAH (majoration pour la vie autonome)",
    defined_for="taux_incapacite_caah",
    value_type="bool",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000039802699",),
)
def eligibilite_caah(c):
    """Incapacity rate of at least 80 %, receiving the AAH (or the ASI), living in an
    independent home (reference person or partner of the ménage, not in a foyer) and no taxable
    salary during the previous calendar year (art. L821-1-2 CSS)."""
    beneficiaire = (c("aah") > 0) | (c("asi_eligibilite") & (c("asi") > 0))
    logement_independant = (c.is_role("menage", "personne_de_reference") | c.is_role("menage", "conjoint")) & ~c.enum(
        "statut_occupation_logement"
    ).is_("locataire_foyer")
    annee_precedente = c.period.this_year.offset(-1)
    sans_activite = c.sum("salaire_imposable", annee_precedente.months) == 0
    return beneficiaire & logement_independant & sans_activite


@quantity(
    INDIVIDU,
    MONTH,
    label="Majoration pour la vie autonome (montant si la famille perçoit une aide au logement)",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000019505277/",),
)
def mva(c):
    """The MVA amount when the person's famille receives a housing aid this month."""
    return c.law(f"{MS}.caah.majoration_vie_autonome") * (c("aide_logement") > 0)


@quantity(
    INDIVIDU,
    MONTH,
    label="Complément d'allocation aux adultes handicapés (majoration pour la vie autonome)",
    defined_for="eligibilite_caah",
    minimum=0,
)
def caah(c):
    """Since 2019-12 the only complement of the AAH is the majoration pour la vie autonome."""
    return c("mva")


QUANTITIES = (maries, aspa_eligibilite_famille, taux_incapacite_caah, aspa, eligibilite_caah, mva, caah)
AIDES = ()
