"""The ASS reads the CAF's ``aah`` through its card's ``takes``: without the CAF package, or with
a version out of range, the ASS is still computed, the AAH being taken from the situation (0 when
not given), and the CAF's own aides keep working."""

import copy

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import check_card_and_logo

DISTRIBUTION = "mesaides-partner-france-travail"
AIDE = "ass"
CAF = "mesaides-partner-caf"

SITUATION = {
    "individus": {
        "demandeur": {
            "date_naissance": {"ETERNITY": "1975-03-15"},
            "activite": {"2026-11": "chomeur"},
            "ass_precondition_remplie": {"2026-11": True},
        }
    },
    "familles": {"famille": {"parents": ["demandeur"]}},
    "foyers_fiscaux": {"foyer": {"declarants": ["demandeur"]}},
    "menages": {"menage": {"personne_de_reference": ["demandeur"], "depcom": {"2026-11": "75056"}}},
}


ASS_NO_RESOURCES = 584.4  # no income in the 12 months before, no AAH: 30 × 19.48 €


def with_aah(amount):
    """The jobseeker of SITUATION, stating an AAH of ``amount`` € this month."""
    situation = copy.deepcopy(SITUATION)
    situation["individus"]["demandeur"]["aah"] = {"2026-11": amount}
    return situation


def test_takes_the_caf_aah_and_requires_no_version():
    rules = load_rules(get_plugin_manager())
    partner = rules.partners[DISTRIBUTION]
    assert partner.requires == {}
    assert [t.name for t in partner.takes] == ["aah"]
    assert rules.quantities["aah"].owner == CAF and "aah" not in rules.stand_ins
    assert AIDE in rules.aides and AIDE not in rules.unavailable, rules.unavailable.get(AIDE)
    assert Engine(rules).compute(SITUATION, [AIDE], "2026-11") == {AIDE: {"demandeur": ASS_NO_RESOURCES}}


def test_without_the_caf_the_ass_takes_the_aah_from_the_situation():
    rules = load_rules(get_plugin_manager(blocked=("partner_caf",)))
    assert CAF not in rules.partners
    assert AIDE not in rules.unavailable, rules.unavailable.get(AIDE)
    assert rules.stand_ins["aah"] == DISTRIBUTION
    assert "aucun partenaire installé ne le calcule" in rules.parameters["aah"].label
    engine = Engine(rules)
    assert engine.compute(SITUATION, [AIDE], "2026-11") == {AIDE: {"demandeur": ASS_NO_RESOURCES}}
    # An AAH stated by the client: the ASS is not cumulable with it (since 1 January 2017).
    assert engine.compute(with_aah(500.0), [AIDE], "2026-11") == {AIDE: {"demandeur": 0.0}}


def test_with_a_caf_version_out_of_range_the_ass_still_reads_its_aah():
    pm = get_plugin_manager()
    next(r for r in pm.records.values() if r.distribution == CAF).version = "2.0.0"
    rules = load_rules(pm)
    assert AIDE not in rules.unavailable, rules.unavailable.get(AIDE)
    for own in ("aah", "rsa"):
        assert own in rules.aides and own not in rules.unavailable, rules.unavailable.get(own)
    assert rules.quantities["aah"].owner == CAF
    assert Engine(rules).compute(SITUATION, [AIDE], "2026-11") == {AIDE: {"demandeur": ASS_NO_RESOURCES}}


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(get_plugin_manager()), DISTRIBUTION, "national", ["france_travail"])
