"""The situation model: OpenFisca's situation JSON, its shape checked, and its errors.

The JSON is the one Mes Aides and aides-jeunes send to OpenFisca's web API: ``individus``,
``familles``, ``foyers_fiscaux`` and ``menages``, each mapping ids to their roles and variables,
variables mapping periods (``"2026-11"``, ``"2026"``, ``"ETERNITY"``) to values, and ``null``
where a value must be computed. One JSON may hold many households: that is a batch.

This module reads the JSON text (:func:`read_json`) and checks the shape (:class:`Situation`);
the values are checked against the rule set when the population's arrays are built
(:mod:`mesaides.core.population`, with :mod:`mesaides.core.values`). Every problem is reported
with its path (``individus.demandeur.salaire_net.2026-13``) and what is wrong; all problems are
collected before failing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mesaides.core.entities import ENTITIES_BY_PLURAL, GROUP_ENTITIES, INDIVIDU
from mesaides.core.values import NonFinite, has_surrogate, printable


class SituationIssue(BaseModel):
    """One problem in a situation: where (a dotted path) and what."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: str

    @field_validator("path", "message")
    @classmethod
    def _printable(cls, text: str) -> str:
        # A path or a message may quote the input; a lone surrogate there could not be sent.
        return printable(text)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SituationError(ValueError):
    """A situation that cannot be computed; ``issues`` lists every problem found."""

    def __init__(self, issues: list[SituationIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class InconsistentSituation(SituationError):
    """A situation of the right shape whose parts do not agree with each other or with the
    world: a role naming a person the situation does not have, a person in no famille, a
    commune code that does not exist, a birth in the future. A JSON Schema can describe the
    shape, not these (the web API answers 422 for them, 400 for a wrong shape)."""


# ---- The JSON text ------------------------------------------------------------------------------


def read_json(raw: bytes | str) -> Any:
    """The JSON value of ``raw``, as the command line and the web server read a situation.

    Numbers no float64 holds (``NaN``, ``Infinity``, ``1e309``, hundreds of digits) are kept as
    :class:`~mesaides.core.values.NonFinite`, so that the error names their path; a lone UTF-16
    surrogate is kept, so that the error names it too.

    :raises SituationError: (path ``""``) when ``raw`` is not JSON or nests deeper than a
        situation ever does.
    """
    try:
        return orjson.loads(raw)  # the fast reader, for the JSON of nearly every request
    except orjson.JSONDecodeError:
        pass  # non-finite numbers, surrogates or a true error: read again to say which
    try:
        return json.loads(raw, parse_constant=NonFinite, parse_float=_float, parse_int=_int)
    except RecursionError:
        message = "Invalid JSON: nested too deeply (a situation is at most a few levels deep)"
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        message = f"Invalid JSON: {exc}"
    raise SituationError([SituationIssue(path="", message=message)])


def _float(text: str) -> float | NonFinite:
    value = float(text)
    return value if value - value == 0 else NonFinite(text)


def _int(text: str) -> int | NonFinite:
    return int(text) if len(text) < 300 else NonFinite(text if len(text) < 40 else text[:37] + "...")


# ---- The shape ----------------------------------------------------------------------------------


class Situation(BaseModel):
    """The shape of an OpenFisca situation; values are checked against the rule set later.

    A group table left out (``familles`` absent) stands for one group per person, which the
    core's ``mesaides_prepare_situation`` writes in; given, it must be an object (``null`` is
    an error: leave the table out instead).
    """

    model_config = ConfigDict(extra="forbid")

    individus: dict[str, dict[str, Any]] = Field(min_length=1)
    familles: dict[str, dict[str, Any]] = None  # type: ignore[assignment]
    foyers_fiscaux: dict[str, dict[str, Any]] = None  # type: ignore[assignment]
    menages: dict[str, dict[str, Any]] = None  # type: ignore[assignment]

    @classmethod
    def from_json(cls, data: Any) -> Situation:
        """:raises SituationError: every problem of shape, each with its path."""
        try:
            situation = cls.model_validate(data)
        except ValidationError as exc:
            raise SituationError([_pydantic_issue(e) for e in exc.errors()]) from None
        issues = [
            SituationIssue(path=f"{plural}.{ident}", message="this id holds a lone UTF-16 surrogate, which is not text")
            for plural, table in situation.tables().items()
            for ident in table
            if has_surrogate(ident)
        ]
        if issues:
            raise SituationError(issues)
        return situation

    def tables(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The entity tables given, by plural (``individus`` first)."""
        out = {INDIVIDU.plural: self.individus}
        for entity in GROUP_ENTITIES:
            table = getattr(self, entity.plural)
            if table is not None:
                out[entity.plural] = table
        return out

    def to_json(self) -> dict[str, Any]:
        return self.tables()


def _pydantic_issue(err: Mapping[str, Any]) -> SituationIssue:
    path = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        known = ", ".join(ENTITIES_BY_PLURAL)
        return SituationIssue(path=path, message=f"unknown entity (expected one of {known})")
    if kind == "missing":
        return SituationIssue(path=path, message="missing: a situation needs at least one person")
    if kind == "too_short":
        return SituationIssue(path=path, message="empty: a situation needs at least one person")
    if kind in ("dict_type", "model_type"):
        if len(err["loc"]) == 1 and path != INDIVIDU.plural:
            return SituationIssue(path=path, message=f"expected an object (leave {path} out for one group per person)")
        return SituationIssue(path=path, message="expected an object")
    return SituationIssue(path=path, message=err["msg"])
