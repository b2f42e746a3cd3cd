"""The engine evaluates a quantity whose ``defined_for`` holds for few households on those
households apart (``Simulation(sparse_persons=...)``): with the CAF's rules and the other partners'
installed beside, whose aides read one another over many months, every value requested stays
what evaluating each quantity on every household gives."""

from pathlib import Path

import numpy as np
import pytest

from mesaides.core import Engine, Period, Simulation
from mesaides.core.testing.households import generate
from mesaides.core.testing.oracle import merge, read_cases

ORACLE = Path(__file__).parent / "oracle"


@pytest.fixture(scope="module")
def engine():
    return Engine()


def requested(engine, population, **options):
    simulation = Simulation(engine.compiled, population, **options)
    return simulation, engine._run_requests(simulation, population, None)


@pytest.mark.parametrize("reuse", [True, False])
def test_the_oracle_households_get_the_same_values_apart(engine, reuse):
    cases = read_cases(ORACLE / "cases-public.jsonl.gz")
    population = engine.population(merge(cases, None, engine.rules)[0])
    together, expected = requested(engine, population, sparse_persons=None, reuse=reuse)
    apart, values = requested(engine, population, sparse_persons=1, reuse=reuse)
    assert apart._apart, "some quantity was evaluated apart"
    assert values.keys() == expected.keys()
    for key, value in expected.items():
        assert np.array_equal(values[key], value), key
    assert apart.runs < together.runs


def test_generated_households_get_the_same_values_apart(engine):
    aides = [a for a in engine.rules.aides if a not in engine.rules.unavailable]
    for households, month in ((3000, "2026-11"), (800, "2025-02")):
        period = Period.parse(month)
        population = generate(households, period, seed=households)
        together = Simulation(engine.compiled, population, sparse_persons=None)
        apart = Simulation(engine.compiled, population, sparse_persons=1)
        for aide in aides:
            when = engine._period_for(aide, period)
            assert np.array_equal(apart.calculate(aide, when), together.calculate(aide, when)), (aide, month)
        assert apart._apart
