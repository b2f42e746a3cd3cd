"""Aides personnelles au logement: zone, household composition, rent ceiling and charges
(secteur locatif), as OpenFisca-France 176.1.8 computes them. See ``logement`` for the formula.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib.resources import files

import numpy as np

from mesaides.core import FAMILLE, MENAGE, MONTH, StatutOccupationLogement, quantity
from mesaides.partner_caf.helpers import by_zone, is_locataire, menage_value, starts_with, zone_index

AL = "aides_logement"
LOC = f"{AL}.locatif"
# The formulas follow the law in force since 2023 (OpenFisca-France's latest formula change, the
# taux famille of 2023-01-01); before, the aides are not computed (value 0). Only the engine's
# look-back into the past reaches those months.
SINCE = dt.date(2023, 1, 1)
ARRETE_2019 = "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000039160329"
D823_16 = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878905"

OUTRE_MER_PREFIXES = ("971", "972", "973", "974", "976", "977", "978")


# ---- Zone and ménage ---------------------------------------------------------------------------


@functools.cache
def _zone_table() -> tuple[np.ndarray, np.ndarray]:
    """Commune code → zone (``data/zones_apl.csv``, see ``data/zones_apl.md``), sorted by code;
    read once."""
    text = (files("mesaides.partner_caf") / "data" / "zones_apl.csv").read_text(encoding="utf-8")
    # Two unquoted columns: one split of the whole text, several times faster than by line.
    cells = np.array(text.partition("\n")[2].replace("\n", ",").rstrip(",").split(",")).reshape(-1, 2)
    order = np.argsort(cells[:, 0])
    return np.ascontiguousarray(cells[order, 0]), cells[order, 1].astype(np.int64)


@quantity(
    MENAGE,
    MONTH,
    label="Zone géographique des aides au logement (1, 2 ou 3)",
    value_type="int",
    references=(ARRETE_2019,),
)
def zone_apl(c):
    """Zone of the commune (arrêté du 17 mars 1978; 1bis counts as 1). An unknown or empty
    commune code is in zone 2, as in OpenFisca-France."""
    return _zones_of(c("depcom"))


def _zones_of(depcom: np.ndarray) -> np.ndarray:
    codes, zones = _zone_table()
    depcom = np.asarray(depcom).astype(str)
    i = np.minimum(np.searchsorted(codes, depcom), len(codes) - 1)
    return np.where(codes[i] == depcom, zones[i], 2)


@quantity(
    MENAGE,
    MONTH,
    label="Logement conventionné (locataire HLM)",
    value_type="bool",
)
def logement_conventionne(c):
    """A tenant of an HLM is taken as living in conventionné housing, which opens the APL."""
    return c("statut_occupation_logement") == StatutOccupationLogement.LOCATAIRE_HLM.code


@quantity(FAMILLE, MONTH, label="Locataire (HLM, logement vide ou meublé)", value_type="bool", valid_from=SINCE)
def aide_logement_locataire(c):
    """The famille rents its home (the status of its demandeur's ménage)."""
    return is_locataire(c)


@quantity(FAMILLE, MONTH, label="Locataire d'un logement conventionné", value_type="bool", valid_from=SINCE)
def aide_logement_conventionne(c):
    """The famille rents conventionné housing (the RLS applies); not a conventionné logement-foyer,
    whose ``logement_conventionne`` is given (art. L442-2-1 CCH: the RLS is a rent reduction)."""
    return menage_value(c, "logement_conventionne", False).astype(bool) & is_locataire(c)


@quantity(
    MENAGE,
    MONTH,
    label="Logement relevant du barème outre-mer des aides au logement",
    value_type="bool",
    references=(ARRETE_2019,),
)
def residence_aides_logement_outre_mer(c):
    """Overseas departments (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte), Saint-Barthélemy
    and Saint-Martin."""
    return starts_with(c("depcom"), OUTRE_MER_PREFIXES)


@quantity(MENAGE, MONTH, label="Résidence à Saint-Pierre-et-Miquelon", value_type="bool")
def residence_saint_pierre_et_miquelon(c):
    return starts_with(c("depcom"), ("975",))


# ---- Household composition --------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Couple au sens des aides au logement",
    value_type="bool",
    valid_from=SINCE,
)
def al_couple(c):
    """Two parents; an isolated pregnant woman gets the couple's barème."""
    return c("en_couple") | c("enceinte_fam")


@quantity(
    FAMILLE,
    MONTH,
    label="Nombre de personnes à charge au sens des aides au logement",
    value_type="int",
    references=("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038878933",),
    valid_from=SINCE,
)
def al_nb_personnes_a_charge(c):
    """Art. R823-4 CCH: the famille's children under 21 who are not financially autonomous
    (prestations familiales sense), and its adult children of 21 or more with an incapacity
    above 80 % whose resources of year N-2 are at most 1.25 times the ASPA ceiling."""
    age = c.members("age")
    limite = c.law(f"{AL}.personnes_a_charge.age_limite")
    enfants = (age.values >= 0) & (age.values < limite) & ~c.members("autonomie_financiere").values
    plafond = c.law(f"{AL}.ressources.plafond_aspa_personne_seule", at=dt.date(c.period.year - 2, 12, 31))
    plafond = plafond * c.law(f"{AL}.ressources.coef_plafond_aspa")
    adultes = (
        (c.members("taux_incapacite").values > c.law(f"{AL}.personnes_a_charge.taux_incapacite_min"))
        & (age.values >= limite)
        & (c.members("prestations_familiales_base_ressources_individu").values <= plafond)
    )
    return c.per_member(enfants | adultes).count("enfants")


# ---- Rent, ceiling, charges -------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Loyer réel pris en compte par les aides au logement",
    references=("https://www.legifrance.gouv.fr/jorf/article_jo/JORFARTI000039804009",),
    valid_from=SINCE,
)
def aide_logement_loyer_reel(c):
    """The rent of the demandeur's ménage; two thirds of it for furnished housing."""
    loyer = menage_value(c, "loyer", 0.0)
    return np.where(
        menage_value(c, "statut_occupation_logement") == StatutOccupationLogement.LOCATAIRE_MEUBLE.code,
        loyer * 2 / 3,
        loyer,
    )


@quantity(
    FAMILLE,
    MONTH,
    label="Loyer plafond des aides au logement",
    law=(f"{LOC}.loyer_plafond",),
    references=(ARRETE_2019, D823_16),
    valid_from=SINCE,
)
def aide_logement_loyer_plafond(c):
    """Ceiling by zone and household: single person, couple, or one dependant plus an amount per
    further dependant (at most 6 counted overseas); 75 % of it in a flat-share. (The chambre
    ceilings are not asked for by mesaides.)"""
    zone = zone_index(c)
    n = c("al_nb_personnes_a_charge")
    n_plafond = np.where(menage_value(c, "residence_aides_logement_outre_mer", False), np.minimum(n, 6), n)
    z = f"{LOC}.loyer_plafond.zone_{{z}}."
    famille = by_zone(c, z + "un_enfant", zone) + np.maximum(n_plafond - 1, 0) * by_zone(
        c, z + "majoration_par_enf_supp", zone
    )
    couple = c("al_couple")
    plafond = np.where(
        ~couple & (n == 0),
        by_zone(c, z + "personnes_seules", zone),
        np.where(n > 0, famille, by_zone(c, z + "couples", zone)),
    )
    coloc = menage_value(c, "coloc", False).astype(bool)
    plafond = plafond * np.where(coloc, c.law(f"{LOC}.loyer_plafond.coef_colocation"), 1.0)
    return np.round(plafond, 2)


@quantity(
    FAMILLE,
    MONTH,
    label="Loyer retenu par les aides au logement",
    valid_from=SINCE,
)
def aide_logement_loyer_retenu(c):
    return np.minimum(c("aide_logement_loyer_reel"), c("aide_logement_loyer_plafond"))


@quantity(
    FAMILLE,
    MONTH,
    label="Forfait de charges des aides au logement",
    references=(ARRETE_2019,),
    valid_from=SINCE,
)
def aide_logement_charges(c):
    """Flat amount for charges plus an amount per dependant; specific amounts in a flat-share
    (single or couple) and in the overseas departments."""
    n = c("al_nb_personnes_a_charge")
    couple = c("al_couple")
    coloc = menage_value(c, "coloc", False).astype(bool)
    dom = menage_value(c, "residence_dom", False).astype(bool)
    f = f"{LOC}.forfait_charges"

    general = c.law(f"{f}.cas_general") + n * c.law(f"{f}.majoration_par_enfant")
    colocation = np.where(
        couple, c.law(f"{f}.colocation.couple_sans_enfant"), c.law(f"{f}.colocation.beneficiaire_isole")
    )
    colocation = colocation + n * c.law(f"{f}.colocation.majoration_par_enfant")
    general_dom = c.law(f"{f}.dom.cas_general") + n * c.law(f"{f}.dom.majoration_par_enfant")
    colocation_dom = np.where(
        couple, c.law(f"{f}.dom_colocation.couple_sans_enfant"), c.law(f"{f}.dom_colocation.beneficiaire_isole")
    ) + n * c.law(f"{f}.dom_colocation.majoration_par_enfant")
    return np.where(dom, np.where(coloc, colocation_dom, general_dom), np.where(coloc, colocation, general))


QUANTITIES = (
    aide_logement_locataire,
    aide_logement_conventionne,
    zone_apl,
    logement_conventionne,
    residence_aides_logement_outre_mer,
    residence_saint_pierre_et_miquelon,
    al_couple,
    al_nb_personnes_a_charge,
    aide_logement_loyer_reel,
    aide_logement_loyer_plafond,
    aide_logement_loyer_retenu,
    aide_logement_charges,
)
