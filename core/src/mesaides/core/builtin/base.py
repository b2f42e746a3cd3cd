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


@quantity(INDIVIDU, MONTH, label="Âge en années révolues au premier jour du mois", value_type="int")
def age(c):
    return _months_old(c.period, c("date_naissance")) // 12


@quantity(INDIVIDU, MONTH, label="Âge en mois révolus au premier jour du mois", value_type="int")
def age_en_mois(c):
    return _months_old(c.period, c("date_naissance"))


_BIRTH_MONTHS: list = [None, None]
"""The last birth dates converted (the array itself, then its month and born-after-the-1st):
every month's ``age`` reads the same ``date_naissance`` array, and converting dates to months
is the costly part."""


def _months_old(period, birth: np.ndarray) -> np.ndarray:
    last, parts = _BIRTH_MONTHS
    if last is birth and not birth.flags.writeable:
        born, after_first = parts
    else:
        born_month = birth.astype("datetime64[M]")
        day = (birth - born_month.astype("datetime64[D]")).astype(np.int64) + 1
        born, after_first = born_month.astype(np.int64), day > 1
        if not birth.flags.writeable:  # only the engine's read-only arrays: they never change
            _BIRTH_MONTHS[:] = [birth, (born, after_first)]
    months = period.year * 12 + period.month - 1 - born - 1970 * 12
    # The period starts on the 1st: a birthday month counts only for someone born on the 1st.
    return months - after_first


@quantity(FAMILLE, MONTH, label="Nombre de parents de la famille", value_type="int")
def nb_parents(c):
    return c.nb_members("parents")


@hookimpl
def mesaides_register_parameters(register):
    for p in PARAMETERS:
        register(p)


@hookimpl
def mesaides_register_quantities(register):
    for q in (age, age_en_mois, nb_parents):
        register(q)


@hookimpl
def mesaides_register_legislation(register):
    register(files("mesaides.core") / "legislation")
