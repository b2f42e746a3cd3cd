"""Région Auvergne-Rhône-Alpes's data-only distribution: its card and logo (A4), every aide file loads and has expert
cases that grant it and refuse it (A5), and the reasons its aides give hold (issue 13) over generated
households: no household that gets an aide fails a condition it names, and every nil aide fails one."""

from pathlib import Path

import pytest

from mesaides.core.api import Engine
from mesaides.core.testing.partners import check_aides_load, check_card_and_logo, check_granted_and_refused
from mesaides.core.testing.reasons import check_cases_and_generated

DISTRIBUTION = "mesaides-partner-region-ara"
INSTITUTIONS = ["region_auvergne_rhone_alpes"]
HERE = Path(__file__).parent
AIDES = sorted(path.stem for path in (HERE.parent / "src" / "mesaides" / "partner_region_ara" / "aides").glob("*.yaml"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def test_card_and_logo(engine):
    check_card_and_logo(engine.rules, DISTRIBUTION, "territorial", INSTITUTIONS)


def test_every_aide_file_loads(engine):
    assert len(AIDES) >= 7
    check_aides_load(engine.rules, DISTRIBUTION, AIDES)


@pytest.mark.parametrize("aide", AIDES)
def test_expert_cases_grant_and_refuse(aide):
    check_granted_and_refused(HERE / "yaml", aide)


def test_reasons_hold_over_generated_households(engine):
    problems = check_cases_and_generated(engine, None, AIDES, generated=2000)
    assert not problems, "\n".join(map(str, problems))
