"""Agreement with the reference cases computed by OpenFisca-France 176.1.8 and
openfisca-france-local 6.17.11 for November 2026 (``oracle/cases-region.jsonl.gz``: the 600
public reference households, with only this partner's outputs kept).

The aide au permis de conduire is not among the reference outputs; its expert cases are in
``yaml/aide_permis.yaml``.
"""

from pathlib import Path

import pytest

from mesaides.core import Engine
from mesaides.core.testing.oracle import compare, read_cases

CASES = Path(__file__).parent / "oracle" / "cases-region.jsonl.gz"
OUTPUT = "hauts_de_france_aide_garde_enfant"

# Documented disagreements (docs/rules.md): the Région's +10 € per child when a parent (or the
# child) is disabled, which openfisca-france-local does not apply.
KNOWN = {
    ("case_0211", "famille_1"): (30.0, 40.0),
    ("case_0786", "famille_1"): (20.0, 30.0),
}


@pytest.fixture(scope="module")
def agreement():
    return compare(read_cases(CASES), Engine(), {OUTPUT}, tolerance=1.0, known_only=True)


def test_agreement_is_at_least_99_percent(agreement):
    assert agreement.total[OUTPUT] == 600
    assert agreement.rate(OUTPUT) >= 0.99, agreement.report()


def test_only_the_documented_disagreements_remain(agreement):
    found = {(m.case, m.entity_id): (m.expected, m.got) for m in agreement.mismatches}
    assert found == KNOWN
