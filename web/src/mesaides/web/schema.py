"""The JSON Schema of the situations the API accepts, written from the loaded rules.

The OpenAPI document (``/openapi.json``) must describe what ``/calculate`` and ``/explain``
accept: a request the schema allows is not refused for its shape, and a request it does not
allow is refused (status 400, or 404 for an unknown variable). Each entity lists its roles and
its variables, each variable the periods it takes (months, years, ``ETERNITY``, within the
supported years) and its values (type, enum values, a Parameter's domain, ``null`` to ask for
it); ``individus`` is capped by the deployment's ``max_persons``.

What a schema cannot say is refused with status 422 and the path: a role naming a person the
situation does not have, a person in no group, a commune code absent from the geography table,
a birth in the future, more requested values than the deployment allows.
"""

from __future__ import annotations

from typing import Any

from mesaides.core import RuleSet
from mesaides.core.definitions import Definition, Parameter
from mesaides.core.entities import GROUP_ENTITIES, INDIVIDU, Entity
from mesaides.core.limits import Limits
from mesaides.core.periods import ETERNITY, FIRST_YEAR, LAST_YEAR, MONTH, YEAR
from mesaides.core.values import LARGEST_NUMBER

assert (FIRST_YEAR, LAST_YEAR) == (1900, 2100), "the period patterns below spell these years"
YEAR_PATTERN = "^(19[0-9]{2}|20[0-9]{2}|2100)$"
MONTH_PATTERN = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
DATE_PATTERN = "^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$"
"""A date of ``format: date`` (checked as such) whose year is not 0, which no calendar has."""


def situation_schema(rules: RuleSet, limits: Limits) -> dict[str, Any]:
    """The JSON Schema of a situation for ``rules``, within ``limits``."""
    variables: dict[str, list[Definition]] = {}
    for name, d in rules.definitions.items():
        if name not in rules.unavailable:
            variables.setdefault(d.entity.key, []).append(d)
    persons = _entity_table(INDIVIDU, variables.get(INDIVIDU.key, []))
    persons["minProperties"] = 1
    if limits.max_persons is not None:
        persons["maxProperties"] = limits.max_persons
    properties = {INDIVIDU.plural: persons}
    for entity in GROUP_ENTITIES:
        properties[entity.plural] = _entity_table(entity, variables.get(entity.key, []))
    return {
        "type": "object",
        "description": (
            "An OpenFisca situation: individus, familles, foyers_fiscaux, menages; null where a value is wanted. "
            "A group table left out gives one group per person."
        ),
        "properties": properties,
        "required": [INDIVIDU.plural],
        "additionalProperties": False,
    }


def _entity_table(entity: Entity, definitions: list[Definition]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for role in entity.roles:
        members: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
        if role.max is not None:
            members["maxItems"] = role.max
        properties[role.key] = {"anyOf": [{"type": "string"}, members], "description": role.label}
    for d in definitions:
        properties[d.name] = _periods(d)
    return {
        "type": "object",
        "description": f"{entity.plural}: each {entity.key} by its id",
        "additionalProperties": {"type": "object", "properties": properties, "additionalProperties": False},
    }


def _periods(d: Definition) -> dict[str, Any]:
    value = _value(d)
    wanted = {"anyOf": [value, {"type": "null"}]}
    if d.period is ETERNITY:
        # Any period stands for the whole time of an eternal value.
        patterns = {"^ETERNITY$": wanted, MONTH_PATTERN: wanted, YEAR_PATTERN: wanted}
    elif d.period is YEAR:
        patterns = {YEAR_PATTERN: wanted}
    else:
        assert d.period is MONTH
        patterns = {MONTH_PATTERN: wanted}
        if isinstance(d, Parameter) and d.year_input:
            patterns[YEAR_PATTERN] = value  # a year's value spread over its months; never asked for
    return {
        "type": "object",
        "description": d.label,
        "patternProperties": patterns,
        "additionalProperties": False,
    }


def _value(d: Definition) -> dict[str, Any]:
    t = d.value_type
    if t in ("float", "int"):
        low = getattr(d, "minimum", None)
        high = getattr(d, "maximum", None)
        return {
            "type": "number" if t == "float" else "integer",
            "minimum": max(low, -LARGEST_NUMBER) if low is not None else -LARGEST_NUMBER,
            "maximum": min(high, LARGEST_NUMBER) if high is not None else LARGEST_NUMBER,
        }
    if t == "bool":
        return {"type": "boolean"}
    if t == "enum":
        return {"type": "string", "enum": list(d.enum_values)}
    if t == "date":
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    return {"type": "string"}
