"""Agreement with the reference cases computed by OpenFisca-France 176.1.8 and
openfisca-france-local 6.17.11 for November 2026 (``oracle/cases-lyon.jsonl.gz``: the 600 public
reference households, with only this partner's output kept).

The revenu solidarité jeunes depends on the CAF's ``rsa``, ``aah`` and ``ppa`` being right: the
RSA and the AAH exclude, and the prime d'activité counts in the activity income.
"""

from pathlib import Path

from mesaides.core import Engine
from mesaides.core.testing.oracle import compare, read_cases

CASES = Path(__file__).parent / "oracle" / "cases-lyon.jsonl.gz"
OUTPUT = "revenu_solidaire_jeune"


def test_agreement_is_at_least_99_percent():
    engine = Engine()
    assert OUTPUT not in engine.rules.unavailable, engine.rules.unavailable.get(OUTPUT)
    agreement = compare(read_cases(CASES), engine, {OUTPUT}, tolerance=1.0)
    assert agreement.total[OUTPUT] == 1460  # every person of the 600 households
    assert agreement.rate(OUTPUT) >= 0.99, agreement.detail(OUTPUT)
