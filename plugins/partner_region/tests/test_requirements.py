"""The Région's aides read only the core's names: they work without any other partner."""

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import check_card_and_logo

AIDES = ("hauts_de_france_aide_garde_enfant", "hauts_de_france_aide_permis")

SITUATION = {
    "individus": {
        "parent": {"date_naissance": {"ETERNITY": "1994-05-02"}, "activite": {"2026-11": "chomeur"}},
        "enfant": {"date_naissance": {"ETERNITY": "2025-03-10"}},
    },
    "familles": {"famille": {"parents": ["parent"], "enfants": ["enfant"]}},
    "foyers_fiscaux": {"foyer": {"declarants": ["parent"], "personnes_a_charge": ["enfant"]}},
    "menages": {"menage": {"personne_de_reference": ["parent"], "enfants": ["enfant"], "depcom": {"2026-11": "59350"}}},
}


def test_available_without_the_caf_package():
    rules = load_rules(get_plugin_manager(blocked=("partner_caf",)))
    assert "mesaides-partner-caf" not in rules.partners
    for aide in AIDES:
        assert aide in rules.aides
        assert aide not in rules.unavailable, rules.unavailable.get(aide)
    result = Engine(rules).compute(SITUATION, AIDES, "2026-11")
    # A single parent job seeker of 32 with a child of 1 in Lille and no income: the aide au
    # permis (single parent, no age limit); no childcare aide since the parent does not work.
    assert result["hauts_de_france_aide_permis"] == {"parent": 1200.0, "enfant": 0.0}
    assert result["hauts_de_france_aide_garde_enfant"] == {"famille": 0.0}


def test_partner_card_and_logo():
    rules = load_rules(get_plugin_manager())
    assert rules.partners["mesaides-partner-region"].requires == {}
    check_card_and_logo(rules, "mesaides-partner-region", "territorial", ["hauts_de_france"])
