"""Agreement with OpenFisca-France 176.1.8 (issue 3's acceptance):

- the 600 public reference households of November 2026: each output within 1 € for at least
  99 % of households;
- OpenFisca-France's own tests, converted, dated 2024 or later: each output within 1 € in at least
  95 % of cases.

The remaining differences are explained in ``docs/known-differences.md``.
"""

from pathlib import Path

import pytest

from mesaides.core import Engine
from mesaides.core.testing.oracle import compare, read_cases

ORACLE = Path(__file__).parent / "oracle"
OUTPUTS = ("rsa", "ppa", "af", "cf", "asf", "paje_base", "ars", "aide_logement", "apl", "alf", "als", "aah")


@pytest.fixture(scope="module")
def engine():
    return Engine()


@pytest.fixture(scope="module")
def public(engine):
    return compare(read_cases(ORACLE / "cases-public.jsonl.gz"), engine, set(OUTPUTS))


@pytest.fixture(scope="module")
def peer(engine):
    cases = [c for c in read_cases(ORACLE / "peer-cases.jsonl.gz") if c["period"] >= "2024"]
    return compare(cases, engine, set(OUTPUTS))


@pytest.mark.parametrize("output", OUTPUTS)
def test_public_cases_agree_for_99_percent(public, output):
    expected_total = 1460 if output == "aah" else 600  # aah is per person
    assert public.total[output] == expected_total
    assert public.rate(output) >= 0.99, public.detail(output)


@pytest.mark.parametrize("output", [o for o in OUTPUTS if o != "paje_base"])  # no 2024+ PAJE case
def test_peer_cases_since_2024_agree_for_95_percent(peer, output):
    assert peer.total[output] > 0
    assert peer.rate(output) >= 0.95, peer.detail(output)


def test_peer_cases_since_2024_all_compute(peer):
    assert peer.errors == []
