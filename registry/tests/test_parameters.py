"""Parameters (P2-P4): deprecation warnings, removal refused while used, and a distribution that
reads a removed Parameter failing the check."""

from __future__ import annotations

import datetime as dt

import pytest
from registry_test_partners import NAT_ANCIEN, NAT_STATUT_SPECIAL, departement, info, national, ville, ville_ancienne

from mesaides.registry import RegistryError
from mesaides.registry.testing import OPERATOR


def _nat_with_old_parameter(version="1.0.0"):
    return national(version, parameters=(NAT_STATUT_SPECIAL, NAT_ANCIEN))


def _ville_reading_old_parameter(version="2.0.0"):
    return ville(version, aides=((ville_ancienne, info("Aide ancienne", "ville")),), cases=())


def test_p4_removal_is_refused_while_an_aide_reads_the_parameter(registry, deployment):
    rules = deployment.rules(national(), departement(), ville())
    registry.sync(rules, by=OPERATOR, measure=False)
    with pytest.raises(RegistryError) as refused:
        registry.remove_parameter("nat_statut_special", by=OPERATOR, reason="unused?", rules=rules)
    message = str(refused.value)
    assert message.startswith("P4: Parameter nat_statut_special cannot be removed")
    for aide in ("minimum_test", "dep_bonus", "ville_aide"):
        assert aide in message
    assert refused.value.__cause__.aides == ["dep_bonus", "minimum_test", "ville_aide"]
    assert {p.name: p.status for p in registry.parameters()}["nat_statut_special"] == "active"
    assert registry.audit_log(limit=1)[0].action == "parameter_removal_refused"


def test_p4_holds_for_the_core_a_parameter_the_core_reads_is_not_removed(registry, deployment):
    # No partner aide reads case_t (the tax return's box T, a single parent), but the core's
    # income tax computation does: removing it would break the core (P4 holds for the core too).
    rules = deployment.rules(national(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    assert {p.name: p.readers for p in registry.parameters()}["case_t"] == ()
    with pytest.raises(RegistryError) as refused:
        registry.remove_parameter("case_t", by=OPERATOR, reason="no aide reads it", rules=rules)
    in_use = refused.value.__cause__
    assert in_use.aides == [] and in_use.quantities
    assert all(rules.quantities[q].owner == "mesaides-core" for q in in_use.quantities)
    assert set(in_use.quantities) == rules.graph.downstream("case_t") & set(rules.quantities)
    assert str(refused.value).startswith("P4: Parameter case_t cannot be removed: still read by ")
    assert {p.name: p.status for p in registry.parameters()}["case_t"] == "active"
    assert registry.audit_log(limit=1)[0].action == "parameter_removal_refused"


def test_p4_a_parameter_no_aide_reads_is_removed(registry, deployment):
    rules = deployment.rules(_nat_with_old_parameter(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.remove_parameter("nat_ancien_parametre", by=OPERATOR, reason="no aide reads it", rules=rules)
    state = {p.name: p for p in registry.parameters()}["nat_ancien_parametre"]
    assert state.status == "removed" and state.readers == ()
    assert registry.audit_log(limit=5)[0].action == "notify"
    removal = [n for n in registry.notifications() if n["kind"] == "parameter_removed"]
    assert set(removal[0]["recipients"]) == {"nat", "dep"}


def test_p4_a_partner_that_reads_a_removed_parameter_fails_the_check(registry, deployment):
    before = deployment.rules(_nat_with_old_parameter(), departement())
    registry.sync(before, by=OPERATOR, measure=False)
    registry.remove_parameter(
        "nat_ancien_parametre", by=OPERATOR, reason="replaced by nat_statut_special", rules=before
    )

    rules = deployment.rules(_nat_with_old_parameter("1.0.1"), departement(), _ville_reading_old_parameter())
    report = registry.check(
        rules, distributions=["mesaides-test-ville"], case_dirs=deployment.case_dirs(), run_tests=False
    )
    assert not report.ok
    [error] = [f for f in report.errors if f.rule == "P4"]
    assert error.subject == "ville_ancienne"
    assert error.message.startswith("reads Parameter nat_ancien_parametre, which the operator removed on 2026-11-16")
    assert "replaced by nat_statut_special" in error.message
    # The distribution still declaring it is told to stop.
    owner = registry.check(rules, distributions=["mesaides-test-national"], case_dirs=deployment.case_dirs())
    assert any(f.rule == "P4" and "stop declaring it" in f.message for f in owner.errors)


def test_p4_deprecation_warns_the_aides_reading_it(registry, deployment, clock):
    registry.sync(
        deployment.rules(_nat_with_old_parameter(), departement(), _ville_reading_old_parameter()),
        by=OPERATOR,
        measure=False,
    )
    registry.deprecate_parameter(
        "nat_ancien_parametre",
        by=OPERATOR,
        reason="approximated by nat_statut_special",
        replacement="nat_statut_special",
        removal_date=dt.date(2027, 3, 1),
    )
    [note] = [n for n in registry.notifications() if n["kind"] == "parameter_deprecated"]
    assert set(note["recipients"]) == {"ville"}

    rules = deployment.rules(_nat_with_old_parameter(), departement(), _ville_reading_old_parameter())
    report = registry.check(
        rules, distributions=["mesaides-test-ville"], case_dirs=deployment.case_dirs(), run_tests=False
    )
    [warning] = [f for f in report.warnings if f.rule == "P4"]
    assert warning.subject == "ville_ancienne"
    assert "nat_ancien_parametre" in warning.message
    assert "use nat_statut_special instead" in warning.message
    assert "2027-03-01" in warning.message
    assert not [f for f in report.errors if f.rule == "P4"]

    # Once the removal date has passed, it is an error.
    clock.set("2027-03-02T09:00:00")
    late = registry.check(
        rules, distributions=["mesaides-test-ville"], case_dirs=deployment.case_dirs(), run_tests=False
    )
    assert any(f.rule == "P4" and "has passed" in f.message for f in late.errors)


def test_p2_a_new_parameter_is_flagged_with_similar_ones(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    rules = deployment.rules(_nat_with_old_parameter(), departement())
    report = registry.check(
        rules, distributions=["mesaides-test-national"], case_dirs=deployment.case_dirs(), run_tests=False
    )
    [p2] = [f for f in report.warnings if f.rule == "P2"]
    assert p2.subject == "nat_ancien_parametre"
    assert "P3" in p2.message


def test_deprecation_needs_an_active_replacement(registry, deployment):
    registry.sync(deployment.rules(_nat_with_old_parameter()), by=OPERATOR, measure=False)
    with pytest.raises(RegistryError, match="not an active Parameter"):
        registry.deprecate_parameter("nat_ancien_parametre", by=OPERATOR, reason="x", replacement="nope")
