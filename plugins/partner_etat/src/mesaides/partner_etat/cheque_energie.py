"""Chèque énergie (Code de l'énergie L124-1, R124-1 to R124-17), paid by the ASP for the State.

A ménage of the year gets a yearly amount set by its revenu fiscal de référence per consumption
unit (R124-2, arrêté du 3 mars 2023), when it occupies a dwelling it rents or owns in January.
The RFR is the one of year N-2 (the tax notice of N-1 the campaign of year N reads), summed over
the ménage's foyers fiscaux (an unmarried couple's two foyers add up), as OpenFisca-France does.
Where OpenFisca is out of date — its eligibility limit stops at 10,800 €/UC, the arrêté du 3 mars
2023 sets 11,000 €/UC — the law is followed (``docs/known-differences.md``).
"""

from __future__ import annotations

import numpy as np

from mesaides.core import INDIVIDU, MENAGE, YEAR, StatutOccupationLogement, quantity

CE = "cheque_energie"
SAINT_MARTIN = "978"
"""Saint-Martin has its own energy rules (LO6314-3 CGCT): no chèque énergie."""
LOGEMENTS_ELIGIBLES = (
    StatutOccupationLogement.PRIMO_ACCEDANT,
    StatutOccupationLogement.PROPRIETAIRE,
    StatutOccupationLogement.LOCATAIRE_HLM,
    StatutOccupationLogement.LOCATAIRE_VIDE,
    StatutOccupationLogement.LOCATAIRE_MEUBLE,
)
"""Housing statuses with an energy bill or a housing tax file of one's own (R124-1)."""


@quantity(
    INDIVIDU, YEAR, label="Revenu fiscal de référence de l'année N-2 du foyer dont la personne est le premier déclarant"
)
def cheque_energie_rfr_declarant(c):
    """The RFR of N-2 of the person's foyer fiscal, carried by its first declarant only, so that
    each foyer of the ménage counts once."""
    return np.where(c("cheque_energie_est_declarant"), c("rfr", c.period.n_2), 0.0)


@quantity(MENAGE, YEAR, label="Unités de consommation du ménage (chèque énergie)", minimum=0)
def cheque_energie_unites_consommation(c):
    """R124-2 C. énergie: 1 for the first person, 0.5 for the second, 0.3 for each further one."""
    n = c.nb_members()
    return (
        c.law(f"{CE}.unites_consommation.premiere_personne")
        + c.law(f"{CE}.unites_consommation.deuxieme_personne") * (n >= 2)
        + c.law(f"{CE}.unites_consommation.autres_personnes") * np.maximum(n - 2, 0)
    )


@quantity(MENAGE, YEAR, label="Revenu fiscal de référence du ménage par unité de consommation")
def cheque_energie_rfr_par_uc(c):
    return c.members("cheque_energie_rfr_declarant").sum() / c("cheque_energie_unites_consommation")


@quantity(MENAGE, YEAR, label="Occuper en janvier un logement dont on est locataire ou propriétaire", value_type="bool")
def cheque_energie_eligibilite_logement(c):
    """The ménage's housing in January of the year (R124-1: a dwelling with its own energy
    contract or housing-tax file; not free housing, a foyer, no fixed abode), outside
    Saint-Martin."""
    janvier = c.period.first_month
    logement = c.check(
        "Être locataire ou propriétaire de son logement",
        c.enum("statut_occupation_logement", janvier).is_(*LOGEMENTS_ELIGIBLES),
    )
    hors_saint_martin = c.check("Ne pas résider à Saint-Martin", c("departement", janvier) != SAINT_MARTIN)
    declarant = c.check("Avoir déposé une déclaration de revenus", c.members("cheque_energie_est_declarant").any())
    return logement & hors_saint_martin & declarant


@quantity(INDIVIDU, YEAR, label="Premier déclarant d'un foyer fiscal", value_type="bool")
def cheque_energie_est_declarant(c):
    return c.is_role("foyer_fiscal", "declarants") & (c.rank("foyer_fiscal") == 0)


@quantity(
    MENAGE,
    YEAR,
    label="Chèque énergie",
    defined_for="cheque_energie_eligibilite_logement",
    minimum=0,
    references=(
        "https://www.legifrance.gouv.fr/codes/section_lc/LEGITEXT000023983208/LEGISCTA000032497840/",
        "https://www.legifrance.gouv.fr/eli/arrete/2023/3/3/ENER2301913A/jo/texte",
    ),
)
def cheque_energie(c):
    """The yearly amount of the scale of the ménage's size (1 UC; more than 1 and less than 2;
    2 or more) for its RFR per UC, nothing from 11,000 €/UC (arrêté du 3 mars 2023)."""
    uc = c("cheque_energie_unites_consommation")
    rfr_par_uc = c("cheque_energie_rfr_par_uc")
    montant = np.select(
        [uc <= 1, uc < 2],
        [
            c.scale(f"{CE}.bareme.une_uc").rate_at(rfr_par_uc),
            c.scale(f"{CE}.bareme.une_uc_a_deux_uc").rate_at(rfr_par_uc),
        ],
        c.scale(f"{CE}.bareme.plus_de_deux_uc").rate_at(rfr_par_uc),
    )
    plafond = c.scale(f"{CE}.bareme.une_uc").brackets[-1].threshold  # the same in the three scales
    c.check(
        "Revenu fiscal de référence par unité de consommation sous le plafond",
        montant > 0,
        "le revenu fiscal de référence par unité de consommation, {rfr_par_uc}, atteint le plafond de {plafond}",
        rfr_par_uc=rfr_par_uc,
        plafond=float(plafond),
    )
    return montant


QUANTITIES = (
    cheque_energie_rfr_declarant,
    cheque_energie_est_declarant,
    cheque_energie_unites_consommation,
    cheque_energie_rfr_par_uc,
    cheque_energie_eligibilite_logement,
)
AIDES = (cheque_energie,)
