"""A6 for an instance that starts using the registry: the aides its public already saw are
recorded as published (``adopt``), with who, when and why; statuses move only as the convention
allows (``statuses.TRANSITIONS``)."""

from __future__ import annotations

import pytest
from registry_test_partners import departement, national

from mesaides.registry import RegistryError
from mesaides.registry.lifecycle import set_status
from mesaides.registry.models import Aide
from mesaides.registry.statuses import TRANSITIONS, AideStatus, StatusTransitionError
from mesaides.registry.testing import OPERATOR, referent


def test_the_aides_of_the_first_sync_are_recorded_as_public_with_who_when_and_why(registry, deployment, clock):
    rules = deployment.rules(national(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    clock.advance(days=2)
    done = registry.adopt(
        None,
        by=OPERATOR,
        reason="public on https://mesaides.example.org since 2025-03",
        rules=rules,
        case_dirs=[p for dirs in deployment.case_dirs().values() for p in dirs],
    )
    assert done == {"dep_bonus": True, "minimum_test": True}
    state = registry.public_state()
    assert {state.aides[n].status for n in done} == {"published"}
    with registry.database.reading() as session:
        row = session.get(Aide, "minimum_test")
        assert row.status_changed_by == OPERATOR.label
        assert row.status_changed_at == clock.now()
        assert (
            row.status_reason
            == "A6: public before the registry, adopted: public on https://mesaides.example.org since 2025-03"
        )
    events = registry.audit_log(subject="minimum_test")
    adoption = next(e for e in events if e.action == "adopt")
    assert (adoption.actor, adoption.at, adoption.reason) == (
        OPERATOR.label,
        clock.now(),
        "public on https://mesaides.example.org since 2025-03",
    )
    # Again: nothing new to record.
    assert registry.adopt(
        ["minimum_test"],
        by=OPERATOR,
        reason="again",
        rules=rules,
        case_dirs=deployment.case_dirs()["mesaides-test-national"],
    ) == {"minimum_test": False}


def test_an_aide_added_after_the_first_sync_needs_both_sign_offs(registry, deployment):
    registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    rules = deployment.rules(national(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    with pytest.raises(RegistryError, match=r"dep_bonus was not recorded by the registry's first sync .*sign-off"):
        registry.adopt(
            ["dep_bonus"],
            by=OPERATOR,
            reason="public since 2025",
            rules=rules,
            case_dirs=deployment.case_dirs()["mesaides-test-departement"],
        )
    assert registry.public_state().aides["dep_bonus"].status == "development"


def test_adoption_needs_a_reason_and_the_automatic_checks_and_is_all_or_nothing(registry, deployment):
    rules = deployment.rules(national(logo_size=(10, 10)), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    dirs = [p for d in deployment.case_dirs().values() for p in d]
    with pytest.raises(RegistryError, match="since when the aide was public"):
        registry.adopt(["dep_bonus"], by=OPERATOR, reason=" ", rules=rules, case_dirs=dirs)
    with pytest.raises(RegistryError, match=r"(?s)nothing recorded:\n.*minimum_test.*10x10 px"):
        registry.adopt(None, by=OPERATOR, reason="public since 2025", rules=rules, case_dirs=dirs)
    state = registry.public_state()
    assert state.aides["dep_bonus"].status == state.aides["minimum_test"].status == "development"


def test_a_removed_aide_is_not_adopted(registry, deployment):
    rules = deployment.rules(national(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.remove_aide("dep_bonus", by=referent("dep"), reason="no longer granted", partner_request=True)
    with pytest.raises(RegistryError, match="dep_bonus is removed"):
        registry.adopt(
            ["dep_bonus"],
            by=OPERATOR,
            reason="public since 2025",
            rules=rules,
            case_dirs=deployment.case_dirs()["mesaides-test-departement"],
        )


def test_statuses_move_only_as_the_convention_allows(registry, deployment, clock):
    assert AideStatus.REMOVED == "removed" and set(TRANSITIONS) == set(AideStatus)
    assert not AideStatus.REMOVED.can_become(AideStatus.PUBLISHED)
    assert not AideStatus.REFUSED.can_become("preview")
    assert AideStatus.SUSPENDED.can_become("published")
    registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    registry.remove_aide("minimum_test", by=referent("nat"), reason="no longer granted", partner_request=True)
    with registry.database.transaction() as session:
        row = session.get(Aide, "minimum_test")
        with pytest.raises(StatusTransitionError, match="aide minimum_test is removed: it cannot become published"):
            set_status(session, row, "published", clock.now(), "operator", "by hand")
