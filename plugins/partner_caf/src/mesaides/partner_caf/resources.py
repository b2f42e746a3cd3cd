"""Resources shared by the RSA and the prime d'activité that are not CAF aides of their own:
the complément de l'AAH (majoration pour la vie autonome, per person).

Rules as OpenFisca-France 176.1.8 computes them. The ASPA (Assurance retraite) and the ASI
(Assurance maladie) that the RSA and the prime d'activité count are other partners' aides,
read through the partner card's ``takes``.
"""

from __future__ import annotations

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
    salary during the twelve months before M (art. L821-1-2 CSS asks for no professional
    income; the twelve months before are OpenFisca's reading of it, not the calendar year)."""
    beneficiaire = c.check(
        "Percevoir l'AAH ou l'ASI",
        (c("aah") > 0) | (c("asi") > 0),
        "vous ne percevez ni l'AAH ni l'allocation supplémentaire d'invalidité",
    )
    logement_independant = c.check(
        "Vivre dans un logement indépendant",
        (c.is_role("menage", "personne_de_reference") | c.is_role("menage", "conjoint"))
        & ~c.enum("statut_occupation_logement").is_("locataire_foyer"),
        "vous n'êtes ni la personne de référence ni son conjoint dans votre logement, ou vous vivez en foyer",
    )
    salaires = c.sum("salaire_imposable", c.period.last_months(12))
    sans_activite = c.check(
        "Aucun revenu d'activité au cours des douze derniers mois",
        salaires == 0,
        "vous avez perçu {salaires} de salaires imposables au cours des douze derniers mois",
        salaires=salaires,
    )
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
    unit="EUR",
)
def caah(c):
    """Since 2019-12 the only complement of the AAH is the majoration pour la vie autonome, for
    a person whose famille receives a housing aid this month."""
    c.check(
        "Percevoir une aide au logement",
        c("aide_logement") > 0,
        "votre famille ne perçoit pas d'aide au logement ce mois-ci",
    )
    return c("mva")


QUANTITIES = (maries, taux_incapacite_caah, eligibilite_caah, mva)
AIDES = (caah,)
