"""The Assurance retraite's partner card, and the ASPA with the core alone: the other partners'
aides its resources count (a partner's AAH, the ASS, the ASI) are then taken from the situation."""

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import check_card_and_logo

DISTRIBUTION = "mesaides-partner-assurance-retraite"
PERIOD = "2026-11"
MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]
ASPA_SINGLE_2026 = 12523.14  # maximum = ceiling for a single person from 1 January 2026 (aspa.yaml)


def pensioner(pension):
    return {
        "individus": {
            "retraite": {
                "date_naissance": {"ETERNITY": "1955-03-02"},
                "retraite_nette": {m: pension for m in MONTHS},
            }
        },
        "familles": {"famille": {"parents": ["retraite"]}},
        "foyers_fiscaux": {"foyer": {"declarants": ["retraite"]}},
        "menages": {"menage": {"personne_de_reference": ["retraite"], "depcom": {PERIOD: "69123"}}},
    }


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(get_plugin_manager()), DISTRIBUTION, "national", ["assurance_retraite"])


def test_with_the_core_alone_the_aspa_is_computed_and_says_what_it_takes_from_the_situation():
    # Every partner whose aides the ASPA reads is blocked (France Travail too: it also takes the
    # AAH, and the first partner declaring a stand-in owns it).
    rules = load_rules(
        get_plugin_manager(blocked=("partner_caf", "partner_assurance_maladie", "partner_france_travail"))
    )
    assert "aspa" in rules.aides and "aspa" not in rules.unavailable
    assert set(rules.stand_ins) >= {"aah", "asi", "asi_eligibilite", "ass", "taux_incapacite"}
    assert all(rules.stand_ins[n] == DISTRIBUTION for n in ("aah", "asi", "asi_eligibilite", "ass"))
    result = Engine(rules).compute(pensioner(500.0), ["aspa"], PERIOD)
    assert result["aspa"]["famille"] == round(ASPA_SINGLE_2026 / 12 - 500.0, 2)  # 543.60


def test_a_pension_above_the_ceiling_gives_no_aspa():
    result = Engine().compute(pensioner(1100.0), ["aspa"], PERIOD)
    assert result["aspa"]["famille"] == 0.0
