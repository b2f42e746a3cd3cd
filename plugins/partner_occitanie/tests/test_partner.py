"""The Région Occitanie as data: its card and logo, every aide file loads without a problem, and every aide
has at least two expert cases (A5), one where it is granted and one where it is refused."""

from pathlib import Path

from mesaides.core import get_plugin_manager, load_rules
from mesaides.core.testing.partners import check_aides_load, check_card_and_logo, check_granted_and_refused

DISTRIBUTION = "mesaides-partner-occitanie"
INSTITUTIONS = ["region_occitanie"]
AIDES = (
    "occitanie_aide_lecture",
    "occitanie_aide_licence_unss",
    "occitanie_carte_jeune_region",
    "occitanie_libertio_jeunes",
)
CASES = Path(__file__).parent / "yaml"


def test_card_logo_and_aides_load():
    rules = load_rules(get_plugin_manager())
    check_card_and_logo(rules, DISTRIBUTION, "territorial", INSTITUTIONS)
    check_aides_load(rules, DISTRIBUTION, AIDES)
    assert sorted(a for a, aide in rules.aides.items() if aide.owner == DISTRIBUTION) == sorted(AIDES)


def test_each_aide_has_a_granted_and_a_refused_expert_case():
    for aide in AIDES:
        check_granted_and_refused(CASES, aide)
