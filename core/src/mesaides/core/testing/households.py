"""Generated households for benchmarks and impact measurement.

Builds a :class:`~mesaides.core.population.Population` directly as arrays (no JSON), so that a
million households fit in memory: each income is constant over the window, so every month
shares one array.
"""

from __future__ import annotations

import numpy as np

from mesaides.core.entities import FAMILLE, FOYER_FISCAL, MENAGE
from mesaides.core.periods import ETERNITY_PERIOD, Period
from mesaides.core.population import GroupStructure, NumberedIds, Population

COMMUNES = (
    "59350",
    "59183",
    "62041",
    "80021",
    "75056",
    "69123",
    "69266",
    "13055",
    "33063",
    "31555",
    "44109",
    "97411",
    "23096",
)
"""Lille, Dunkerque, Arras, Amiens, Paris, Lyon, Villeurbanne, Marseille, Bordeaux, Toulouse,
Nantes, Saint-Denis (La Réunion), Guéret: every housing zone, the Nord, Lyon and an overseas
département."""

NET_TO_TAXABLE = {"salaire": 1.036529, "chomage": 1.0305, "retraite": 1.0352}
"""Mes Aides' conversions of net to taxable amounts (see the oracle's README)."""


def generate(n_households: int, period: Period | str = "2026-11", *, seed: int = 0, months: int = 35) -> Population:
    """``n_households`` varied households with inputs for the ``months`` months up to ``period``."""
    period = Period.parse(period) if isinstance(period, str) else period
    rng = np.random.default_rng(seed)
    n = n_households
    couple = rng.random(n) < 0.45
    children = rng.choice(5, size=n, p=(0.42, 0.22, 0.22, 0.1, 0.04))
    adults = 1 + couple
    size = adults + children
    starts = np.concatenate(([0], np.cumsum(size)[:-1]))
    total = int(size.sum())

    household = np.repeat(np.arange(n), size)
    position = np.arange(total) - starts[household]
    is_adult = position < adults[household]
    rank_child = position - adults[household]

    # Ages: adults 18-75, children 0-24.
    age_years = np.where(is_adult, rng.integers(18, 76, total), rng.integers(0, 25, total))
    birth = _birth_dates(rng, period, age_years)

    activite = np.where(is_adult, rng.choice(5, size=total, p=(0.55, 0.15, 0.05, 0.12, 0.13)), 4).astype(np.int16)
    activite = np.where(~is_adult & (age_years >= 16), np.where(rng.random(total) < 0.7, 2, 4), activite).astype(
        np.int16
    )
    activite = np.where(is_adult & (age_years >= 65), 3, activite).astype(np.int16)
    salaire = np.where(activite == 0, np.round(rng.gamma(4.0, 350.0, total), 0), 0.0)
    chomage = np.where(activite == 1, np.round(rng.uniform(400, 1600, total), 0), 0.0)
    retraite = np.where(activite == 3, np.round(rng.uniform(600, 2200, total), 0), 0.0)
    disabled = is_adult & (rng.random(total) < 0.04)
    taux = np.where(disabled, rng.choice([0.5, 0.6, 0.8, 0.9], size=total), 0.0)

    # Groups: one famille and one menage per household; married couples file one foyer.
    married = couple & (rng.random(n) < 0.6)
    role_famille = np.where(is_adult, 0, 1).astype(np.int8)
    rank_famille = np.where(is_adult, position, rank_child).astype(np.int16)
    famille = GroupStructure(FAMILLE, _ids("f", n), household, role_famille, rank_famille)
    role_menage = np.where(position == 0, 0, np.where(is_adult, 1, 2)).astype(np.int8)
    rank_menage = np.where(is_adult, 0, rank_child).astype(np.int16)
    menage = GroupStructure(MENAGE, _ids("m", n), household, role_menage, rank_menage)
    second_foyer = is_adult & (position == 1) & ~married[household]
    foyer_index = np.cumsum(1 + (couple & ~married)) - (1 + (couple & ~married))
    person_foyer = foyer_index[household] + second_foyer
    n_foyers = int(foyer_index[-1] + 1 + (couple[-1] & ~married[-1])) if n else 0
    role_foyer = np.where(is_adult, 0, 1).astype(np.int8)
    rank_foyer = np.where(is_adult, np.where(second_foyer, 0, position), rank_child).astype(np.int16)
    foyer = GroupStructure(FOYER_FISCAL, _ids("ff", n_foyers), person_foyer, role_foyer, rank_foyer)

    statut = rng.choice([2, 3, 4, 5, 6], size=n, p=(0.3, 0.25, 0.3, 0.1, 0.05)).astype(np.int16)
    renting = (statut >= 3) & (statut <= 5)
    loyer = np.where(renting, np.round(rng.uniform(250, 1100, n), 0), 0.0)
    depcom = np.asarray(rng.choice(COMMUNES, size=n), dtype=object)
    statut_marital = np.where(married[household] & is_adult, 0, 1).astype(np.int16)

    window = [period.first_month.offset(-k) for k in range(months - 1, -1, -1)]
    person_inputs = {
        "salaire_net": salaire,
        "salaire_imposable": np.round(salaire * NET_TO_TAXABLE["salaire"], 2),
        "chomage_net": chomage,
        "chomage_imposable": np.round(chomage * NET_TO_TAXABLE["chomage"], 2),
        "retraite_nette": retraite,
        "retraite_imposable": np.round(retraite * NET_TO_TAXABLE["retraite"], 2),
        "activite": activite,
        "statut_marital": statut_marital,
        "taux_incapacite": taux,
        "handicap": disabled,
    }
    menage_inputs = {"depcom": depcom, "statut_occupation_logement": statut, "loyer": loyer}
    inputs: dict[str, dict[Period, np.ndarray]] = {}
    for name, values in {**person_inputs, **menage_inputs}.items():
        inputs[name] = dict.fromkeys(window, values)
    inputs["date_naissance"] = {ETERNITY_PERIOD: birth}
    return Population(
        person_ids=_ids("p", total),
        groups={"famille": famille, "foyer_fiscal": foyer, "menage": menage},
        inputs=inputs,
    )


def _ids(prefix: str, n: int) -> NumberedIds:
    return NumberedIds(prefix, np.arange(n))


def _birth_dates(rng: np.random.Generator, period: Period, age_years: np.ndarray) -> np.ndarray:
    ref = np.datetime64(period.start, "D")
    days = (age_years * 365.25 + rng.integers(0, 365, age_years.size)).astype("timedelta64[D]")
    dates: np.ndarray = ref - days
    return dates
