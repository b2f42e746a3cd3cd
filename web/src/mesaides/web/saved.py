"""Saved situations: resumed with an unguessable link, deleted by their owner or after the
retention period (7 days by default). Only the questionnaire's answers are kept, and a deleted
situation leaves no copy in the database's files (:func:`mesaides.web.db.forget_deleted`)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mesaides.web.db import forget_deleted, saved_situations

log = logging.getLogger(__name__)

TOKEN_BYTES = 24
"""192 random bits: the token is the only credential of a saved situation."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class SavedSituations:
    def __init__(self, engine: Engine, retention_days: int):
        self.engine = engine
        self.retention = dt.timedelta(days=retention_days)

    def save(self, answers: dict[str, Any], token: str | None = None) -> str:
        """Store ``answers``; update the situation ``token`` if it still exists, else create one.
        The answers an update replaces leave no copy behind either."""
        now = _now()
        updated = 0
        with self.engine.begin() as conn:
            if token and self._valid(token):
                updated = conn.execute(
                    saved_situations.update()
                    .where(saved_situations.c.token == token, saved_situations.c.expires_at > now)
                    .values(answers=answers, updated_at=now, expires_at=now + self.retention)
                ).rowcount
            if not token or not updated:
                token = secrets.token_urlsafe(TOKEN_BYTES)
                conn.execute(
                    saved_situations.insert().values(
                        token=token, answers=answers, created_at=now, updated_at=now, expires_at=now + self.retention
                    )
                )
        if updated:
            forget_deleted(self.engine)
        return token

    def load(self, token: str) -> tuple[dict[str, Any], dt.datetime] | None:
        """The answers and expiry of a live saved situation, or ``None``."""
        if not self._valid(token):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(saved_situations.c.answers, saved_situations.c.expires_at).where(
                    saved_situations.c.token == token, saved_situations.c.expires_at > _now()
                )
            ).first()
        return (dict(row.answers), row.expires_at) if row else None

    def delete(self, token: str) -> bool:
        """Delete a saved situation at its owner's request; whether it existed."""
        if not self._valid(token):
            return False
        with self.engine.begin() as conn:
            deleted = conn.execute(saved_situations.delete().where(saved_situations.c.token == token)).rowcount > 0
        if deleted:
            forget_deleted(self.engine)
            log.info("a saved situation was deleted by its owner")
        return deleted

    def purge(self) -> int:
        """Delete every saved situation past its retention period; how many were deleted.
        Each purge is logged with its count, and nothing else."""
        with self.engine.begin() as conn:
            removed = conn.execute(saved_situations.delete().where(saved_situations.c.expires_at <= _now())).rowcount
        if removed:
            forget_deleted(self.engine)
        log.info("purge: %d saved situations past their retention period deleted", removed)
        return removed

    @staticmethod
    def _valid(token: str) -> bool:
        return 16 <= len(token) <= 64 and all(ch.isalnum() or ch in "-_" for ch in token)
