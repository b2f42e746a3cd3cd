"""``mesaides deployment check`` with the installed partner packages (CAF, Nord) and a real
SQLite registry: publishing an aide needs the A6 sign-offs and the publication checks, previewing
it the automatic checks only (G4); the lock says what the instance serves.

Skipped when the CAF or Nord package is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import importlib_metadata
import pytest

from mesaides.core import load_rules
from mesaides.registry.testing import OPERATOR, operator_account, referent
from mesaides.web.deployment.check import check_deployment, record_deployment
from mesaides.web.deployment.file import DeploymentError, load_deployment
from mesaides.web.deployment.lock import Lock, LockedAide, LockedDistribution, read_lock

CAF, NORD = "mesaides-partner-caf", "mesaides-partner-nord"
NORD_AIDE = "nord_activ_emploi_maximum"


@pytest.fixture(scope="module")
def rules():
    for dist in (CAF, NORD):
        try:
            importlib_metadata.distribution(dist)
        except importlib_metadata.PackageNotFoundError:
            pytest.skip(f"{dist} is not installed")
    rules = load_rules()
    if NORD_AIDE in rules.unavailable:
        pytest.skip(f"{NORD_AIDE} is unavailable: {rules.unavailable[NORD_AIDE]}")
    return rules


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def deployment_file(tmp_path: Path, *, preview: bool, nord: str, extra: str = "") -> Path:
    return write(
        tmp_path / "deployment.toml",
        f"""\
        [instance]
        preview = {"true" if preview else "false"}
        default = "disabled"

        [distributions]
        mesaides-partner-caf = ">=1.0,<2"
        mesaides-partner-nord = ">=1.0,<2"
        {extra}
        [aides]
        {NORD_AIDE} = "{nord}"
        """,
    )


def errors_of(result, aide: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.errors:
        if f.subject == aide:
            out.setdefault(f.rule, []).append(f.message)
    return out


def test_publishing_needs_the_sign_offs_and_previewing_the_automatic_checks(tmp_path, registry, rules):
    path = deployment_file(tmp_path, preview=True, nord="public")

    # Before the registry has synced the installed rules, nothing is shown: the partners whose
    # aides they may impact have not been told (A3).
    result = check_deployment(load_deployment(path), rules, registry)
    assert not result.ok and "A3" in errors_of(result, NORD_AIDE)

    registry.sync(rules, by=OPERATOR, measure=False)
    result = check_deployment(load_deployment(path), rules, registry)
    assert not result.ok and result.lock is None
    refused = errors_of(result, NORD_AIDE)
    assert set(refused) == {"A6"}, refused
    assert any(m.startswith("A6(a)") for m in refused["A6"]) and any(m.startswith("A6(b)") for m in refused["A6"])

    # The same aide in preview passes on the automatic checks alone (G4).
    path = deployment_file(tmp_path, preview=True, nord="preview")
    result = check_deployment(load_deployment(path), rules, registry)
    assert result.ok, [str(f) for f in result.errors]
    assert result.statuses[NORD_AIDE] == "preview" and result.statuses["rsa"] == "disabled"
    lock = record_deployment(registry, result, tmp_path / "deployment.lock", by=OPERATOR)
    assert read_lock(tmp_path / "deployment.lock") == lock
    assert lock.preview and lock.shown() == {NORD_AIDE: "preview"}
    assert lock.distributions[NORD].version == importlib_metadata.version(NORD)
    assert lock.distributions[NORD].role == "partner" and lock.distributions["mesaides-core"].role == "tooling"
    assert lock.aides[NORD_AIDE].registry_status == "preview"
    assert registry.public_state().aides[NORD_AIDE].status == "preview"
    assert registry.audit_log(subject=str(tmp_path / "deployment.lock"))[0].action == "deployment_locked"

    # With both sign-offs of the installed rules, it can be made public (A6).
    registry.sign_off(NORD_AIDE, "reliability", by=referent("departement_nord"))
    registry.sign_off(NORD_AIDE, "quality", by=OPERATOR)
    path = deployment_file(tmp_path, preview=False, nord="public")
    result = check_deployment(load_deployment(path), rules, registry)
    assert result.ok, [str(f) for f in result.errors]
    lock = record_deployment(registry, result, tmp_path / "deployment.lock", by=OPERATOR)
    assert not lock.preview and lock.shown() == {NORD_AIDE: "public"}
    assert registry.public_state().aides[NORD_AIDE].status == "published"


def test_the_command_names_the_aide_and_the_rule_and_exits_1(tmp_path, db_url, rules):
    env = {
        **os.environ,
        "MESAIDES_DATABASE_URL": db_url,
        "MESAIDES_NOW": "2026-11-16T09:00",
        **operator_account(db_url),
    }
    cli = [sys.executable, "-m", "mesaides.core.cli_main"]
    subprocess.run([*cli, "registry", "sync", "--no-measure"], env=env, check=True, capture_output=True)
    path = deployment_file(tmp_path, preview=True, nord="public")

    done = subprocess.run(
        [*cli, "deployment", "check", str(path)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"[A6] {NORD_AIDE}: A6(a): the partner has not signed off" in done.stderr
    assert "refused" in done.stdout and not (tmp_path / "deployment.lock").exists()

    path = deployment_file(tmp_path, preview=True, nord="preview")
    done = subprocess.run(
        [*cli, "deployment", "check", str(path)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"wrote {tmp_path / 'deployment.lock'}" in done.stdout
    shown = subprocess.run(
        [*cli, "deployment", "show", str(tmp_path / "deployment.lock")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and NORD_AIDE in shown.stdout


def test_distribution_rules(tmp_path, registry, rules):
    registry.sync(rules, by=OPERATOR, measure=False)
    # Out of range, not installed, an aide of an unlisted distribution, a missing requirement.
    path = write(
        tmp_path / "deployment.toml",
        f"""\
        [distributions]
        mesaides-partner-nord = ">=2"
        mesaides-partner-absent = "*"

        [aides]
        {NORD_AIDE} = "public"
        rsa = "preview"
        """,
    )
    result = check_deployment(load_deployment(path), rules, registry)
    messages = {(f.rule, f.subject): f.message for f in result.errors}
    assert "is installed, the deployment allows >=2" in messages[("version", NORD)]
    assert messages[("install", "mesaides-partner-absent")].startswith("not installed")
    assert "mesaides-partner-caf, which [distributions] does not list" in messages[("deployment", "rsa")]
    assert "read those of mesaides-partner-caf" in messages[("requires", NORD)]


def test_a_bad_deployment_file_is_refused_with_every_mistake(tmp_path):
    path = write(
        tmp_path / "deployment.toml",
        """\
        [instance]
        preview = "yes"
        mode = 1

        [distributions]
        mesaides-partner-caf = "one point oh"

        [aides]
        rsa = "published"

        [extra]
        """,
    )
    with pytest.raises(DeploymentError) as caught:
        load_deployment(path)
    problems = "\n".join(caught.value.problems)
    for expected in (
        "unknown table [extra]",
        "[instance] mode: unknown key",
        "[instance] preview: expected true or false",
        "mesaides-partner-caf: 'one point oh' is not a version range",
        "[aides] rsa: 'published' is not one of public, preview, disabled",
    ):
        assert expected in problems


def test_lock_round_trip_and_mismatches():
    lock = Lock(
        preview=False,
        distributions={
            "mesaides-partner-x": LockedDistribution(
                "mesaides-partner-x", "1.2.0", requirement=">=1,<2", partner="x", source='file:///tmp/a "b"'
            )
        },
        aides={
            "x_aide": LockedAide("x_aide", "public", "mesaides-partner-x", "1.2.0", "abc", "published"),
            "x_autre": LockedAide("x_autre", "preview", "mesaides-partner-x", "1.2.0"),
        },
        deployment_file="deployment.toml",
        written_at="2026-11-16T09:00:00",
        written_by="opérateur",
    )
    assert Lock.from_toml(lock.to_toml()) == lock
    assert lock.shown() == {"x_aide": "public"}  # not a preview instance
    assert lock.mismatches({"mesaides-partner-x": "1.2.0"}) == []
    assert lock.mismatches({"mesaides-partner-x": "1.3.0"}) == [
        "mesaides-partner-x 1.2.0 is locked but 1.3.0 is installed"
    ]
    assert lock.mismatches({}) == ["mesaides-partner-x 1.2.0 is locked but not installed"]


def test_a_missing_sign_off_names_adopt_only_for_an_aide_of_the_first_sync(tmp_path, registry, rules):
    """An instance that starts using the registry records the aides it showed before (adopt):
    the check says so for an aide of the registry's first sync, not for one added later."""
    from mesaides.core import get_plugin_manager

    registry.sync(load_rules(get_plugin_manager(blocked=("partner_nord",))), by=OPERATOR, measure=False)
    registry.sync(rules, by=OPERATOR, measure=False)
    path = deployment_file(tmp_path, preview=False, nord="public")
    path.write_text(
        path.read_text(encoding="utf-8").replace("[aides]\n", '[aides]\nrsa = "public"\n'), encoding="utf-8"
    )
    result = check_deployment(load_deployment(path), rules, registry)
    rsa, nord = errors_of(result, "rsa")["A6"], errors_of(result, NORD_AIDE)["A6"]
    assert any("`mesaides registry adopt rsa --reason" in m for m in rsa)
    assert not any("adopt" in m for m in nord) and len(nord) == 2
