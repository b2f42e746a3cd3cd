"""The questionnaire: the operator's questions (``questions.yaml``), which of them to ask given
the enabled aides and the answers so far, validation in plain French, and the OpenFisca
situation the answers describe.

Answers are kept as typed (strings keyed by form field name, such as ``demandeur.salaire_net``)
so that a page re-rendered after an error shows exactly what the person wrote; they are parsed
into Parameter values only to validate them and to build the situation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mesaides.core import RuleSet
from mesaides.web.communes import Commune, communes

Who = Literal["foyer", "menage", "demandeur", "adultes", "enfants", "personnes"]
Widget = Literal["radio", "select", "checkbox", "date", "money", "integer", "commune"]

COUPLE_VALUES = ("marie", "pacse", "union_libre")
MAX_CHILDREN = 12
MAX_MONTHLY_AMOUNT = 100_000


# ---- The operator's file ------------------------------------------------------------------------


class Option(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str
    label: str


FillMonths = Literal["all", "last_3", "current"]


class Fill(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    factor: float | None = None
    map: dict[str, Any] | None = None
    to: Who | None = None
    months: FillMonths = "all"
    """``all``: every month of the window; ``last_3``: the three months before the current one
    (an aide the household already receives, given to the engine for the months it was paid);
    ``current``: the current month only (a state of now, such as a pregnancy)."""


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    step: str
    who: Who
    widget: Widget
    label: str
    help: str = ""
    required: bool = False
    structural: bool = False
    default: str | None = None
    options: tuple[Option, ...] = ()
    fills: dict[str, Fill] = Field(default_factory=dict)
    when: dict[str, Any] = Field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    min_age: int | None = None
    max_age: int | None = None
    not_future: bool = False

    @model_validator(mode="before")
    @classmethod
    def _empty_fills(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("fills"), dict):
            data = {**data, "fills": {k: (v or {}) for k, v in data["fills"].items()}}
        return data

    @model_validator(mode="after")
    def _options(self) -> Question:
        if self.widget in ("radio", "select") and not self.options:
            raise ValueError(f"question {self.id}: a {self.widget} needs options")
        if not self.fills and not self.structural:
            raise ValueError(f"question {self.id}: fills no Parameter and is not structural")
        return self

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


class Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    intro: str = ""


class QuestionsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    window_start: str
    steps: tuple[Step, ...]
    questions: tuple[Question, ...]

    @model_validator(mode="after")
    def _consistent(self) -> QuestionsFile:
        steps = {s.id for s in self.steps}
        ids = [q.id for q in self.questions]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate question ids: {sorted(duplicates)}")
        for q in self.questions:
            if q.step not in steps:
                raise ValueError(f"question {q.id}: unknown step {q.step!r}")
            for key in q.when:
                if key not in ("couple", "enfants", "age_min") and key not in ids:
                    raise ValueError(f"question {q.id}: condition on unknown question {key!r}")
        return self


def load_questions(text: str | None = None) -> QuestionsFile:
    if text is None:
        text = (files("mesaides.web") / "questions.yaml").read_text(encoding="utf-8")
    return QuestionsFile.model_validate(yaml.safe_load(text))


# ---- Persons ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Whom a field is about: the household (``foyer``), the home (``menage``) or a person."""

    key: str
    label: str
    kind: Literal["foyer", "menage", "adulte", "enfant"]

    @property
    def is_person(self) -> bool:
        return self.kind in ("adulte", "enfant")


FOYER = Subject("foyer", "Votre foyer", "foyer")
MENAGE = Subject("menage", "Votre logement", "menage")
DEMANDEUR = Subject("demandeur", "Vous", "adulte")
CONJOINT = Subject("conjoint", "Votre conjoint(e)", "adulte")


def child(rank: int) -> Subject:
    ordinal = "1er" if rank == 1 else f"{rank}e"
    return Subject(f"enfant{rank}", f"Votre {ordinal} enfant", "enfant")


def is_couple(answers: Mapping[str, str]) -> bool:
    return answers.get("foyer.situation_familiale", "") in COUPLE_VALUES


def nb_children(answers: Mapping[str, str]) -> int:
    try:
        n = int(str(answers.get("foyer.nb_enfants", "0")).strip() or 0)
    except ValueError:
        return 0
    return max(0, min(n, MAX_CHILDREN))


def subjects(answers: Mapping[str, str]) -> list[Subject]:
    persons = [DEMANDEUR] + ([CONJOINT] if is_couple(answers) else [])
    return [FOYER, *persons, *(child(i) for i in range(1, nb_children(answers) + 1)), MENAGE]


def subjects_for(who: str, answers: Mapping[str, str]) -> list[Subject]:
    everyone = subjects(answers)
    if who == "foyer":
        return [FOYER]
    if who == "menage":
        return [MENAGE]
    if who == "demandeur":
        return [DEMANDEUR]
    if who == "adultes":
        return [s for s in everyone if s.kind == "adulte"]
    if who == "enfants":
        return [s for s in everyone if s.kind == "enfant"]
    return [s for s in everyone if s.is_person]


# ---- Parsing what people type -------------------------------------------------------------------

_DATE_FR = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class Invalid(ValueError):
    """An answer that cannot be used; the message is shown next to the field (French)."""


def parse_date(raw: str) -> dt.date:
    text = raw.strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            return dt.date.fromisoformat(text)
        m = _DATE_FR.match(text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        raise Invalid(f"« {text} » n'est pas une date qui existe : vérifiez le jour et le mois.") from None
    raise Invalid(f"« {text} » n'est pas une date : écrivez-la au format JJ/MM/AAAA, par exemple 14/07/1990.")


def parse_money(raw: str) -> float:
    text = raw.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    elif _THOUSANDS.match(text):
        text = text.replace(".", "")
    try:
        value = float(text)
    except ValueError:
        raise Invalid(
            f"« {raw.strip()} » n'est pas un montant : écrivez un nombre, par exemple 850 ou 850,50."
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Invalid("Écrivez un montant en euros, par exemple 850 ou 850,50.")
    if value < 0:
        raise Invalid("Le montant ne peut pas être négatif.")
    return round(value, 2)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_REQUIRED = {
    "date": "Indiquez une date au format JJ/MM/AAAA.",
    "money": "Indiquez un montant en euros.",
    "integer": "Indiquez un nombre.",
    "radio": "Choisissez une réponse.",
    "select": "Choisissez une réponse.",
    "commune": "Indiquez le code postal, le code INSEE ou le nom de votre commune.",
    "checkbox": "Cochez la case.",
}


@dataclass
class CommuneResolution:
    commune: Commune | None = None
    candidates: list[Commune] = field(default_factory=list)


def resolve_commune(typed: str, chosen: str) -> CommuneResolution:
    """The commune meant by ``typed`` (and ``chosen``, the INSEE code picked among several)."""
    table = communes()
    found = table.search(typed)
    if chosen and any(c.insee == chosen for c in found):
        return CommuneResolution(commune=table.get(chosen), candidates=found)
    if len(found) == 1:
        return CommuneResolution(commune=found[0], candidates=found)
    exact = [c for c in found if c.nom.lower() == typed.strip().lower()]
    if len(exact) == 1 and not typed.strip().isdigit():
        return CommuneResolution(commune=exact[0], candidates=found)
    return CommuneResolution(commune=None, candidates=found)


def parse(q: Question, raw: str, today: dt.date, *, chosen: str = "") -> Any:
    """The value of an answer, or ``None`` when left empty (and allowed to be).

    :raises Invalid: with the message to show next to the field.
    """
    raw = (raw or "").strip()
    if q.widget == "checkbox":
        return raw in ("1", "on", "oui", "true")
    if not raw:
        if q.required:
            raise Invalid(_REQUIRED[q.widget])
        return None
    if q.widget in ("radio", "select"):
        if raw not in {o.value for o in q.options}:
            raise Invalid("Choisissez une des réponses proposées.")
        return raw
    if q.widget == "integer":
        try:
            count = int(raw)
        except ValueError:
            raise Invalid(f"« {raw} » n'est pas un nombre entier : écrivez par exemple 2.") from None
        low, high = int(q.min if q.min is not None else 0), int(q.max if q.max is not None else 10**6)
        if not low <= count <= high:
            raise Invalid(f"Indiquez un nombre entre {low} et {high}.")
        return count
    if q.widget == "money":
        amount = parse_money(raw)
        if q.min_exclusive is not None and amount <= q.min_exclusive:
            raise Invalid(f"Indiquez un montant supérieur à {q.min_exclusive:g} €.")
        if amount > MAX_MONTHLY_AMOUNT:
            raise Invalid("Ce montant paraît très élevé pour un mois : indiquez un montant mensuel.")
        return amount
    if q.widget == "date":
        day = parse_date(raw)
        if day > today:
            raise Invalid("Cette date est dans le futur : vérifiez-la.")
        if q.min_age is not None and age_on(day, today) < q.min_age:
            raise Invalid(f"Cette date donne moins de {q.min_age} ans : vérifiez l'année.")
        if q.max_age is not None and age_on(day, today) >= q.max_age:
            if q.who == "enfants":
                raise Invalid(
                    f"Un enfant à charge a moins de {q.max_age} ans : vérifiez l'année, ou ne le comptez pas "
                    "parmi vos enfants à charge."
                )
            raise Invalid(f"Cette date donne {q.max_age} ans ou plus : vérifiez l'année.")
        if day.year < 1900:
            raise Invalid("Vérifiez l'année de cette date.")
        return day
    if q.widget == "commune":
        resolution = resolve_commune(raw, chosen)
        if resolution.commune is not None:
            return resolution.commune
        if not resolution.candidates:
            raise Invalid(f"Aucune commune ne correspond à « {raw} » : vérifiez le code postal ou le nom.")
        raise Invalid(f"Plusieurs communes correspondent à « {raw} » : choisissez la vôtre dans la liste.")
    raise Invalid("Réponse non reconnue.")


# ---- Fields of a step ---------------------------------------------------------------------------


@dataclass
class FormField:
    """One question about one subject, as a form shows it."""

    question: Question
    subject: Subject
    value: str
    error: str | None = None
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    """Conditions on fields of the same page: field name -> answers showing this one (the page's
    script hides the field while they do not hold; without script it is shown with its help)."""
    candidates: list[Commune] = field(default_factory=list)
    chosen: str = ""
    resolved: Commune | None = None

    @property
    def name(self) -> str:
        return f"{self.subject.key}.{self.question.id}"

    @property
    def html_id(self) -> str:
        return "q-" + self.name.replace(".", "-")


@dataclass
class Group:
    subject: Subject
    fields: list[FormField]


def read_by(rules: RuleSet, aide: str) -> set[str]:
    """What the answers may give for ``aide``: the Parameters it reads, and the quantities it
    reads or is (a value given for a computed quantity is taken as given: an aide the household
    already receives)."""
    return {n for n in rules.graph.upstream(aide) | {aide} if n in rules.parameters or n in rules.quantities}


class Questionnaire:
    """The operator's questions narrowed to what the enabled aides read."""

    def __init__(self, spec: QuestionsFile, rules: RuleSet, enabled_aides: Iterable[str]):
        self.spec = spec
        self.rules = rules
        self.enabled = list(enabled_aides)
        self.needed: set[str] = set()
        for aide in self.enabled:
            self.needed |= read_by(rules, aide)
        self.problems: list[str] = []
        self.questions: list[Question] = []
        for q in spec.questions:
            fills = {p: f for p, f in q.fills.items() if p in rules.parameters or p in rules.quantities}
            for p in set(q.fills) - set(fills):
                self.problems.append(f"question {q.id}: {p!r} is not declared by any installed package")
            if q.structural or any(p in self.needed for p in fills):
                self.questions.append(q.model_copy(update={"fills": fills}))
        self.by_id = {q.id: q for q in self.questions}
        self.window_start = dt.date.fromisoformat(spec.window_start + "-01")

    # ---- which questions ----------------------------------------------------------------------

    def _answer(self, key: str, subject: Subject, answers: Mapping[str, str]) -> str:
        for owner in (subject.key, "foyer", "menage"):
            name = f"{owner}.{key}"
            if name in answers:
                return answers[name]
        q = self.by_id.get(key)
        return (q.default or "") if q else ""

    def _condition_step(self, key: str) -> str | None:
        if key in ("couple", "enfants"):
            return "foyer"
        if key == "age_min":
            return self.by_id["date_naissance"].step if "date_naissance" in self.by_id else None
        q = self.by_id.get(key)
        return q.step if q else None

    def holds(
        self, q: Question, subject: Subject, answers: Mapping[str, str], today: dt.date, *, skip_step: str | None = None
    ) -> bool:
        """Whether ``q`` applies to ``subject`` given ``answers`` (conditions on ``skip_step``'s
        questions are left out: the page decides those)."""
        for key, wanted in q.when.items():
            if skip_step is not None and self._condition_step(key) == skip_step:
                continue
            if key == "couple":
                ok = is_couple(answers) == bool(wanted)
            elif key == "enfants":
                ok = (nb_children(answers) > 0) == bool(wanted)
            elif key == "age_min":
                ok = self._age(subject, answers, today) >= int(wanted)
            else:
                if key not in self.by_id:
                    return False  # a condition on a question not asked here: its default is unknown
                values = [str(v) for v in (wanted if isinstance(wanted, list) else [wanted])]
                ok = self._answer(key, subject, answers) in values
            if not ok:
                return False
        return True

    def _age(self, subject: Subject, answers: Mapping[str, str], today: dt.date) -> int:
        for qid in ("date_naissance", "enfant_date_naissance"):
            raw = answers.get(f"{subject.key}.{qid}", "")
            if raw:
                try:
                    return age_on(parse_date(raw), today)
                except Invalid:
                    return -1
        return -1

    def fields(self, step: str, answers: Mapping[str, str], today: dt.date) -> list[FormField]:
        """The fields a step shows, in the order of the file then of the persons."""
        out: list[FormField] = []
        for subject in subjects(answers):
            for q in self.questions:
                if q.step != step or subject not in subjects_for(q.who, answers):
                    continue
                if not self.holds(q, subject, answers, today, skip_step=step):
                    continue
                name = f"{subject.key}.{q.id}"
                value = answers.get(name)
                if value is None:
                    value = q.default or ""
                f = FormField(question=q, subject=subject, value=value)
                for key, wanted in q.when.items():
                    if key in self.by_id and self.by_id[key].step == step:
                        owner = self._owner_of(key, subject, answers)
                        f.depends_on[f"{owner}.{key}"] = [
                            str(v) for v in (wanted if isinstance(wanted, list) else [wanted])
                        ]
                if q.widget == "commune":
                    f.chosen = answers.get(f"{name}_choix", "")
                    if f.value.strip():
                        resolution = resolve_commune(f.value, f.chosen)
                        f.resolved, f.candidates = resolution.commune, resolution.candidates
                out.append(f)
        return out

    def _owner_of(self, key: str, subject: Subject, answers: Mapping[str, str]) -> str:
        q = self.by_id[key]
        if q.who in ("foyer", "menage"):
            return q.who
        return subject.key

    def groups(self, step: str, answers: Mapping[str, str], today: dt.date) -> list[Group]:
        groups: list[Group] = []
        for f in self.fields(step, answers, today):
            if groups and groups[-1].subject == f.subject:
                groups[-1].fields.append(f)
            else:
                groups.append(Group(subject=f.subject, fields=[f]))
        return groups

    def steps(self, answers: Mapping[str, str], today: dt.date) -> list[Step]:
        """The steps that have at least one question to ask."""
        return [s for s in self.spec.steps if self.fields(s.id, answers, today)]

    # ---- validation ---------------------------------------------------------------------------

    def validate(self, step: str, answers: Mapping[str, str], today: dt.date) -> list[FormField]:
        """The step's fields with their errors (fields that do not apply carry none)."""
        checked = self.fields(step, answers, today)
        for f in checked:
            if not self.holds(f.question, f.subject, answers, today):
                continue
            try:
                value = parse(f.question, f.value, today, chosen=f.chosen)
                if isinstance(value, Commune):
                    f.resolved = value
            except Invalid as exc:
                f.error = str(exc)
            if f.question.widget == "commune" and f.value.strip():
                f.candidates = resolve_commune(f.value, f.chosen).candidates
        return checked

    def first_incomplete(self, answers: Mapping[str, str], today: dt.date) -> str | None:
        """The first step with a missing or wrong answer, or ``None`` when all are fine."""
        for s in self.steps(answers, today):
            if any(f.error for f in self.validate(s.id, answers, today)):
                return s.id
        return None

    # ---- the situation ------------------------------------------------------------------------

    def months(self, today: dt.date) -> list[str]:
        out = []
        y, m = self.window_start.year, self.window_start.month
        while (y, m) <= (today.year, today.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def situation(self, answers: Mapping[str, str], today: dt.date) -> dict[str, Any]:
        """The OpenFisca situation the answers describe (inputs only, no requests).

        Persons: ``demandeur``, ``conjoint``, ``enfant1``…; one famille, one ménage, and one foyer
        fiscal, or two for a couple in union libre (children in the demandeur's).
        """
        everyone = subjects(answers)
        persons = [s for s in everyone if s.is_person]
        adults = [s.key for s in persons if s.kind == "adulte"]
        children = [s.key for s in persons if s.kind == "enfant"]
        situation: dict[str, Any] = {
            "individus": {p.key: {} for p in persons},
            "familles": {"famille_1": {"parents": adults, "enfants": children}},
            "foyers_fiscaux": {},
            "menages": {"menage_1": {"personne_de_reference": ["demandeur"], "enfants": children}},
        }
        if "conjoint" in adults:
            situation["menages"]["menage_1"]["conjoint"] = ["conjoint"]
        if answers.get("foyer.situation_familiale") == "union_libre":
            situation["foyers_fiscaux"] = {
                "foyer_fiscal_1": {"declarants": ["demandeur"], "personnes_a_charge": children},
                "foyer_fiscal_2": {"declarants": ["conjoint"], "personnes_a_charge": []},
            }
        else:
            situation["foyers_fiscaux"] = {"foyer_fiscal_1": {"declarants": adults, "personnes_a_charge": children}}

        months = self.months(today)
        for subject in everyone:
            for q in self.questions:
                if subject not in subjects_for(q.who, answers) or not self.holds(q, subject, answers, today):
                    continue
                name = f"{subject.key}.{q.id}"
                raw = answers.get(name)
                if raw is None:
                    raw = q.default or ""
                try:
                    value = parse(q, raw, today, chosen=answers.get(f"{name}_choix", ""))
                except Invalid:
                    continue
                if value is None:
                    continue
                for parameter, fill in q.fills.items():
                    targets = subjects_for(fill.to, answers) if fill.to else [subject]
                    filled = _transform(value, fill)
                    for target in targets:
                        self._put(situation, parameter, target, filled, months, fill)
        return situation

    def _put(
        self, situation: dict[str, Any], parameter: str, target: Subject, value: Any, months: list[str], fill: Fill
    ) -> None:
        d = self.rules.variable(parameter)
        if fill.months == "last_3":
            months = months[-4:-1]
        elif fill.months == "current":
            months = months[-1:]
        value = _json_value(d.value_type, value)
        if d.entity.key == "individu" and target.is_person:
            holder = situation["individus"][target.key]
        elif d.entity.key == "menage" and target.kind == "menage":
            holder = situation["menages"]["menage_1"]
        elif d.entity.key == "famille" and target.kind == "foyer":
            holder = situation["familles"]["famille_1"]
        else:
            raise ValueError(f"questions.yaml: {parameter} belongs to {d.entity.key}, not to {target.key}")
        if d.period.value == "eternity":
            holder[parameter] = {"ETERNITY": value}
        elif d.period.value == "year":
            holder[parameter] = {y: value for y in sorted({m[:4] for m in months})}
        else:
            holder[parameter] = dict.fromkeys(months, value)


def _transform(value: Any, fill: Fill) -> Any:
    if isinstance(value, Commune):
        value = value.insee
    if fill.map is not None:
        return fill.map.get(value, value)
    if fill.factor is not None:
        return round(float(value) * fill.factor, 2)
    return value


def _json_value(value_type: str, value: Any) -> Any:
    if value_type == "float":
        return float(value)
    if value_type == "int":
        return int(value)
    if value_type == "bool":
        return bool(value)
    if value_type == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return str(value)


def merge_form(answers: Mapping[str, str], form: Mapping[str, str], shown: Iterable[FormField]) -> dict[str, str]:
    """The answers updated with a submitted page: every shown field takes the submitted value
    (an unticked box is sent as nothing, which means no)."""
    merged = dict(answers)
    for f in shown:
        merged[f.name] = str(form.get(f.name, "") or "")
        if f.question.widget == "commune":
            # The commune picked among several matches (ignored if no longer among them).
            merged[f"{f.name}_choix"] = str(form.get(f"{f.name}_choix", "") or "")
    return merged
