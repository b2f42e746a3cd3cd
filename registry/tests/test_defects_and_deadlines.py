"""Defects (A9): 15-day correction periods, renewable 3 times, then suspension with the impact
rules (A10, A7). Deadlines (O4, Pa2): what waits more than two weeks is overdue."""

from __future__ import annotations

import pytest
from registry_test_partners import departement, metropole, national

from mesaides.registry import RegistryError
from mesaides.registry.notices import A7_NOTICES
from mesaides.registry.testing import OPERATOR, referent


@pytest.fixture
def synced(registry, deployment):
    registry.sync(deployment.rules(national(), departement(), metropole()), by=OPERATOR, measure=False)
    return registry


def test_a9_a_correction_period_that_runs_out_suspends_the_aide(synced, clock):
    registry = synced
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="ignores the housing forfait")
    [note] = [n for n in registry.notifications() if n["kind"] == "defect"]
    assert set(note["recipients"]) == {"nat"} and note["rule"] == "A9"

    clock.advance(days=14)
    assert registry.apply_deadlines() == []
    assert registry.public_state().aides["minimum_test"].status == "development"

    clock.advance(days=2)
    # The public state shows the suspension as soon as the period ran out, before anyone runs a command.
    assert registry.public_state().aides["minimum_test"].status == "suspended"
    assert registry.apply_deadlines() == [defect]
    state = registry.public_state()
    assert state.aides["minimum_test"].status == "suspended"
    # A10: the aides that read it carry the A7 notice until their partners answer.
    assert state.aides["dep_bonus"].notice == A7_NOTICES["aide_removed"]
    assert state.aides["metro_jeunes"].notice == A7_NOTICES["aide_removed"]
    [a10] = [n for n in registry.notifications() if n["rule"] == "A10"]
    assert set(a10["recipients"]) == {"dep", "metro"}
    assert [d.status for d in registry.defects()] == ["expired"]
    assert any(e.action == "defect_expired" for e in registry.audit_log())


def test_a9_the_period_is_renewed_at_most_three_times(synced, clock):
    registry = synced
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="wrong amount for couples")
    deadlines = [registry.renew_defect(defect, by=OPERATOR, reason="partner working on it") for _ in range(3)]
    assert [d.isoformat() for d in deadlines] == ["2026-12-16T09:00:00", "2026-12-31T09:00:00", "2027-01-15T09:00:00"]
    with pytest.raises(RegistryError, match="already renewed 3 times"):
        registry.renew_defect(defect, by=OPERATOR, reason="once more")
    clock.advance(days=60)
    assert registry.public_state().aides["minimum_test"].status == "development"
    clock.advance(days=1)
    registry.apply_deadlines()
    assert registry.public_state().aides["minimum_test"].status == "suspended"
    with pytest.raises(RegistryError, match="is expired"):
        registry.renew_defect(defect, by=OPERATOR, reason="too late")


def test_a9_a_corrected_defect_is_resolved(synced, clock):
    registry = synced
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="typo in a threshold")
    registry.resolve_defect(defect, by=OPERATOR, reason="fixed in 1.0.1")
    clock.advance(days=30)
    registry.apply_deadlines()
    assert registry.public_state().aides["minimum_test"].status == "development"


def test_a9_the_operator_removes_a_suspended_aide(synced, clock):
    registry = synced
    with pytest.raises(RegistryError, match=r"only at its partner.s request"):
        registry.remove_aide("minimum_test", by=OPERATOR, reason="outdated")
    registry.notify_defect("minimum_test", by=OPERATOR, description="outdated rules")
    clock.advance(days=16)
    registry.apply_deadlines()
    registry.remove_aide("minimum_test", by=OPERATOR, reason="not corrected")
    assert registry.public_state().aides["minimum_test"].status == "removed"


def test_o4_pa2_what_waits_more_than_two_weeks_is_overdue(synced, clock):
    registry = synced
    # The baseline told the national partner about two territorial aides (G3).
    question = registry.ask("dep", "Does dep_bonus count as a resource for minimum_test?", by=OPERATOR)
    registry.ask("metro", "When is the 2027 revaluation?", by=referent("metro"), to_operator=True)
    registry.suggest("aide_test_suggeree", by=OPERATOR, label="Aide suggérée")
    clock.advance(days=13)
    assert registry.overdue() == []
    clock.advance(days=2)
    items = registry.overdue()
    text = "\n".join(str(i) for i in items)
    assert "[Pa2] nat: has not answered notification" in text  # G3 notifications
    assert f"[Pa2] dep: has not answered question #{question}" in text
    assert "[O4] operator: has not answered question" in text
    assert "[O4] operator: has not decided on the suggested aide aide_test_suggeree" in text
    assert all(i.days >= 14 for i in items)

    registry.answer(question, "No: it is an extra-legal aide", by=referent("dep"))
    for n in registry.notifications(open_only=True):
        registry.acknowledge(n["id"], "nat", by=referent("nat"))
    registry.decide("aide_test_suggeree", "refused", by=OPERATOR, reason="already covered")
    remaining = "\n".join(str(i) for i in registry.overdue())
    assert "Pa2" not in remaining and "suggested aide" not in remaining
    assert "[O4] operator: has not answered question" in remaining
