"""The Assurance maladie's partner card, what it requires, and how the CAF's AAH reads its ASI.

- The CSS reads the CAF's aides: without a suitable ``mesaides-partner-caf`` it is reported
  unavailable with the reason, while the ASI (which reads none of them) keeps working.
- The CAF reads the ASI through its card's ``takes``: with the core and the CAF alone, the AAH
  and the RSA are still computed, the ASI being taken from the situation (0 when not given);
  with this partner installed, the AAH is reduced by the ASI it computes.
"""

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import (
    check_card_and_logo,
    check_unavailable_out_of_range,
    check_unavailable_without,
)

DISTRIBUTION = "mesaides-partner-assurance-maladie"
CAF = "mesaides-partner-caf"
PERIOD = "2026-11"
MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]
AAH_2026 = 1041.59  # maximal AAH from 1 April 2026 (CAF legislation)
ASI_CEILING_SINGLE_2026 = 11066.13  # from 1 April 2026 (legislation/asi.yaml)
PENSION = 300.0


def invalid_person(**famille):
    """A person of 46 living alone, 80 % incapacity, an invalidity pension of 300 € a month all
    year, no other income."""
    return {
        "individus": {
            "personne": {
                "date_naissance": {"ETERNITY": "1980-05-10"},
                "taux_incapacite": {m: 0.8 for m in MONTHS},
                "handicap": {m: True for m in MONTHS},
                "pensions_invalidite": {m: PENSION for m in MONTHS},
            }
        },
        "familles": {"famille": {"parents": ["personne"], **famille}},
        "foyers_fiscaux": {"foyer": {"declarants": ["personne"]}},
        "menages": {"menage": {"personne_de_reference": ["personne"], "depcom": {PERIOD: "75056"}}},
    }


def test_partner_card_and_logo():
    check_card_and_logo(load_rules(get_plugin_manager()), DISTRIBUTION, "national", ["assurance_maladie"])


def test_the_css_is_unavailable_without_the_caf_and_the_asi_keeps_working():
    check_unavailable_without("partner_caf", CAF, "cmu_c", ["rsa"], invalid_person(), PERIOD)
    rules = load_rules(get_plugin_manager(blocked=("partner_caf",)))
    assert "asi" not in rules.unavailable
    asi = ASI_CEILING_SINGLE_2026 / 12 - PENSION
    assert Engine(rules).compute(invalid_person(), ["asi"], PERIOD)["asi"]["personne"] == round(asi, 2)


def test_unavailable_with_a_caf_version_out_of_range():
    check_unavailable_out_of_range(CAF, ">=1.0,<2", "cmu_c", own=["rsa", "aah"])


def test_core_and_caf_alone_compute_the_aah_and_the_rsa_with_the_asi_from_the_situation():
    # France Travail is left out too, so that the test holds whichever partners are installed beside.
    blocked = ("partner_assurance_maladie", "partner_assurance_retraite", "partner_france_travail")
    rules = load_rules(get_plugin_manager(blocked=blocked))
    assert DISTRIBUTION not in rules.partners
    assert rules.stand_ins == {"asi": CAF, "aspa": CAF, "ass": CAF}
    assert "aucun partenaire installé ne le calcule" in rules.parameters["asi"].label
    assert "aah" not in rules.unavailable and "rsa" not in rules.unavailable
    engine = Engine(rules)
    # No ASI given: the AAH completes the invalidity pension up to the maximal AAH.
    result = engine.compute(invalid_person(), ["aah", "rsa"], PERIOD)
    assert result["aah"]["personne"] == round(AAH_2026 - PENSION, 2)
    assert result["rsa"]["famille"] >= 0
    # The ASI of October given by the client: the AAH of November is reduced by it.
    given = invalid_person()
    given["individus"]["personne"]["asi"] = {"2026-10": 600.0}
    assert engine.compute(given, ["aah"], PERIOD)["aah"]["personne"] == round(AAH_2026 - PENSION - 600.0, 2)


def test_with_the_assurance_maladie_the_aah_reads_the_asi_it_computes():
    rules = load_rules(get_plugin_manager())
    assert rules.quantities["asi"].owner == DISTRIBUTION
    assert "asi" not in rules.stand_ins
    result = Engine(rules).compute(invalid_person(), ["aah", "asi"], PERIOD)
    asi = ASI_CEILING_SINGLE_2026 / 12 - PENSION  # base: the invalidity pension (3-month mean)
    assert result["asi"]["personne"] == round(asi, 2)
    assert result["aah"]["personne"] == round(AAH_2026 - PENSION - asi, 2)  # 119.41
