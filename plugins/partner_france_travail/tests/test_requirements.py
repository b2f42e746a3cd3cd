"""The ASS reads the CAF's ``aah``: without a suitable ``mesaides-partner-caf`` it is reported
unavailable, with the reason, and the other partners keep working."""

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import (
    check_card_and_logo,
    check_unavailable_out_of_range,
    check_unavailable_without,
)

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


def test_declares_the_caf_versions_it_supports():
    rules = load_rules(get_plugin_manager())
    assert rules.partners[DISTRIBUTION].requires == {CAF: ">=1.0,<2"}
    assert AIDE in rules.aides and AIDE not in rules.unavailable, rules.unavailable.get(AIDE)
    # No income in the 12 months before, no AAH: 30 × 19.48 € = 584.40 €.
    assert Engine(rules).compute(SITUATION, [AIDE], "2026-11") == {AIDE: {"demandeur": 584.4}}


def test_unavailable_without_the_caf_package():
    check_unavailable_without("partner_caf", CAF, AIDE, ["aah"], SITUATION, "2026-11")


def test_unavailable_with_a_caf_version_out_of_range():
    check_unavailable_out_of_range(CAF, ">=1.0,<2", AIDE, own=["aah"])


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(get_plugin_manager()), DISTRIBUTION, "national", ["france_travail"])
