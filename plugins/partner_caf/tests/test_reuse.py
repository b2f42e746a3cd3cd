"""The engine reuses a formula's result for another month when everything it read is the same:
with the CAF's rules, whose aides read many months, every value stays what running each formula
gives."""

from pathlib import Path

import numpy as np
import pytest

from mesaides.core import Engine, Period, Simulation
from mesaides.core.testing.oracle import merge, read_cases

ORACLE = Path(__file__).parent / "oracle"
PERIOD = Period.parse("2026-11")


@pytest.fixture(scope="module")
def engine():
    return Engine()


def computed(engine, situation, *, reuse):
    population = engine.population(situation)
    simulation = Simulation(engine.rules, population, reuse=reuse)
    return simulation, engine._run_requests(simulation, population, None)


def test_oracle_households_get_the_same_values_with_and_without_reuse(engine):
    cases = read_cases(ORACLE / "cases-public.jsonl.gz")[::8]
    runs = reused = 0
    for case in cases:
        situation = merge([case], None, engine.rules)[0]
        with_reuse, values = computed(engine, situation, reuse=True)
        without, expected = computed(engine, situation, reuse=False)
        assert values.keys() == expected.keys()
        for key, value in expected.items():
            assert np.array_equal(values[key], value), (case["id"], key)
        # Every evaluation is either run or reused, and many months repeat the one before.
        assert with_reuse.runs + with_reuse.reused == without.runs
        runs, reused = runs + with_reuse.runs, reused + with_reuse.reused
    # Measured: 14,007 of 28,074 evaluations reused (50 %) since the ASI and the ASS are defined
    # only for their first condition; 19,979 of 39,629 before.
    assert reused > 0.45 * (runs + reused)


def test_explanations_are_the_same_with_and_without_reuse_or_a_shared_memo(engine):
    from mesaides.core.explain import explain

    cases = read_cases(ORACLE / "cases-public.jsonl.gz")[3::40]
    for case in cases:
        situation = merge([case], None, engine.rules)[0]
        population = engine.population(situation)
        famille = population.ids("famille")[0]
        explained = {}
        for reuse, memo in ((True, {}), (True, None), (False, None)):
            simulation = Simulation(engine.rules, population, trace=True, reuse=reuse)
            explained[reuse, memo is not None] = [
                explain(simulation, aide, engine._period_for(aide, PERIOD), famille, memo=memo).to_json()
                for aide in ("aide_logement", "rsa", "ppa", "af")
            ]
            if reuse:
                assert simulation.reused > 0
        # A memo shared by the explanations of a page converts each node once: the same result.
        assert explained[True, True] == explained[True, False] == explained[False, False], case["id"]
