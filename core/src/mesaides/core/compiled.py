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
    from mesaides.core.replay import Chain
    from mesaides.core.ruleset import RuleSet


class CompiledRules:
    """A rule set's look-ups and shared caches, for the engine."""

    __slots__ = (
        "aliases",
        "computed",
        "declared_law",
        "defaults",
        "dtypes",
        "entity_keys",
        "followed",
        "index",
        "law_cache",
        "read_sets",
        "rules",
        "when",
    )

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.index: dict[str, Definition] = {**rules.quantities, **rules.parameters}
        self.dtypes: dict[str, np.dtype] = {name: dtype_of(d) for name, d in self.index.items()}
        self.entity_keys: dict[str, str] = {name: d.entity.key for name, d in self.index.items()}
        self.read_sets: dict[str, frozenset[str]] = {name: frozenset(q.reads) for name, q in rules.quantities.items()}
        self.aliases: dict[str, dict[str, str]] = rules.aliases
        """Per partner, the names its formulas read from a stand-in (an unsupported provider)."""
        self.computed: frozenset[str] = frozenset(name for name, d in self.index.items() if d.is_computed)
        """The names of the quantities (computed by a formula or a sum), not inputs."""
        self.law_cache: dict[tuple[str, str, Period], Any] = {}
        """(quantity, legislation path, period) -> the value, checked against the declarations."""
        self.declared_law: set[tuple[str, str]] = set()
        """(quantity, legislation path) pairs checked against the quantity's ``law``."""
        self.when: dict[tuple[str, Period], tuple[Any, dt.date, int]] = {}
        """(quantity, period) -> the formula in force (or the engine's sum), the period's start and the
        legislation's epoch then: what every evaluation of the quantity looks up first."""
        self.defaults: dict[tuple[str, int], np.ndarray] = {}
        """(variable, rows) -> its default value for that many rows, read-only, for small
        populations (a household or a few: one per request)."""
        self.followed: dict[tuple[Period, Chain], Period] = {}
        """Periods reached from others by a formula's steps (see :func:`replay.follow`)."""
