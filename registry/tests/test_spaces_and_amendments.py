"""The portal's read models (``spaces``) and the convention's amendments (C1)."""

from __future__ import annotations

import datetime as dt

import pytest
from registry_test_partners import departement, metropole, national

from mesaides.registry import RegistryError
from mesaides.registry.accounts import AccessDenied
from mesaides.registry.testing import OPERATOR, STATISTICS, referent


@pytest.fixture
def synced(registry, deployment):
    registry.sync(deployment.rules(national(), departement(), metropole()), by=OPERATOR, measure=False)
    return registry


def test_c1_an_amendment_applies_30_days_ahead_at_the_earliest(synced, clock):
    registry = synced
    with pytest.raises(RegistryError, match=r"applies_on: C1: .* the earliest is 2026-12-16"):
        registry.announce_amendment("Les questions O4 ont un mois", dt.date(2026, 12, 15), by=OPERATOR)
    assert not [n for n in registry.notifications() if n["rule"] == "C1"]
    with pytest.raises(RegistryError, match="summary"):
        registry.announce_amendment("  ", dt.date(2027, 1, 1), by=OPERATOR)

    assert registry.announce_amendment("Les questions O4 ont un mois", dt.date(2026, 12, 16), by=OPERATOR) == 2
    [note] = [n for n in registry.notifications() if n["rule"] == "C1"]
    assert set(note["recipients"]) == {"nat", "dep", "metro"}
    assert "version 2, applicable le 16/12/2026" in note["title"]
    assert [a.version for a in registry.amendments(by=OPERATOR)] == [2]
    assert any(e.action == "amendment_announced" and e.actor == OPERATOR.label for e in registry.audit_log())
    assert registry.convention_version() == 1
    clock.set("2026-12-16T00:00:00")
    assert registry.convention_version() == 2
    assert registry.announce_amendment("Suite", dt.date(2027, 2, 1), by=OPERATOR) == 3


def test_c1_only_the_operator_announces_an_amendment(synced):
    with pytest.raises(AccessDenied):
        synced.announce_amendment("Une règle de plus", dt.date(2027, 1, 1), by=referent("nat"))


def test_a_partner_space_counts_the_days_left(synced, clock):
    registry = synced
    registry.notify_defect("minimum_test", by=OPERATOR, description="wrong amount for couples")
    registry.ask("nat", "Votre barème 2027 ?", by=OPERATOR)
    clock.advance(days=4)
    space = registry.partner_space("nat", by=referent("nat"))
    [defect] = space.defects
    assert defect.days_left == 11 and defect.renewable
    [question] = space.questions_from_operator
    assert question.days_left == 10 and question.due == dt.datetime(2026, 11, 30, 9)
    assert [a.name for a in space.to_sign_off] == ["minimum_test"]
    clock.advance(days=12)  # the correction period ran out; nothing has applied it yet
    [defect] = registry.partner_space("nat", by=referent("nat")).defects
    assert defect.days_left == -1 and not defect.renewable


def test_a_space_is_read_by_its_partner_and_as_figures_by_statistics(synced):
    with pytest.raises(AccessDenied):
        synced.partner_space("nat", by=referent("dep"))
    with pytest.raises(AccessDenied):
        synced.operator_space(by=referent("nat"))
    with pytest.raises(AccessDenied):
        synced.partner_space("nat", by=STATISTICS)
    assert synced.partner_figures("nat", by=STATISTICS).aides_by_status == {"development": 1}
    assert synced.operator_figures(by=STATISTICS).aides_by_status == {"development": 3}
