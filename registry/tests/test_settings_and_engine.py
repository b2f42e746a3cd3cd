"""One settings object read from the environment, one engine factory: the same URL checks, driver
and SQLite settings for the registry and the web simulator."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from mesaides.registry.database import Database, create_database_engine
from mesaides.registry.settings import Settings, SettingsError, SmtpSettings


def test_a_bad_setting_is_a_usage_error_naming_its_variable(monkeypatch, database_url):
    from mesaides.registry.cli import registry as registry_cli

    monkeypatch.setenv("MESAIDES_SMTP_PORT", "vingt-cinq")
    done = CliRunner().invoke(registry_cli, ["--database", database_url, "status"])
    assert done.exit_code == 2, done.output
    assert "MESAIDES_SMTP_PORT='vingt-cinq': expected a whole number" in done.output
    assert isinstance(done.exception, SystemExit)  # a message, not a traceback


def test_every_bad_value_is_named_at_once(monkeypatch):
    monkeypatch.setenv("MESAIDES_SMTP_STARTTLS", "peut-être")
    monkeypatch.setenv("MESAIDES_SMTP_TIMEOUT", "0")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert str(raised.value).splitlines() == [
        "MESAIDES_SMTP_STARTTLS='peut-être': expected 1 or 0 (true/false, yes/no, on/off)",
        "MESAIDES_SMTP_TIMEOUT='0': expected a number above 0",
    ]


def test_email_settings_come_from_the_same_object(monkeypatch, tmp_path):
    monkeypatch.setenv("MESAIDES_INSTANCE", str(tmp_path))
    monkeypatch.setenv("MESAIDES_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("MESAIDES_SMTP_PORT", "587")
    monkeypatch.setenv("MESAIDES_SMTP_STARTTLS", "yes")
    monkeypatch.setenv("MESAIDES_MAIL_FROM", "registre@example.org")
    assert SmtpSettings.from_env() == SmtpSettings(
        host="smtp.example.org", port=587, starttls=True, sender="registre@example.org"
    )


def test_looking_up_the_instance_does_not_create_it(monkeypatch, tmp_path):
    from mesaides.registry.settings import instance_dir

    monkeypatch.delenv("MESAIDES_DATABASE_URL", raising=False)
    monkeypatch.setenv("MESAIDES_INSTANCE", str(tmp_path / "instance"))
    assert instance_dir() == tmp_path / "instance" and not (tmp_path / "instance").exists()
    assert SmtpSettings.from_env().host == "" and not (tmp_path / "instance").exists()
    assert Settings.from_env().database_url == f"sqlite:///{tmp_path / 'instance' / 'mesaides.sqlite3'}"
    assert (tmp_path / "instance").is_dir()  # made for the default database, whose folder must exist


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_a_postgresql_url_is_opened_with_psycopg_3(scheme):
    pytest.importorskip("psycopg")
    engine = create_database_engine(f"{scheme}://mesaides:secret@127.0.0.1:5432/mesaides")  # no connection yet
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")


def test_sqlite_is_opened_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    registry = Database(f"sqlite:///{tmp_path / 'mesaides.sqlite3'}")
    pragmas = ("journal_mode", "foreign_keys", "busy_timeout", "secure_delete", "synchronous")
    with registry.engine.connect() as connection:
        values = [connection.execute(text(f"PRAGMA {p}")).scalar() for p in pragmas]
    assert values == ["wal", 1, 30000, 1, 1]  # synchronous=NORMAL is 1
    registry.close()
