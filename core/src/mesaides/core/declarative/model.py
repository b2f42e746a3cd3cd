"""The declarative format as pydantic models: a partner card (``partner.yaml``) and one aide per
file (``aides/<aide_id>.yaml``). See ``core/docs/declarative.md``.

Every model refuses a key it does not know, suggesting the closest one; what only the rule set
can tell (a quantity or a legislation value that does not exist) is checked when the aide is
compiled (:mod:`mesaides.core.declarative.compiler`).
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from mesaides.core.definitions import NAME_RE, ApplyChannel, LegalReference, Parameter, Verification
from mesaides.core.enums import Activite, Scolarite, StatutOccupationLogement
from mesaides.core.geography import known_codes, names


def closest(word: str, candidates: Any) -> str:
    """`` (did you mean 'x'?)`` when a candidate is close to ``word``, else ``""``."""
    found = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


class Strict(BaseModel):
    """A model that refuses unknown keys with the closest known one, and is immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = _allowed_keys(cls)
            for key in data:
                if key not in allowed:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key {key}{hint}; known keys: {known}",
                        {"key": repr(key), "hint": closest(str(key), allowed), "known": ", ".join(sorted(allowed))},
                    )
        return data


@lru_cache(maxsize=64)
def _allowed_keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys a model accepts (their aliases where they have one), computed once per model."""
    return frozenset(field.alias or name for name, field in model.model_fields.items())


def _enum_values(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    for value in values:
        if value not in allowed:
            raise PydanticCustomError(
                "unknown_value",
                "{value} is not a value of {what}{hint}; values: {known}",
                {"value": repr(value), "what": what, "hint": closest(value, allowed), "known": ", ".join(allowed)},
            )
    return values


# ---- Values ------------------------------------------------------------------------------------


class LawValue(Strict):
    """A dated legislation value of the partner (or of another distribution): never a bare number."""

    law: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


class AgeRange(Strict):
    min: int | None = Field(default=None, ge=0, le=130)
    max: int | None = Field(default=None, ge=0, le=130)

    @model_validator(mode="after")
    def _bounds(self) -> AgeRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both (ages in years, inclusive)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


# ---- Conditions ----------------------------------------------------------------------------------

Of = Literal["applicant", "any_member", "each", "any_child"]
"""Whose value a condition on a person reads: the applicant (the aide's person, or the first
parent / déclarant / personne de référence of a group), any member of the group, each person
(an aide of entity individu: the person itself) or any child of the group."""


class Territory(Strict):
    """The commune of residence is in one of the territories listed (any of them)."""

    communes: list[str] = []
    departements: list[str] = []
    regions: list[str] = []
    epcis: list[str] = []

    # Checked against the geography table, unless the file was checked at an earlier start-up
    # (``CODES_CHECKED`` in the validation context: reading the commune table is most of the
    # cost of loading aides that list communes).

    @field_validator("communes")
    @classmethod
    def _communes(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        return codes if _checked(info) else _codes(codes, known_codes(), "commune")

    @field_validator("departements")
    @classmethod
    def _departements(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        return codes if _checked(info) else _codes(codes, territory_codes("departement"), "département")

    @field_validator("regions")
    @classmethod
    def _regions(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        return codes if _checked(info) else _codes(codes, territory_codes("region"), "région")

    @field_validator("epcis")
    @classmethod
    def _epcis(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        return codes if _checked(info) else _codes(codes, territory_codes("epci"), "EPCI (SIREN)")

    @model_validator(mode="after")
    def _not_empty(self) -> Territory:
        if not (self.communes or self.departements or self.regions or self.epcis):
            raise ValueError("list at least one code in communes, departements, regions or epcis")
        return self


CODES_CHECKED = {"codes_checked": True}
"""The validation context of a file whose territory codes were checked when it was first read."""


def _checked(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("codes_checked"))


@lru_cache(maxsize=4)
def territory_codes(niveau: str) -> frozenset[str]:
    """The INSEE codes of the régions, départements or EPCI (SIREN) of the geography table."""
    return frozenset(code for (kind, code) in names() if kind == niveau)


def _codes(codes: list[str], known: Any, kind: str) -> list[str]:
    for code in codes:
        if not isinstance(code, str) or code not in known:
            raise PydanticCustomError(
                "unknown_code",
                "{code} is not the INSEE code of a {kind}{hint} (write codes as quoted strings)",
                {"code": repr(code), "kind": kind, "hint": closest(str(code), known)},
            )
    return codes


class Age(Strict):
    of: Of = "applicant"
    min: int | None = Field(default=None, ge=0, le=130)
    max: int | None = Field(default=None, ge=0, le=130)

    @model_validator(mode="after")
    def _bounds(self) -> Age:
        AgeRange(min=self.min, max=self.max)
        return self


class Activity(Strict):
    of: Of = "applicant"
    in_: list[str] = Field(alias="in", min_length=1)

    @field_validator("in_")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        return _enum_values(values, tuple(v.value for v in Activite), "activite")


class Apprentice(Strict):
    of: Of = "applicant"


class School(Strict):
    of: Of = "applicant"
    in_: list[str] = Field(alias="in", min_length=1)

    @field_validator("in_")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        return _enum_values(values, tuple(v.value for v in Scolarite), "scolarite")


class Disability(Strict):
    of: Of = "applicant"
    min_rate: float = Field(gt=0, le=1)


class Children(Strict):
    """The number of the famille's children (aged ``age_min`` to ``age_max`` when given)."""

    min: int = Field(default=1, ge=0)
    max: int | None = Field(default=None, ge=0)
    age_min: int | None = Field(default=None, ge=0, le=130)
    age_max: int | None = Field(default=None, ge=0, le=130)

    @model_validator(mode="after")
    def _bounds(self) -> Children:
        if self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError(f"age_min {self.age_min} is above age_max {self.age_max}")
        return self


ResourcePeriod = Literal["this_month", "last_month", "this_year", "last_year", "year_n_2"]


class Resources(Strict):
    quantity: str
    max: LawValue | None = None
    min: LawValue | None = None
    period: ResourcePeriod | None = None
    """Default: the aide's period for a monthly quantity, year N-2 for a yearly one (the
    revenu fiscal de référence of the last avis d'imposition)."""

    @field_validator("quantity")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a quantity name")
        return value

    @model_validator(mode="after")
    def _bound(self) -> Resources:
        if self.max is None and self.min is None:
            raise ValueError("give the ceiling (max) or the floor (min), as a legislation value {law: ...}")
        return self


class Receives(Strict):
    any_of: list[str] = Field(min_length=1)


class Flag(Strict):
    """A boolean (or numeric) Parameter or quantity is true (non-zero) for whom ``of`` says."""

    quantity: str
    of: Of = "applicant"

    @field_validator("quantity")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a quantity name")
        return value


class Housing(Strict):
    in_: list[str] = Field(alias="in", min_length=1)

    @field_validator("in_")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        return _enum_values(values, tuple(v.value for v in StatutOccupationLogement), "statut_occupation_logement")


CONDITION_KINDS = (
    "territory",
    "age",
    "activity",
    "apprentice",
    "school",
    "disability",
    "children",
    "single_parent",
    "couple",
    "resources",
    "receives",
    "housing",
    "flag",
    "any_of",
    "not",
)


class Condition(Strict):
    """One condition: exactly one kind key, and optionally the sentences that name it."""

    territory: Territory | None = None
    age: Age | None = None
    activity: Activity | None = None
    apprentice: Apprentice | None = None
    school: School | None = None
    disability: Disability | None = None
    children: Children | None = None
    single_parent: bool | None = None
    couple: bool | None = None
    resources: Resources | None = None
    receives: Receives | None = None
    housing: Housing | None = None
    flag: Flag | None = None
    any_of: list[Condition] | None = Field(default=None, min_length=2)
    not_: Condition | None = Field(default=None, alias="not")
    label: str | None = None
    """Overrides the condition's label (French), shown among the conditions an aide names."""
    otherwise: str | None = None
    """Overrides the sentence said when it fails (French, no figures)."""

    @field_validator("label", "otherwise")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is not None and ("{" in value or "}" in value):
            raise ValueError("a sentence of the file has no figures: remove the braces")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        given = [k for k in CONDITION_KINDS if getattr(self, "not_" if k == "not" else k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a condition has exactly one kind among {', '.join(CONDITION_KINDS)}; "
                + (f"found {', '.join(given)}" if given else "found none")
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in CONDITION_KINDS if getattr(self, "not_" if k == "not" else k) is not None)

    @property
    def body(self) -> Any:
        return getattr(self, "not_" if self.kind == "not" else self.kind)


# ---- Amounts -----------------------------------------------------------------------------------


class ChildrenFilter(Strict):
    age_min: int | None = Field(default=None, ge=0, le=130)
    age_max: int | None = Field(default=None, ge=0, le=130)


class MembersFilter(Strict):
    age: AgeRange


class Per(Strict):
    """The amount is paid for each child, or each member, matching."""

    children: ChildrenFilter | None = None
    members: MembersFilter | None = None

    @model_validator(mode="after")
    def _one(self) -> Per:
        if (self.children is None) == (self.members is None):
            raise ValueError("give either children or members")
        return self


class Amount(Strict):
    value: LawValue
    per: Per | None = None
    cap: LawValue | None = None

    @field_validator("value", "cap", mode="before")
    @classmethod
    def _from_law(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise PydanticCustomError(
                "bare_amount",
                "a bare number ({value}) is not an amount: give a dated legislation value {example} "
                "from the partner's legislation/*.yaml, with its reference",
                {"value": value, "example": "{law: <path>}"},
            )
        return value


# ---- An aide -----------------------------------------------------------------------------------

A2_FLAGS = {
    "requires_human_decision": "A2(b): it is granted by a human committee",
    "committee_decision": "A2(b): it is granted by a human committee",
    "quota": "A2(c): it is granted within an unpredictable quota",
    "debt": "A2(a): it aims to erase a debt",
    "erases_debt": "A2(a): it aims to erase a debt",
}
"""The flags a file may set to say what convention rule A2 refuses."""


class AideSpec(Strict):
    """One aide file."""

    id: str
    label: str = Field(min_length=1)
    institution: str
    entity: Literal["individu", "famille", "menage", "foyer_fiscal"]
    period: Literal["month", "year"] = "month"
    periodicity: Literal["monthly", "yearly", "one-off"]
    type: Literal["float", "bool"] = "float"
    description: str = Field(min_length=1)
    public_page: HttpUrl
    apply: list[ApplyChannel] = Field(min_length=1)
    legal_references: list[LegalReference] = Field(min_length=1)
    verification: Verification
    documentation: str = ""
    conditions: list[Condition] = Field(min_length=1)
    amount: Amount | None = None
    requires_human_decision: bool = False
    committee_decision: bool = False
    quota: bool = False
    debt: bool = False
    erases_debt: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid name (lowercase letters, digits and underscores)")
        return value

    @model_validator(mode="after")
    def _convention_a2(self) -> AideSpec:
        # Convention A2: an aide that erases a debt, is granted by a human committee or within
        # an unpredictable quota is not integrable; a declarative file saying so is refused here,
        # the one place the format enforces it.
        refused = [f"{flag}: {why}" for flag, why in A2_FLAGS.items() if getattr(self, flag)]
        if refused:
            raise PydanticCustomError(
                "convention_a2",
                "refused by convention rule A2 (an aide that erases a debt, is granted by a human "
                "committee or within an unpredictable quota is not integrable): {why}",
                {"why": "; ".join(refused)},
            )
        return self

    @model_validator(mode="after")
    def _amount_for_floats(self) -> AideSpec:
        if self.type == "float" and self.amount is None:
            raise ValueError("an aide of type float needs an amount (value: {law: ...})")
        if self.type == "bool" and self.amount is not None:
            raise ValueError("an aide of type bool (a right without an amount) has no amount")
        if self.amount is not None and self.amount.per is not None and self.entity == "individu":
            raise ValueError("amount.per counts the members of a group: use an entity famille, menage or foyer_fiscal")
        return self

    @model_validator(mode="after")
    def _whose(self) -> AideSpec:
        for position, condition in _walk(self.conditions, "conditions"):
            body = condition.body
            of = getattr(body, "of", None)
            if self.entity == "individu" and of in ("any_member", "any_child"):
                raise ValueError(
                    f"{position}.{condition.kind}.of: {of} reads a group's members, and this aide is computed "
                    "for each person (entity individu): use applicant (or each), or an aide of entity famille"
                )
            if self.entity != "individu" and of == "each":
                raise ValueError(
                    f"{position}.{condition.kind}.of: each is for aides of entity individu; "
                    "use applicant, any_member or any_child"
                )
            if (
                self.entity == "individu"
                and condition.kind == "children"
                and (body.age_min is not None or body.age_max is not None)
            ):
                raise ValueError(
                    f"{position}.children: counting children by age needs the famille: use an aide of entity famille"
                )
        return self


def _walk(conditions: list[Condition], where: str) -> Any:
    for i, condition in enumerate(conditions):
        position = f"{where}[{i}]"
        yield position, condition
        if condition.any_of is not None:
            yield from _walk(condition.any_of, f"{position}.any_of")
        if condition.not_ is not None:
            yield from _walk([condition.not_], f"{position}.not")


# ---- The partner card ---------------------------------------------------------------------------


class InstitutionCard(Strict):
    id: str
    name: str
    logo: str | None = None
    """The logo's file name in the package: ``logo_<id>.png`` (A4)."""


class PartnerCard(Strict):
    id: str
    name: str
    scope: Literal["national", "territorial"]
    referent_email: str = ""
    institutions: list[InstitutionCard] = Field(min_length=1)
    requires: dict[str, str] = {}
    takes: list[Parameter] = []
    parameters: list[Parameter] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid id (lowercase letters, digits and underscores)")
        return value
