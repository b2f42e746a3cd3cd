"""Configuration from the environment, read once into one object: where the instance and the
database are, how to send email. The web simulator's settings extend this class, so that the
registry and the web app always agree on the database.

=========================================  =====================================================
``MESAIDES_INSTANCE``                      the instance folder (default ``./instance``).
``MESAIDES_DATABASE_URL``                  SQLAlchemy URL: ``sqlite:///path/file.sqlite3`` or
                                           ``postgresql://user:password@host:5432/database``
                                           (``pip install 'mesaides-registry[postgresql]'``);
                                           by default SQLite in the instance folder.
``MESAIDES_SMTP_HOST``, ``_PORT``, ``_USER``,  how notifications are sent; no host: messages wait
``_PASSWORD``, ``_STARTTLS``, ``_SSL``,    in the outbox.
``_TIMEOUT``; ``MESAIDES_MAIL_FROM``
``MESAIDES_OPERATOR_EMAIL``                where the operator's reminders go (default: every
                                           active administrator account).
=========================================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from pydantic import Field, PositiveFloat, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "MESAIDES_"
DATABASE_ENV = "MESAIDES_DATABASE_URL"
INSTANCE_ENV = "MESAIDES_INSTANCE"
DATABASE_FILE = "mesaides.sqlite3"
DEFAULT_SENDER = "registre@mesaides.example.org"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the environment variable and the problem."""


@dataclass(frozen=True)
class SmtpSettings:
    """How notifications are sent. No host: messages wait in the outbox."""

    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    sender: str = DEFAULT_SENDER
    timeout: float = 10.0
    operator_address: str = ""
    """Where the operator's reminders go (O4, P4): ``MESAIDES_OPERATOR_EMAIL``."""

    @classmethod
    def from_env(cls) -> SmtpSettings:
        return Settings.read().smtp


class Settings(BaseSettings):
    """The registry's settings (the web simulator's own settings class extends them). Build them with :meth:`from_env`, once per process."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="ignore")

    instance: Path = Path("instance")
    database_url: str = ""
    """Empty in the environment: SQLite in the instance folder (filled in on validation)."""
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: PositiveFloat = 10.0
    mail_from: str = DEFAULT_SENDER
    operator_email: str = ""
    """Where the operator's reminders go (O4, P4); none: to every active administrator."""

    @model_validator(mode="after")
    def _default_database(self) -> Self:
        object.__setattr__(self, "instance", self.instance.expanduser().resolve())
        if not self.database_url:
            object.__setattr__(self, "database_url", self.instance_database_url)
        return self

    @property
    def instance_database_url(self) -> str:
        """The default database: SQLite in the instance folder."""
        return f"sqlite:///{self.instance / DATABASE_FILE}"

    @classmethod
    def from_env(cls, **overrides: Any) -> Self:
        """This process's settings, from the environment (``overrides`` win over it); a bad
        value raises :class:`SettingsError` naming its variable. The default database's folder,
        the instance folder, is made if need be."""
        settings = cls.read(**overrides)
        if settings.database_url == settings.instance_database_url:
            settings.instance.mkdir(parents=True, exist_ok=True)
        return settings

    @classmethod
    def read(cls, **overrides: Any) -> Self:
        """The settings, as :meth:`from_env`, without making any folder (to look one up)."""
        try:
            return cls(**{name: value for name, value in overrides.items() if value is not None})
        except ValidationError as exc:
            raise SettingsError(_explain(exc, cls)) from None

    @property
    def smtp(self) -> SmtpSettings:
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_user,
            password=self.smtp_password,
            starttls=self.smtp_starttls,
            ssl=self.smtp_ssl,
            sender=self.mail_from,
            timeout=self.smtp_timeout,
            operator_address=self.operator_email.strip(),
        )


def _explain(error: ValidationError, settings: type[BaseSettings]) -> str:
    """``MESAIDES_X='value': what was expected`` for each bad value, one a line."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        value = problem.get("input")
        shown = f"={value!r}" if isinstance(value, str) else ""
        lines.append(f"{ENV_PREFIX}{field.upper()}{shown}: {_expected(problem, settings.model_fields.get(field))}")
    return "\n".join(lines)


def _expected(problem: Any, field: Any) -> str:
    kind = problem["type"]
    positive = field is not None and any(getattr(bound, "gt", None) == 0 for bound in field.metadata)
    if (
        kind in ("int_parsing", "int_type", "int_from_float", "greater_than")
        and getattr(field, "annotation", None) is int
    ):
        return "expected a whole number" + (" of at least 1" if positive else "")
    if kind in ("float_parsing", "float_type", "greater_than"):
        return "expected a number" + (" above 0" if positive else "")
    if kind == "bool_parsing":
        return "expected 1 or 0 (true/false, yes/no, on/off)"
    if kind.startswith("date"):
        return "expected a date, YYYY-MM-DD"
    return problem["msg"]


def instance_dir() -> Path:
    """The instance directory: ``MESAIDES_INSTANCE``, or ``./instance`` (not made here)."""
    return Settings.read().instance


def database_url(url: str | None = None) -> str:
    """``url``, else ``MESAIDES_DATABASE_URL``, else SQLite in the instance directory."""
    return url or Settings.from_env().database_url
