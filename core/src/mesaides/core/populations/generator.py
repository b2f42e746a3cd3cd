"""The synthetic population of France's households: the one generator of the project.

``mesaides population generate`` writes it as Parquet, the registry measures impacts on it
(A3, A8) and the benchmark times the engine on it. Households are drawn in partitions of whole
households, each from its own random stream (``seed``, partition index): the same arguments
give the same population, and partitions can be drawn apart.

What it represents (orders of magnitude from INSEE's census, recensement de la population
2020-2021, and its housing survey):

- compositions: 37 % people living alone, 25 % couples without children, 24 % couples with
  children, 10 % single-parent families, 4 % young people sharing a flat;
- housing: 57 % owners, 17 % social housing tenants, 19 % private tenants of unfurnished
  and 4 % of furnished flats, 3 % housed for free;
- activity by age (pensioners from 64, students under 26), wages, unemployment benefits and
  pensions from log-normal or uniform draws around their medians, 5 % of adults disabled (a
  third of those of working age with an invalidity pension), jobseekers who worked 5 of the
  last 10 years (the ASS's first condition);
- communes: France's large cities, a rural commune and an overseas one, and every territory
  the installed partners' aides test (:mod:`mesaides.core.populations.territories`), each of
  which receives :data:`TERRITORY_SHARE` of the households, spread over its communes.

Each household stands for :data:`FRANCE_HOUSEHOLDS` / households real ones (``weight``), so that
totals are of France's order of magnitude. Only the Parameters the rules declare are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mesaides.core.periods import Period
from mesaides.core.populations.schema import (
    DEFAULT_MONTHS,
    HOUSEHOLD,
    ID,
    TABLES,
    WEIGHT,
    Partition,
    partition_from_tables,
    write_metadata,
)
from mesaides.core.populations.territories import Territory, partner_territories

if TYPE_CHECKING:
    from mesaides.core.ruleset import RuleSet

GENERATOR = "france-households-v3"
FRANCE_HOUSEHOLDS = 30_000_000
"""About 30 million households live in France (INSEE, recensement de la population 2020)."""
HOUSEHOLDS_PER_PARTITION = 50_000
"""About 105,000 persons: a partition is one part the engine computes at once
(:data:`mesaides.core.api.PART_SIZE`), and a worker computing every aide on it holds about
1.4 GB. Measured on 2 cores (2026-12-05), a million households with every aide (93): 18.5 s in
partitions of 50,000, 19.4 s of 40,000 (25 partitions: one worker computes the last alone),
23.2 s of 20,000 in parts of 50,000 persons."""
TERRITORY_SHARE = 0.04
"""The share of households drawn in the territories of each installed territorial partner (less
when there are more than 20 of them: 80 % at most in all)."""

CITIES: tuple[tuple[str, float], ...] = (
    ("75056", 0.12),  # Paris
    ("13055", 0.07),  # Marseille
    ("69123", 0.06),  # Lyon
    ("31555", 0.05),  # Toulouse
    ("06088", 0.04),  # Nice
    ("44109", 0.04),  # Nantes
    ("34172", 0.03),  # Montpellier
    ("67482", 0.03),  # Strasbourg
    ("33063", 0.03),  # Bordeaux
    ("59350", 0.04),  # Lille
    ("35238", 0.03),  # Rennes
    ("51454", 0.02),  # Reims
    ("69266", 0.02),  # Villeurbanne
    ("80021", 0.02),  # Amiens
    ("62041", 0.02),  # Arras
    ("59183", 0.02),  # Dunkerque
    ("94002", 0.02),  # Alfortville
    ("92002", 0.02),  # Antony
    ("21231", 0.03),  # Dijon
    ("45234", 0.03),  # Orléans
    ("63113", 0.03),  # Clermont-Ferrand
    ("23096", 0.08),  # Guéret: rural France
    ("24322", 0.08),  # Périgueux
    ("97411", 0.04),  # Saint-Denis (La Réunion)
    ("97209", 0.03),  # Fort-de-France
)
"""Communes drawn for the households outside the partners' territories, with their shares."""

KINDS = ("alone", "couple", "couple_children", "single_parent", "sharing")
KIND_SHARES = (0.37, 0.25, 0.24, 0.10, 0.04)
HOUSING = ("proprietaire", "locataire_hlm", "locataire_vide", "locataire_meuble", "loge_gratuitement")
HOUSING_SHARES = (0.57, 0.17, 0.19, 0.04, 0.03)
NET_TO_TAXABLE = {"salaire": 1.036529, "chomage": 1.0305, "retraite": 1.0352}
"""Mes Aides' conversions of net to taxable amounts (see the CAF oracle's README)."""


@dataclass(frozen=True)
class Generated:
    """What :func:`generate` wrote."""

    path: Path
    households: int
    persons: int
    partitions: int
    territories: tuple[Territory, ...]


def generate(
    out: Path,
    households: int,
    rules: RuleSet,
    *,
    seed: int = 0,
    reference_date: dt.date | None = None,
    per_partition: int = HOUSEHOLDS_PER_PARTITION,
    progress: Callable[[int, int], None] | None = None,
) -> Generated:
    """Write ``households`` households into the folder ``out`` (created; must be empty).

    :param reference_date: the day ages and dates are drawn from (default: today); the
        population's incomes hold for every month, so one file serves any recent period.
    :raises ValueError: a bad count or a folder that is not empty.
    """
    import pyarrow.parquet as pq

    if households < 1:
        raise ValueError(f"--households: at least 1 household, got {households}")
    if per_partition < 1:
        raise ValueError(f"households per partition: at least 1, got {per_partition}")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out}: not empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    today = reference_date or dt.date.today()
    territories = tuple(partner_territories(rules))
    communes = _commune_draw(territories)
    count = -(-households // per_partition)
    persons = 0
    for k in range(count):
        first = k * per_partition
        size = min(per_partition, households - first)
        rng = np.random.default_rng([seed, k])
        tables = draw_partition(rng, first, size, today, rules, communes, FRANCE_HOUSEHOLDS / households)
        folder = out / f"part-{k:05d}"
        folder.mkdir()
        for key, table in tables.items():
            pq.write_table(table, folder / f"{TABLES[key]}.parquet", compression="zstd")
        persons += tables["individu"].num_rows
        if progress:
            progress(k + 1, count)
    write_metadata(
        out,
        {
            "generator": GENERATOR,
            "seed": seed,
            "households": households,
            "persons": persons,
            "reference_date": today.isoformat(),
            "partitions": count,
            "territories": [f"{t.partner}: {t.level} {t.code}" for t in territories],
        },
    )
    return Generated(out, households, persons, count, territories)


@dataclass(frozen=True)
class _Communes:
    codes: np.ndarray
    shares: np.ndarray
    territories: tuple[np.ndarray, ...]


def _commune_draw(territories: Sequence[Territory]) -> _Communes:
    shares = np.array([s for _, s in CITIES])
    # One draw per partner, over the union of its territories' communes (Tisséo names 108
    # communes, a Région one code): every partner gets its share of households.
    by_partner: dict[str, set[str]] = {}
    for t in territories:
        by_partner.setdefault(t.partner, set()).update(t.communes())
    return _Communes(
        np.array([c for c, _ in CITIES], dtype=object),
        shares / shares.sum(),
        tuple(np.array(sorted(by_partner[p]), dtype=object) for p in sorted(by_partner)),
    )


def draw_partition(
    rng: np.random.Generator,
    first: int,
    n: int,
    today: dt.date,
    rules: RuleSet,
    communes: _Communes,
    weight: float,
) -> dict[str, Any]:
    """The Arrow tables of ``n`` households numbered from ``first``, by entity key."""
    import pyarrow as pa

    kind = rng.choice(len(KINDS), size=n, p=KIND_SHARES)
    alone, couple, with_children, single_parent, sharing = (kind == i for i in range(len(KINDS)))
    age = np.select(
        [alone, couple, with_children, single_parent, sharing],
        [
            _mixture(rng, n, ((18, 30, 0.17), (30, 65, 0.43), (65, 96, 0.40))),
            _mixture(rng, n, ((25, 60, 0.45), (60, 91, 0.55))),
            rng.integers(25, 56, n),
            rng.integers(22, 61, n),
            rng.integers(18, 30, n),
        ],
    )
    two_adults = couple | with_children
    children = np.where(with_children, 1 + rng.choice(4, size=n, p=(0.38, 0.40, 0.16, 0.06)), 0)
    children = np.where(single_parent, 1 + rng.choice(3, size=n, p=(0.55, 0.32, 0.13)), children)
    adults = 1 + two_adults.astype(np.int64)
    size = adults + children
    union = np.where(two_adults, rng.choice(3, size=n, p=(0.45, 0.20, 0.35)), -1)  # marie, pacse, concubins
    separate_foyers = union == 2

    total = int(size.sum())
    household = np.repeat(np.arange(n), size)
    starts = np.concatenate(([0], np.cumsum(size)[:-1]))
    position = np.arange(total) - starts[household]
    is_adult = position < adults[household]
    ref_age = age[household]
    person_age = np.where(
        position == 0,
        ref_age,
        np.where(
            is_adult,
            np.clip(ref_age + rng.integers(-6, 7, total), 18, 95),
            rng.integers(0, np.maximum(np.minimum(21, ref_age - 17), 1)),
        ),
    )
    birth = np.datetime64(today, "D") - (person_age * 365.25 + rng.integers(1, 360, total)).astype("timedelta64[D]")

    # Activity: 0 actif, 1 chomeur, 2 etudiant, 3 retraite, 4 inactif (the rules' enum order).
    u = rng.random(total)
    adult_activity = np.where(
        (person_age >= 64) & (u < 0.85),
        3,
        np.where((person_age < 26) & (u < 0.35), 2, rng.choice((0, 1, 4), size=total, p=(0.66, 0.17, 0.17))),
    )
    child_activity = np.where(person_age >= 16, rng.choice((2, 0, 4), size=total, p=(0.70, 0.15, 0.15)), 4)
    activity = np.where(is_adult, adult_activity, child_activity)
    full_time = rng.random(total) < 0.7
    salary = np.where(
        activity == 0,
        np.where(is_adult & full_time, rng.lognormal(np.log(1650), 0.35, total), rng.uniform(250, 1100, total)),
        np.where((activity == 2) & (rng.random(total) < 0.3), rng.uniform(150, 700, total), 0.0),
    ).round(2)
    unemployment = np.where((activity == 1) & (rng.random(total) < 0.65), rng.uniform(650, 1500, total), 0.0).round(2)
    pension = np.where(activity == 3, rng.lognormal(np.log(1300), 0.4, total), 0.0).round(2)
    disabled = np.where(is_adult, rng.random(total) < 0.05, rng.random(total) < 0.03)
    incapacity = np.where(disabled & is_adult, rng.uniform(0.5, 0.95, total), 0.0).round(2)
    rsdae = disabled & is_adult & (rng.random(total) < 0.5)
    unemployed_since = np.datetime64(today, "D") - rng.integers(20, 700, total).astype("timedelta64[D]")

    marital_household = np.where(
        union == 0,
        "marie",
        np.where(
            union == 1,
            "pacse",
            np.where(
                ~two_adults & (age > 35) & ~sharing,
                rng.choice(np.array(["celibataire", "divorce", "veuf"], dtype=object), size=n, p=(0.5, 0.4, 0.1)),
                "celibataire",
            ),
        ),
    )
    marital = np.where(is_adult, marital_household[household], "celibataire")
    alimony = np.where(
        (position == 0) & single_parent[household] & (rng.random(total) < 0.35), rng.uniform(80, 350, total), 0.0
    ).round(2)

    depcom = rng.choice(communes.codes, size=n, p=communes.shares)
    u = rng.random(n)
    # At most 80 % of the households in the partners' territories, whatever their number.
    share = min(TERRITORY_SHARE, 0.8 / max(len(communes.territories), 1))
    for k, territory in enumerate(communes.territories):
        inside = (u >= k * share) & (u < (k + 1) * share)
        depcom[inside] = rng.choice(territory, size=int(inside.sum()))
    housing = rng.choice(len(HOUSING), size=n, p=HOUSING_SHARES)
    renting = (housing >= 1) & (housing <= 3)
    paris = depcom == "75056"
    rent = np.where(renting, (330 + 120 * size + 250 * paris) * rng.uniform(0.7, 1.4, n), 0.0).round(2)
    coloc = sharing & renting
    # Drawn last, so that the draws above give the same households as the generator's v2.
    # Unemployed adults who worked 5 of the 10 years before their last contract ended (the ASS's
    # first condition, asked of jobseekers): most from 30, some from 25; an assumption of this
    # generator, not a survey's figure.
    u = rng.random(total)
    ass_precondition = (
        (activity == 1) & is_adult & (((person_age >= 30) & (u < 0.6)) | ((person_age >= 25) & (u < 0.3)))
    )
    # Invalidity pensions: a third of the disabled adults of working age who are not retired
    # (about 1.5 % of them, as the Assurance maladie's 800,000 or so invalidity pensioners).
    invalid = disabled & is_adult & (person_age < 62) & (activity != 3) & (rng.random(total) < 1 / 3)
    invalidity_pension = np.where(invalid, rng.lognormal(np.log(900), 0.35, total), 0.0).round(2)

    ids = first + np.arange(n)
    foyer_second = is_adult & (position == 1) & separate_foyers[household]
    person_columns: dict[str, Any] = {
        HOUSEHOLD: pa.array(ids[household], pa.int64()),
        WEIGHT: pa.array(np.full(total, weight), pa.float64()),
        "famille": pa.array(ids[household], pa.int64()),
        "famille_role": _roles(np.where(is_adult, 0, 1), ("parents", "enfants")),
        "foyer_fiscal": pa.array(ids[household] * 2 + foyer_second, pa.int64()),
        "foyer_fiscal_role": _roles(np.where(is_adult, 0, 1), ("declarants", "personnes_a_charge")),
        "menage": pa.array(ids[household], pa.int64()),
        "menage_role": _roles(
            np.where(position == 0, 0, np.where(is_adult, 1, 2)), ("personne_de_reference", "conjoint", "enfants")
        ),
    }
    inputs: dict[str, Any] = {
        "date_naissance": pa.array(birth, pa.date32()),
        "activite": _roles(activity, ("actif", "chomeur", "etudiant", "retraite", "inactif")),
        "statut_marital": pa.array(marital.astype(str)).dictionary_encode(),
        "salaire_net": salary,
        "salaire_imposable": (salary * NET_TO_TAXABLE["salaire"]).round(2),
        "chomage_net": unemployment,
        "chomage_imposable": (unemployment * NET_TO_TAXABLE["chomage"]).round(2),
        "retraite_nette": pension,
        "retraite_imposable": (pension * NET_TO_TAXABLE["retraite"]).round(2),
        "pensions_alimentaires_percues": alimony,
        "handicap": pa.array(disabled, pa.bool_()),
        "taux_incapacite": incapacity,
        "aah_restriction_substantielle_durable_acces_emploi": pa.array(rsdae, pa.bool_()),
        "date_debut_chomage": pa.array(np.where(activity == 1, unemployed_since, _default_date(rules)), pa.date32()),
        "ass_precondition_remplie": pa.array(ass_precondition, pa.bool_()),
        "pensions_invalidite": invalidity_pension,
    }
    person_columns.update({k: v for k, v in inputs.items() if k in rules.parameters})
    foyer_ids = np.sort(np.concatenate((ids * 2, ids[separate_foyers] * 2 + 1)))
    menage_inputs: dict[str, Any] = {
        "depcom": pa.array(depcom.astype(str)),
        "statut_occupation_logement": _roles(housing, HOUSING),
        "loyer": rent,
        "coloc": pa.array(coloc, pa.bool_()),
    }
    menage_columns = {ID: pa.array(ids, pa.int64())}
    menage_columns.update({k: v for k, v in menage_inputs.items() if k in rules.parameters})
    return {
        "individu": pa.table(person_columns),
        "famille": pa.table({ID: pa.array(ids, pa.int64())}),
        "foyer_fiscal": pa.table({ID: pa.array(foyer_ids, pa.int64())}),
        "menage": pa.table(menage_columns),
    }


def _mixture(rng: np.random.Generator, n: int, bands: Sequence[tuple[int, int, float]]) -> np.ndarray:
    """Ages drawn uniformly within bands ``(low, high, share)`` chosen by their shares."""
    band = rng.choice(len(bands), size=n, p=[b[2] for b in bands])
    lows = np.array([b[0] for b in bands])[band]
    highs = np.array([b[1] for b in bands])[band]
    ages: np.ndarray = lows + (rng.random(n) * (highs - lows)).astype(np.int64)
    return ages


def _roles(codes: np.ndarray, names: Sequence[str]) -> Any:
    """A dictionary-encoded text column from codes into ``names``."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), pa.array(list(names)))


def _default_date(rules: RuleSet) -> np.datetime64:
    d = rules.parameters.get("date_debut_chomage")
    default: np.datetime64 = np.datetime64(d.default if d is not None else "1970-01-01", "D")
    return default


def households(
    n: int,
    rules: RuleSet,
    period: Period,
    *,
    seed: int = 0,
    reference_date: dt.date | None = None,
    months: int = DEFAULT_MONTHS,
) -> Partition:
    """``n`` households drawn as :func:`generate` draws one partition, straight into the
    engine's arrays (no file), with inputs for the ``months`` months up to ``period``."""
    rng = np.random.default_rng([seed, 0])
    today = reference_date or period.start
    tables = draw_partition(rng, 0, n, today, rules, _commune_draw(partner_territories(rules)), FRANCE_HOUSEHOLDS / n)
    return partition_from_tables(tables, rules, period, months)
