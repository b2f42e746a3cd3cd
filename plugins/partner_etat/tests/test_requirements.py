"""The prime de Noël reads the CAF's ``rsa`` and France Travail's ``ass``: without a suitable
distribution of either it is reported unavailable, with the reason; the chèque énergie reads
only the core and stays available."""

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import (
    check_card_and_logo,
    check_unavailable_out_of_range,
    check_unavailable_without,
)

DISTRIBUTION = "mesaides-partner-etat"
CAF = "mesaides-partner-caf"
FRANCE_TRAVAIL = "mesaides-partner-france-travail"

SITUATION = {
    "individus": {"adulte": {"date_naissance": {"ETERNITY": "1980-03-01"}}},
    "familles": {"famille": {"parents": ["adulte"], "rsa": {"2026-11": 646.52}}},
    "foyers_fiscaux": {"foyer": {"declarants": ["adulte"]}},
    "menages": {
        "menage": {
            "personne_de_reference": ["adulte"],
            "depcom": {"2026-01": "13055"},
            "statut_occupation_logement": {"2026-01": "locataire_vide"},
        }
    },
}


def test_declares_the_versions_it_supports():
    rules = load_rules(get_plugin_manager())
    assert rules.partners[DISTRIBUTION].requires == {CAF: ">=1.0,<2", FRANCE_TRAVAIL: ">=1.0,<2"}
    result = Engine(rules).compute(SITUATION, ["aefa", "cheque_energie"], "2026")
    assert result == {"aefa": {"famille": 152.45}, "cheque_energie": {"menage": 194.0}}


def test_prime_de_noel_unavailable_without_the_caf_package():
    check_unavailable_without("partner_caf", CAF, "aefa", ["rsa"], SITUATION, "2026")


def test_prime_de_noel_unavailable_without_france_travail():
    check_unavailable_without("partner_france_travail", FRANCE_TRAVAIL, "aefa", ["ass"], SITUATION, "2026")


def test_prime_de_noel_unavailable_with_a_version_out_of_range():
    check_unavailable_out_of_range(FRANCE_TRAVAIL, ">=1.0,<2", "aefa", own=["ass"])


def test_cheque_energie_needs_only_the_core():
    rules = load_rules(get_plugin_manager(blocked=("partner_caf", "partner_france_travail")))
    assert "cheque_energie" in rules.aides and "cheque_energie" not in rules.unavailable
    core_only = {**SITUATION, "familles": {"famille": {"parents": ["adulte"]}}}
    assert Engine(rules).compute(core_only, ["cheque_energie"], "2026") == {"cheque_energie": {"menage": 194.0}}


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(get_plugin_manager()), DISTRIBUTION, "national", ["etat"])
