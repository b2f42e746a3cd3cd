"""The Éducation nationale's partner card, logo and aides: they read only the core (the BMAF is
a core value), so they are available with the core alone."""

from mesaides.core import get_plugin_manager, load_rules
from mesaides.core.testing.partners import check_card_and_logo

DISTRIBUTION = "mesaides-partner-education-nationale"


def test_partner_card_and_logo():
    rules = load_rules(get_plugin_manager())
    check_card_and_logo(rules, DISTRIBUTION, "national", ["education_nationale"])
    assert rules.partners[DISTRIBUTION].requires == {}


def test_aides_are_available_and_read_the_core_bmaf():
    rules = load_rules(get_plugin_manager())
    for aide in ("bourse_college", "bourse_lycee"):
        assert aide in rules.aides and aide not in rules.unavailable, rules.unavailable.get(aide)
    assert rules.legislation.node("prestations_familiales.bmaf").owner == "mesaides-core"
