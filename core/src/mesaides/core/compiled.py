"""What the engine derives from a rule set once and shares between its simulations.

A :class:`~mesaides.core.ruleset.RuleSet` is what the plugins registered, frozen. The engine
compiles from it the look-ups its hot paths need (each variable's dtype and entity, each
quantity's reads as a set) and fills, as simulations run, the caches every simulation on the
same rules may share (the formula in force at a date, a legislation value checked and looked
up for a quantity and a period). An :class:`~mesaides.core.api.Engine` owns one; a
:class:`~mesaides.core.simulation.Simulation` made from a bare rule set compiles its own.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from mesaides.core.values import dtype_of

if TYPE_CHECKING:
    from mesaides.core.definitions import Definition
    from mesaides.core.periods import Period
    from mesaides.core.ruleset import RuleSet


class CompiledRules:
    """A rule set's look-ups and shared caches, for the engine."""

    __slots__ = (
        "declared_law",
        "dtypes",
        "entity_keys",
        "followed",
        "formula_at",
        "index",
        "law_cache",
        "read_sets",
        "rules",
    )

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.index: dict[str, Definition] = {**rules.quantities, **rules.parameters}
        self.dtypes: dict[str, np.dtype] = {name: dtype_of(d) for name, d in self.index.items()}
        self.entity_keys: dict[str, str] = {name: d.entity.key for name, d in self.index.items()}
        self.read_sets: dict[str, frozenset[str]] = {name: frozenset(q.reads) for name, q in rules.quantities.items()}
        self.formula_at: dict[tuple[str, dt.date], Any] = {}
        """(quantity, start of a period) -> the formula in force then (or the engine's sum)."""
        self.law_cache: dict[tuple[str, str, Period], Any] = {}
        """(quantity, legislation path, period) -> the value, checked against the declarations."""
        self.declared_law: set[tuple[str, str]] = set()
        """(quantity, legislation path) pairs checked against the quantity's ``law``."""
        self.followed: dict = {}
        """Periods reached from others by a formula's steps (see :func:`replay.follow`)."""
