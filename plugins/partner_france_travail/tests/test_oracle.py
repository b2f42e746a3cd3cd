"""Agreement with the reference cases computed by OpenFisca-France 176.1.8 for November 2026
(``oracle/cases-ass.jsonl.gz``: the 600 public households of the second wave, with only ``ass``
kept). The ASS reads the CAF's ``aah`` of the 13 months up to November.

The cases carry inputs of other partners (``aeeh_niveau_handicap``, ``taux_incapacite``…): with
this distribution beside the core and the CAF only, they are left out (``known_only``).
"""

from pathlib import Path

from mesaides.core import Engine
from mesaides.core.testing.oracle import compare, read_cases

CASES = Path(__file__).parent / "oracle" / "cases-ass.jsonl.gz"


def test_agreement_is_at_least_99_percent_of_households():
    engine = Engine()
    assert "ass" not in engine.rules.unavailable, engine.rules.unavailable.get("ass")
    agreement = compare(read_cases(CASES), engine, {"ass"}, known_only=True)
    assert agreement.total["ass"] == 1417, agreement.report()  # every person of the 600 households
    households = {m.case for m in agreement.mismatches}
    assert len(households) <= 6, agreement.detail("ass")  # at least 99 % of the 600 households
