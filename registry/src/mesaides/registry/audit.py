"""The audit log: every change the registry makes is recorded with who, when, what and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mesaides.registry.models import AuditEvent


def record(
    session: Session,
    at: dt.datetime,
    actor: str,
    action: str,
    subject: str = "",
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=at, actor=actor or "?", action=action, subject=subject, reason=reason or "", details=plain(details)
    )
    session.add(event)
    return event


def plain(value: Any) -> Any:
    """Make details JSON-safe (dates as ISO strings, sets as sorted lists)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
