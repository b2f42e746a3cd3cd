"""The reasons a results page gives for the aides of the Département du Nord hold (issue 13, section 4):
every condition an aide names is necessary (no household that gets the aide fails it), and every
nil amount fails one of them, over the reference households and 5,000 generated ones."""

from pathlib import Path

from mesaides.core import Engine
from mesaides.core.testing.reasons import ReasonCoverage, check_cases_and_generated

CASES = Path(__file__).parent / "oracle" / "cases-nord.jsonl.gz"
AIDES = ("nord_activ_emploi_maximum",)


def test_every_condition_is_necessary_and_every_nil_amount_has_one():
    engine = Engine()
    coverage = ReasonCoverage()
    problems = check_cases_and_generated(engine, CASES, AIDES, generated=5000, coverage=coverage)
    assert not problems, "\n".join(map(str, problems))
    for aide in AIDES:
        if aide in engine.rules.unavailable:
            continue  # needs a partner that is not installed beside this one
        assert coverage.conditions[aide], f"{aide} names no condition"
        assert any(a == aide for a, _ in coverage.shown), f"{aide}: no reason was ever shown"
