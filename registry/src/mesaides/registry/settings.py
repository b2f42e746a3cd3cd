"""Configuration from the environment: where the database is, how to send email."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATABASE_ENV = "MESAIDES_DATABASE_URL"
INSTANCE_ENV = "MESAIDES_INSTANCE"
DATABASE_FILE = "mesaides.sqlite3"


def instance_dir(env: Mapping[str, str] | None = None) -> Path:
    """The instance directory: ``MESAIDES_INSTANCE``, or ``./instance``."""
    env = os.environ if env is None else env
    return Path(env.get(INSTANCE_ENV) or "instance").resolve()


def database_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``url``, else ``MESAIDES_DATABASE_URL``, else SQLite in the instance directory."""
    env = os.environ if env is None else env
    if url:
        return url
    if env.get(DATABASE_ENV):
        return env[DATABASE_ENV]
    folder = instance_dir(env)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / DATABASE_FILE}"


@dataclass(frozen=True)
class SmtpSettings:
    """How notifications are sent (``MESAIDES_SMTP_*``). No host: messages wait in the outbox."""

    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    sender: str = "registre@mesaides.example.org"
    timeout: float = 10.0
    operator_address: str = ""
    """Where the operator's reminders go (O4, P4): ``MESAIDES_OPERATOR_EMAIL``."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if env is None else env

        def flag(name: str) -> bool:
            return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")

        return cls(
            host=env.get("MESAIDES_SMTP_HOST", ""),
            port=int(env.get("MESAIDES_SMTP_PORT") or 25),
            username=env.get("MESAIDES_SMTP_USER", ""),
            password=env.get("MESAIDES_SMTP_PASSWORD", ""),
            starttls=flag("MESAIDES_SMTP_STARTTLS"),
            ssl=flag("MESAIDES_SMTP_SSL"),
            sender=env.get("MESAIDES_MAIL_FROM") or cls.sender,
            timeout=float(env.get("MESAIDES_SMTP_TIMEOUT") or 10.0),
            operator_address=env.get("MESAIDES_OPERATOR_EMAIL", "").strip(),
        )
