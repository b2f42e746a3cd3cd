"""Allocation d'éducation de l'enfant handicapé (AEEH), with its complements and the majoration
pour parent isolé (art. L541-1 to L541-4, D541-1, D541-2 and D541-4 CSS).

The complements follow D541-2: the CDAPH's category k gives the k-th complement. OpenFisca-France
176.1.8 gives categories 2 to 5 the complement of the category below (see
``docs/known-differences.md``). The CDAPH's category decision (``aeeh_niveau_handicap``) stands
for its finding that the incapacity and schooling/care conditions of L541-1 and R541-1 are met.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MONTH, quantity
from mesaides.partner_caf.helpers import PF

AEEH = "aeeh"
CATEGORIES = range(1, 7)


@quantity(
    INDIVIDU,
    MONTH,
    label="Enfant ouvrant droit à l'AEEH (handicapé, moins de 20 ans à la fin du mois)",
    value_type="bool",
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006743514",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006750602",
    ),
)
def aeeh_enfant_eligible(c):
    """A disabled child who does not turn 20 during the month or before: the aide stops from the
    first day of the month in which the child turns 20 (art. R552-2 CSS)."""
    return c("handicap") & (c("pf_age_fin_de_mois") < c.law(f"{AEEH}.age_limite"))


@quantity(
    INDIVIDU,
    MONTH,
    label="AEEH due pour l'enfant (base, complément et majoration pour parent isolé)",
    defined_for="aeeh_enfant_eligible",
    law=(f"{AEEH}.complement", f"{AEEH}.majoration_parent_isole"),
    references=(
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006737166",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006737170",
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006737172",
    ),
)
def aeeh_enfant(c):
    """The base (32 % of the BMAF), the complement of the CDAPH's category (a share of the BMAF
    for categories 1 to 5, the MTP amount for 6) and, for a child of a single parent at
    category 2 or more, the majoration pour parent isolé."""
    bmaf = c.law(f"{PF}.bmaf")
    niveau = c("aeeh_niveau_handicap")
    isole = c.group("famille").nb_members("parents") == 1
    complement = np.zeros(niveau.shape)
    majoration = np.zeros(niveau.shape)
    for k in CATEGORIES:
        taux = c.law(f"{AEEH}.complement.categorie_{k}")
        complement = complement + (niveau == k) * (taux if k == 6 else taux * bmaf)
        if k >= 2:
            majoration = majoration + (niveau == k) * c.law(f"{AEEH}.majoration_parent_isole.categorie_{k}") * bmaf
    return c.law(f"{AEEH}.base") * bmaf + complement + isole * majoration


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation d'éducation de l'enfant handicapé (AEEH)",
    unit="EUR",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006743514",),
)
def aeeh(c):
    """Sum over the famille's children."""
    c.check(
        "Au moins un enfant handicapé de moins de 20 ans",
        c.members("aeeh_enfant_eligible").any("enfants"),
        "aucun enfant handicapé de moins de 20 ans dans votre famille",
    )
    return c.members("aeeh_enfant").sum("enfants")


QUANTITIES = (aeeh_enfant_eligible, aeeh_enfant)
AIDES = (aeeh,)
