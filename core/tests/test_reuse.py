"""Reusing a formula's result for another period when everything it read is the same
(mesaides.core.replay): fewer evaluations, never another value."""

from __future__ import annotations

import numpy as np
import pytest
import reuse_plugin
from reuse_plugin import RUNS

from mesaides.core import Period, load_rules
from mesaides.core.population import parse_situation
from mesaides.core.simulation import Simulation

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01"]


@pytest.fixture
def rules(pm):
    pm.register_plugin(reuse_plugin, "reuse", "mesaides-partner-reuse", "0.1.0")
    return load_rules(pm)


def population(rules, wages: dict[str, float]):
    """One single parent with ``wages`` by month (the same value for several months is one array
    in the population, as a situation gives it)."""
    data = {
        "individus": {"parent": {"date_naissance": {"ETERNITY": "1990-05-15"}, "salaire_net": wages}},
        "familles": {"famille": {"parents": ["parent"]}},
    }
    return parse_situation(data, rules)


def run(rules, wages, name, months, *, reuse=True):
    RUNS.clear()
    sim = Simulation(rules, population(rules, wages), reuse=reuse)
    return [float(sim.calculate(name, Period.parse(m))[0]) for m in months]


def test_a_month_like_the_one_before_is_not_computed_again(rules):
    wages = {m: 1000.0 for m in MONTHS}
    assert run(rules, wages, "reuse_wages", MONTHS[:6]) == [1000.0] * 6
    assert RUNS["reuse_wages"] == 1
    assert run(rules, wages, "reuse_wages", MONTHS[:6], reuse=False) == [1000.0] * 6
    assert RUNS["reuse_wages"] == 6


def test_a_changed_input_is_computed_again(rules):
    wages = {"2026-01": 1000.0, "2026-02": 1000.0, "2026-03": 1200.0, "2026-04": 1200.0}
    assert run(rules, wages, "reuse_wages", MONTHS[:4]) == [1000.0, 1000.0, 1200.0, 1200.0]
    assert RUNS["reuse_wages"] == 2


def test_relative_reads_follow_the_new_period(rules):
    wages = {"2026-01": 1000.0, "2026-02": 1000.0, "2026-03": 1200.0, "2026-04": 1200.0, "2026-05": 1200.0}
    # Last month's wages: reused for 03 (reads 02, like 02 read 01), not for 04 (reads 03).
    assert run(rules, wages, "reuse_last_month", ["2026-02", "2026-03", "2026-04", "2026-05"]) == [
        1000.0,
        1000.0,
        1200.0,
        1200.0,
    ]
    assert RUNS["reuse_last_month"] == 2


def test_a_formula_reading_the_year_is_reused_within_the_year_only(rules):
    wages = {m: 1000.0 for m in MONTHS}
    assert run(rules, wages, "reuse_year", ["2026-11", "2026-12", "2027-01"]) == [3026.0, 3026.0, 3027.0]
    assert RUNS["reuse_year"] == 2


def test_a_formula_reading_the_month_runs_every_month(rules):
    wages = {m: 1000.0 for m in MONTHS}
    assert run(rules, wages, "reuse_month", MONTHS[:3]) == [1001.0, 1002.0, 1003.0]
    assert RUNS["reuse_month"] == 3


def test_a_revalued_legislation_value_is_looked_up_again(rules):
    wages = {m: 1000.0 for m in MONTHS}
    assert run(rules, wages, "reuse_amount", ["2026-02", "2026-03", "2026-04", "2026-05"]) == [
        100.0,
        100.0,
        110.0,
        110.0,
    ]
    assert RUNS["reuse_amount"] == 2


def test_a_formula_comparing_its_period_is_never_reused(rules):
    wages = {m: 1000.0 for m in MONTHS}
    assert run(rules, wages, "reuse_compares", ["2026-05", "2026-06", "2026-07"]) == [0.0, 1.0, 0.0]
    assert RUNS["reuse_compares"] == 3


def test_a_formula_using_its_period_as_a_period_works_and_is_never_reused(rules):
    wages = {m: 1000.0 for m in MONTHS}
    assert run(rules, wages, "reuse_since_june", ["2026-04", "2026-05", "2026-06", "2026-07"]) == [0, 0, 1, 1]
    assert RUNS["reuse_since_june"] == 4


def test_what_a_formula_reads_may_depend_on_what_it_read_before(rules):
    # 03 reads 02 (positive), then the three months before; 04 reads 03 (zero), then 04 only;
    # 05 and later read their last month (positive), then three months, the same for 07 and 08.
    wages = {"2026-01": 100.0, "2026-02": 200.0, "2026-03": 0.0, **{f"2026-{m:02d}": 400.0 for m in range(4, 9)}}
    months = ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
    expected = [0.0 + 100.0 + 200.0, 400.0, 200.0 + 0.0 + 400.0, 0.0 + 400.0 + 400.0, 400.0 * 3, 400.0 * 3]
    assert run(rules, wages, "reuse_branches", months) == expected
    reused = RUNS["reuse_branches"]
    assert run(rules, wages, "reuse_branches", months, reuse=False) == expected
    assert reused < RUNS["reuse_branches"] == len(months)


def test_every_quantity_every_month_is_the_same_with_and_without_reuse(rules):
    rng = np.random.default_rng(7)
    for _ in range(5):
        values = rng.choice([0.0, 800.0, 1500.0], size=len(MONTHS))
        wages = dict(zip(MONTHS, values.tolist()))
        for q in reuse_plugin.QUANTITIES:
            months = MONTHS[1:]
            assert run(rules, wages, q.name, months) == run(rules, wages, q.name, months, reuse=False), q.name
