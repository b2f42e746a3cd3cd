"""Activ'Emploi reads the CAF's ``rsa``: without a suitable ``mesaides-partner-caf`` it is
reported unavailable, with the reason, and the other partners keep working."""

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import (
    check_card_and_logo,
    check_unavailable_out_of_range,
    check_unavailable_without,
)

DISTRIBUTION = "mesaides-partner-nord"
AIDE = "nord_activ_emploi_maximum"
CAF = "mesaides-partner-caf"

SITUATION = {
    "individus": {"adulte": {"date_naissance": {"ETERNITY": "1991-03-15"}}},
    "familles": {"famille": {"parents": ["adulte"], "rsa": {"2026-11": 600.0}}},
    "foyers_fiscaux": {"foyer": {"declarants": ["adulte"]}},
    "menages": {"menage": {"personne_de_reference": ["adulte"], "depcom": {"2026-11": "59350"}}},
}


def test_declares_the_caf_versions_it_supports():
    rules = load_rules(get_plugin_manager())
    assert rules.partners[DISTRIBUTION].requires == {CAF: ">=1.0,<2"}
    assert AIDE in rules.aides and AIDE not in rules.unavailable, rules.unavailable.get(AIDE)
    assert Engine(rules).compute(SITUATION, [AIDE], "2026-11") == {AIDE: {"adulte": 150.0}}


def test_unavailable_without_the_caf_package():
    check_unavailable_without("partner_caf", CAF, AIDE, ["rsa"], SITUATION, "2026-11")


def test_unavailable_with_a_caf_version_out_of_range():
    check_unavailable_out_of_range(CAF, ">=1.0,<2", AIDE, own=["rsa"])


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(get_plugin_manager()), DISTRIBUTION, "territorial", ["departement_nord"])
