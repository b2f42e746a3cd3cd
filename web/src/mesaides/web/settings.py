"""Deployment settings, read from the environment so that every server worker sees the same:
the registry's (:mod:`mesaides.registry.settings`: instance folder, database, email), which
these extend, and the simulator's own.

==============================  ===============================================================
``MESAIDES_DATABASE_URL``       SQLAlchemy URL of the database shared with the registry
                                (``sqlite:///…`` or ``postgresql://…``); by default SQLite in
                                ``MESAIDES_INSTANCE``.
``MESAIDES_INSTANCE``           the instance folder (default ``./instance``).
``MESAIDES_PREVIEW``            ``1`` on a preview deployment: preview aides are shown (A6, G4).
``MESAIDES_DEPLOYMENT``         the deployment lock to serve (``mesaides deployment check``
                                writes it): only the aides it lists, with their status, instead
                                of the registry's statuses; it also says whether this is a preview.
``MESAIDES_RETENTION_DAYS``     how long a saved situation is kept (default 7).
``MESAIDES_ROADMAP``            the Markdown file rendered at ``/roadmap`` (O9); by default
                                ``roadmap.md`` in the instance folder, else the packaged one.
``MESAIDES_MAX_BODY_BYTES``     the largest request body accepted, in bytes (default 1 000 000):
                                a larger one is refused with 413 before it is parsed.
``MESAIDES_WORKERS``            server processes ``mesaides serve`` starts (default: one per
                                processor this process may use).
``MESAIDES_TODAY``              ``YYYY-MM-DD``: the date the simulator computes for (tests and
                                demonstrations only; the real date otherwise).
``MESAIDES_MAX_PERSONS``        the most persons one situation sent to the API may hold
                                (default 100: a few households); above it, HTTP 422 naming the cap.
``MESAIDES_PUBLIC_URL``          the address the public reaches this site at (``https://…``): the
                                sign-in links sent by email start with it. Set it in production;
                                without it a link starts with the address the request came to.
``MESAIDES_MAX_REQUESTED_VALUES``  the most values (``null``) one situation may ask for (default
                                5,000: every aide for every month of several years); above it,
                                HTTP 422 naming the cap.
==============================  ===============================================================
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import PositiveInt, field_validator

from mesaides.core.limits import Limits
from mesaides.registry.settings import DATABASE_FILE as DATABASE_FILE
from mesaides.registry.settings import Settings as RegistrySettings

DEFAULT_RETENTION_DAYS = 7
DEFAULT_MAX_PERSONS = 100
DEFAULT_MAX_REQUESTED_VALUES = 5_000

DEFAULT_MAX_BODY_BYTES = 1_000_000
"""The questionnaire's household asking every aide is about 6 KB: room for a batch of about 150."""


def instance_path() -> Path:
    from mesaides.registry.settings import instance_dir

    return instance_dir()


class Settings(RegistrySettings):
    """The registry's settings (instance, database, email) and the simulator's, read from the
    environment by :meth:`from_env`; arguments given to the constructor win over it."""

    preview: bool = False
    retention_days: PositiveInt = DEFAULT_RETENTION_DAYS
    max_body_bytes: PositiveInt = DEFAULT_MAX_BODY_BYTES
    roadmap: Path | None = None
    today: dt.date | None = None
    """A fixed date for tests and demonstrations; ``None`` follows the clock."""
    deployment: Path | None = None
    """The deployment lock to serve, if any."""
    max_persons: PositiveInt = DEFAULT_MAX_PERSONS
    max_requested_values: PositiveInt = DEFAULT_MAX_REQUESTED_VALUES
    public_url: str = ""
    """Where the emailed sign-in links point (``MESAIDES_PUBLIC_URL``); empty: the request's address."""

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, raw: str) -> str:
        raw = raw.strip().rstrip("/")
        if raw and not raw.startswith(("https://", "http://")):
            raise ValueError("expected an address starting with https://")
        return raw

    def limits(self) -> Limits:
        """The caps on one situation the web engine enforces (the core's check, tighter caps)."""
        return Limits(max_persons=self.max_persons, max_requested_values=self.max_requested_values)

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()
