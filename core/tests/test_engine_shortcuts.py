"""Look-ups the engine keeps so as not to make the same array twice: a group's value given to
its members (``Simulation.per_person``) and the households a ``defined_for`` holds in
(``Simulation._households_with``). Each must give what making the array again gives."""

from __future__ import annotations

import numpy as np
import pytest

from mesaides.core import load_rules
from mesaides.core.batches import household_of_person
from mesaides.core.population import parse_situation
from mesaides.core.simulation import Simulation


@pytest.fixture
def rules(pm):
    return load_rules(pm)


def couples(rules, n: int):
    """``n`` households of a couple each: persons 2i and 2i+1 in famille, foyer and ménage i."""
    persons = [f"p{i}" for i in range(2 * n)]
    pairs = [persons[2 * i : 2 * i + 2] for i in range(n)]
    data = {
        "individus": {p: {} for p in persons},
        "familles": {f"f{i}": {"parents": pair} for i, pair in enumerate(pairs)},
        "foyers_fiscaux": {f"ff{i}": {"declarants": pair} for i, pair in enumerate(pairs)},
        "menages": {f"m{i}": {"personne_de_reference": pair[:1], "conjoint": pair[1:]} for i, pair in enumerate(pairs)},
    }
    return parse_situation(data, rules)


def test_a_group_value_is_given_to_its_members_once(rules):
    population = couples(rules, 5)
    sim = Simulation(rules, population)
    value = np.arange(5.0)
    value.flags.writeable = False  # a computed value: it cannot change
    given = sim.per_person(value, "famille")
    assert given.tolist() == [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]
    assert sim.per_person(value, "famille") is given
    assert not given.flags.writeable, "shared by every reader: none may change it"


def test_an_array_that_may_still_change_is_given_to_members_again(rules):
    population = couples(rules, 3)
    sim = Simulation(rules, population)
    total = np.zeros(3)
    assert sim.per_person(total, "famille").tolist() == [0.0] * 6
    total += [1.0, 2.0, 3.0]  # a sum being made, read again
    assert sim.per_person(total, "famille").tolist() == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize("entity_key", ["individu", "famille", "menage", "foyer_fiscal"])
def test_the_households_of_a_mask_are_those_of_its_persons(rules, entity_key):
    population = couples(rules, 6)
    sim = Simulation(rules, population)
    household = household_of_person(population)
    size = population.size(entity_key)
    for seed in range(4):
        mask = np.random.default_rng(seed).random(size) < 0.4
        if entity_key == "individu":
            persons = mask
        else:
            persons = mask[population.groups[entity_key].person_group]
        expected = np.isin(household, household[persons])  # each person: whether its household is wanted
        households = sim._households_with(entity_key, mask)
        assert np.array_equal(households[household], expected)
        assert households.sum() == len(set(household[persons].tolist()))
        assert sim._households_with(entity_key, mask) is households, "the same mask: the same households"


def test_a_sum_made_again_is_a_new_array_with_the_same_values(rules):
    sim = Simulation(rules, couples(rules, 2))
    months = tuple(np.array([0.1 * i, 1.0 + i, 3.0, 0.2]) for i in range(12))
    for month in months:
        month.flags.writeable = False  # computed values: they cannot change
    first = sim.total(months)
    expected = months[0].copy()
    for month in months[1:]:
        expected += month
    assert first.tobytes() == expected.tobytes(), "added in the same order: the very same floats"
    first += 100.0  # the caller's array: changing it changes no later sum
    again = sim.total(months)
    assert again.tobytes() == expected.tobytes()
    assert again is not first and again.flags.writeable
    again += 1.0  # a kept sum given again is a copy too
    assert sim.total(months).tobytes() == expected.tobytes()


def test_a_sum_of_arrays_that_may_still_change_is_made_again(rules):
    sim = Simulation(rules, couples(rules, 2))
    month = np.ones(4)
    assert sim.total((month, month)).tolist() == [2.0] * 4
    month[:] = 5.0
    assert sim.total((month, month)).tolist() == [10.0] * 4
