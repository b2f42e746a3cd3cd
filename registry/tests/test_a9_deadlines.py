"""A9 holds until the defect is resolved: ``publish`` does not show a suspended aide again while its
defect is not corrected, ``overdue`` lists a correction period that ran out, and ``due`` warns
before a deadline (the real command line through click's runner, on a real SQLite file)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from registry_test_partners import departement, metropole, national

from mesaides.registry import RegistryError
from mesaides.registry.cli import registry as registry_cli
from mesaides.registry.testing import OPERATOR, operator_account, referent


@pytest.fixture
def published(registry, deployment):
    rules = deployment.rules(national(), departement(), metropole())
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.sign_off("minimum_test", "reliability", by=referent("nat"))
    registry.sign_off("minimum_test", "quality", by=OPERATOR)
    dirs = deployment.case_dirs()["mesaides-test-national"]
    assert registry.publish("minimum_test", by=OPERATOR, rules=rules, case_dirs=dirs) == "published"
    return registry, rules, dirs


def _cli(db_url, clock, *args):
    env = {"MESAIDES_NOW": clock.now().isoformat(), **operator_account(db_url)}
    return CliRunner().invoke(registry_cli, ["--database", db_url, *args], env=env)


def test_a9_publish_does_not_undo_a_suspension_while_the_defect_is_not_resolved(published, clock, db_url):
    registry, rules, dirs = published
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="ignores the housing forfait")
    clock.advance(days=16)
    # No command ran since the period ran out: publishing applies the deadline first.
    with pytest.raises(RegistryError, match=rf"A9: defect #{defect} is not resolved \(its correction period ran out"):
        registry.publish("minimum_test", by=OPERATOR, rules=rules, case_dirs=dirs)
    assert registry.public_state().aides["minimum_test"].status == "suspended"

    overdue = _cli(db_url, clock, "overdue")
    assert overdue.exit_code == 0, overdue.output
    assert f"[A9] nat: defect #{defect} on minimum_test is not resolved" in overdue.output

    # The partner corrects it after the suspension: resolved, the aide can be shown again.
    registry.resolve_defect(defect, by=OPERATOR, reason="fixed in 1.0.1")
    assert "[A9]" not in _cli(db_url, clock, "overdue").output
    assert registry.publish("minimum_test", by=OPERATOR, rules=rules, case_dirs=dirs) == "published"


def test_due_warns_before_a_deadline(published, clock, db_url):
    registry, _, _ = published
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="wrong amount for couples")
    clock.advance(days=13)
    soon = _cli(db_url, clock, "due", "--days", "3")
    assert soon.exit_code == 0, soon.output
    assert f"[A9] nat: corrects defect #{defect} on minimum_test" in soon.output
    assert "(due 2026-12-01 09:00, in 2 days)" in soon.output
    # The G3 notifications of the first sync are to be answered within two weeks (Pa2): tomorrow.
    assert "[Pa2] nat: has not answered notification #1 (G3)" in soon.output
    assert "(due 2026-11-30 09:00, in 1 day)" in soon.output

    assert f"defect #{defect}" not in _cli(db_url, clock, "due", "--days", "1").output
    refused = _cli(db_url, clock, "due", "--days", "0")
    assert refused.exit_code == 2 and "--days" in refused.output
