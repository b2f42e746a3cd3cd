"""Impacts (A3, A7, A8, A10, P3): who is notified when an aide or a Parameter changes, the
measured impact on the reference population, and the A7 notice until everyone answers."""

from __future__ import annotations

from registry_test_partners import (
    NAT_ANCIEN,
    NAT_STATUT_SPECIAL,
    departement,
    metropole,
    minimum_test,
    minimum_test_with_floor,
    national,
    ville,
    with_formula,
)

from mesaides.registry.impacts import first_per_aide
from mesaides.registry.notices import A7_NOTICES
from mesaides.registry.testing import OPERATOR, referent


def _baseline(registry, deployment, *extra):
    registry.sync(deployment.rules(national(), departement(), metropole(), ville(), *extra), by=OPERATOR)


def _by_rule(registry, rule):
    return [n for n in registry.notifications() if n["rule"] == rule]


def test_a8_changed_legislation_value_notifies_downstream_partners_with_measured_impact(registry, deployment):
    _baseline(registry, deployment)
    report = registry.sync(
        deployment.rules(national("1.1.0", montant=2500.0), departement(), metropole(), ville()), by=OPERATOR
    )
    assert report.changed == ["minimum_test"]
    [note] = _by_rule(registry, "A8")
    # dep_bonus and metro_jeunes read minimum_test. ville_aide only shares nat_statut_special with
    # it: its amounts do not depend on minimum_test, so the Ville is not told of a change (A8).
    assert set(note["recipients"]) == {"dep", "metro"}
    assert note["recipients"]["dep"]["aides"] == ["dep_bonus"]
    assert note["details"]["why"]["dep_bonus"] == "lit minimum_test, directement ou par des intermédiaires"
    assert note["details"]["version"] == "1.1.0" and note["details"]["previous_version"] == "1.0.0"

    impact = {m["aide"]: m for m in registry.impact(subject="minimum_test")}
    assert set(impact) == {"minimum_test", "dep_bonus", "metro_jeunes"}
    assert impact["minimum_test"]["households"] == 1000
    # A higher amount: more households obtain it, amounts rise by up to 2,000 €.
    assert impact["minimum_test"]["gained"] > 0 and impact["minimum_test"]["lost"] == 0
    assert 0 < impact["minimum_test"]["mean_change"] <= 2000
    assert impact["minimum_test"]["largest_increase"] == 2000
    assert impact["minimum_test"]["largest_decrease"] == 0
    # In the Nord, new minimum_test recipients get dep_bonus (150 € a member).
    assert impact["dep_bonus"]["gained"] > 0 and impact["dep_bonus"]["largest_increase"] >= 150
    # In Lyon, young people newly receiving minimum_test lose metro_jeunes.
    assert impact["metro_jeunes"]["lost"] > 0 and impact["metro_jeunes"]["largest_decrease"] <= -400
    # The totals on the reference population before and after (the registry's impact charts):
    # they moved by the changed households' mean change times their number (mean to the cent).
    for m in impact.values():
        moved = m["total_after"] - m["total_before"]
        assert abs(moved - m["mean_change"] * m["changed"]) <= 0.005 * m["changed"] + 0.01
    assert impact["minimum_test"]["total_after"] > impact["minimum_test"]["total_before"] > 0

    state = registry.public_state()
    assert state.aides["minimum_test"].notice == A7_NOTICES["aide_changed"]
    assert state.aides["dep_bonus"].notice is None


def test_a7_notice_lasts_until_every_notified_partner_acknowledges(registry, deployment):
    _baseline(registry, deployment)
    registry.sync(deployment.rules(national("1.1.0", montant=650.0), departement(), metropole(), ville()), by=OPERATOR)
    [note] = _by_rule(registry, "A8")
    [pending] = [n for n in registry.pending_notices() if n.cause == "A8"]
    assert pending.aides == ["minimum_test"] and set(pending.waiting_for) == {"dep", "metro"}

    assert not registry.acknowledge(note["id"], "dep", by=referent("dep"), comment="no interaction")
    assert registry.public_state().aides["minimum_test"].notice is not None
    assert registry.acknowledge(note["id"], "metro", by=referent("metro"), updated=True)
    assert registry.public_state().aides["minimum_test"].notice is None
    assert not [n for n in registry.pending_notices() if n.cause == "A8"]
    answers = {p: r["answer"] for p, r in registry.notifications()[note["id"] - 1]["recipients"].items()}
    assert answers == {"dep": "no_interaction", "metro": "updated"}


def test_a8_formula_change_is_detected(registry, deployment):
    _baseline(registry, deployment)
    changed = national("1.0.1", aides=((with_formula(minimum_test, minimum_test_with_floor), national().aides[0][1]),))
    report = registry.sync(deployment.rules(changed, departement(), metropole(), ville()), by=OPERATOR)
    assert report.changed == ["minimum_test"]


def test_a_new_version_with_the_same_results_notifies_nobody(registry, deployment):
    _baseline(registry, deployment)
    report = registry.sync(deployment.rules(national("1.0.1"), departement(), metropole(), ville()), by=OPERATOR)
    assert report.changed == [] and report.versions_only == ["minimum_test"]
    assert _by_rule(registry, "A8") == []


def test_a3_an_added_aide_notifies_the_partners_whose_aides_it_may_impact(registry, deployment):
    registry.sync(deployment.rules(national(), departement(), metropole()), by=OPERATOR)
    report = registry.sync(deployment.rules(national(), departement(), metropole(), ville()), by=OPERATOR)
    assert report.added == ["ville_aide"]
    [a3] = _by_rule(registry, "A3")
    # minimum_test reads nat_statut_special too, and so do dep_bonus and metro_jeunes through it.
    assert set(a3["recipients"]) == {"nat", "dep", "metro"}
    assert a3["details"]["why"]["minimum_test"] == "lit les mêmes Parameters : nat_statut_special"
    state = registry.public_state()
    assert state.aides["ville_aide"].notice == A7_NOTICES["aide_added"]
    assert state.aides["ville_aide"].territorial_notice is not None  # G3 as well
    assert {m["aide"]: m["gained"] for m in registry.impact(subject="ville_aide")}[
        "ville_aide"
    ] == 0  # nobody has the status


def test_a10_a_removal_notifies_and_puts_the_notice_on_the_impacted_aides(registry, deployment):
    _baseline(registry, deployment)
    report = registry.sync(deployment.rules(departement(), metropole(), ville()), by=OPERATOR)
    assert report.removed == ["minimum_test"]
    [a10] = _by_rule(registry, "A10")
    assert set(a10["recipients"]) == {"dep", "metro"}  # ville_aide does not read minimum_test
    state = registry.public_state()
    assert state.aides["minimum_test"].status == "removed"
    assert state.aides["dep_bonus"].notice == A7_NOTICES["aide_removed"]
    assert state.aides["metro_jeunes"].notice == A7_NOTICES["aide_removed"]
    impact = {m["aide"]: m for m in registry.impact(subject="minimum_test")}
    assert impact["minimum_test"]["lost"] > 0
    assert impact["minimum_test"]["total_before"] > 0 and impact["minimum_test"]["total_after"] == 0


def test_a7_updating_the_impacted_aide_answers_for_it(registry, deployment):
    _baseline(registry, deployment)
    registry.sync(deployment.rules(national("1.1.0", montant=650.0), departement(), metropole(), ville()), by=OPERATOR)
    [note] = _by_rule(registry, "A8")
    from registry_test_partners import dep_bonus, info

    faster = dep_bonus.model_copy(update={"law": ("dep.montant", "nat.montant")})
    registry.sync(
        deployment.rules(
            national("1.1.0", montant=650.0),
            departement("1.1.0", aides=((faster, info("Bonus", "dep")),)),
            metropole(),
            ville(),
        ),
        by=OPERATOR,
    )
    recipients = registry.notifications()[note["id"] - 1]["recipients"]
    assert recipients["dep"]["answer"] == "updated"
    assert recipients["metro"]["answer"] is None


def test_p3_a_new_parameter_is_announced_to_every_partner(registry, deployment):
    _baseline(registry, deployment)
    registry.sync(
        deployment.rules(national(parameters=(NAT_STATUT_SPECIAL, NAT_ANCIEN)), departement(), metropole(), ville()),
        by=OPERATOR,
    )
    [p3] = _by_rule(registry, "P3")
    assert p3["subject"] == "nat_ancien_parametre"
    assert set(p3["recipients"]) == {"dep", "metro", "ville"}


def test_p3_a_changed_parameter_notifies_the_partners_reading_it(registry, deployment):
    _baseline(registry, deployment)
    changed = NAT_STATUT_SPECIAL.model_copy(update={"year_input": None})
    report = registry.sync(
        deployment.rules(national(parameters=(changed,)), departement(), metropole(), ville()), by=OPERATOR
    )
    assert report.parameters_changed == ["nat_statut_special"]
    [p3] = _by_rule(registry, "P3")
    assert set(p3["recipients"]) == {"ville", "dep", "metro"}  # dep and metro read it through minimum_test


def test_a_notification_keeps_each_aide_s_first_measure_in_order():
    measures = [
        {"aide": "dep_bonus", "parameter": "a"},
        {"aide": "metro_jeunes", "parameter": "a"},
        {"aide": "dep_bonus", "parameter": "b"},
        {"aide": "ville_aide", "parameter": "b"},
    ]
    assert first_per_aide(measures) == [measures[0], measures[1], measures[3]]
