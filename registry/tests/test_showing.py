"""What an instance asks the registry before it shows aides (the operator's deployment, in
``mesaides-web``, asks through these methods): ``may_show`` names what stops each aide (A3 before
a sync, A6 sign-offs to be published, G4 checks alone for a preview); ``record_shown`` raises the
statuses (never lowering one) with the audit event, in one transaction with the caller's step."""

from __future__ import annotations

import pytest
from registry_test_partners import departement, national

from mesaides.registry.testing import OPERATOR, referent


def _rules(errors):
    return {f.rule for f in errors if f.level == "error"}


def test_may_show_names_what_stops_each_aide(registry, deployment):
    rules = deployment.rules(national(), departement())
    dirs = deployment.case_dirs()
    targets = {"minimum_test": "published", "dep_bonus": "preview"}

    before = registry.may_show(rules, targets, case_dirs=dirs)
    assert "A3" in _rules(f for f in before.findings if f.subject == "minimum_test")
    assert "A3" not in _rules(registry.may_show(rules, targets, require_synced=False, case_dirs=dirs).findings)

    registry.sync(rules, by=OPERATOR, measure=False)
    answer = registry.may_show(rules, targets, case_dirs=dirs)
    published = [f for f in answer.findings if f.subject == "minimum_test"]
    assert _rules(published) == {"A6"} and len(published) == 2  # A6(a), the partner's; A6(b), the operator's
    assert not [f for f in answer.findings if f.subject == "dep_bonus"]  # G4: the automatic checks pass
    assert answer.statuses["minimum_test"] == answer.statuses["dep_bonus"] == "development"
    assert (
        set(answer.fingerprints.aides) >= set(targets) and answer.fingerprints.distributions["mesaides-test-national"]
    )

    registry.sign_off("minimum_test", "reliability", by=referent("nat"))
    registry.sign_off("minimum_test", "quality", by=OPERATOR)
    assert registry.may_show(rules, targets, case_dirs=dirs).findings == []
    with pytest.raises(ValueError, match="an aide is shown preview or published"):
        registry.may_show(rules, {"minimum_test": "public"}, case_dirs=dirs)


def test_record_shown_raises_never_lowers_and_rolls_back_with_the_callers_step(registry, deployment):
    rules = deployment.rules(national(), departement())
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.publish(
        "minimum_test",
        by=OPERATOR,
        preview=True,
        rules=rules,
        case_dirs=deployment.case_dirs()["mesaides-test-national"],
    )

    def refuse(statuses):
        raise OSError("disk full")

    with pytest.raises(OSError):
        registry.record_shown(
            {"dep_bonus": "preview"}, by=OPERATOR, shown_by="test", action="shown", subject="x", then=refuse
        )
    assert registry.public_state().aides["dep_bonus"].status == "development"  # nothing recorded
    assert not registry.audit_log(subject="x")

    seen = []
    statuses = registry.record_shown(
        {"dep_bonus": "preview", "minimum_test": "preview"},
        by=OPERATOR,
        shown_by="the deployment test.toml",
        action="deployment_locked",
        subject="test.lock",
        details={"preview": True},
        then=seen.append,
    )
    assert statuses == seen[0] == {"dep_bonus": "preview", "minimum_test": "preview"}
    [event] = registry.audit_log(subject="test.lock")
    assert (event.action, event.actor, event.details) == ("deployment_locked", OPERATOR.label, {"preview": True})
    assert "shown by the deployment test.toml" in registry.audit_log(subject="dep_bonus")[0].reason

    registry.record_event("deployment_swap", "mesaides-test-national", by=OPERATOR, before="1.0.0", after="1.1.0")
    swap = registry.audit_log(subject="mesaides-test-national")[0]
    assert (swap.action, swap.details) == ("deployment_swap", {"before": "1.0.0", "after": "1.1.0"})
