"""The statuses the registry records, one type each, and the moves between them that the
convention allows: an aide's (A1, A2, A6, A9, G4), a Parameter's (P4), a defect's (A9).

Every change of an aide's status goes through :func:`mesaides.registry.transitions.set_status`,
which refuses a move this table does not list: a removed aide is not published, a refused one is
not previewed, without passing through the steps (and the checks) in between. Parameters and
defects move through :func:`mesaides.registry.transitions.move`. Values are stored as strings; the
types keep an aide's ``removed`` apart from a Parameter's.
"""

from __future__ import annotations

from enum import StrEnum


class _Status(StrEnum):
    """A status stored as its string value. Two statuses of different types are never equal,
    even with the same value (an aide's ``removed`` is not a Parameter's)."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Status) and type(other) is not type(self):
            return False
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = StrEnum.__hash__

    def can_become(self, other: str) -> bool:
        """Whether the convention allows moving from this status to ``other`` (staying is allowed:
        a sync or a decision may record a new reason for the same status)."""
        other = type(self)(other)
        return other == self or other in _TABLES[type(self)][self]

    def allowed(self) -> list[str]:
        return sorted(_TABLES[type(self)][self])


class AideStatus(_Status):
    """Lifecycle order. Stored as its value (a string column); equal to that string."""

    SUGGESTED = "suggested"
    """A1: anyone suggested it; the operator has not decided yet."""
    FEASIBLE = "feasible"
    """A1: the operator decided it can be integrated; no distribution registers it yet."""
    REFUSED = "refused"
    """A1, A2: the operator refused it, or it is not integrable."""
    DEVELOPMENT = "development"
    """A distribution registers it; not shown to anyone yet."""
    PREVIEW = "preview"
    """G4: shown on preview instances, after the automatic checks."""
    PUBLISHED = "published"
    """A6, G2: shown to the public (both sign-offs, or public before the registry: ``adopt``)."""
    SUSPENDED = "suspended"
    """A9: a defect was not corrected in time; not shown."""
    REMOVED = "removed"
    """A9, A10: no longer granted, no longer registered, or removed by the operator."""


class ParameterStatus(_Status):
    """P4: a Parameter is active, deprecated (with a replacement and a removal date), then removed
    once no aide depends on it."""

    ACTIVE = "active"
    DEPRECATED = "deprecated"
    REMOVED = "removed"


class DefectStatus(_Status):
    """A9: a defect is open during its correction period; it expires when the period runs out
    (the aide is suspended) and is resolved once the partner corrected it (before or after)."""

    OPEN = "open"
    RESOLVED = "resolved"
    EXPIRED = "expired"


_S = AideStatus
TRANSITIONS: dict[AideStatus, frozenset[AideStatus]] = {
    # A1: decided; A2: refused at once; a sync finds a distribution implementing it.
    _S.SUGGESTED: frozenset({_S.FEASIBLE, _S.REFUSED, _S.DEVELOPMENT, _S.REMOVED}),
    _S.FEASIBLE: frozenset({_S.DEVELOPMENT, _S.REFUSED, _S.REMOVED}),
    # A refusal reversed by the operator (A1), or a refused suggestion a distribution now ships.
    _S.REFUSED: frozenset({_S.FEASIBLE, _S.DEVELOPMENT, _S.REMOVED}),
    # G4 preview, A6 publication (or adoption), A9 suspension, A2 refusal found at a sync, removal.
    _S.DEVELOPMENT: frozenset({_S.PREVIEW, _S.PUBLISHED, _S.SUSPENDED, _S.REFUSED, _S.REMOVED}),
    _S.PREVIEW: frozenset({_S.PUBLISHED, _S.SUSPENDED, _S.REFUSED, _S.REMOVED}),
    _S.PUBLISHED: frozenset({_S.PREVIEW, _S.SUSPENDED, _S.REFUSED, _S.REMOVED}),
    # Once its defects are closed (A9), a suspended aide is shown again on the same checks.
    _S.SUSPENDED: frozenset({_S.PREVIEW, _S.PUBLISHED, _S.REFUSED, _S.REMOVED}),
    # Registered again by a distribution (a sync); an A2 refusal found in its new metadata.
    _S.REMOVED: frozenset({_S.DEVELOPMENT, _S.REFUSED}),
}
"""The moves each status allows (besides staying)."""

_P = ParameterStatus
PARAMETER_TRANSITIONS: dict[ParameterStatus, frozenset[ParameterStatus]] = {
    _P.ACTIVE: frozenset({_P.DEPRECATED, _P.REMOVED}),
    _P.DEPRECATED: frozenset({_P.REMOVED}),
    _P.REMOVED: frozenset(),
}
_D = DefectStatus
DEFECT_TRANSITIONS: dict[DefectStatus, frozenset[DefectStatus]] = {
    _D.OPEN: frozenset({_D.RESOLVED, _D.EXPIRED}),
    # A9: the partner may still correct a suspended aide; it is shown again once resolved.
    _D.EXPIRED: frozenset({_D.RESOLVED}),
    _D.RESOLVED: frozenset(),
}
_TABLES: dict[type, dict] = {
    AideStatus: TRANSITIONS,
    ParameterStatus: PARAMETER_TRANSITIONS,
    DefectStatus: DEFECT_TRANSITIONS,
}

LIVE_STATUSES = (_S.DEVELOPMENT, _S.PREVIEW, _S.PUBLISHED, _S.SUSPENDED)
"""Aides that a distribution ships and that other aides may interact with."""
SHOWABLE = LIVE_STATUSES
"""The statuses from which an aide can be promoted (a suspended one once its defects are closed)."""
ADOPTABLE = (_S.DEVELOPMENT, _S.PREVIEW, _S.PUBLISHED)
"""The statuses from which an aide already public before the registry can be recorded as
published (``adopt``): a suspended aide has an open defect (A9), a refused or removed one is
not shown at all."""


class StatusTransitionError(ValueError):
    """A move between statuses the convention does not allow."""

    def __init__(self, name: str, before: _Status, after: str, what: str = "aide"):
        allowed = ", ".join(before.allowed()) or "none"
        super().__init__(f"{what} {name} is {before}: it cannot become {after} (from {before}: {allowed})")
