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


def test_a_household_alone_computes_only_what_its_aides_need(engine):
    # Computed alone, an owner's housing aid needs no rent, resources or participation: those
    # are read only when some famille of the computation rents its home. Merged with tenants
    # (above), the same household gets the same values.
    from mesaides.core import Simulation

    cases = read_cases(ORACLE / "cases-public.jsonl.gz")

    def statut(case):
        menage = next(iter(case["situation"]["menages"].values()))
        return next(iter(menage.get("statut_occupation_logement", {}).values()), None)

    for wanted, computes_resources in (("proprietaire", False), ("locataire_vide", True)):
        case = next(c for c in cases if statut(c) == wanted)
        population = engine.population(merge([case], None, engine.rules)[0])
        simulation = Simulation(engine.rules, population)
        values = engine._run_requests(simulation, population, None)
        computed = {name for name, _ in simulation.cache}
        assert ("aide_logement_participation_personnelle" in computed) is computes_resources, wanted
        assert ("aide_logement_base_ressources" in computed) is computes_resources, wanted
        (housing,) = [v for (name, _), v in values.items() if name == "aide_logement"]
        assert bool(housing.any()) is computes_resources, wanted  # this tenant gets some


def test_resources_that_already_leave_nothing_spare_the_prestations(engine):
    # case_0001: the conjoint's salary and the demandeur's unemployment benefit alone exceed
    # the RSA and leave no prime d'activité, so the prestations familiales and minima sociaux of
    # the three months before are not computed for them (they can only lower both aides).
    from mesaides.core import Period, Simulation

    case = read_cases(ORACLE / "cases-public.jsonl.gz")[0]
    assert case["id"] == "case_0001"
    population = engine.population(merge([case], None, engine.rules)[0])
    simulation = Simulation(engine.rules, population)
    values = engine._run_requests(simulation, population, None)
    month = Period.parse(case["period"])
    earlier = {month.offset(-k) for k in (1, 2, 3)}
    assert {("ppa_fictive", p) for p in earlier} <= simulation.cache.keys()
    assert not {("af", p) for p in earlier} & simulation.cache.keys()
    assert not {("ppa_base_ressources", p) for p in earlier} & simulation.cache.keys()
    assert ("rsa_base_ressources", month) not in simulation.cache
    assert values[("rsa", month)].tolist() == [0.0] and values[("ppa", month)].tolist() == [0.0]
    assert values[("af", month)].tolist() == [case["expected"]["af"]["famille_1"]]
