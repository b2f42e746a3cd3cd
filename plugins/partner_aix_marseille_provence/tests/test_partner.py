"""The Métropole Aix-Marseille-Provence as data: its card and logo, every aide file loads without a problem, and every aide
has at least two expert cases (A5), one where it is granted and one where it is refused."""

from pathlib import Path

from mesaides.core import get_plugin_manager, load_rules
from mesaides.core.testing.partners import check_card_and_logo
from mesaides.core.testing.yaml_cases import load_cases

DISTRIBUTION = "mesaides-partner-aix-marseille-provence"
ENTRY_POINT = "partner_aix_marseille_provence"
INSTITUTIONS = ["metropole_aix_marseille_provence"]
AIDES = (
    "amp_gratuite_transports_enfants",
    "amp_gratuite_transports_seniors",
)
CASES = Path(__file__).parent / "yaml"


def test_card_logo_and_aides_load():
    rules = load_rules(get_plugin_manager())
    check_card_and_logo(rules, DISTRIBUTION, "territorial", INSTITUTIONS)
    assert [p for p in rules.problems if p.startswith(f"{ENTRY_POINT} ")] == []
    assert sorted(a for a, aide in rules.aides.items() if aide.owner == DISTRIBUTION) == sorted(AIDES)
    for aide in AIDES:
        assert aide not in rules.unavailable, rules.unavailable.get(aide)


def test_each_aide_has_a_granted_and_a_refused_expert_case():
    for aide in AIDES:
        outputs = [case["output"][aide] for case in load_cases(CASES / f"{aide}.yaml")]
        values = [v for output in outputs for v in (output if isinstance(output, list) else [output])]
        assert len(outputs) >= 2, aide
        assert any(v not in (0, False) for v in values), f"{aide}: no case where it is granted"
        assert any(v in (0, False) for v in values), f"{aide}: no case where it is refused"
