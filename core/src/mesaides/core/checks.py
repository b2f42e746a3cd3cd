"""Named conditions and notes that a formula records for explanations, with their figures.

A formula names each condition of its aide with ``c.check(label, condition, otherwise, **figures)``
and a fact about how its amount was worked out with ``c.note(text, when, **figures)``. The
engine keeps them in the trace (:class:`Check`); :mod:`mesaides.core.explain` turns them into the
conditions a household meets and the reason an aide is nil, in plain French with the figures
that decide it ("vos ressources des 3 derniers mois, 2 940,00 €, dépassent le plafond de
2 512,00 €").
"""

from __future__ import annotations

import string
from typing import Any, NamedTuple

import numpy as np

CONDITION = "condition"
NOTE = "note"
DEFINED_FOR = "defined_for"
"""The kind of the check the engine records for a quantity's ``defined_for`` (labelled with the
condition quantity's label). It is a condition of the aide whose value it bounds: the aide
itself and, in turn, the quantity each is defined for (:func:`mesaides.core.explain.defined_for_chain`).
A quantity the aide merely reads may be defined for something the aide does not require (the
RSA reads the montant majoré, defined for an isolated parent): there it is not a condition."""
NBSP = "\u202f"


class Check(NamedTuple):
    """One named condition (or note) of a formula evaluation, for every row of its entity."""

    label: str
    condition: np.ndarray
    """Where it holds (a note: where it applies)."""
    otherwise: str | None = None
    """For a condition, the sentence said when it does not hold; for a note, its text. Each
    ``{name}`` is replaced by the figure of that name."""
    figures: tuple[tuple[str, Any], ...] = ()
    """(name, values): arrays of the entity's size, or one value for all."""
    kind: str = CONDITION


def as_check(entry: Any) -> Check:
    """A trace entry as a :class:`Check` (the engine may record a bare ``(label, condition)``)."""
    if isinstance(entry, Check):
        return entry
    label, condition = entry[0], entry[1]
    return Check(label, condition)


def check_template(where: str, text: str | None, figures: dict[str, Any]) -> None:
    """Refuse, when the formula runs, a sentence naming a figure that is not given."""
    if not text:
        return
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    missing = names - set(figures)
    if missing:
        raise ValueError(f"{where}: {text!r} names {', '.join(sorted(missing))}, not given as figures")


def euros(value: float) -> str:
    """``1234.5`` → ``1 234,50 €`` (narrow no-break spaces, as French typography wants)."""
    text = f"{abs(value):,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{'-' if value < 0 else ''}{text}{NBSP}€"


def plain_figure(value: Any) -> Any:
    """A figure's value for one row, as JSON: a float amount rounded to the cent, an integer, a
    text."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 2)
    return str(value)


def format_figure(value: Any) -> str:
    """A figure in French: a float is an amount in euros, an integer a count (an age, a number
    of children), anything else as it is."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return euros(value)
    return str(value)


def figure_at(values: Any, row: int) -> Any:
    """One row's value of a figure given as an array or as one value for all."""
    if isinstance(values, np.ndarray) and values.ndim == 1:
        return plain_figure(values[row])
    return plain_figure(values)


class _French(string.Formatter):
    """``{name}`` in French by the figure's type; ``{name:%}`` a rate as a percentage."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "%":
            text = f"{float(value) * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{text}{NBSP}%"
        return format_figure(value)


def sentence(text: str, figures: dict[str, Any]) -> str:
    """``text`` with each ``{name}`` replaced by its figure, in French (``{name:%}``: a rate)."""
    return _French().format(text, **figures)
