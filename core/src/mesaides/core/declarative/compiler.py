"""An aide file compiled to the engine's quantities, through the public API a Python partner uses.

Each aide becomes:

- when its first condition is a territory, a boolean quantity ``<aide>_territoire`` of the aide's
  entity, labelled with the territory ("Résider dans le département : Nord"): the aide is
  ``defined_for`` it, so the engine skips the aide where nobody lives there;
- the aide itself, whose formula names each other condition with ``c.check`` (a French label,
  and the sentence with its figures when it fails), then works out the amount from legislation
  values (``c.law``), per child or member matching when asked, capped when asked.

Every name the aide reads is declared in ``reads`` and every legislation path in ``law``: the
formula's names come from data, so the engine's inference cannot find them in its source, and
the declarations are exactly what the conditions read. The dependency graph, the registry's
impacts and notifications, and the explanations work as for a Python aide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mesaides.core.declarative.errors import DeclarativeError, FileProblem
from mesaides.core.declarative.model import (
    AideSpec,
    Amount,
    Condition,
    Resources,
    Territory,
    closest,
)
from mesaides.core.definitions import Aide, AideInfo, Definition, Formula, Quantity
from mesaides.core.entities import entity as entity_of
from mesaides.core.enums import Activite, Scolarite, StatutOccupationLogement
from mesaides.core.geography import name_of
from mesaides.core.legislation import LegislationNode, Series
from mesaides.core.periods import ETERNITY, MONTH, YEAR, PeriodUnit

if TYPE_CHECKING:
    from mesaides.core.context import Context

MAIN_ROLE = {"famille": "parents", "menage": "personne_de_reference", "foyer_fiscal": "declarants"}
"""The applicant of a group: its first person in this role."""
CHILD_ROLE = {"famille": "enfants", "menage": "enfants", "foyer_fiscal": "personnes_a_charge"}

CORE_NAMES: dict[str, tuple[str, PeriodUnit, tuple[str, ...]]] = {
    "age": ("individu", MONTH, ()),
    "activite": ("individu", MONTH, tuple(v.value for v in Activite)),
    "apprenti": ("individu", MONTH, ()),
    "scolarite": ("individu", MONTH, tuple(v.value for v in Scolarite)),
    "taux_incapacite": ("individu", MONTH, ()),
    "nb_parents": ("famille", MONTH, ()),
    "statut_occupation_logement": ("menage", MONTH, tuple(v.value for v in StatutOccupationLogement)),
    "depcom": ("menage", MONTH, ()),
    "departement": ("menage", MONTH, ()),
    "region": ("menage", MONTH, ()),
    "epci": ("menage", MONTH, ()),
}
"""What the condition kinds read, with the entity, period and enum values they are written for
(used when the partner providing the name is not installed: the aide is then unavailable)."""

ACTIVITE_FR = {
    "actif": "en emploi",
    "chomeur": "demandeur d'emploi",
    "etudiant": "étudiant",
    "retraite": "retraité",
    "inactif": "sans activité",
}
SCOLARITE_FR = {
    "inconnue": "scolarité inconnue",
    "maternelle": "en maternelle",
    "primaire": "à l'école primaire",
    "college": "au collège",
    "lycee": "au lycée",
    "enseignement_superieur": "dans l'enseignement supérieur",
}
LOGEMENT_FR = {
    "non_renseigne": "statut non renseigné",
    "primo_accedant": "accédant à la propriété",
    "proprietaire": "propriétaire",
    "locataire_hlm": "locataire d'un logement social (HLM)",
    "locataire_vide": "locataire d'un logement vide",
    "locataire_meuble": "locataire d'un meublé",
    "loge_gratuitement": "logé gratuitement",
    "locataire_foyer": "logé en foyer",
    "sans_domicile": "sans domicile",
}
WHO = {
    "applicant": "",
    "each": "",
    "any_member": "Un membre du foyer : ",
    "any_child": "Un enfant : ",
}


@dataclass(frozen=True)
class DeclaredAide:
    """An aide file read and validated, waiting for the rule set to compile it (the names it
    reads are known only once every partner has registered)."""

    spec: AideSpec
    file: str
    """The file, relative to its partner's package (``aides/<aide>.yaml``)."""
    absent: tuple[str, ...] = ()
    """Distributions the partner requires that are not installed: a name they would provide is
    then missing, and the aide is unavailable instead of refused."""


@dataclass
class _Scope:
    """What compiling one aide knows: the rule set's names, its legislation paths, and what the
    aide reads so far."""

    spec: AideSpec
    file: str
    definitions: Mapping[str, Definition]
    law_paths: Mapping[str, LegislationNode]
    absent: tuple[str, ...]
    reads: dict[str, None] = field(default_factory=dict)
    law: dict[str, None] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Names no installed distribution provides, while a required one is absent."""

    def problem(self, where: str, text: str) -> None:
        self.problems.append(FileProblem(self.file, self.spec.id, where, text))

    def read(self, name: str, where: str, numeric: bool = False) -> tuple[str, PeriodUnit, tuple[str, ...]] | None:
        """Declare ``name`` as read; its entity key, period and enum values."""
        self.reads[name] = None
        d = self.definitions.get(name)
        if d is None:
            if name in CORE_NAMES:
                self.missing.append(name)
                return CORE_NAMES[name]
            if self.absent:
                self.missing.append(name)
                return None
            self.problem(where, f"unknown quantity or Parameter {name!r}{closest(name, self.definitions)}")
            return None
        if numeric and d.value_type not in ("float", "int", "bool"):
            self.problem(where, f"{name} is a {d.value_type}, not a number")
            return None
        return d.entity.key, d.period, d.enum_values

    def law_value(self, path: str, where: str) -> str:
        node = self.law_paths.get(path)
        if node is None:
            self.problem(where, f"unknown legislation value {path!r}{closest(path, self.law_paths)}")
        elif not isinstance(node, Series):
            self.problem(where, f"{path} is a scale, not a value")
        self.law[path] = None
        return path


# ---- Reading on the aide's entity ---------------------------------------------------------------


class _Reader:
    """How the aide's formula reads a name on its own entity (a person's aide reads its groups'
    values; a group's aide reads its applicant's, its members' or another group's)."""

    def __init__(self, aide_entity: str, aide_period: PeriodUnit):
        self.entity = aide_entity
        self.period = aide_period

    def at(self, c: Context, unit: PeriodUnit, choice: str | None = None) -> Any:
        """The period to read a name of period ``unit`` at."""
        if unit is ETERNITY:
            return None
        if choice is None:
            if unit is self.period:
                return None
            return c.period.first_month if unit is MONTH else c.period.this_year
        if choice == "this_month":
            return None if self.period is MONTH else c.period.first_month
        if choice == "last_month":
            return c.period.last_month if self.period is MONTH else c.period.first_month.last_month
        if choice == "this_year":
            return c.period.this_year
        if choice == "last_year":
            return c.period.this_year.offset(-1)
        return c.period.n_2

    def value(self, c: Context, name: str, source: str, period: Any) -> np.ndarray:
        """A group's value (or the applicant's, for a person's name read by a group)."""
        if source == self.entity or self.entity == "individu":
            return c(name, period)
        return c.members(name, period).first(MAIN_ROLE[self.entity])

    def persons(
        self, c: Context, name: str, source: str, period: Any, test: Callable[[np.ndarray], np.ndarray], of: str
    ) -> np.ndarray:
        """Whether the person (``of``: the applicant, any member, any child) passes ``test``."""
        if self.entity == "individu" or source != "individu":
            return np.asarray(test(self.value(c, name, source, period)), dtype=bool)
        passed = c.per_member(np.asarray(test(c.members(name, period).values), dtype=bool))
        if of == "any_member":
            return passed.any()
        if of == "any_child":
            return passed.any(CHILD_ROLE[self.entity])
        return passed.first(MAIN_ROLE[self.entity], default=False)

    def applicant(self, c: Context, name: str, source: str, period: Any) -> np.ndarray:
        """The applicant's value, for the figures of a sentence."""
        return self.value(c, name, source, period)

    def children(self, c: Context, age_min: int | None, age_max: int | None, unit: PeriodUnit) -> np.ndarray:
        """How many children of the group (aged ``age_min`` to ``age_max``)."""
        if self.entity == "individu":
            return c.group("famille").nb_members("enfants")
        role = CHILD_ROLE[self.entity]
        if age_min is None and age_max is None:
            return c.nb_members(role)
        ages = c.members("age", self.at(c, unit)).values
        return c.per_member(_in_range(ages, age_min, age_max)).count(role)

    def members(self, c: Context, age_min: int | None, age_max: int | None, unit: PeriodUnit) -> np.ndarray:
        ages = c.members("age", self.at(c, unit)).values
        return c.per_member(_in_range(ages, age_min, age_max)).count()


def _in_range(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    result = np.ones(values.shape, dtype=bool)
    if low is not None:
        result &= values >= low
    if high is not None:
        result &= values <= high
    return result


# ---- Conditions ---------------------------------------------------------------------------------

Test = Callable[["Context"], tuple[np.ndarray, dict[str, Any]]]


@dataclass(frozen=True)
class _Check:
    label: str
    otherwise: str | None
    test: Test
    codes: tuple[str, ...] = ()
    """A territory's INSEE codes, for the population generator to cover it."""


def _ages(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"entre {low} et {high} ans"
    if low is not None:
        return f"au moins {low} ans"
    return f"au plus {high} ans"


def _aged(low: int | None, high: int | None) -> str:
    """`` d'au plus 17 ans``, `` de 3 à 17 ans``, or nothing when no age is given."""
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f" de {low} à {high} ans"
    return f" d'au moins {low} ans" if low is not None else f" d'au plus {high} ans"


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " ou " + words[-1]


def _compile(condition: Condition, where: str, scope: _Scope, reader: _Reader) -> _Check | None:
    kind = condition.kind
    body = condition.body
    at = f"{where}.{kind}"
    check = _KINDS[kind](body, at, scope, reader)
    if check is None:
        return None
    return _Check(condition.label or check.label, condition.otherwise or check.otherwise, check.test, check.codes)


def _territory(body: Territory, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    parts: list[tuple[str, str, list[str]]] = []  # (quantity read, its entity, codes)
    words: list[str] = []
    if body.communes:
        parts.append(("depcom", "menage", body.communes))
        words.append(
            ("dans la commune " if len(body.communes) == 1 else "dans l'une des communes ") + ", ".join(body.communes)
        )
    for key, codes, one, several in (
        ("departement", body.departements, "dans le département : ", "dans l'un des départements : "),
        ("region", body.regions, "dans la région : ", "dans l'une des régions : "),
        ("epci", body.epcis, "dans le territoire de : ", "dans l'un des territoires : "),
    ):
        if codes:
            parts.append((key, "menage", codes))
            words.append((one if len(codes) == 1 else several) + ", ".join(name_of(key, c) or c for c in codes))
    for key, _, _ in parts:
        scope.read(key, at)

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        inside = np.zeros(c.size, dtype=bool)
        for key, source, codes in parts:
            period = reader.at(c, MONTH)
            if source == reader.entity or reader.entity == "individu":
                inside |= c.among(key, codes, period)
            else:
                inside |= np.isin(np.asarray(reader.value(c, key, source, period)).astype(str), codes)
        return inside, {}

    every_code = tuple(code for _, _, listed in parts for code in listed)
    return _Check("Résider " + " ou ".join(words), "votre commune n'est pas dans ce territoire", test, every_code)


def _person_kind(
    name: str,
    predicate: Callable[[np.ndarray, tuple[str, ...]], np.ndarray],
    label: str,
    otherwise: str,
    figure: str | None = None,
) -> Callable[[Any, str, _Scope, _Reader], _Check | None]:
    """A condition on a person's value (``of`` says whose)."""

    def build(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
        found = scope.read(name, at)
        if found is None:
            return None
        source, unit, enum_values = found
        of = body.of
        who = WHO[of]

        def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
            period = reader.at(c, unit)
            passed = reader.persons(c, name, source, period, lambda v: predicate(v, enum_values), of)
            figures: dict[str, Any] = {}
            if figure is not None and of in ("applicant", "each"):
                figures[figure] = reader.applicant(c, name, source, period)
            return passed, figures

        sentence = otherwise if of in ("applicant", "each") else "aucune personne concernée ne remplit cette condition"
        return _Check(who + label if who else label[:1].upper() + label[1:], sentence, test)

    return build


def _codes(values: list[str], enum_values: tuple[str, ...]) -> list[int]:
    return [enum_values.index(v) for v in values if v in enum_values]


def _age(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    ages = _ages(body.min, body.max)
    build = _person_kind(
        "age",
        lambda v, _: _in_range(v, body.min, body.max),
        f"avoir {ages}",
        ("vous avez {age} ans" if reader.entity == "individu" else "le demandeur a {age} ans"),
        figure="age",
    )
    check = build(body, at, scope, reader)
    if check is None or body.of in ("applicant", "each"):
        return check
    # The figure is the applicant's age: among members there is none to give.
    return _Check(check.label, f"aucune personne concernée n'a {ages}", check.test)


def _activity(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    words = _or([ACTIVITE_FR[v] for v in body.in_])
    return _person_kind(
        "activite",
        lambda v, values: np.isin(v, _codes(body.in_, values)),
        f"être {words}",
        f"votre situation n'est pas : {words}",
    )(body, at, scope, reader)


def _apprentice(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    return _person_kind(
        "apprenti", lambda v, _: np.asarray(v, dtype=bool), "être apprenti", "vous n'êtes pas apprenti"
    )(body, at, scope, reader)


def _school(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    words = _or([SCOLARITE_FR[v] for v in body.in_])
    return _person_kind(
        "scolarite",
        lambda v, values: np.isin(v, _codes(body.in_, values)),
        f"être scolarisé {words}",
        f"la scolarité n'est pas : {words}",
    )(body, at, scope, reader)


def _disability(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    rate = f"{body.min_rate * 100:g} %"
    return _person_kind(
        "taux_incapacite",
        lambda v, _: np.asarray(v, dtype=float) >= body.min_rate - 1e-9,
        f"avoir un taux d'incapacité d'au moins {rate}",
        f"le taux d'incapacité ({{taux:%}}) est inférieur à {rate}",
        figure="taux",
    )(body, at, scope, reader)


def _children(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    if body.age_min is not None or body.age_max is not None:
        scope.read("age", at)
    ages = _aged(body.age_min, body.age_max)
    count = f"au moins {body.min}" if body.max is None else f"entre {body.min} et {body.max}"

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        n = np.asarray(reader.children(c, body.age_min, body.age_max, MONTH), dtype=np.int64)
        ok = n >= body.min
        if body.max is not None:
            ok &= n <= body.max
        return ok, {"enfants": n}

    return _Check(
        f"Avoir {count} enfant{'s' if body.min > 1 or body.max else ''}{ages}",
        f"le foyer compte {{enfants}} enfant(s){ages}",
        test,
    )


def _parents(c: Context, reader: _Reader, found: tuple[str, PeriodUnit, tuple[str, ...]]) -> np.ndarray:
    source, unit, _ = found
    return np.asarray(reader.value(c, "nb_parents", source, reader.at(c, unit)))


def _single_parent(body: bool, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    found = scope.read("nb_parents", at)
    if found is None:
        return None

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        single = (_parents(c, reader, found) == 1) & (reader.children(c, None, None, MONTH) >= 1)
        return (single if body else ~single), {}

    if body:
        return _Check("Élever seul ses enfants", "vous n'élevez pas seul vos enfants", test)
    return _Check("Ne pas être parent isolé", "vous élevez seul vos enfants", test)


def _couple(body: bool, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    found = scope.read("nb_parents", at)
    if found is None:
        return None

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        couple = _parents(c, reader, found) == 2
        return (couple if body else ~couple), {}

    if body:
        return _Check("Vivre en couple", "vous ne vivez pas en couple", test)
    return _Check("Vivre seul (sans conjoint)", "vous vivez en couple", test)


PERIOD_CHOICES = {MONTH: ("this_month", "last_month"), YEAR: ("this_year", "last_year", "year_n_2")}
PERIOD_FR = {
    "this_month": "du mois",
    "last_month": "du mois précédent",
    "this_year": "de l'année",
    "last_year": "de l'année précédente",
    "year_n_2": "de l'année N-2",
}


def _resources(body: Resources, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    name = body.quantity
    found = scope.read(name, f"{at}.quantity", numeric=True)
    ceiling = scope.law_value(body.max.law, f"{at}.max.law") if body.max else None
    floor = scope.law_value(body.min.law, f"{at}.min.law") if body.min else None
    if found is None:
        return None
    source, unit, _ = found
    choice = body.period
    if choice is None and unit is YEAR:
        choice = "year_n_2"
    if choice is not None and unit in PERIOD_CHOICES and choice not in PERIOD_CHOICES[unit]:
        scope.problem(
            f"{at}.period",
            f"{name} is {'monthly' if unit is MONTH else 'yearly'}: use {' or '.join(PERIOD_CHOICES[unit])}",
        )
        return None
    d = scope.definitions.get(name)
    what = d.label if d is not None else name
    when = f" {PERIOD_FR[choice]}" if choice else ""
    said = what[:1].lower() + what[1:]

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        value = np.asarray(reader.value(c, name, source, reader.at(c, unit, choice)), dtype=float)
        ok = np.ones(value.shape, dtype=bool)
        figures: dict[str, Any] = {"montant": value}
        if ceiling is not None:
            figures["plafond"] = float(c.law(ceiling))
            ok &= value <= figures["plafond"]
        if floor is not None:
            figures["plancher"] = float(c.law(floor))
            ok &= value >= figures["plancher"]
        return ok, figures

    if ceiling is not None and floor is not None:
        label = f"{what}{when} entre le plancher et le plafond de l'aide"
        sentence = f"{said}{when} : {{montant}}, hors de l'intervalle de {{plancher}} à {{plafond}}"
    elif ceiling is not None:
        label = f"{what}{when} sous le plafond de l'aide"
        sentence = f"{said}{when} : {{montant}}, au-dessus du plafond de {{plafond}}"
    else:
        label = f"{what}{when} au moins égal au plancher de l'aide"
        sentence = f"{said}{when} : {{montant}}, sous le plancher de {{plancher}}"
    return _Check(label, sentence, test)


def _receives(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    sources: list[tuple[str, str, PeriodUnit]] = []
    for i, name in enumerate(body.any_of):
        found = scope.read(name, f"{at}.any_of[{i}]", numeric=True)
        if found is not None:
            sources.append((name, found[0], found[1]))
    if len(sources) != len(body.any_of):
        return None
    labels = [d.label if (d := scope.definitions.get(n)) is not None else n for n in body.any_of]

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        receives = np.zeros(c.size, dtype=bool)
        for name, source, unit in sources:
            period = reader.at(c, unit)
            if source == reader.entity or reader.entity == "individu":
                receives |= np.asarray(c(name, period), dtype=float) > 0
            else:
                receives |= c.per_member(np.asarray(c.members(name, period).values, dtype=float) > 0).any()
        return receives, {}

    return _Check("Percevoir : " + _or(labels), "le foyer ne perçoit pas : " + _or(labels), test)


def _housing(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    found = scope.read("statut_occupation_logement", at)
    if found is None:
        return None
    source, unit, enum_values = found
    words = _or([LOGEMENT_FR[v] for v in body.in_])
    codes = _codes(body.in_, enum_values)

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        values = reader.value(c, "statut_occupation_logement", source, reader.at(c, unit))
        return np.isin(values, codes), {}

    return _Check(f"Être {words}", f"votre logement n'est pas : {words}", test)


def _flag(body: Any, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    name = body.quantity
    found = scope.read(name, f"{at}.quantity", numeric=True)
    if found is None:
        return None
    source, unit, _ = found
    d = scope.definitions.get(name)
    what = d.label if d is not None else name
    of = body.of
    if source != "individu" and of not in ("applicant", "each"):
        scope.problem(f"{at}.of", f"{name} is a value of the {source}, not of each person: leave of out")
        return None

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        period = reader.at(c, unit)
        return reader.persons(c, name, source, period, lambda v: np.asarray(v) != 0, of), {}

    who = WHO[of]
    return _Check(f"{who}{what}" if who else what, f"non : {what[:1].lower()}{what[1:]}", test)


def _any_of(body: list[Condition], at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    checks = [_compile(sub, f"{at}[{i}]", scope, reader) for i, sub in enumerate(body)]
    if any(ch is None for ch in checks):
        return None
    parts = [ch for ch in checks if ch is not None]

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        result = np.zeros(c.size, dtype=bool)
        for part in parts:
            result |= part.test(c)[0]
        return result, {}

    labels = [p.label[:1].lower() + p.label[1:] for p in parts]
    return _Check("Au moins une condition : " + " ; ".join(labels), "aucune de ces conditions n'est remplie", test)


def _not(body: Condition, at: str, scope: _Scope, reader: _Reader) -> _Check | None:
    inner = _compile(body, at, scope, reader)
    if inner is None:
        return None

    def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
        return ~inner.test(c)[0], {}

    label = inner.label[:1].lower() + inner.label[1:]
    return _Check(f"Ne pas remplir la condition : {label}", f"la condition « {label} » est remplie", test)


_KINDS: dict[str, Callable[[Any, str, _Scope, _Reader], _Check | None]] = {
    "territory": _territory,
    "age": _age,
    "activity": _activity,
    "apprentice": _apprentice,
    "school": _school,
    "disability": _disability,
    "children": _children,
    "single_parent": _single_parent,
    "couple": _couple,
    "resources": _resources,
    "receives": _receives,
    "housing": _housing,
    "flag": _flag,
    "any_of": _any_of,
    "not": _not,
}


# ---- The aide's formula -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Program:
    """What an aide's formula does: its conditions as checks, then its amount."""

    checks: tuple[_Check, ...]
    amount: Callable[[Context, np.ndarray], np.ndarray] | None

    def run(self, c: Context) -> np.ndarray:
        eligible = np.ones(c.size, dtype=bool)
        for check in self.checks:
            passed, figures = check.test(c)
            eligible &= c.check(check.label, passed, check.otherwise, **figures)
        if self.amount is None:
            return eligible
        return np.where(eligible, self.amount(c, eligible), 0.0)


@dataclass(frozen=True)
class _Territory:
    check: _Check

    def run(self, c: Context) -> np.ndarray:
        return self.check.test(c)[0]


def _formula_of(program: _Program | _Territory) -> Callable[[Context], np.ndarray]:
    # The names read come from the aide's file and are declared in ``reads``/``law``: the
    # engine's inference finds none here (``program`` is not a function it can follow).
    def formula(c: Context) -> np.ndarray:
        return program.run(c)

    if isinstance(program, _Territory):
        # What a Python formula's constants say: the codes it compares the geography with
        # (mesaides.core.populations.territories reads them to cover the territory).
        formula.territory_codes = program.check.codes  # type: ignore[attr-defined]
    return formula


def _amount(spec: AideSpec, scope: _Scope, reader: _Reader) -> tuple[Callable[..., np.ndarray], _Check | None]:
    amount: Amount = spec.amount  # type: ignore[assignment]
    value = scope.law_value(amount.value.law, "amount.value.law")
    cap = scope.law_value(amount.cap.law, "amount.cap.law") if amount.cap else None
    per = amount.per
    count_check: _Check | None = None
    counter: Callable[[Context], np.ndarray] | None = None
    if per is not None:
        scope.read("age", "amount.per")
        if per.children is not None:
            low, high = per.children.age_min, per.children.age_max
            ages = _aged(low, high)

            def counter(c: Context) -> np.ndarray:
                return np.asarray(reader.children(c, low, high, MONTH), dtype=np.int64)

            what = f"enfant{ages}"
        else:
            members = per.members
            low, high = members.age.min, members.age.max  # type: ignore[union-attr]

            def counter(c: Context) -> np.ndarray:
                return np.asarray(reader.members(c, low, high, MONTH), dtype=np.int64)

            what = f"personne{_aged(low, high)}"
        count = counter

        def test(c: Context) -> tuple[np.ndarray, dict[str, Any]]:
            n = count(c)
            return n >= 1, {"nombre": n}

        # Necessary, and the one reason a per-person amount is nil when the rest holds.
        count_check = _Check(f"Au moins un(e) {what}", f"le foyer ne compte aucun(e) {what}", test)

    def compute(c: Context, eligible: np.ndarray) -> np.ndarray:
        result = np.full(c.size, float(c.law(value)))
        if counter is not None:
            result = result * counter(c)
        if cap is not None:
            result = np.minimum(result, float(c.law(cap)))
        return result

    return compute, count_check


def compile_aide(
    declared: DeclaredAide, definitions: Mapping[str, Definition], law_paths: Mapping[str, LegislationNode]
) -> list[Quantity]:
    """The aide and its territory quantity, with exact ``reads`` and ``law``.

    :raises DeclarativeError: a name or a legislation value that does not exist, with the file,
        the aide, the field and the closest name.
    """
    spec = declared.spec
    scope = _Scope(spec, declared.file, definitions, law_paths, declared.absent)
    unit = MONTH if spec.period == "month" else YEAR
    reader = _Reader(spec.entity, unit)
    conditions = list(spec.conditions)
    territory: _Check | None = None
    territory_reads: tuple[str, ...] = ()
    if conditions[0].territory is not None:
        before = dict(scope.reads)
        territory = _compile(conditions[0], "conditions[0]", scope, reader)
        territory_reads = tuple(n for n in scope.reads if n not in before)
        scope.reads = before
        conditions = conditions[1:]
    checks = [
        _compile(cond, f"conditions[{i + (territory is not None)}]", scope, reader) for i, cond in enumerate(conditions)
    ]
    amount = None
    if spec.amount is not None:
        amount, count_check = _amount(spec, scope, reader)
        if count_check is not None:
            checks.append(count_check)
    if scope.problems:
        raise DeclarativeError(scope.problems)
    info = _info(
        spec, declared.file, [*(t.label for t in (territory,) if t is not None), *(ch.label for ch in checks if ch)]
    )
    name = spec.id
    quantities: list[Quantity] = []
    defined_for = None
    if territory is not None:
        defined_for = f"{name}_territoire"
        info = info.model_copy(update={"territory": defined_for})  # listed only where people live there
        quantities.append(
            Quantity(
                name=defined_for,
                entity=entity_of(spec.entity),
                period=unit,
                value_type="bool",
                label=territory.label,
                reads=territory_reads,
                formulas=(Formula(function=_formula_of(_Territory(territory))),),
                description=f"Le territoire de l'aide {name} ({declared.file}).",
            )
        )
    if scope.missing:
        # A name from an absent distribution the partner requires: the graph reports the aide
        # unavailable with that reason, and the engine never runs this formula.
        formula = _formula_of(_Program((), None))
    else:
        formula = _formula_of(_Program(tuple(ch for ch in checks if ch is not None), amount))
    reads = tuple(scope.reads) or territory_reads
    quantities.append(
        Aide(
            name=name,
            entity=entity_of(spec.entity),
            period=unit,
            value_type=spec.type,
            label=spec.label,
            reads=reads,
            law=tuple(scope.law),
            defined_for=defined_for,
            minimum=0.0 if spec.type == "float" else None,
            references=tuple(str(r.url) for r in spec.legal_references),
            formulas=(Formula(function=formula),),
            description=spec.description,
            info=info,
        )
    )
    return quantities


def _info(spec: AideSpec, file: str, conditions: list[str]) -> AideInfo:
    return AideInfo(
        label=spec.label,
        description=spec.description,
        institution=spec.institution,
        periodicity=spec.periodicity,
        public_page=spec.public_page,
        apply=tuple(spec.apply),
        legal_references=tuple(spec.legal_references),
        documentation=spec.documentation,
        verification=spec.verification,
        conditions=tuple(conditions),
        source=file,
    )
