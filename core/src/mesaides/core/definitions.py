"""Immutable, typed definitions of what partners register: Parameters, quantities and aides.

- A **Parameter** is a characteristic of the user's situation (age, rent, wages) given as input;
  it is not the question that asks for it (convention P1).
- A **Quantity** is computed by a formula from declared inputs: Parameters, other quantities and
  legislation values. Declared inputs make the dependency graph static.
- An **Aide** is a quantity that is a benefit, owned by one partner, with the metadata the
  convention requires (A4, A11-A13).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator, model_validator

from mesaides.core.aide_metadata import AideMetadataError
from mesaides.core.entities import Entity, entity
from mesaides.core.periods import PeriodUnit

if TYPE_CHECKING:
    from mesaides.core.context import Context

ValueType = Literal["float", "int", "bool", "date", "str", "enum"]
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

_DEFAULTS: dict[str, Any] = {"float": 0.0, "int": 0, "bool": False, "str": "", "date": dt.date(1970, 1, 1)}


class _Definition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    entity: Entity
    period: PeriodUnit
    value_type: ValueType = "float"
    label: str
    """A short French label."""
    enum_values: tuple[str, ...] = ()
    """For ``enum`` values: the allowed values, in OpenFisca-France's spelling."""
    default: Any = None
    """The value when nothing is given or computed; by type when left out."""
    unit: str = ""
    references: tuple[str, ...] = ()
    owner: str = ""
    """The distribution that registered it; filled in at registration."""

    @field_validator("entity", mode="before")
    @classmethod
    def _entity(cls, value: Any) -> Entity:
        return entity(value) if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid name (lowercase letters, digits and underscores)")
        return value

    @model_validator(mode="after")
    def _default_and_enum(self) -> _Definition:
        if self.value_type == "enum":
            if not self.enum_values:
                raise ValueError(f"{self.name}: an enum needs enum_values")
            if self.default is None:
                raise ValueError(f"{self.name}: an enum needs a default among its enum_values")
            if self.default not in self.enum_values:
                raise ValueError(f"{self.name}: default {self.default!r} is not one of {self.enum_values}")
        elif self.default is None:
            object.__setattr__(self, "default", _DEFAULTS[self.value_type])
        return self

    @property
    def is_computed(self) -> bool:
        return False


class Parameter(_Definition):
    """A characteristic of the user's situation, given in the Situation (convention P1-P4)."""

    kind: Literal["parameter"] = "parameter"
    year_input: Literal["divide", "dispatch"] | None = None
    """How a value given for a year is spread over the months of a monthly Parameter: divided
    evenly (amounts) or repeated (states). ``None`` refuses a yearly value."""
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    """The domain of a number (``float`` or ``int``), bounds included: a value outside it is an
    error of the situation naming its path. Every numeric Parameter of the core and of the
    partners declares both (an amount received is at least 0, a rate is in [0, 1], a rent has a
    sane ceiling); a test holds them to it."""
    stand_in: bool = False
    """Set by the core: another partner's quantity, read by the partner that declares it in
    ``Partner.takes``, that no installed distribution computes; its value is then taken from the
    situation (the default when the client gives none)."""
    source: str = ""
    """Set by the core, for a stand-in of a quantity whose provider is installed in a version the
    reading partner does not support: the name the situation gives it under (the quantity's
    own), of which this Parameter takes the values given."""

    @model_validator(mode="after")
    def _domain(self) -> Parameter:
        if self.minimum is None and self.maximum is None:
            return self
        if self.value_type not in ("float", "int"):
            raise ValueError(f"{self.name}: minimum and maximum apply to numbers, not to {self.value_type}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"{self.name}: minimum {self.minimum} is above maximum {self.maximum}")
        for bound in (self.minimum, self.maximum):
            if bound is not None and not math.isfinite(bound):
                raise ValueError(f"{self.name}: bound {bound} is not a finite number")
        return self


class Formula(BaseModel):
    """One formula of a quantity, applying to the periods starting within its validity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    function: Callable[..., Any]
    """``f(c: Context) -> array``."""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    """Inclusive last day; ``None`` for a formula still in force."""

    def applies(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Quantity(_Definition):
    """A value computed from declared inputs: by its formulas, or as a sum (``adds``)."""

    kind: Literal["quantity"] = "quantity"
    formulas: tuple[Formula, ...] = ()
    reads: tuple[str, ...] = ()
    """Parameters and quantities read, at any period, including later ones. Inferred from the
    formulas when the rules load (:mod:`mesaides.core.inference`): declared by hand only for
    names a formula builds at run time."""
    reads_past: tuple[str, ...] = ()
    """Quantities read only at periods that end before this one starts. They may close a loop
    (this month's housing aid reads last month's RSA, which reads last month's housing aid):
    the graph allows such loops, since they go back in time."""
    law: tuple[str, ...] = ()
    """Legislation values read: dotted paths or prefixes (``rsa`` covers ``rsa.*``). Inferred
    like ``reads``; declared by hand only for paths built at run time."""
    defined_for: str | None = None
    """A boolean quantity or Parameter of the same entity: where it is false the value is the
    default, and the formula is not run at all when it is false for everyone. Explanations give
    its label as the reason the value is nil."""
    adds: tuple[str, ...] = ()
    """Quantities or Parameters summed, in this order (a person's values summed over the members
    of a group quantity's group). A quantity with ``adds`` or ``subtracts`` has no formula."""
    subtracts: tuple[str, ...] = ()
    """Quantities or Parameters subtracted from the sum of ``adds``, in this order."""
    floor: float | None = None
    """The least value of a sum (``adds``/``subtracts``): ``max(sum, floor)``. With a floor, the
    engine stops reading what is subtracted as soon as the amount is at the floor for everyone
    and what remains to subtract is never negative (``minimum`` of 0 or more) and not given."""
    minimum: float | None = None
    """The least value the formula may give (0 for an amount that is never negative). The
    engine checks it, and relies on it to skip terms of a sum that can only lower an amount."""
    description: str = ""

    @property
    def is_computed(self) -> bool:
        return True

    @property
    def is_sum(self) -> bool:
        return bool(self.adds or self.subtracts)

    @model_validator(mode="after")
    def _formulas_or_sum(self) -> Quantity:
        if self.is_sum and self.formulas:
            raise ValueError(f"{self.name}: a quantity with adds or subtracts has no formula")
        if not self.is_sum and not self.formulas:
            raise ValueError(f"{self.name}: give a formula, or the terms of a sum in adds/subtracts")
        if self.floor is not None and not self.is_sum:
            raise ValueError(f"{self.name}: floor is for sums (adds/subtracts); a formula takes its own maximum")
        return self

    @model_validator(mode="after")
    def _formulas_do_not_overlap(self) -> Quantity:
        spans = sorted((f.valid_from or dt.date.min, f.valid_to or dt.date.max) for f in self.formulas)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            if start <= end:
                raise ValueError(f"{self.name}: formulas overlap around {start}")
            if end != dt.date.max and start > end + dt.timedelta(days=1):
                raise ValueError(
                    f"{self.name}: no formula applies from {end + dt.timedelta(days=1)} to "
                    f"{start - dt.timedelta(days=1)} (a formula ends on {end}, the next starts on {start})"
                )
        return self

    def formula(
        self, *, valid_from: dt.date | None = None, valid_to: dt.date | None = None
    ) -> Callable[[Callable[[Context], Any]], Quantity]:
        """Add a formula for another span of time::

            @quantity(INDIVIDU, MONTH, label=..., valid_to=date(2026, 2, 28))
            def af_majoration_enfant(c): ...

            @af_majoration_enfant.formula(valid_from=date(2026, 3, 1))
            def af_majoration_enfant(c): ...

        The result is the quantity with both formulas; they may neither overlap nor leave a gap
        between them."""

        def add(function: Callable[[Context], Any]) -> Quantity:
            data = {name: getattr(self, name) for name in type(self).model_fields}
            data["formulas"] = (*self.formulas, Formula(function=function, valid_from=valid_from, valid_to=valid_to))
            return type(self)(**data)

        return add

    def formula_at(self, day: dt.date) -> Formula | None:
        for f in self.formulas:
            if f.applies(day):
                return f
        return None

    @property
    def dependencies(self) -> tuple[str, ...]:
        return self.reads + self.reads_past


class LegalReference(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    url: HttpUrl


ApplyKind = Literal["teleservice_prefilled", "teleservice", "form_digital", "form_printable"]
"""The channels of convention A12, best first."""

APPLY_KIND_LABELS = {
    "teleservice_prefilled": "Demande en ligne pré-remplie",
    "teleservice": "Demande en ligne",
    "form_digital": "Formulaire à remplir en ligne",
    "form_printable": "Formulaire à imprimer",
}


class ApplyChannel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ApplyKind
    url: HttpUrl
    label: str


class Verification(BaseModel):
    """The check of an aide against its official page (issue 16): when, which page, the result."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    checked_on: dt.date
    url: HttpUrl
    """The page read."""
    status: Literal["verified", "unverified"]
    note: str = ""
    """What the page says, or why the aide could not be verified."""

    @model_validator(mode="after")
    def _unverified_says_why(self) -> Verification:
        if self.status == "unverified" and not self.note.strip():
            raise ValueError("an unverified aide says why in note")
        return self


class AideInfo(BaseModel):
    """What the convention asks a partner to provide for each aide (A2, A4, A11-A13)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    description: str
    institution: str
    """The granting institution's id, as in ``logo_<institution>.png``."""
    periodicity: Literal["monthly", "yearly", "one-off"]
    public_page: HttpUrl
    apply: tuple[ApplyChannel, ...] = Field(min_length=1)
    legal_references: tuple[LegalReference, ...] = Field(min_length=1)
    documentation: str = ""
    """Rules and assumptions in plain words (A13)."""
    verification: Verification | None = None
    """The check against the official page, kept for the documentation site (A13)."""
    conditions: tuple[str, ...] = ()
    """The conditions as sentences, for a declarative aide (shown in the documentation site)."""
    source: str = ""
    """The file a declarative aide was read from, relative to its package."""
    territory: str = ""
    """For an aide granted in one territory only: the boolean quantity saying that a household
    lives there. The simulator lists the aide only for households that do (issue 16); a
    declarative aide whose first condition is a territory gets it from the compiler."""
    erases_debt: bool = False
    committee_decision: bool = False
    quota: bool = False
    """A2: an aide that erases a debt, is granted by a committee or within a quota is not integrable."""

    @property
    def best_channel(self) -> ApplyChannel:
        order = list(APPLY_KIND_LABELS)
        return min(self.apply, key=lambda c: order.index(c.kind))


class Aide(Quantity):
    """A benefit computed from a Situation, owned by exactly one partner."""

    kind: Literal["aide"] = "aide"  # type: ignore[assignment]
    info: AideInfo


class Institution(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    logo: Path | None = None
    """``logo_<id>.png``: square, 120 px a side (A4)."""


class Partner(BaseModel):
    """The organisation responsible for the reliability of a distribution's aides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    scope: Literal["national", "territorial"]
    institutions: tuple[Institution, ...] = ()
    referent_email: str = ""
    requires: dict[str, str] = {}
    """Other partners' distributions whose aides this one reads, with the version range it
    supports (a PEP 440 specifier such as ``>=1.0,<2``)."""
    takes: tuple[Parameter, ...] = ()
    """Other partners' quantities this partner's rules read, each described as the input that
    stands in for it when no installed distribution computes it: the engine then takes its
    value from the situation (the default when not given) instead of making the reader
    unavailable (issue 15, "Interactions")."""
    owner: str = ""


Definition = Parameter | Quantity | Aide


def quantity(
    entity: Entity | str,
    period: PeriodUnit,
    *,
    label: str,
    reads: tuple[str, ...] = (),
    reads_past: tuple[str, ...] = (),
    law: tuple[str, ...] = (),
    value_type: ValueType = "float",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    **extra: Any,
) -> Callable[[Callable[[Context], Any]], Quantity]:
    """Decorate a formula function to define the quantity named after it.

    ``reads`` and ``law`` are inferred from the formula when the rules load: give them only for
    names the formula builds at run time. Other fields (``defined_for``, ``minimum``,
    ``references``, ``unit``...) are passed on to :class:`Quantity`."""

    def build(function: Callable[[Context], Any]) -> Quantity:
        return Quantity(
            name=function.__name__,
            entity=entity,
            period=period,
            label=label,
            reads=reads,
            reads_past=reads_past,
            law=law,
            value_type=value_type,
            formulas=(Formula(function=function, valid_from=valid_from, valid_to=valid_to),),
            description=(function.__doc__ or "").strip(),
            **extra,
        )

    return build


def as_aide(q: Quantity, info: AideInfo | dict[str, Any]) -> Aide:
    """Turn a quantity into an aide with its convention metadata."""
    data = q.model_dump(exclude={"kind"})
    data["formulas"] = q.formulas
    data["entity"] = q.entity
    try:
        aide_info = AideInfo.model_validate(info)
    except ValidationError as exc:
        raise AideMetadataError(q.name, exc) from None
    return Aide(**data, info=aide_info)
