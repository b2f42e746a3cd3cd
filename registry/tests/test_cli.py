"""``mesaides registry`` as partners and the operator run it, in subprocesses, against a partner
distribution installed on the path (a ``.dist-info`` with its entry point), a real SQLite file,
and ``MESAIDES_NOW`` for the clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml
from registry_test_partners import REF, write_png

from mesaides.registry.testing import OPERATOR, operator_account

MESAIDES = Path(sys.executable).with_name("mesaides")
OTHERS = ",".join(ep.name for ep in entry_points(group="mesaides") if ep.name != "registry")
"""Every plugin installed beside the test partner is disabled, except the registry's own commands:
these tests are about the test partner alone (a new partner must not change what they see)."""

PLUGIN = '''
"""A partner distribution installed for the command-line tests."""
from pathlib import Path
import numpy as np
from mesaides.core import INDIVIDU, MONTH, Institution, Parameter, Partner, as_aide, hookimpl, quantity

HERE = Path(__file__).with_name("cli_partner_files")
READS_OLD = {reads_old}

OLD = Parameter(name="cli_vieux_parametre", entity=INDIVIDU, period=MONTH, value_type="float",
                label="Ancien Parameter", year_input="divide")

@quantity(INDIVIDU, MONTH, label="Aide de test en ligne de commande",
          reads=("age", "cli_vieux_parametre") if READS_OLD else ("age",), law=("cli.montant",))
def cli_aide(c):
    return np.where(c("age") >= 18, c.law("cli.montant"), 0.0)

INFO = {{
    "label": "Aide de test", "description": "Une aide pour tester la ligne de commande.", "institution": "cli",
    "periodicity": "monthly", "public_page": "https://www.example.org/cli",
    "apply": [{{"kind": "form_printable", "url": "https://www.example.org/cli.pdf", "label": "Formulaire"}}],
    "legal_references": [{{"title": "Délibération", "url": "{ref}"}}], "documentation": "100 € aux majeurs.",
}}

@hookimpl
def mesaides_register_partner(register):
    register(Partner(id="cli", name="Partenaire de test", scope="territorial", referent_email="cli@example.org",
                     institutions=(Institution(id="cli", name="Partenaire de test", logo=HERE / "logo_cli.png"),)))

@hookimpl
def mesaides_register_parameters(register):
    register(OLD)

@hookimpl
def mesaides_register_legislation(register):
    register(HERE / "legislation.yaml")

@hookimpl
def mesaides_register_aides(register):
    register(as_aide(cli_aide, INFO))
'''


class Installed:
    """A partner distribution on ``PYTHONPATH``, as pip would leave it."""

    def __init__(self, root: Path):
        self.site = root / "site"
        files = self.site / "cli_partner_files"
        files.mkdir(parents=True)
        write_png(files / "logo_cli.png")
        law = {
            "cli.montant": {
                "label": "Montant",
                "unit": "EUR",
                "history": [{"from": "2024-01-01", "value": 100.0, "ref": REF}],
            }
        }
        (files / "legislation.yaml").write_text(yaml.safe_dump(law), encoding="utf-8")
        self.tests = root / "tests" / "yaml"
        self.tests.mkdir(parents=True)
        cases = [
            {
                "name": "Adulte",
                "period": "2026-11",
                "input": {"date_naissance": "1990-01-01"},
                "output": {"cli_aide": 100},
            },
            {
                "name": "Enfant",
                "period": "2026-11",
                "input": {"date_naissance": "2015-01-01"},
                "output": {"cli_aide": 0},
            },
        ]
        (self.tests / "cli_aide.yaml").write_text(yaml.safe_dump(cases), encoding="utf-8")
        self.release("1.0.0", reads_old=False)

    def release(self, version: str, *, reads_old: bool) -> None:
        for old in self.site.glob("mesaides_cli_partner-*.dist-info"):
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
        info = self.site / f"mesaides_cli_partner-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: mesaides-cli-partner\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text("[mesaides]\ncli_partner = registry_cli_partner\n", encoding="utf-8")
        (self.site / "registry_cli_partner.py").write_text(
            PLUGIN.format(reads_old=reads_old, ref=REF), encoding="utf-8"
        )


@pytest.fixture
def installed(tmp_path):
    if not MESAIDES.exists():
        pytest.skip(f"no mesaides command beside {sys.executable}")
    return Installed(tmp_path)


@pytest.fixture
def run(tmp_path, installed, database_url):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(installed.site), os.environ.get("PYTHONPATH", "")]),
        "MESAIDES_DATABASE_URL": database_url,
        "MESAIDES_DISABLE_PLUGINS": OTHERS,
        "MESAIDES_NOW": "2026-11-16T09:00:00",
        "MESAIDES_REFERENCE_HOUSEHOLDS": "100",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("MESAIDES_SMTP_HOST", None)
    env.update(operator_account(env["MESAIDES_DATABASE_URL"]))

    def run(
        *args: str, now: str | None = None, cwd: Path | None = None, account: str | None = None
    ) -> subprocess.CompletedProcess:
        extra = {"MESAIDES_NOW": now} if now else {}
        if account is not None:
            extra["MESAIDES_ACCOUNT"] = account
        return subprocess.run(
            [str(MESAIDES), "registry", *args],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=cwd or tmp_path,
            timeout=300,
        )

    return run


def test_sync_status_and_parameters(run):
    synced = run("sync", "--reason", "first")
    assert synced.returncode == 0, synced.stderr
    assert "sync #1 (baseline) at 2026-11-16 09:00" in synced.stdout
    assert "mesaides-cli-partner 1.0.0" in synced.stdout

    status = json.loads(run("status", "--json").stdout)
    assert status["aides"]["cli_aide"]["status"] == "development"
    assert status["partners"]["cli"]["distributions"][0]["versions"] == ["1.0.0"]

    params = run("parameters").stdout
    assert "cli_vieux_parametre" in params and "active" in params
    assert "sync" in run("audit").stdout


def test_check_passes_then_fails_for_a_release_reading_a_removed_parameter(run, installed):
    ok = run("check", "-d", "mesaides-cli-partner", "--tests", str(installed.tests))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "checked mesaides-cli-partner: ok" in ok.stdout

    assert run("sync").returncode == 0
    refused = run("remove", "date_naissance", "--reason", "tidy up")
    assert refused.returncode == 1
    assert "P4: Parameter date_naissance cannot be removed" in refused.stderr and "cli_aide" in refused.stderr
    removed = run("remove", "cli_vieux_parametre", "--reason", "no aide reads it")
    assert removed.returncode == 0, removed.stderr

    installed.release("1.1.0", reads_old=True)
    failed = run("check", "-d", "mesaides-cli-partner", "--tests", str(installed.tests))
    assert failed.returncode == 1
    assert (
        "[P4] cli_aide: reads Parameter cli_vieux_parametre, which the operator removed on 2026-11-16" in failed.stderr
    )
    assert "1 error" in failed.stdout or "2 error" in failed.stdout

    # A partner's CI has no access to the operator's database: it checks against the exported catalogue.
    catalogue = run("catalogue").stdout
    (installed.site.parent / "catalogue.json").write_text(catalogue, encoding="utf-8")
    offline = run(
        "check",
        "--catalogue",
        str(installed.site.parent / "catalogue.json"),
        "-d",
        "mesaides-cli-partner",
        "--tests",
        str(installed.tests),
    )
    assert offline.returncode == 1 and "cli_vieux_parametre" in offline.stderr


def test_check_in_a_partner_project_checks_that_project(run, installed, tmp_path):
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "mesaides-cli-partner"\nversion = "1.0.0"\n', encoding="utf-8"
    )
    (project / "tests" / "yaml").symlink_to(installed.tests)
    result = run("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked mesaides-cli-partner: ok" in result.stdout


def test_check_fails_with_fewer_than_two_expert_cases(run, installed):
    (installed.tests / "cli_aide.yaml").write_text(
        yaml.safe_dump(
            [
                {
                    "name": "Adulte",
                    "period": "2026-11",
                    "input": {"date_naissance": "1990-01-01"},
                    "output": {"cli_aide": 100},
                }
            ]
        )
    )
    result = run("check", "-d", "mesaides-cli-partner", "--tests", str(installed.tests))
    assert result.returncode == 1
    assert "[A5] cli_aide: 1 expert test case; at least 2 are needed" in result.stderr


def test_decisions_and_deadlines_from_the_command_line(run):
    assert run("sync").returncode == 0
    assert run("suggest", "aide_velo", "--label", "Aide au vélo").stdout.strip() == "aide_velo: suggested"
    assert "refused" in run("suggest", "aide_dette", "--label", "Effacement", "--erases-debt").stdout
    assert run("decide", "aide_velo", "feasible", "--reason", "computable").returncode == 0
    assert run("sign-off", "cli_aide", "quality").returncode == 0
    # A partner's own acts are not the operator's: the command line refuses them (issue 17).
    reliability = run("sign-off", "cli_aide", "reliability")
    assert reliability.returncode == 2 and "the reliability sign-off (A6a) is the partner's own act" in (
        reliability.stderr
    )
    nobody = run("decide", "aide_velo", "refused", "--reason", "r", "--as", "intrus@example.org")
    assert nobody.returncode == 2 and "no active account intrus@example.org" in nobody.stderr
    defect = run("notify-defect", "cli_aide", "--description", "wrong age limit")
    assert defect.returncode == 0 and "defect #1" in defect.stdout
    assert "nothing overdue" in run("overdue").stdout
    late = run("overdue", now="2026-12-05T09:00:00").stdout
    # The run suspended the aide; the defect stays overdue until it is resolved (A9).
    assert "[A9] cli: defect #1 on cli_aide is not resolved" in late
    status = json.loads(run("status", "cli_aide", "--json", now="2026-12-05T09:00:00").stdout)
    assert status["status"] == "suspended"
    assert "defect_expired" in run("audit", "--subject", "cli_aide").stdout


def test_send_and_feed(run):
    assert run("sync").returncode == 0
    sent = run("send")
    assert sent.returncode == 0 and "sent 0, failed 0" in sent.stdout
    feed = json.loads(run("feed", "cli").stdout)
    assert feed["items"] == []
    assert run("feed", "nobody").returncode == 1


def test_the_command_group_is_registered_through_the_core_hook(installed):
    result = subprocess.run([str(MESAIDES), "--help"], capture_output=True, text=True, timeout=120)
    assert "registry" in result.stdout
    result = subprocess.run([str(MESAIDES), "registry", "--help"], capture_output=True, text=True, timeout=120)
    for command in (
        "sync",
        "check",
        "status",
        "parameters",
        "deprecate",
        "remove",
        "suggest",
        "decide",
        "sign-off",
        "notify-defect",
        "account",
        "impact",
        "overdue",
        "send",
    ):
        assert f"  {command} " in result.stdout, command
    assert textwrap.dedent(result.stdout)


def test_usage_errors_name_the_option_without_a_traceback(run, tmp_path):
    run("sync", "--no-measure")
    decided = run("decide", "cli_aide", "feasible")
    assert decided.returncode == 2 and "Missing option '--reason'" in decided.stderr
    missing = tmp_path / "no" / "such" / "folder"
    opened = run("--database", f"sqlite:///{missing}/registry.sqlite3", "status")
    assert opened.returncode == 2
    assert (
        f"Invalid value for '--database' / MESAIDES_DATABASE_URL: the folder {missing} of the SQLite database"
        in opened.stderr
    )
    for result in (decided, opened):
        assert "Traceback" not in result.stderr


def test_a_postgresql_url_without_its_driver_says_what_to_install(run):
    import importlib.util

    if importlib.util.find_spec("psycopg") is not None:
        pytest.skip("psycopg is installed")
    opened = run("--database", "postgresql://mesaides:secret@127.0.0.1/mesaides", "status")
    assert opened.returncode == 2 and "Traceback" not in opened.stderr
    assert (
        "the driver for postgresql:// URLs (psycopg) is not installed: pip install 'mesaides-registry[postgresql]'"
        in opened.stderr
    )


def test_adopt_records_the_aides_public_before_the_registry(run, installed):
    assert run("sync", "--no-measure").returncode == 0
    both = run("adopt", "cli_aide", "--all", "--reason", "public since 2025")
    assert both.returncode == 2 and "name the aides to record as public, or give --all (not both)" in both.stderr
    without_reason = run("adopt", "--all")
    assert without_reason.returncode == 2 and "Missing option '--reason'" in without_reason.stderr
    adopted = run(
        "adopt",
        "--all",
        "--reason",
        "public on https://www.example.org since 2025",
        "--as",
        OPERATOR.email,
        "--tests",
        str(installed.tests),
    )
    assert adopted.returncode == 0, adopted.stderr
    assert adopted.stdout.strip() == "cli_aide: published (recorded as public before the registry)"
    status = json.loads(run("status", "cli_aide", "--json").stdout)
    assert status["status"] == "published"
    assert f"{OPERATOR.email} (administrator, cli)" in run("audit", "--subject", "cli_aide").stdout


def test_the_documentation_site_names_a_database_url_it_cannot_open(tmp_path):
    if not MESAIDES.exists():
        pytest.skip(f"no mesaides command beside {sys.executable}")
    missing = tmp_path / "no" / "folder"
    env = {**os.environ, "MESAIDES_DATABASE_URL": f"sqlite:///{missing}/db.sqlite3", "MESAIDES_DISABLE_PLUGINS": OTHERS}
    done = subprocess.run(
        [str(MESAIDES), "docs", "build", str(tmp_path / "site")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"Invalid value for MESAIDES_DATABASE_URL: the folder {missing} of the SQLite database" in done.stderr


def test_the_command_line_acts_as_an_active_administrator_account(run, tmp_path):
    unnamed = run("sync", "--no-measure", account="")
    assert unnamed.returncode == 2 and "--as: give the email of your administrator account" in unnamed.stderr
    unknown = run("sync", "--no-measure", account="personne@nulle-part.test")
    assert unknown.returncode == 2 and "no active account personne@nulle-part.test" in unknown.stderr
    assert run("sync", "--no-measure").returncode == 0

    created = run("account", "create", "Referente@CLI.test", "--name", "Inès", "--role", "referent", "--partner", "cli")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "account referente@cli.test: referent of cli"
    as_referent = run("sync", "--no-measure", account="referente@cli.test")
    assert as_referent.returncode == 2
    assert "referente@cli.test is a referent of cli, not an administrator" in as_referent.stderr
    unbound = run("account", "create", "expert@cli.test", "--role", "expert")
    assert unbound.returncode == 1 and "partner: a expert account is bound to a partner" in unbound.stderr
    second_founder = run("account", "create", "autre@operateur.test", "--role", "administrator", account="")
    assert second_founder.returncode == 1 and "an administrator exists already" in second_founder.stderr
    # On a new registry, the operator's shell creates the first administrator (the root of trust).
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    founder = run(
        "--database", fresh, "account", "create", "Claire@Operateur.test", "--role", "administrator", account=""
    )
    assert founder.returncode == 0, founder.stderr
    assert founder.stdout.strip() == "account claire@operateur.test: administrator"
    # Under MESAIDES_ACCOUNT already set to the founder's own email, as the README's steps leave it.
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    preset = run(
        "--database",
        other,
        "account",
        "create",
        "lea@operateur.test",
        "--role",
        "administrator",
        account="lea@operateur.test",
    )
    assert preset.returncode == 0, preset.stderr
    assert "claire@operateur.test" in run("--database", fresh, "account", "list").stdout

    listed = run("account", "list").stdout
    assert OPERATOR.email in listed and "referente@cli.test" in listed and "referent" in listed
    assert run("account", "deactivate", "referente@cli.test").returncode == 0
    assert "(deactivated)" in run("account", "list", "--partner", "cli").stdout
    gone = run("status", "cli_aide", account="referente@cli.test")
    assert gone.returncode == 0, "reading commands need no account"
    audit = run("audit", "--subject", "referente@cli.test").stdout
    assert f"{OPERATOR.email} (administrator, cli): account_deactivated" in audit
    assert f"{OPERATOR.email} (administrator, cli): account_created" in audit
    for result in (unnamed, unknown, as_referent, unbound, second_founder):
        assert "Traceback" not in result.stderr


def test_a_partners_own_acts_say_where_the_partner_does_them(run):
    assert run("sync", "--no-measure").returncode == 0
    refusals = {
        "answering a notification (A7)": run("acknowledge", "1", "--partner", "cli", "--updated"),
        "the reliability sign-off (A6a)": run("sign-off", "cli_aide", "reliability"),
        "asking the operator a question (O4)": run("ask", "cli", "Quand ?", "--to-operator"),
    }
    question = run("ask", "cli", "Votre aide lit-elle encore cli_vieux_parametre ?")
    assert question.returncode == 0 and question.stdout.strip() == "question #1"
    refusals["answering the operator's question #1 (Pa2)"] = run("answer", "1", "--text", "Non.")
    for what, result in refusals.items():
        assert result.returncode == 2, (what, result.stdout, result.stderr)
        assert f"{what} is the partner's own act" in result.stderr
        assert "/espace/partenaire/" in result.stderr and "partner API" in result.stderr
        assert "Traceback" not in result.stderr
    assert run("sign-off", "cli_aide", "quality").returncode == 0
    assert "acknowledge" not in run("--help").stdout
