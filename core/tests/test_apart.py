"""Quantities whose ``defined_for`` holds for few households are evaluated on those households
apart (``Simulation(sparse_persons=...)``); text values are compared once per distinct text
(``Context.among``). The values are the same either way: these tests check what is computed,
and where."""

from __future__ import annotations

import apart_plugin
import numpy as np
import pytest
from apart_plugin import ROWS, RUNS

from mesaides.core import Period, load_rules
from mesaides.core import simulation as simulation_module
from mesaides.core.population import parse_situation
from mesaides.core.simulation import Simulation

MONTH = Period.parse("2026-11")
COMMUNES = ("75056", "69123", "38185", "13055")


@pytest.fixture
def rules(pm):
    pm.register_plugin(apart_plugin, "apart", "mesaides-partner-apart", "0.1.0")
    return load_rules(pm)


def population(rules, wages: list[float]):
    """One person per household, with ``wages`` in November 2026, living in turn in each of
    :data:`COMMUNES`."""
    data = {
        "individus": {f"p{i}": {"salaire_net": {"2026-11": w}} for i, w in enumerate(wages)},
        "familles": {f"f{i}": {"parents": [f"p{i}"]} for i in range(len(wages))},
        "foyers_fiscaux": {f"ff{i}": {"declarants": [f"p{i}"]} for i in range(len(wages))},
        "menages": {
            f"m{i}": {"personne_de_reference": [f"p{i}"], "depcom": {"2026-11": COMMUNES[i % len(COMMUNES)]}}
            for i in range(len(wages))
        },
    }
    return parse_situation(data, rules)


# 40 persons: 4 earn more than 3,000 (the bonus), 4 earn nothing (the help), the others 1,500.
WAGES = [4000.0] * 4 + [0.0] * 4 + [1500.0] * 32


def test_a_value_computed_for_everyone_is_not_computed_again_apart(rules):
    RUNS.clear()
    ROWS.clear()
    sim = Simulation(rules, population(rules, WAGES), sparse_persons=1)
    wages = sim.calculate("apart_wages", MONTH)
    bonus = sim.calculate("apart_bonus", MONTH)
    assert bonus.tolist() == [400.0] * 4 + [0.0] * 36
    assert sim._apart, "the bonus was evaluated apart"
    assert RUNS["apart_bonus"] == 1 and ROWS["apart_bonus"] == 4, "on the 4 households it is defined for"
    # The wages, computed for everyone before, are taken for the 4 households, not computed again.
    assert RUNS["apart_wages"] == 1 and ROWS["apart_wages"] == 40
    assert np.array_equal(wages, [w * 1.0 for w in WAGES])


def test_a_quantity_is_still_evaluated_apart_when_the_simulations_apart_are_all_in_use(rules, monkeypatch):
    monkeypatch.setattr(simulation_module, "SPARSE_PARTS", 1)
    RUNS.clear()
    ROWS.clear()
    sim = Simulation(rules, population(rules, WAGES), sparse_persons=1)
    assert sim.calculate("apart_bonus", MONTH).tolist() == [400.0] * 4 + [0.0] * 36
    # The help's households are in no simulation apart, and no other may be made: the oldest one
    # unused by this evaluation gives its place, instead of evaluating the help on every row.
    assert sim.calculate("apart_help", MONTH).tolist() == [0.0] * 4 + [50.0] * 4 + [0.0] * 32
    assert ROWS["apart_help"] == 4
    assert len(sim._apart) == 1


def test_the_same_values_apart_or_together(rules):
    together = Simulation(rules, population(rules, WAGES), sparse_persons=None)
    apart = Simulation(rules, population(rules, WAGES), sparse_persons=1)
    for name in ("apart_bonus", "apart_help", "apart_wages"):
        assert np.array_equal(apart.calculate(name, MONTH), together.calculate(name, MONTH)), name


@pytest.mark.parametrize("persons", [3, 40])
def test_among_is_numpy_isin_on_the_texts(rules, persons):
    sim = Simulation(rules, population(rules, WAGES[:persons]))
    depcom = np.array([COMMUNES[i % len(COMMUNES)] for i in range(persons)])
    assert sim.calculate("apart_in_grenoble", MONTH).tolist() == np.isin(depcom, ["38185"]).tolist()
    assert sim.calculate("apart_in_paris_or_lyon", MONTH).tolist() == np.isin(depcom, ["75056", "69123"]).tolist()


def test_the_distinct_texts_of_an_array_are_found_once(rules):
    sim = Simulation(rules, population(rules, WAGES))
    sim.calculate("apart_in_grenoble", MONTH)
    sim.calculate("apart_in_paris_or_lyon", MONTH)
    depcom = sim.calculate("depcom", MONTH)
    distinct, index = sim.texts(depcom)
    assert distinct.tolist() == sorted(COMMUNES)
    assert np.array_equal(distinct[index], depcom.astype(str))
    assert sim.texts(depcom)[0] is distinct, "found once, then kept for the same array"
    assert len(sim._texts) == 1, "the two aides read the same commune codes: one look-up"
