"""A reference population of households, generated deterministically, to measure impacts.

When a sync finds changed rules, the registry computes every aide on these households with the
previous and the new rules and counts who gains or loses eligibility and how amounts move
(A3, A7, A8, A10). The households are synthetic: varied compositions (single people, couples,
single parents, young adults, pensioners), wages, unemployment benefits, pensions, disability,
rents and housing statuses, in communes of the Nord, the Métropole de Lyon, Paris and elsewhere.

Only the Parameters the installed rule set declares are filled in; the others keep their
defaults. Each household is one famille and one ménage (and one or two foyers fiscaux), so an
aide's values add up per household.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from mesaides.core import Period, RuleSet

GENERATOR = "households-v1"
DEFAULT_HOUSEHOLDS = 2000
DEFAULT_SEED = 20261

COMMUNES: tuple[tuple[str, str, float], ...] = (
    ("59350", "Lille", 0.10),
    ("59512", "Roubaix", 0.05),
    ("59599", "Tourcoing", 0.04),
    ("59183", "Dunkerque", 0.04),
    ("59606", "Valenciennes", 0.04),
    ("69123", "Lyon", 0.13),
    ("69266", "Villeurbanne", 0.06),
    ("69259", "Vénissieux", 0.05),
    ("75056", "Paris", 0.12),
    ("62041", "Arras", 0.04),
    ("80021", "Amiens", 0.04),
    ("02691", "Saint-Quentin", 0.03),
    ("13055", "Marseille", 0.05),
    ("33063", "Bordeaux", 0.04),
    ("31555", "Toulouse", 0.04),
    ("44109", "Nantes", 0.03),
    ("67482", "Strasbourg", 0.03),
    ("94002", "Alfortville", 0.02),
    ("92002", "Antony", 0.02),
    ("97411", "Saint-Denis (La Réunion)", 0.03),
)

HOUSING = ("locataire_hlm", "locataire_vide", "locataire_meuble", "proprietaire", "loge_gratuitement")
HOUSING_WEIGHTS = (0.25, 0.30, 0.10, 0.25, 0.10)

# Net-to-taxable conversions used by Mes Aides (see the CAF package's oracle notes).
TAXABLE_RATIO = {"salaire": 1.036529, "chomage": 1.0305, "retraite": 1.0352}


@dataclass
class ReferencePopulation:
    """The situation of every household (one OpenFisca JSON) and who belongs to which household."""

    version: str
    period: str
    households: int
    situation: dict[str, Any]
    household_of: dict[str, np.ndarray]
    """For each entity key, the household index of each of its members, in situation order."""

    def per_household(self, entity: str, values: np.ndarray) -> np.ndarray:
        """Add up an aide's values per household."""
        index = self.household_of[entity]
        return np.bincount(index, weights=np.asarray(values, dtype=float), minlength=self.households)


@dataclass
class _Person:
    pid: str
    birth: dt.date
    activite: str
    statut_marital: str
    salary: float
    unemployment: float
    pension: float
    alimony: float
    disabled: bool
    incapacity: float
    rsdae: bool
    unemployed_since: dt.date | None


def population_version(households: int, seed: int, period: str) -> str:
    return f"{GENERATOR}-n{households}-seed{seed}-{period}"


def reference_population(
    rules: RuleSet, period: str | Period, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED
) -> ReferencePopulation:
    """Generate ``households`` households for ``period`` (a month); same arguments, same households."""
    p = Period.parse(period) if isinstance(period, str) else period
    key = f"{p.year:04d}-{p.month:02d}"
    rng = np.random.default_rng([seed, p.year, p.month])
    builder = _SituationBuilder(rules, p)
    for h in range(households):
        builder.add_household(h, _draw_household(rng, h, p.start))
    situation, household_of = builder.result()
    return ReferencePopulation(population_version(households, seed, key), key, households, situation, household_of)


def _birth(rng: np.random.Generator, today: dt.date, age: int) -> dt.date:
    return today - dt.timedelta(days=int(age * 365.25 + rng.integers(1, 360)))


def _draw_adult(rng: np.random.Generator, pid: str, today: dt.date, age: int, marital: str) -> _Person:
    if age >= 64 and rng.random() < 0.85:
        activite = "retraite"
    elif age < 26 and rng.random() < 0.35:
        activite = "etudiant"
    else:
        activite = str(rng.choice(("actif", "chomeur", "inactif"), p=(0.66, 0.17, 0.17)))
    salary = unemployment = pension = 0.0
    if activite == "actif":
        full_time = rng.random() < 0.7
        salary = float(np.round(rng.lognormal(np.log(1650), 0.35) if full_time else rng.uniform(250, 1100), 2))
    elif activite == "etudiant" and rng.random() < 0.3:
        salary = float(np.round(rng.uniform(150, 700), 2))
    elif activite == "chomeur" and rng.random() < 0.65:
        unemployment = float(np.round(rng.uniform(650, 1500), 2))
    elif activite == "retraite":
        pension = float(np.round(rng.lognormal(np.log(1300), 0.4), 2))
    disabled = rng.random() < 0.05
    incapacity = float(np.round(rng.uniform(0.5, 0.95), 2)) if disabled else 0.0
    since = today - dt.timedelta(days=int(rng.integers(20, 700))) if activite == "chomeur" else None
    return _Person(
        pid,
        _birth(rng, today, age),
        activite,
        marital,
        salary,
        unemployment,
        pension,
        0.0,
        disabled,
        incapacity,
        disabled and rng.random() < 0.5,
        since,
    )


def _draw_child(rng: np.random.Generator, pid: str, today: dt.date, parent_age: int) -> _Person:
    age = int(rng.integers(0, min(21, max(parent_age - 17, 1))))
    activite = "inactif"
    if age >= 16:
        activite = str(rng.choice(("etudiant", "actif", "inactif"), p=(0.7, 0.15, 0.15)))
    salary = float(np.round(rng.uniform(200, 900), 2)) if activite == "actif" else 0.0
    return _Person(
        pid,
        _birth(rng, today, age),
        activite,
        "celibataire",
        salary,
        0.0,
        0.0,
        0.0,
        rng.random() < 0.03,
        0.0,
        False,
        None,
    )


def _draw_household(rng: np.random.Generator, h: int, today: dt.date) -> dict[str, Any]:
    kind = str(
        rng.choice(("single", "couple", "single_parent", "young", "pensioner"), p=(0.25, 0.33, 0.17, 0.15, 0.10))
    )
    if kind == "young":
        age = int(rng.integers(18, 25))
    elif kind == "pensioner":
        age = int(rng.integers(62, 90))
    else:
        age = int(rng.integers(22, 62))
    couple = kind == "couple" or (kind == "pensioner" and rng.random() < 0.5)
    union = str(rng.choice(("marie", "pacse", "concubins"), p=(0.45, 0.2, 0.35))) if couple else ""
    marital = {"marie": "marie", "pacse": "pacse"}.get(union, "celibataire")
    if not couple and kind in ("single", "single_parent", "pensioner") and age > 35:
        marital = str(rng.choice(("celibataire", "divorce", "veuf"), p=(0.5, 0.4, 0.1)))
    adults = [_draw_adult(rng, f"h{h}_p0", today, age, marital)]
    if couple:
        other_age = int(np.clip(age + rng.integers(-6, 7), 18, 95))
        adults.append(_draw_adult(rng, f"h{h}_p1", today, other_age, marital))
    n_children = 0
    if kind == "single_parent":
        n_children = 1 + int(rng.poisson(0.9))
    elif kind == "couple" and age < 55:
        n_children = int(rng.choice((0, 1, 2, 3, 4), p=(0.3, 0.25, 0.28, 0.12, 0.05)))
    children = [_draw_child(rng, f"h{h}_c{k}", today, age) for k in range(n_children)]
    if kind == "single_parent" and rng.random() < 0.35:
        adults[0].alimony = float(np.round(rng.uniform(80, 350), 2))
    codes = [c[0] for c in COMMUNES]
    weights = np.array([c[2] for c in COMMUNES])
    depcom = str(rng.choice(codes, p=weights / weights.sum()))
    housing = str(rng.choice(HOUSING, p=HOUSING_WEIGHTS))
    size = len(adults) + len(children)
    rent = 0.0
    if housing.startswith("locataire"):
        base = 330 + 120 * size + (250 if depcom == "75056" else 0)
        rent = float(np.round(base * rng.uniform(0.7, 1.4), 2))
    return {
        "adults": adults,
        "children": children,
        "union": union,
        "depcom": depcom,
        "housing": housing,
        "rent": rent,
        "coloc": kind == "young" and housing.startswith("locataire") and rng.random() < 0.3,
    }


class _SituationBuilder:
    """Writes households into one OpenFisca situation, keeping only declared Parameters."""

    def __init__(self, rules: RuleSet, period: Period):
        self.parameters = rules.parameters
        self.years = [str(y) for y in range(period.year - 2, period.year + 1)]
        self.individus: dict[str, dict[str, Any]] = {}
        self.familles: dict[str, dict[str, Any]] = {}
        self.foyers: dict[str, dict[str, Any]] = {}
        self.menages: dict[str, dict[str, Any]] = {}
        self.of: dict[str, list[int]] = {"individu": [], "famille": [], "foyer_fiscal": [], "menage": []}

    def _monthly(self, row: dict[str, Any], name: str, value: Any, amount: bool = False) -> None:
        p = self.parameters.get(name)
        if p is None:
            return
        if p.year_input is None:
            months = [f"{y}-{m:02d}" for y in self.years for m in range(1, 13)]
            row[name] = dict.fromkeys(months, value)
        elif amount and p.year_input == "divide":
            row[name] = dict.fromkeys(self.years, round(value * 12, 2))
        else:
            row[name] = dict.fromkeys(self.years, value)

    def _eternal(self, row: dict[str, Any], name: str, value: Any) -> None:
        if name in self.parameters:
            row[name] = {"ETERNITY": value}

    def _person(self, h: int, person: _Person) -> None:
        row: dict[str, Any] = {}
        self._eternal(row, "date_naissance", person.birth.isoformat())
        self._monthly(row, "activite", person.activite)
        self._monthly(row, "statut_marital", person.statut_marital)
        for kind, amount in (
            ("salaire", person.salary),
            ("chomage", person.unemployment),
            ("retraite", person.pension),
        ):
            if amount:
                net = "retraite_nette" if kind == "retraite" else f"{kind}_net"
                self._monthly(row, net, amount, amount=True)
                self._monthly(row, f"{kind}_imposable", round(amount * TAXABLE_RATIO[kind], 2), amount=True)
        if person.alimony:
            self._monthly(row, "pensions_alimentaires_percues", person.alimony, amount=True)
        if person.disabled:
            self._monthly(row, "handicap", True)
            if person.incapacity:
                self._monthly(row, "taux_incapacite", person.incapacity)
                self._monthly(row, "aah_restriction_substantielle_durable_acces_emploi", person.rsdae)
        if person.unemployed_since is not None:
            self._eternal(row, "date_debut_chomage", person.unemployed_since.isoformat())
        self.individus[person.pid] = row
        self.of["individu"].append(h)

    def add_household(self, h: int, data: dict[str, Any]) -> None:
        adults, children = data["adults"], data["children"]
        for person in (*adults, *children):
            self._person(h, person)
        parents = [a.pid for a in adults]
        kids = [c.pid for c in children]
        self.familles[f"h{h}"] = {"parents": parents, "enfants": kids}
        self.of["famille"].append(h)
        if data["union"] == "concubins":
            self.foyers[f"h{h}_f0"] = {"declarants": [parents[0]], "personnes_a_charge": kids}
            self.foyers[f"h{h}_f1"] = {"declarants": [parents[1]], "personnes_a_charge": []}
            self.of["foyer_fiscal"] += [h, h]
        else:
            self.foyers[f"h{h}_f0"] = {"declarants": parents, "personnes_a_charge": kids}
            self.of["foyer_fiscal"].append(h)
        menage: dict[str, Any] = {"personne_de_reference": parents[:1], "enfants": kids}
        if len(parents) > 1:
            menage["conjoint"] = parents[1:]
        self._monthly(menage, "depcom", data["depcom"])
        self._monthly(menage, "statut_occupation_logement", data["housing"])
        if data["rent"]:
            self._monthly(menage, "loyer", data["rent"], amount=True)
        if data["coloc"]:
            self._monthly(menage, "coloc", True)
        self.menages[f"h{h}"] = menage
        self.of["menage"].append(h)

    def result(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        situation = {
            "individus": self.individus,
            "familles": self.familles,
            "foyers_fiscaux": self.foyers,
            "menages": self.menages,
        }
        return situation, {k: np.asarray(v, dtype=np.int64) for k, v in self.of.items()}
