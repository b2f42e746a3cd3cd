"""The reasons a results page gives for the Assurance retraite's aides hold (issue 13, section 4):
every condition an aide names is necessary (no household that gets the aide fails it), and every
nil amount fails one of them, over the 600 reference households of the second wave and 5,000
generated households."""

from pathlib import Path

import pytest

from mesaides.core import Engine
from mesaides.core.testing.reasons import ReasonCoverage, check_cases_and_generated

CASES = Path(__file__).parent / "oracle" / "cases-wave2-assurance-retraite.jsonl.gz"
AIDES = ("aspa",)


@pytest.fixture(scope="module")
def run():
    coverage = ReasonCoverage()
    problems = check_cases_and_generated(Engine(), CASES, AIDES, generated=5000, coverage=coverage)
    return problems, coverage


def test_every_condition_is_necessary_and_every_nil_amount_has_one(run):
    problems, _ = run
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("aide", AIDES)
def test_each_aide_is_checked_on_households_that_get_it_and_households_that_do_not(run, aide):
    _, coverage = run
    assert coverage.granted[aide] > 0 and coverage.nil[aide] > 0
    shown = {label for (a, label), n in coverage.shown.items() if a == aide}
    assert shown, f"{aide}: no reason was ever shown"
    assert shown <= coverage.conditions[aide]
