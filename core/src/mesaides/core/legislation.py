"""Legislation values: dated amounts, rates, thresholds and scales, each with its legal reference.

OpenFisca calls these "parameters"; in mesaides a *Parameter* is a characteristic of the user's
situation (convention P1), so these are *legislation values*. Partners ship them as YAML files
(see ``core/AUTHORING.md``) and register them through ``mesaides_register_legislation``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mesaides.core.yamlio import YAMLError, load_yaml

Scalar = float | int | bool | str


class LegislationError(ValueError):
    """A legislation file that cannot be read, or a value asked for where none is in force."""


class DatedValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: dt.date = Field(alias="from")
    value: Scalar | None
    """``None`` ends the previous value: nothing is in force from ``start`` on."""
    reference: str = Field(alias="ref", min_length=1)


class Bracket(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float
    rate: float


class DatedScale(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: dt.date = Field(alias="from")
    brackets: tuple[Bracket, ...]
    reference: str = Field(alias="ref", min_length=1)

    @field_validator("brackets")
    @classmethod
    def _ascending(cls, brackets: tuple[Bracket, ...]) -> tuple[Bracket, ...]:
        thresholds = [b.threshold for b in brackets]
        if thresholds != sorted(thresholds):
            raise ValueError("bracket thresholds must be ascending")
        return brackets

    def calc(self, base: np.ndarray | float) -> np.ndarray:
        """Apply the scale marginally: each rate to the part of ``base`` within its bracket."""
        return _marginal(np.asarray(base, dtype=float), self.brackets)

    def rate_at(self, base: np.ndarray | float) -> np.ndarray:
        """The rate of the bracket each ``base`` falls in (a non-marginal, "taux" reading)."""
        thresholds = np.array([b.threshold for b in self.brackets])
        rates = np.array([b.rate for b in self.brackets])
        index = np.searchsorted(thresholds, np.asarray(base, dtype=float), side="right") - 1
        return np.where(index >= 0, rates[np.clip(index, 0, None)], 0.0)


def _marginal(base: np.ndarray, brackets: tuple[Bracket, ...]) -> np.ndarray:
    total = np.zeros_like(base)
    for i, bracket in enumerate(brackets):
        upper = brackets[i + 1].threshold if i + 1 < len(brackets) else np.inf
        total += (np.clip(base, bracket.threshold, upper) - bracket.threshold) * bracket.rate
    return total


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    label: str
    unit: str = ""
    owner: str = ""
    """The distribution that registered it (filled in when loaded through a plugin)."""


class Series(_Node):
    """A scalar legislation value and its history."""

    type: Literal["value"] = "value"
    history: tuple[DatedValue, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> Series:
        starts = [h.start for h in self.history]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("history dates must be strictly ascending")
        return self

    def entry_at(self, date: dt.date) -> DatedValue:
        starts = [h.start for h in self.history]
        i = bisect.bisect_right(starts, date) - 1
        if i < 0 or self.history[i].value is None:
            first = self.history[0].start
            raise LegislationError(
                f"{self.path}: no value in force on {date.isoformat()} (history starts {first.isoformat()})"
            )
        return self.history[i]


class Scale(_Node):
    """A scale (barème) of thresholds and rates, and its history."""

    type: Literal["scale"] = "scale"
    history: tuple[DatedScale, ...] = Field(min_length=1)

    def entry_at(self, date: dt.date) -> DatedScale:
        starts = [h.start for h in self.history]
        i = bisect.bisect_right(starts, date) - 1
        if i < 0:
            raise LegislationError(
                f"{self.path}: no scale in force on {date.isoformat()} "
                f"(history starts {self.history[0].start.isoformat()})"
            )
        return self.history[i]


LegislationNode = Series | Scale


class Legislation:
    """All legislation values of a rule set, looked up by dotted path at a date.

    Immutable once built; lookups are cached since formulas ask for the same value for every
    period of a computation.
    """

    def __init__(self, nodes: Iterable[LegislationNode] = ()):
        self._nodes: dict[str, LegislationNode] = {}
        for node in nodes:
            if node.path in self._nodes:
                other = self._nodes[node.path].owner
                raise LegislationError(f"{node.path}: declared twice ({other or '?'} and {node.owner or '?'})")
            self._nodes[node.path] = node
        self._cache: dict[tuple[str, dt.date], Scalar | DatedScale] = {}
        self._changes = sorted({entry.start for node in self._nodes.values() for entry in node.history})
        self._epochs: dict[dt.date, int] = {}

    def epoch(self, date: dt.date) -> int:
        """How many dates at which some value changes are on or before ``date``: every
        legislation value is the same on two days of the same epoch."""
        found = self._epochs.get(date)
        if found is None:
            found = self._epochs[date] = bisect.bisect_right(self._changes, date)
        return found

    def __contains__(self, path: str) -> bool:
        return path in self._nodes

    def __iter__(self) -> Iterator[LegislationNode]:
        return iter(self._nodes.values())

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, path: str) -> LegislationNode:
        try:
            return self._nodes[path]
        except KeyError:
            raise LegislationError(f"unknown legislation value {path!r}") from None

    def under(self, prefix: str) -> list[LegislationNode]:
        dotted = prefix + "."
        return [n for p, n in self._nodes.items() if p == prefix or p.startswith(dotted)]

    def value(self, path: str, date: dt.date) -> Scalar:
        key = (path, date)
        try:
            return self._cache[key]  # type: ignore[return-value]
        except KeyError:
            pass
        node = self.node(path)
        if not isinstance(node, Series):
            raise LegislationError(f"{path} is a scale: read it with scale()")
        value = node.entry_at(date).value
        self._cache[key] = value  # type: ignore[assignment]
        return value  # type: ignore[return-value]

    def scale(self, path: str, date: dt.date) -> DatedScale:
        key = (path, date)
        cached = self._cache.get(key)
        if isinstance(cached, DatedScale):
            return cached
        node = self.node(path)
        if not isinstance(node, Scale):
            raise LegislationError(f"{path} is a value, not a scale: read it with law()")
        entry = node.entry_at(date)
        self._cache[key] = entry
        return entry


def parse_legislation(data: Mapping[str, Any], *, source: str = "<data>", owner: str = "") -> list[LegislationNode]:
    """Build legislation nodes from the mapping of one YAML file (path -> node)."""
    if not isinstance(data, Mapping):
        raise LegislationError(f"{source}: expected a mapping of dotted paths to values")
    nodes: list[LegislationNode] = []
    for path, body in data.items():
        if not isinstance(body, Mapping):
            raise LegislationError(f"{source}: {path}: expected a mapping with label and history")
        kind = Scale if body.get("type") == "scale" else Series
        try:
            nodes.append(kind.model_validate({**body, "path": path, "owner": owner}))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
            raise LegislationError(f"{source}: {path}: {problems}") from None
    return nodes


def load_legislation_files(paths: Iterable[Path], *, owner: str = "") -> list[LegislationNode]:
    """Read legislation YAML files (a directory stands for every ``*.yaml`` file in it)."""
    nodes: list[LegislationNode] = []
    for path in paths:
        path = Path(path)
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            try:
                data = load_yaml(file.read_text(encoding="utf-8")) or {}
            except YAMLError as exc:
                raise LegislationError(f"{file}: not valid YAML: {exc}") from None
            nodes.extend(parse_legislation(data, source=str(file), owner=owner))
    return nodes
