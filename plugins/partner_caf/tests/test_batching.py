"""Requests merged into one computation (as the web server does under load) get exactly what
each gets alone, with the CAF's rules, whose housing aid and RSA read each other's past months."""

import copy
from pathlib import Path

import pytest

from mesaides.core import Engine
from mesaides.core.testing.oracle import merge, read_cases

ORACLE = Path(__file__).parent / "oracle"


@pytest.fixture(scope="module")
def engine():
    return Engine()


def test_merged_oracle_cases_get_what_each_gets_alone(engine):
    cases = read_cases(ORACLE / "cases-public.jsonl.gz")[:60]
    situations = [merge([case], None, engine.rules)[0] for case in cases]
    alone = [engine.calculate(copy.deepcopy(s)) for s in situations]
    together = engine.calculate_many(situations)
    assert len(together) == len(alone)
    for case, a, t in zip(cases, alone, together):
        assert t == a, case.get("id")
    rsa = [v for a in alone for f in a["familles"].values() for v in f.get("rsa", {}).values()]
    assert sum(1 for v in rsa if v) >= 10  # the cases exercise the RSA chain
