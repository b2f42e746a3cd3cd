"""A8 between partners: another partner's expert cases on your aide are that partner's
expectations. They never block your release (at ``check``, at publication, at a deployment check
or an emergency rollback): when they no longer hold, that partner is notified at the sync and its
aides carry the A7 notice until it answers."""

from __future__ import annotations

import datetime as dt

from registry_test_partners import departement, national, ville

from mesaides.registry.checks import check_publication
from mesaides.registry.testing import OPERATOR, expert, referent

DEP_EXPECTS_MINIMUM = (
    "name: À Lille, sans ressources, minimum et bonus\n"
    "period: 2026-11\n"
    "input: {depcom: '59350'}\n"
    "output: {dep_bonus: 150, minimum_test: 500}\n"
)
"""The département's expert writes a case for its bonus that also states the national minimum."""
TODAY = dt.date(2026, 11, 16)


DEP_BONUS_FOLLOWS_MINIMUM = (
    "name: À Lille, 600 € de salaire\n"
    "period: 2026-11\n"
    "input: {depcom: '59350', salaire_net: {2026-10: 600}}\n"
    "output: {dep_bonus: 0, minimum_test: 0}\n"
)
"""A case whose bonus follows the minimum: with a higher minimum, both expectations move."""


def test_a8_another_partners_case_on_your_aide_is_a_warning_not_a_refusal(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    registry.add_expert_case("dep_bonus", DEP_EXPECTS_MINIMUM, by=expert("dep"))
    registry.add_expert_case("dep_bonus", DEP_BONUS_FOLLOWS_MINIMUM, by=expert("dep"))

    release = deployment.rules(national("1.1.0", montant=650.0), departement())
    report = registry.check(release, distributions=["mesaides-test-national"], case_dirs=deployment.case_dirs())
    assert report.ok, [str(f) for f in report.errors]
    a8, follows = [f for f in report.warnings if f.rule == "A8"]
    assert a8.subject == "minimum_test"
    assert "of mesaides-test-departement no longer holds" in a8.message
    assert "minimum_test [" in a8.message and "expected 500, got 650.0" in a8.message
    assert "dep_bonus [" in follows.message and "expected 0, got 150.0" in follows.message

    # Publication and the deployment check (which an emergency rollback runs) pass for both aides:
    # the département's expectations moved with the minimum; the sync tells it (next test).
    catalogue = registry.catalogue()
    dirs = deployment.case_dirs()
    for aide, dist in (("minimum_test", "mesaides-test-national"), ("dep_bonus", "mesaides-test-departement")):
        errors = check_publication(release, catalogue, aide, today=TODAY, case_dirs=dirs[dist])
        assert errors == [], [str(f) for f in errors]

    # The département's own check says its case expects another partner's amount that changed.
    own = registry.check(release, distributions=["mesaides-test-departement"], case_dirs=dirs)
    assert own.ok
    stale = [f for f in own.warnings if f.rule == "A8"]
    assert len(stale) == 2 and all(f.subject == "dep_bonus" and "update the case" in f.message for f in stale)


def test_a5_a_case_failing_on_its_own_aide_still_fails(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    registry.add_expert_case(
        "dep_bonus", DEP_EXPECTS_MINIMUM.replace("dep_bonus: 150", "dep_bonus: 99"), by=expert("dep")
    )
    report = registry.check(
        deployment.rules(national(), departement()),
        distributions=["mesaides-test-departement"],
        case_dirs=deployment.case_dirs(),
    )
    [a5] = [f for f in report.errors if f.rule == "A5"]
    assert "dep_bonus [" in a5.message and "expected 99, got 150.0" in a5.message


def test_a8_at_the_sync_the_partner_whose_expectations_moved_is_notified_and_its_aides_carry_a7(registry, deployment):
    registry.sync(deployment.rules(national(), departement(), ville()), by=OPERATOR, measure=False)
    # The Ville's expert states the national minimum in a case of its own aide, which does not read it.
    registry.add_expert_case(
        "ville_aide",
        "name: Statut spécial et minimum\nperiod: 2026-11\ninput: {nat_statut_special: true}\n"
        "output: {ville_aide: 50, minimum_test: 510}\n",
        by=expert("ville"),
    )
    registry.sync(
        deployment.rules(national("1.1.0", montant=650.0), departement(), ville()), by=OPERATOR, measure=False
    )

    [a8] = [n for n in registry.notifications() if n["rule"] == "A8"]
    assert set(a8["recipients"]) == {"dep", "ville"}  # dep_bonus reads minimum_test; the Ville expects it
    assert a8["recipients"]["ville"]["aides"] == ["ville_aide"]
    [line] = a8["details"]["expectations"]["ville"]
    assert "« Statut spécial et minimum »" in line and "expected 510, got 660.0" in line

    state = registry.public_state()
    assert state.aides["ville_aide"].notice is not None  # A7 until the Ville answers
    assert state.aides["dep_bonus"].notice is None  # the Département's own aides are not in question
    registry.acknowledge(a8["id"], "ville", by=referent("ville"), updated=True, comment="case updated")
    assert registry.public_state().aides["ville_aide"].notice is None
