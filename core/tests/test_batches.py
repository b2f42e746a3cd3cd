"""Merging requests into one computation, and splitting a population into parts."""

import copy

import numpy as np
from core_scenarios import household

from mesaides.core import Period, SituationError
from mesaides.core.batches import household_of_person, merge, split
from mesaides.core.population import parse_situation


def varied(k: int) -> dict:
    """Households that differ in wages, in size and in which entities they spell out."""
    data = household()
    wages = data["individus"]["parent"]["salaire_net"]
    for month in wages:
        wages[month] = 150.0 * k
    if k % 2:
        del data["individus"]["enfant2"]
        for table in ("familles", "foyers_fiscaux", "menages"):
            group = next(iter(data[table].values()))
            for members in group.values():
                if isinstance(members, list) and "enfant2" in members:
                    members.remove("enfant2")
    if k % 3 == 0:
        del data["foyers_fiscaux"]
    data["individus"]["parent"]["toy_is_young"] = {"2026-11": None}
    return data


def test_merged_requests_get_what_each_gets_alone(toy_engine):
    situations = [varied(k) for k in range(7)]
    alone = [toy_engine.calculate(copy.deepcopy(s)) for s in situations]
    assert len({a["familles"]["famille"]["toy_aide"]["2026-11"] for a in alone}) > 3  # not all alike
    assert toy_engine.calculate_many(situations) == alone


def test_a_bad_request_gets_its_own_error_and_the_others_their_answer(toy_engine):
    bad = household()
    bad["individus"]["parent"]["salaire_net"]["2026-13"] = 10.0
    situations = [varied(1), bad, varied(2), "not a situation"]
    outcomes = toy_engine.calculate_many(situations)
    assert outcomes[0] == toy_engine.calculate(varied(1))
    assert outcomes[2] == toy_engine.calculate(varied(2))
    assert isinstance(outcomes[1], SituationError)
    assert [i.path for i in outcomes[1].issues] == ["individus.parent.salaire_net.2026-13"]
    assert isinstance(outcomes[3], SituationError)


def test_merge_renames_ids_and_keeps_their_owner():
    merged = merge([household(), household()])
    assert set(merged.situation["individus"]) == {f"{p}@{i}" for p in ("parent", "enfant1", "enfant2") for i in (0, 1)}
    assert merged.situation["familles"]["famille@1"]["parents"] == ["parent@1"]
    assert merged.owner[("familles", "famille@1")] == (1, "famille")


def scattered(rules):
    """Three households whose persons are listed out of order (a batch may interleave them)."""
    data = {"individus": {}, "familles": {}, "menages": {}}
    for h, members in enumerate((["a1", "a2"], ["b1"], ["c1", "c2", "c3"])):
        for m in members:
            data["individus"][m] = {
                "date_naissance": {"ETERNITY": f"{1960 + 10 * h + len(m)}-01-01"},
                "salaire_net": {"2026-10": 100.0 * (h + 1)},
            }
        data["familles"][f"f{h}"] = {"parents": members[:1], "enfants": members[1:]}
        data["menages"][f"m{h}"] = {"personne_de_reference": members[:1], "enfants": members[1:]}
    data["individus"] = dict(sorted(data["individus"].items(), key=lambda kv: kv[0][1] + kv[0][0]))
    return parse_situation(data, rules)


def test_households_are_the_persons_linked_through_any_group(toy_engine):
    population = scattered(toy_engine.rules)
    label = household_of_person(population)
    household_of = dict(zip(population.person_ids, label.tolist()))
    assert household_of["a1"] == household_of["a2"] != household_of["b1"]
    assert household_of["c1"] == household_of["c2"] == household_of["c3"] != household_of["a1"]
    parts = split(population, max_persons=3)
    assert [sorted(population.person_ids[i][0] for i in p) for p in parts] == [["a", "a", "b"], ["c", "c", "c"]]


def test_parts_give_what_the_whole_gives(toy_engine):
    from mesaides.core.testing.households import generate

    period = Period.parse("2026-11")
    population = generate(300, period, rules=toy_engine.rules)
    whole = toy_engine.compute_arrays(population, ["toy_aide", "toy_is_young"], period, part_size=None)
    parts = toy_engine.compute_arrays(population, ["toy_aide", "toy_is_young"], period, part_size=100)
    assert whole["toy_aide"].shape == (300,)
    assert np.count_nonzero(whole["toy_aide"]) > 10
    for name in whole:
        assert np.array_equal(whole[name], parts[name]), name


def test_parts_of_an_interleaved_population(toy_engine):
    population = scattered(toy_engine.rules)
    period = Period.parse("2026-11")
    whole = toy_engine.compute_arrays(population, ["toy_aide", "toy_is_young"], period, part_size=None)
    parts = toy_engine.compute_arrays(population, ["toy_aide", "toy_is_young"], period, part_size=2)
    for name in whole:
        assert np.array_equal(whole[name], parts[name]), name
