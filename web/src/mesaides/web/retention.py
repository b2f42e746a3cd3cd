"""What the web simulator keeps no longer than it says (the privacy page): saved situations past
their retention period, and the previous days' statistics salts and digests.

:func:`purge` is the web's part of the registry's scheduled work: it is declared under the
entry-point group ``mesaides.tick``, so that ``registry.tick()`` runs it, from the server's
scheduler (:mod:`mesaides.web.scheduler`) or from ``mesaides registry tick`` in cron.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from mesaides.web import db
from mesaides.web.saved import SavedSituations
from mesaides.web.settings import Settings
from mesaides.web.stats import Stats


def purge(database_url: str, now: dt.datetime) -> dict[str, int]:
    """Purge the web's tables of ``database_url`` (nothing when the web never ran on it). The
    saved situations' expiry and the statistics' day follow the web's own clock, as when they
    were written, whatever ``now`` the registry ticks at."""
    settings = Settings.from_env()
    engine = db.connect(database_url)  # the web's SQLite pragmas: deleted rows are zeroed
    try:
        if not sa.inspect(engine).has_table(db.saved_situations.name):
            return {}
        removed = SavedSituations(engine, settings.retention_days).purge()
        Stats(engine, today=settings.current_date).forget_past_days()
    finally:
        engine.dispose()
    return {"saved_situations": removed}
