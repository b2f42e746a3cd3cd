"""How large one situation may be: a cap on persons and on requested values.

One request must not take a service down: the engine refuses a situation with more persons or
more requested values (its ``null`` values) than its :class:`Limits` allow, before computing
anything, with a :class:`TooLarge` error naming the cap. The CLI, the Python API and the web
server share the check; each chooses its caps (the web server's are tighter, and set by its
operator: ``MESAIDES_MAX_PERSONS``, ``MESAIDES_MAX_REQUESTED_VALUES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mesaides.core.situation import SituationError, SituationIssue


@dataclass(frozen=True)
class Limits:
    """Caps on one situation (``None``: no cap).

    The defaults are for the Python API and the command line, which compute batches: 100,000
    persons (about 40,000 households; a million households are computed as arrays, see
    :meth:`mesaides.core.Engine.compute_arrays`) and a million requested values.
    """

    max_persons: int | None = 100_000
    max_requested_values: int | None = 1_000_000

    def check(self, persons: int, requested_values: int) -> None:
        """:raises TooLarge: when a count is above its cap."""
        issues = []
        if self.max_persons is not None and persons > self.max_persons:
            issues.append(
                SituationIssue(
                    path="individus",
                    message=f"too many persons: {persons}, at most {self.max_persons} per situation (limit max_persons)",
                )
            )
        if self.max_requested_values is not None and requested_values > self.max_requested_values:
            issues.append(
                SituationIssue(
                    path="",
                    message=(
                        f"too many requested values: {requested_values} null values, at most "
                        f"{self.max_requested_values} per situation (limit max_requested_values)"
                    ),
                )
            )
        if issues:
            raise TooLarge(issues)


UNLIMITED = Limits(max_persons=None, max_requested_values=None)


class TooLarge(SituationError):
    """A situation above a cap of :class:`Limits` (HTTP 422)."""
