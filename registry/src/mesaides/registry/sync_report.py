"""What a sync found and did, for the operator (``mesaides registry sync``) and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SyncReport:
    sync_id: int = 0
    at: dt.datetime | None = None
    baseline: bool = False
    period: str | None = None
    households: int = 0
    distributions: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    versions_only: list[str] = field(default_factory=list)
    parameters_added: list[str] = field(default_factory=list)
    parameters_changed: list[str] = field(default_factory=list)
    notifications: list[int] = field(default_factory=list)
    impact: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["at"] = self.at.isoformat() if self.at else None
        return data

    def impact_by_aide(self) -> list[tuple[dict[str, Any], list[str]]]:
        """Each measured aide once, with the changes of this sync it depends on: an aide's results
        moved once, however many of the aides it reads changed."""
        grouped: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for m in self.impact:
            _, subjects = grouped.setdefault(m["aide"], (m, []))
            if m["subject"] not in subjects:
                subjects.append(m["subject"])
        return list(grouped.values())

    def lines(self) -> list[str]:
        out = [f"sync #{self.sync_id}{' (baseline)' if self.baseline else ''} at {self.at:%Y-%m-%d %H:%M}"]
        for label, items in (
            ("new versions", self.distributions),
            ("aides added", self.added),
            ("aides changed", self.changed),
            ("aides removed", self.removed),
            ("new versions, same results", self.versions_only),
            ("Parameters added", self.parameters_added),
            ("Parameters changed", self.parameters_changed),
        ):
            if items:
                out.append(f"  {label}: {', '.join(items)}")
        if self.period:
            out.append(f"  reference population: {self.households} households, {self.period}")
        for m, subjects in self.impact_by_aide():
            cause = f"impact of {', '.join(subjects)} on {m['aide']}"
            if m.get("error"):
                out.append(f"  {cause}: not measured ({m['error']})")
            else:
                out.append(
                    f"  {cause}: +{m['gained']} / -{m['lost']} households eligible, "
                    f"{m['changed']} amounts changed (mean {m['mean_change']:+.2f}, largest +{m['largest_increase']:.2f} "
                    f"/ {m['largest_decrease']:.2f})"
                )
        if self.notifications:
            out.append(f"  notifications: {', '.join(f'#{n}' for n in self.notifications)}")
        out += [f"  problem: {p}" for p in self.problems]
        out += [f"  note: {n}" for n in self.notes]
        return out
