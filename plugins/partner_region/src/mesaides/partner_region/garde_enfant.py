"""Aide à la garde d'enfant (AGE) of the Région Hauts-de-France.

A monthly amount per child under 3 for families whose parents all work, under an income ceiling
expressed in gross monthly SMIC. See ``docs/rules.md`` for the sources and the assumptions.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import FAMILLE, INDIVIDU, MENAGE, MONTH, quantity

REGION_HAUTS_DE_FRANCE = "32"
"""INSEE code of the Région Hauts-de-France (the core's ``region`` quantity)."""


@quantity(
    INDIVIDU,
    MONTH,
    label="Aide à la garde d'enfant des Hauts-de-France : montant mensuel au titre de cet enfant",
)
def hauts_de_france_aide_garde_enfant_montant_enfant(c):
    """For a child of the famille under the age limit: 30 € (single parent) or 20 € (two
    parents), plus 10 € if the child is disabled and 10 € if a parent is disabled. 0 for parents
    and older children."""
    law = "hauts_de_france.aide_garde_enfant"
    enfant = c.is_role("famille", "enfants")
    age_ok = c("age") < c.law(f"{law}.age_maximum_enfant")
    seul = c("nb_parents") == 1
    base = np.where(seul, c.law(f"{law}.montant.famille_monoparentale"), c.law(f"{law}.montant.famille_biparentale"))
    majoration = c.law(f"{law}.majoration_handicap")
    parent_handicape = c.group("famille").any("handicap", role="parents")
    montant = base + majoration * c("handicap") + majoration * parent_handicape
    return np.where(enfant & age_ok, montant, 0.0)


@quantity(
    INDIVIDU,
    MONTH,
    label="En emploi ou en formation (activité « actif »), condition de l'aide à la garde d'enfant",
    value_type="bool",
)
def hauts_de_france_aide_garde_enfant_parent_actif(c):
    """Whether the person works (``activite`` is ``actif``): every parent must."""
    return c.enum("activite").is_("actif")


@quantity(MENAGE, MONTH, label="Résider en région Hauts-de-France", value_type="bool")
def hauts_de_france_residence(c):
    """The menage's commune is in the Région."""
    return c("region") == REGION_HAUTS_DE_FRANCE


@quantity(FAMILLE, MONTH, label="Résider en région Hauts-de-France", value_type="bool")
def hauts_de_france_aide_garde_enfant_residence(c):
    """The demandeur's menage lives in the Région."""
    return c.members("hauts_de_france_residence").first("parents", default=False).astype(bool)


@quantity(
    FAMILLE,
    MONTH,
    label="Tous les parents travaillent",
    value_type="bool",
    defined_for="hauts_de_france_aide_garde_enfant_residence",
)
def hauts_de_france_aide_garde_enfant_parents_actifs(c):
    """Every parent of the famille works."""
    return c.members("hauts_de_france_aide_garde_enfant_parent_actif").all("parents")


@quantity(
    FAMILLE,
    MONTH,
    label="Aide à la garde d'enfant des Hauts-de-France",
    defined_for="hauts_de_france_aide_garde_enfant_parents_actifs",
    references=("https://guide-aides.hautsdefrance.fr/dispositif636",),
)
def hauts_de_france_aide_garde_enfant(c):
    """Monthly aide of the famille: the sum of its children's amounts, if the demandeur's menage
    lives in the Région, every parent works, and the demandeur's foyer fiscal's revenu net
    imposable of year N-2, divided by 12, is under 2 (single parent) or 3 (couple) gross
    monthly SMIC."""
    law = "hauts_de_france.aide_garde_enfant.plafond_ressources"
    montant = c.members("hauts_de_france_aide_garde_enfant_montant_enfant").sum("enfants")
    age_maximum = int(c.law("hauts_de_france.aide_garde_enfant.age_maximum_enfant"))
    c.check(
        f"Un enfant de moins de {age_maximum} ans",
        montant > 0,
        "aucun enfant de votre famille n'a moins de {age} ans",
        age=age_maximum,
    )
    smic_mensuel = c.law("smic.horaire_brut") * c.law("smic.nb_heures_mensuelles")
    multiple = np.where(
        c("nb_parents") == 1, c.law(f"{law}.famille_monoparentale"), c.law(f"{law}.famille_biparentale")
    )
    rni = c.members("rni", c.period.n_2).first("parents")
    ressources_ok = c.check(
        "Ressources sous le plafond (en SMIC)",
        rni / 12 < multiple * smic_mensuel,
        "le revenu net imposable de votre foyer il y a deux ans, {revenu} par mois, atteint le plafond de {plafond}",
        revenu=rni / 12,
        plafond=multiple * smic_mensuel,
    )
    return np.where(ressources_ok, montant, 0.0)


QUANTITIES = (
    hauts_de_france_residence,
    hauts_de_france_aide_garde_enfant_residence,
    hauts_de_france_aide_garde_enfant_montant_enfant,
    hauts_de_france_aide_garde_enfant_parent_actif,
    hauts_de_france_aide_garde_enfant_parents_actifs,
)
AIDES = (hauts_de_france_aide_garde_enfant,)
