"""Aides: suggestion and decision (A1), refusal (A2), publication with sign-offs and automatic
checks (A4, A5, A6, A11-A13, G2, G4)."""

from __future__ import annotations

import pytest
from registry_test_partners import case, departement, info, minimum_test, national

from mesaides.registry import RegistryError
from mesaides.registry.testing import OPERATOR, expert, referent


def test_a1_suggestion_and_decision_with_its_reason(registry, deployment):
    assert registry.suggest("cheque_energie_test", by=OPERATOR, label="Chèque énergie (test)") == "suggested"
    with pytest.raises(RegistryError, match="records its reason"):
        registry.decide("cheque_energie_test", "feasible", by=OPERATOR, reason=" ")
    assert (
        registry.decide("cheque_energie_test", "feasible", by=OPERATOR, reason="computable from income and housing")
        == "feasible"
    )
    aide = {a.name: a for a in registry.aides()}["cheque_energie_test"]
    assert (aide.decision, aide.decided_by, aide.decision_reason) == (
        "feasible",
        OPERATOR.label,
        "computable from income and housing",
    )
    assert [e.action for e in registry.audit_log(subject="cheque_energie_test")][:2] == ["aide_status", "decide"]


def test_a1_a_suggestion_implemented_by_a_partner_goes_into_development(registry, deployment):
    registry.suggest("minimum_test", by=OPERATOR, label="Minimum de test")
    registry.decide("minimum_test", "feasible", by=OPERATOR, reason="ok")
    report = registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    assert report.added == ["minimum_test"]
    assert registry.public_state().aides["minimum_test"].status == "development"


def test_a2_a_suggested_aide_erasing_a_debt_is_refused(registry):
    assert (
        registry.suggest("effacement_dette_test", by=OPERATOR, label="Effacement de dette", erases_debt=True)
        == "refused"
    )
    with pytest.raises(RegistryError, match=r"A2\(a\)"):
        registry.decide("effacement_dette_test", "feasible", by=OPERATOR, reason="why not")
    assert (
        registry.suggest("aide_commission_test", by=OPERATOR, label="Aide en commission", committee_decision=True)
        == "refused"
    )
    assert registry.suggest("aide_quota_test", by=OPERATOR, label="Aide sous quota", quota=True) == "refused"


def test_a2_an_aide_declared_as_committee_granted_is_refused_at_sync(registry, deployment):
    refused = national(aides=((minimum_test, info("Minimum de test", "nat", committee_decision=True)),))
    registry.sync(deployment.rules(refused), by=OPERATOR, measure=False)
    assert registry.public_state().aides["minimum_test"].status == "refused"
    report = registry.check(deployment.rules(refused), case_dirs=deployment.case_dirs())
    [a2] = [f for f in report.errors if f.rule == "A2"]
    assert "A2(b)" in a2.message and "committee" in a2.message


def test_a1_check_fails_for_an_aide_the_operator_refused(registry, deployment):
    registry.suggest("minimum_test", by=OPERATOR, label="Minimum de test")
    registry.decide("minimum_test", "refused", by=OPERATOR, reason="granted case by case")
    rules = deployment.rules(national())
    report = registry.check(rules, case_dirs=deployment.case_dirs())
    assert any(f.rule == "A1" and "granted case by case" in f.message for f in report.errors)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"logo_size": None}, "has no logo"),
        ({"logo_size": (120, 100)}, "120x100 px (not square)"),
        ({"logo_size": (64, 64)}, "64x64 px (square); expected 120x120 px"),
        ({"logo_name": "nat.png"}, "named 'nat.png', expected 'logo_nat.png'"),
    ],
)
def test_a4_the_logo_is_a_square_120px_png_named_after_the_institution(registry, deployment, changes, expected):
    rules = deployment.rules(national(**changes))
    report = registry.check(rules, case_dirs=deployment.case_dirs(), run_tests=False)
    assert [f.message for f in report.errors if f.rule == "A4" and expected in f.message]


def test_a4_a_logo_that_is_not_a_png(registry, deployment):
    rules = deployment.rules(national())
    deployment.plugins["mesaides-test-national"].logo.write_bytes(b"GIF89a" + b"\0" * 40)
    report = registry.check(rules, case_dirs=deployment.case_dirs(), run_tests=False)
    assert any("is not a PNG image" in f.message for f in report.errors)


def test_a4_a13_metadata(registry, deployment):
    bare = info("Minimum de test", "nat", description=" ", documentation="", public_page="http://example.org/page")
    rules = deployment.rules(national(aides=((minimum_test, bare),)))
    report = registry.check(rules, case_dirs=deployment.case_dirs(), run_tests=False)
    rules_broken = {f.rule for f in report.errors}
    assert {"A4", "A11"} <= rules_broken
    assert any(f.rule == "A13" for f in report.warnings)


def test_a5_at_least_two_expert_cases(registry, deployment):
    one_case = national(cases=(case("Sans ressources", {"minimum_test": 500.0}),))
    rules = deployment.rules(one_case)
    report = registry.check(rules, case_dirs=deployment.case_dirs())
    [a5] = [f for f in report.errors if f.rule == "A5"]
    assert a5.message.startswith("1 expert test case; at least 2 are needed")

    # A case registered with the registry counts too (by an expert of the aide's partner, A5).
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.add_expert_case(
        "minimum_test",
        "name: Salaire de 100 €\nperiod: 2026-11\ninput: {salaire_net: {2026-10: 100}}\noutput: {minimum_test: 400}\n",
        by=expert("nat"),
    )
    assert registry.check(rules, case_dirs=deployment.case_dirs()).ok


def test_a5_a_failing_expert_case_fails_the_check(registry, deployment):
    wrong = national(cases=(case("Sans ressources", {"minimum_test": 500.0}), case("Faux", {"minimum_test": 123.0})))
    report = registry.check(deployment.rules(wrong), case_dirs=deployment.case_dirs())
    [a5] = [f for f in report.errors if f.rule == "A5"]
    assert "'Faux'" in a5.message and "expected 123.0, got 500.0" in a5.message


def test_a6_publication_needs_both_sign_offs_and_passing_checks(registry, deployment):
    rules = deployment.rules(national(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    dirs = deployment.case_dirs()["mesaides-test-national"]

    with pytest.raises(RegistryError) as missing:
        registry.publish("minimum_test", by=OPERATOR, rules=rules, case_dirs=dirs)
    assert "A6(a)" in str(missing.value) and "A6(b)" in str(missing.value)

    # G4: a preview needs the checks, not the sign-offs.
    assert registry.publish("minimum_test", by=OPERATOR, preview=True, rules=rules, case_dirs=dirs) == "preview"

    registry.sign_off("minimum_test", "reliability", by=referent("nat"), comment="tested on 40 files")
    registry.sign_off("minimum_test", "quality", by=OPERATOR, comment="code reviewed, no side effect")
    assert registry.publish("minimum_test", by=OPERATOR, rules=rules, case_dirs=dirs) == "published"
    assert registry.public_state().aides["minimum_test"].status == "published"
    # Other aides of the partner stay in isolation (A6).
    assert registry.public_state().aides["dep_bonus"].status == "development"


def test_a6_sign_offs_are_for_a_version_of_the_rules(registry, deployment):
    registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    registry.sign_off("minimum_test", "reliability", by=referent("nat"))
    registry.sign_off("minimum_test", "quality", by=OPERATOR)
    rules = deployment.rules(
        national(
            "1.1.0",
            montant=520.0,
            cases=(
                case("Sans ressources", {"minimum_test": 520.0}),
                case("Salaire de 20 €", {"minimum_test": 500.0}, salaire_net={"2026-10": 20.0}),
            ),
        )
    )
    registry.sync(rules, by=OPERATOR, measure=False)
    with pytest.raises(RegistryError, match=r"A6\(a\).*\n.*A6\(b\)"):
        registry.publish(
            "minimum_test", by=OPERATOR, rules=rules, case_dirs=deployment.case_dirs()["mesaides-test-national"]
        )


def test_a6_publication_is_refused_when_a_check_fails(registry, deployment):
    rules = deployment.rules(national(logo_size=(10, 10)))
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.sign_off("minimum_test", "reliability", by=referent("nat"))
    registry.sign_off("minimum_test", "quality", by=OPERATOR)
    with pytest.raises(RegistryError, match="10x10 px"):
        registry.publish(
            "minimum_test", by=OPERATOR, rules=rules, case_dirs=deployment.case_dirs()["mesaides-test-national"]
        )


def test_the_check_passes_for_a_well_formed_distribution(registry, deployment):
    rules = deployment.rules(national(), departement())
    report = registry.check(rules, case_dirs=deployment.case_dirs())
    assert report.ok, [str(f) for f in report.findings]
    assert report.distributions == ["mesaides-test-departement", "mesaides-test-national"]


def test_pa2_a_partner_without_referent_fails_the_check(registry, deployment):
    report = registry.check(deployment.rules(national(referent_email="")), case_dirs=deployment.case_dirs())
    assert any(f.rule == "Pa2" for f in report.errors)


def test_a2_a_refused_aide_is_not_announced(registry, deployment):
    from registry_test_partners import dep_bonus

    refused = departement(aides=((dep_bonus, info("Bonus", "dep", quota=True)),))
    registry.sync(deployment.rules(national(), refused), by=OPERATOR, measure=False)
    assert registry.public_state().aides["dep_bonus"].status == "refused"
    assert registry.public_state().aides["dep_bonus"].territorial_notice is None
    assert [n for n in registry.notifications() if n["rule"] == "G3"] == []
