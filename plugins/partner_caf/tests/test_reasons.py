"""The reasons a results page gives for the CAF's aides hold (issue 13, section 4): every
condition an aide names is necessary (no household that gets the aide fails it), and every nil
amount fails one of them, over the 600 public reference households, OpenFisca's converted tests
dated 2024 or later, and 5,000 generated households."""

from pathlib import Path

import pytest

from mesaides.core import Engine
from mesaides.core.testing.reasons import ReasonCoverage, check_cases_and_generated

CASES = Path(__file__).parent / "oracle" / "cases-public.jsonl.gz"
PEER = Path(__file__).parent / "oracle" / "peer-cases.jsonl.gz"
AIDES = ("rsa", "ppa", "af", "cf", "asf", "paje_base", "ars", "aide_logement", "apl", "alf", "als", "aah")


@pytest.fixture(scope="module")
def run():
    coverage = ReasonCoverage()
    engine = Engine()
    problems = check_cases_and_generated(engine, CASES, AIDES, generated=5000, coverage=coverage)
    problems += check_cases_and_generated(engine, PEER, AIDES, generated=0, since="2024", coverage=coverage)
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
