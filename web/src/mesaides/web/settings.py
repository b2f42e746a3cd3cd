"""Deployment settings, read from the environment so that every server worker sees the same.

==============================  ===============================================================
``MESAIDES_DATABASE_URL``       SQLAlchemy URL of the database shared with the registry; by
                                default SQLite in ``MESAIDES_INSTANCE``.
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
import os
from dataclasses import dataclass, field
from pathlib import Path

from mesaides.core.limits import Limits

DEFAULT_RETENTION_DAYS = 7
DEFAULT_MAX_PERSONS = 100
DEFAULT_MAX_REQUESTED_VALUES = 5_000
DATABASE_FILE = "mesaides.sqlite3"

DEFAULT_MAX_BODY_BYTES = 1_000_000
"""The questionnaire's household asking every aide is about 6 KB: room for a batch of about 150."""


def instance_path() -> Path:
    return Path(os.environ.get("MESAIDES_INSTANCE") or "instance").resolve()


def database_url() -> str:
    """The registry's URL rule: ``MESAIDES_DATABASE_URL``, else SQLite in the instance folder.

    When the registry exposes its own rule, it is used, so that both always open the same
    database.
    """
    try:
        from mesaides.registry.settings import database_url as registry_database_url
    except ImportError:
        registry_database_url = None
    if registry_database_url is not None:
        return registry_database_url()
    url = os.environ.get("MESAIDES_DATABASE_URL")
    if url:
        return url
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / DATABASE_FILE}"


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}={raw!r}: expected a whole number of at least 1")
    return int(raw)


def _public_url(raw: str) -> str:
    raw = raw.strip().rstrip("/")
    if raw and not raw.startswith(("https://", "http://")):
        raise ValueError(f"MESAIDES_PUBLIC_URL={raw!r}: expected an address starting with https://")
    return raw


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=database_url)
    preview: bool = False
    retention_days: int = DEFAULT_RETENTION_DAYS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    roadmap: Path | None = None
    today: dt.date | None = None
    """A fixed date for tests and demonstrations; ``None`` follows the clock."""
    deployment: Path | None = None
    """The deployment lock to serve, if any."""
    max_persons: int = DEFAULT_MAX_PERSONS
    max_requested_values: int = DEFAULT_MAX_REQUESTED_VALUES
    public_url: str = ""
    """Where the emailed sign-in links point (``MESAIDES_PUBLIC_URL``); empty: the request's address."""

    @classmethod
    def from_env(cls) -> Settings:
        today = os.environ.get("MESAIDES_TODAY")
        roadmap = os.environ.get("MESAIDES_ROADMAP")
        deployment = os.environ.get("MESAIDES_DEPLOYMENT")
        return cls(
            database_url=database_url(),
            preview=_flag("MESAIDES_PREVIEW"),
            retention_days=int(os.environ.get("MESAIDES_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS),
            max_body_bytes=_positive_int("MESAIDES_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            roadmap=Path(roadmap) if roadmap else None,
            today=dt.date.fromisoformat(today) if today else None,
            deployment=Path(deployment) if deployment else None,
            max_persons=_positive_int("MESAIDES_MAX_PERSONS", DEFAULT_MAX_PERSONS),
            max_requested_values=_positive_int("MESAIDES_MAX_REQUESTED_VALUES", DEFAULT_MAX_REQUESTED_VALUES),
            public_url=_public_url(os.environ.get("MESAIDES_PUBLIC_URL", "")),
        )

    def limits(self) -> Limits:
        """The caps on one situation the web engine enforces (the core's check, tighter caps)."""
        return Limits(max_persons=self.max_persons, max_requested_values=self.max_requested_values)

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()
