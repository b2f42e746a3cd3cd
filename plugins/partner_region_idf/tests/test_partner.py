"""Région Île-de-France's data-only distribution: its card and logo (A4), every aide file loads and has expert
cases that grant it and refuse it (A5), and the reasons its aides give hold (issue 13) over generated
households: no household that gets an aide fails a condition it names, and every nil aide fails one."""

from pathlib import Path

import pytest

from mesaides.core.api import Engine
from mesaides.core.testing.partners import check_card_and_logo
from mesaides.core.testing.reasons import check_cases_and_generated
from mesaides.core.yamlio import load_yaml

DISTRIBUTION = "mesaides-partner-region-idf"
INSTITUTIONS = ["region_ile_de_france"]
HERE = Path(__file__).parent
AIDES = sorted(path.stem for path in (HERE.parent / "src" / "mesaides" / "partner_region_idf" / "aides").glob("*.yaml"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def test_card_and_logo(engine):
    check_card_and_logo(engine.rules, DISTRIBUTION, "territorial", INSTITUTIONS)


def test_every_aide_file_loads(engine):
    assert len(AIDES) >= 4
    problems = [str(p) for p in engine.rules.problems if DISTRIBUTION in str(p)]
    assert not problems, problems
    for aide in AIDES:
        assert engine.rules.aides[aide].owner == DISTRIBUTION
        assert aide not in engine.rules.unavailable, engine.rules.unavailable.get(aide)


@pytest.mark.parametrize("aide", AIDES)
def test_expert_cases_grant_and_refuse(aide):
    cases = load_yaml((HERE / "yaml" / f"{aide}.yaml").read_text(encoding="utf-8"))
    assert len(cases) >= 2
    outputs = [value for case in cases for value in case["output"][aide]]
    assert any(outputs), f"{aide}: no case where it is granted"
    assert not all(outputs), f"{aide}: no case where it is refused"


def test_reasons_hold_over_generated_households(engine):
    problems = check_cases_and_generated(engine, None, AIDES, generated=2000)
    assert not problems, "\n".join(map(str, problems))
