"""The core's own plugin: the Parameters every partner shares, ages, and the SMIC.

Registered like any partner (through the same hooks), but built into ``mesaides-core``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np

from mesaides.core.definitions import Parameter, Quantity, quantity
from mesaides.core.entities import FAMILLE, INDIVIDU, MENAGE, Entity
from mesaides.core.enums import Activite, Scolarite, StatutMarital, StatutOccupationLogement
from mesaides.core.hookspecs import hookimpl
from mesaides.core.periods import ETERNITY, MONTH

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from mesaides.core.context import Context

ACTIVITE = tuple(Activite)
STATUT_MARITAL = tuple(StatutMarital)
STATUT_OCCUPATION_LOGEMENT = tuple(StatutOccupationLogement)
SCOLARITE = tuple(Scolarite)


MONTHLY_INCOME_CEILING = 10_000_000.0
"""The largest monthly income a situation may give (€): far above any real wage or pension,
low enough that no sum of a household's incomes loses the cent."""
MONTHLY_RENT_CEILING = 100_000.0
"""The largest monthly rent a situation may give (€): above any rent of a home, so that a typing
mistake of several orders of magnitude is refused instead of computed."""


def _money(name: str, label: str, entity: Entity = INDIVIDU, ceiling: float = MONTHLY_INCOME_CEILING) -> Parameter:
    # An amount received (or paid, for a rent) is never negative.
    return Parameter(
        name=name,
        entity=entity,
        period=MONTH,
        value_type="float",
        label=label,
        unit="EUR",
        year_input="divide",
        minimum=0.0,
        maximum=ceiling,
    )


PARAMETERS = (
    Parameter(name="date_naissance", entity=INDIVIDU, period=ETERNITY, value_type="date", label="Date de naissance"),
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
        name="handicap",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="En situation de handicap",
        year_input="dispatch",
    ),
    _money("salaire_net", "Salaire net du mois"),
    _money("salaire_imposable", "Salaire imposable du mois"),
    _money("chomage_net", "Allocation chômage nette du mois"),
    _money("chomage_imposable", "Allocation chômage imposable du mois"),
    _money("retraite_nette", "Pension de retraite nette du mois"),
    _money("retraite_imposable", "Pension de retraite imposable du mois"),
    _money("pensions_alimentaires_percues", "Pensions alimentaires perçues dans le mois"),
    # Read by several partners: the ASI and the CSS (Assurance maladie), the ASPA (Assurance
    # retraite), the AAH (CAF) and the fiscal income.
    _money("pensions_invalidite", "Pension d'invalidité perçue dans le mois"),
    Parameter(
        name="inapte_travail",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="Reconnu inapte au travail",
        year_input="dispatch",
    ),
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
    _money("loyer", "Loyer mensuel hors charges", entity=MENAGE, ceiling=MONTHLY_RENT_CEILING),
    # School level and the ASS precondition (issue 15: the Éducation nationale's bourses,
    # France Travail's ASS), in OpenFisca-France's names and values.
    Parameter(
        name="scolarite",
        entity=INDIVIDU,
        period=MONTH,
        value_type="enum",
        enum_values=SCOLARITE,
        default="inconnue",
        label="Niveau de scolarité (maternelle, primaire, collège, lycée, enseignement supérieur)",
        year_input="dispatch",
    ),
    Parameter(
        name="ass_precondition_remplie",
        entity=INDIVIDU,
        period=MONTH,
        value_type="bool",
        label="A travaillé au moins 5 ans au cours des 10 ans précédant la fin de son contrat de travail",
        year_input="dispatch",
    ),
)


@quantity(
    INDIVIDU, ETERNITY, label="Premier mois de vie commencé le 1er (en mois depuis janvier 1970)", value_type="int"
)
def date_naissance_premier_mois_entier(c: Context) -> np.ndarray:
    """The first month on whose 1st the person is born: the month of birth for someone born on
    the 1st, else the next one (computed once: it never changes). Ages are counted from it."""
    birth = c("date_naissance")
    month = birth.astype("datetime64[M]")
    return month.astype(np.int64) + (birth > month.astype("datetime64[D]"))


@quantity(INDIVIDU, MONTH, label="Âge en années révolues au premier jour du mois", value_type="int")
def age(c: Context) -> np.ndarray:
    return _months_old(c) // 12


@quantity(INDIVIDU, MONTH, label="Âge en mois révolus au premier jour du mois", value_type="int")
def age_en_mois(c: Context) -> np.ndarray:
    return _months_old(c)


def _months_old(c: Context) -> np.ndarray:
    """Whole months of age on the first day of the period (a birthday month counts only for
    someone born on the 1st)."""
    period = c.period
    return period.year * 12 + period.month - 1 - 1970 * 12 - c("date_naissance_premier_mois_entier")


@quantity(FAMILLE, MONTH, label="Nombre de parents de la famille", value_type="int")
def nb_parents(c: Context) -> np.ndarray:
    return c.nb_members("parents")


@hookimpl
def mesaides_register_parameters(register: Callable[[Parameter], None]) -> None:
    for p in PARAMETERS:
        register(p)


@hookimpl
def mesaides_register_quantities(register: Callable[[Quantity], None]) -> None:
    for q in (date_naissance_premier_mois_entier, age, age_en_mois, nb_parents):
        register(q)


@hookimpl
def mesaides_register_legislation(register: Callable[[Traversable], None]) -> None:
    register(files("mesaides.core") / "legislation")
