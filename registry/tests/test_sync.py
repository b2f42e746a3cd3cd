"""Syncing real partner distributions (registered through the plugin manager) into the registry:
partners, distributions and versions, aides with what they read, Parameters, audit log, G3."""

from __future__ import annotations

from registry_test_partners import departement, metropole, national, ville

from mesaides.registry.models import DistributionVersion
from mesaides.registry.testing import OPERATOR, referent


def test_baseline_sync_records_partners_aides_and_parameters(registry, deployment):
    rules = deployment.rules(national(), departement(), metropole())
    report = registry.sync(rules, by=OPERATOR, reason="first sync")
    assert report.baseline
    assert set(report.added) == {"minimum_test", "dep_bonus", "metro_jeunes"}
    assert "nat_statut_special" in report.parameters_added

    state = registry.public_state()
    assert state.synced
    assert state.partners["nat"].scope == "national"
    assert state.partners["dep"].scope == "territorial"
    assert [d.name for d in state.partners["dep"].distributions] == ["mesaides-test-departement"]
    assert state.aides["minimum_test"].status == "development"
    assert state.aides["minimum_test"].version == "1.0.0"

    aides = {a.name: a for a in registry.aides()}
    # What each aide reads comes from the core's dependency graph.
    assert set(aides["dep_bonus"].reads) >= {"minimum_test", "nat_ressources", "salaire_net", "depcom"}
    assert set(aides["dep_bonus"].parameters) == {"salaire_net", "depcom", "nat_statut_special"}
    assert aides["minimum_test"].owner == "mesaides-test-national"
    assert aides["minimum_test"].info["institution"] == "nat"

    actions = {e.action for e in registry.audit_log(limit=200)}
    assert {"sync", "partner_added", "parameter_added", "distribution_version", "aide_status"} <= actions
    sync_event = next(e for e in registry.audit_log(limit=200) if e.action == "sync")
    assert sync_event.actor == OPERATOR.label and sync_event.reason == "first sync"


def test_g3_national_partners_are_told_of_new_territorial_aides(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR)
    notes = registry.notifications()
    g3 = [n for n in notes if n["rule"] == "G3"]
    assert [n["subject"] for n in g3] == ["dep_bonus"]
    assert set(g3[0]["recipients"]) == {"nat"}
    state = registry.public_state()
    assert state.aides["dep_bonus"].territorial_notice.startswith("Cette aide locale")
    assert state.aides["minimum_test"].territorial_notice is None

    # A territorial aide added later is announced too, with its own notice.
    registry.sync(deployment.rules(national(), departement(), ville()), by=OPERATOR)
    assert registry.public_state().aides["ville_aide"].territorial_notice is not None

    closed = registry.acknowledge(g3[0]["id"], "nat", by=referent("nat"), comment="no interaction with minimum_test")
    assert closed
    assert registry.public_state().aides["dep_bonus"].territorial_notice is None


def test_every_version_synced_is_kept(registry, deployment):
    registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    registry.sync(deployment.rules(national(version="1.1.0")), by=OPERATOR, measure=False)
    registry.sync(deployment.rules(national(version="1.1.0")), by=OPERATOR, measure=False)  # nothing new
    state = registry.public_state()
    [dist] = state.partners["nat"].distributions
    assert dist.version == "1.1.0"
    assert dist.versions == ["1.0.0", "1.1.0"]
    with registry.database.reading() as s:
        assert s.query(DistributionVersion).filter_by(distribution="mesaides-test-national").count() == 2


def test_a_distribution_that_fails_to_load_keeps_its_aides(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)

    def broken(register):
        raise RuntimeError("bug in the partner's release")

    spec = departement(version="2.0.0")
    rules = deployment.rules(national())
    from registry_test_partners import TestPartner

    from mesaides.core import get_plugin_manager, hookimpl, load_rules

    class Broken(TestPartner):
        @hookimpl
        def mesaides_register_aides(self, register):
            broken(register)

    pm = get_plugin_manager(load_entry_points=False)
    for s, cls in ((national(), TestPartner), (spec, Broken)):
        pm.register_plugin(cls(s, deployment.root), s.entry_point, s.distribution, s.version)
    rules = load_rules(pm)
    report = registry.sync(rules, by=OPERATOR, measure=False)
    assert report.removed == []
    assert any("bug in the partner's release" in p for p in report.problems)
    assert registry.public_state().aides["dep_bonus"].status == "development"


def test_an_uninstalled_distribution_removes_its_aides(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    report = registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    assert report.removed == ["dep_bonus"]
    state = registry.public_state()
    assert state.aides["dep_bonus"].status == "removed"
    assert state.partners["dep"].distributions[0].installed is False


def test_documentation_extras_from_the_registry(registry, deployment, db_url, monkeypatch):
    from mesaides.registry.plugin import mesaides_documentation_extras

    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    registry.deprecate_parameter("nat_statut_special", by=OPERATOR, reason="test", removal_date=None)
    monkeypatch.setenv("MESAIDES_DATABASE_URL", db_url)
    extras = mesaides_documentation_extras(rules=None)
    assert extras["aide_history"]["minimum_test"][0]["what"] == "ajoutée"
    assert extras["aide_notices"]["dep_bonus"][0].startswith("Cette aide locale")  # G3
    assert extras["parameter_status"]["nat_statut_special"].startswith("déprécié depuis le 16/11/2026")
    assert extras["parameter_status"]["salaire_net"] == "actif"


def test_a11_a_moved_public_page_is_recorded(registry, deployment):
    from registry_test_partners import info, minimum_test

    registry.sync(deployment.rules(national()), by=OPERATOR, measure=False)
    moved = national(
        "1.0.1",
        aides=((minimum_test, info("Minimum de test", "nat", public_page="https://www.example.org/nouvelle-page")),),
    )
    report = registry.sync(deployment.rules(moved), by=OPERATOR, measure=False)
    assert report.notes == [
        "A11: the public page of minimum_test moved from https://www.example.org/aides/nat to https://www.example.org/nouvelle-page"
    ]
    assert registry.audit_log(subject="minimum_test")[0].action == "public_page_changed"
