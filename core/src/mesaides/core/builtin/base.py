"""The core's own plugin: the Parameters every partner shares, ages, and the SMIC.

Registered like any partner (through the same hooks), but built into ``mesaides-core``.
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np

from mesaides.core.definitions import Parameter, quantity
from mesaides.core.entities import FAMILLE, INDIVIDU, MENAGE
from mesaides.core.enums import Activite, StatutMarital, StatutOccupationLogement
from mesaides.core.hookspecs import hookimpl
from mesaides.core.periods import ETERNITY, MONTH

ACTIVITE = tuple(Activite)
STATUT_MARITAL = tuple(StatutMarital)
STATUT_OCCUPATION_LOGEMENT = tuple(StatutOccupationLogement)


def _money(name: str, label: str, entity=INDIVIDU) -> Parameter:
    return Parameter(
        name=name, entity=entity, period=MONTH, value_type="float", label=label, unit="EUR", year_input="divide"
    )


PARAMETERS = (
    Parameter(
        name="date_naissance", entity=INDIVIDU, period=ETERNITY, value_type="date", label="Date de naissance"
    ),
    Parameter(
        name="activite",
        entity=INDIVIDU,
        period=MONTH,
        value_type="enum",
        enum_values=ACTIVITE,
        default="inactif",
        label="Activité (actif, chômeur, étudiant, retraité, inactif)",
        year_input="dispatch",
    ),
    Parameter(
        name="statut_marital",
        entity=INDIVIDU,
        period=MONTH,
        value_type="enum",
        enum_values=STATUT_MARITAL,
        default="celibataire",
        label="Statut marital",
        year_input="dispatch",
    ),
    Parameter(
        name="handicap", entity=INDIVIDU, period=MONTH, value_type="bool", label="En situation de handicap",
        year_input="dispatch",
    ),
    _money("salaire_net", "Salaire net du mois"),
    _money("salaire_imposable", "Salaire imposable du mois"),
    _money("chomage_net", "Allocation chômage nette du mois"),
    _money("chomage_imposable", "Allocation chômage imposable du mois"),
    _money("retraite_nette", "Pension de retraite nette du mois"),
    _money("retraite_imposable", "Pension de retraite imposable du mois"),
    _money("pensions_alimentaires_percues", "Pensions alimentaires perçues dans le mois"),
    Parameter(
        name="depcom",
        entity=MENAGE,
        period=MONTH,
        value_type="str",
        label="Commune de résidence (code INSEE)",
        year_input="dispatch",
    ),
    Parameter(
        name="statut_occupation_logement",
        entity=MENAGE,
        period=MONTH,
        value_type="enum",
        enum_values=STATUT_OCCUPATION_LOGEMENT,
        default="non_renseigne",
        label="Statut d'occupation du logement",
        year_input="dispatch",
    ),
    _money("loyer", "Loyer mensuel hors charges", entity=MENAGE),
)


@quantity(INDIVIDU, ETERNITY, label="Mois de naissance (en mois depuis janvier 1970)", value_type="int")
def date_naissance_mois(c):
    """The month of birth, counted from January 1970 (computed once: it never changes)."""
    return c("date_naissance").astype("datetime64[M]").astype(np.int64)


@quantity(INDIVIDU, ETERNITY, label="Né après le premier jour de son mois de naissance", value_type="bool")
def date_naissance_apres_le_premier(c):
    """Born after the 1st of the month: the birthday month does not count yet on the 1st."""
    birth = c("date_naissance")
    return birth > birth.astype("datetime64[M]").astype("datetime64[D]")


@quantity(INDIVIDU, MONTH, label="Âge en années révolues au premier jour du mois", value_type="int")
def age(c):
    return _months_old(c) // 12


@quantity(INDIVIDU, MONTH, label="Âge en mois révolus au premier jour du mois", value_type="int")
def age_en_mois(c):
    return _months_old(c)


def _months_old(c) -> np.ndarray:
    """Whole months of age on the first day of the period."""
    period = c.period
    months = period.year * 12 + period.month - 1 - c("date_naissance_mois") - 1970 * 12
    # The period starts on the 1st: a birthday month counts only for someone born on the 1st.
    return months - c("date_naissance_apres_le_premier")


@quantity(FAMILLE, MONTH, label="Nombre de parents de la famille", value_type="int")
def nb_parents(c):
    return c.nb_members("parents")


@hookimpl
def mesaides_register_parameters(register):
    for p in PARAMETERS:
        register(p)


@hookimpl
def mesaides_register_quantities(register):
    for q in (date_naissance_mois, date_naissance_apres_le_premier, age, age_en_mois, nb_parents):
        register(q)


@hookimpl
def mesaides_register_legislation(register):
    register(files("mesaides.core") / "legislation")
