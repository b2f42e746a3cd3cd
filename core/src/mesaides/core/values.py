"""Value coercion: a JSON value given for a Parameter or a quantity, checked and converted to
what the engine's arrays hold, and back to JSON.

Every check says what is wrong with the value in words a client can act on: the type expected,
the finite range of a number, the domain a Parameter declares (``minimum`` and ``maximum``),
the allowed values of an enum. The caller adds the path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from mesaides.core.definitions import Definition, Parameter

LARGEST_NUMBER = 1e15
"""No number of a situation is larger in absolute value, whatever its Parameter declares: far
above any amount of money or count, and small enough that sums over persons and months stay
exact to the cent in a float64 (2**53 ≈ 9e15)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
"""Only the form ``YYYY-MM-DD`` (``date.fromisoformat`` also reads ``20261105`` and weeks)."""


class BadValue(ValueError):
    """A value that does not fit its definition; the message says why (the caller adds the path)."""


class NonFinite:
    """A number a JSON text spells but no float64 holds (``NaN``, ``Infinity``, ``1e309``,
    an integer of hundreds of digits), kept as written so that the error can quote it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate (JSON's ``"\\ud800"``), which is not text:
    it cannot be written out as UTF-8."""
    return _SURROGATE.search(text) is not None


def printable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udXXX`` escapes, safe to print and encode."""
    if has_surrogate(text):
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def coerce(d: Definition, value: Any) -> Any:
    """``value`` as ``d``'s arrays hold it.

    :raises BadValue: when it is not of ``d``'s type or outside its domain.
    """
    t = d.value_type
    if isinstance(value, NonFinite) and t in ("float", "int"):
        raise BadValue(f"expected a finite number, got {show(value)}")
    if t == "float":
        if type(value) is float or type(value) is int:
            return _in_domain(d, _finite(value))
        raise BadValue(f"expected a number, got {show(value)}")
    if t == "int":
        if type(value) is int or (type(value) is float and value.is_integer()):
            return int(_in_domain(d, _finite(value)))
        raise BadValue(f"expected a whole number, got {show(value)}")
    if t == "bool":
        if type(value) is bool:
            return value
        raise BadValue(f"expected true or false, got {show(value)}")
    if t == "enum":
        if type(value) is str and value in d.enum_values:
            return d.enum_values.index(value)
        hint = did_you_mean(value, d.enum_values) if isinstance(value, str) else ""
        raise BadValue(f"unknown value {show(value)}{hint} (allowed: {', '.join(d.enum_values)})")
    if t == "date":
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return np.datetime64(dt.date.fromisoformat(value), "D")
            except ValueError:
                pass
        raise BadValue(f"expected a date YYYY-MM-DD, got {show(value)}")
    if t == "str":
        if isinstance(value, str):
            if has_surrogate(value):
                raise BadValue(f"{show(value)} holds a lone UTF-16 surrogate, which is not text")
            return value
        raise BadValue(f"expected a string, got {show(value)}")
    raise BadValue(f"unsupported type {t}")


def _finite(value: float | int) -> float | int:
    if type(value) is float and not math.isfinite(value):
        raise BadValue(f"expected a finite number, got {show(value)}")
    if not -LARGEST_NUMBER <= value <= LARGEST_NUMBER:
        raise BadValue(
            f"{show(value)} is out of range: a number of a situation is at most {LARGEST_NUMBER:g} in absolute value"
        )
    return value


def domain_of(d: Definition) -> tuple[float | None, float | None]:
    """The bounds a value given in a situation must be within: a Parameter's ``minimum`` and
    ``maximum``. A computed quantity's ``minimum`` bounds what its formula gives, not what a
    client gives for it (a given value is taken as given, as OpenFisca does)."""
    if isinstance(d, Parameter):
        return d.minimum, d.maximum
    return None, None


def _in_domain(d: Definition, value: float | int) -> float | int:
    low, high = domain_of(d)
    if low is not None and value < low:
        raise BadValue(f"{show(value)} is below the minimum of {d.name}, {_number(low)}{_unit(d)}")
    if high is not None and value > high:
        raise BadValue(f"{show(value)} is above the maximum of {d.name}, {_number(high)}{_unit(d)}")
    return value


def _number(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:,.0f}"


def _unit(d: Definition) -> str:
    return f" {d.unit}" if d.unit and d.unit != "rate" else ""


def show(value: Any) -> str:
    """A short, printable quotation of a value for an error message (never a long echo of the
    input, never a nested structure walked in full)."""
    if isinstance(value, NonFinite):
        text = value.text
    elif isinstance(value, str):
        text = f"'{printable(value)}'"
    elif isinstance(value, dict):
        return "an object"
    elif isinstance(value, list):
        return "a list"
    elif type(value) is int and value.bit_length() > 100:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    else:
        text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean {printable(close[0])}?)" if close else ""


_DTYPES = {
    "float": np.dtype(np.float64),
    "int": np.dtype(np.int64),
    "bool": np.dtype(np.bool_),
    "enum": np.dtype(np.int16),
    "date": np.dtype("datetime64[D]"),
    "str": np.dtype(object),
}


def dtype_of(d: Definition) -> np.dtype:
    return _DTYPES[d.value_type]


def default_of(d: Definition) -> Any:
    if d.value_type == "enum":
        return d.enum_values.index(d.default)
    if d.value_type == "date":
        return np.datetime64(d.default, "D")
    return d.default


def to_json_value(d: Definition, value: Any) -> Any:
    """A computed value as the situation JSON gives it back (amounts to the cent)."""
    if d.value_type == "float":
        return round(float(value), 2)
    if d.value_type == "int":
        return int(value)
    if d.value_type == "bool":
        return bool(value)
    if d.value_type == "enum":
        return d.enum_values[int(value)]
    if d.value_type == "date":
        return str(value)
    return value
