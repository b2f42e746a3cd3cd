"""The RSA and the prime d'activité are sums with a floor (``rsa_montant``,
``ppa_fictive_apres_ressources``): the engine stops reading what they subtract once the amount is
at zero. The complément familial's amount is ``defined_for`` its eligibility. A client may give
those sums any value instead of the rules' (as OpenFisca takes a given value as given): the
aides then read and use it."""

import copy
from pathlib import Path

import numpy as np
import pytest

from mesaides.core import Engine, Period, Simulation
from mesaides.core.testing.oracle import merge, read_cases

ORACLE = Path(__file__).parent / "oracle"


@pytest.fixture(scope="module")
def engine():
    return Engine()


@pytest.fixture(scope="module")
def case():
    # A couple with two children whose own resources leave no RSA and no prime d'activité.
    found = read_cases(ORACLE / "cases-public.jsonl.gz")[0]
    assert found["id"] == "case_0001"
    return found


def simulate(engine, case, famille_values):
    situation = copy.deepcopy(merge([case], None, engine.rules)[0])
    (famille,) = situation["familles"].values()
    famille.update(famille_values)
    population = engine.population(situation)
    simulation = Simulation(engine.rules, population)
    return simulation, engine._run_requests(simulation, population, None)


def test_a_given_rsa_base_is_used_even_below_the_individual_resources(engine, case):
    month = Period.parse(case["period"])
    simulation, values = simulate(engine, case, {"rsa_base_ressources": {str(month): 0.0}})
    socle = np.maximum(simulation.calculate("rsa_socle", month), simulation.calculate("rsa_socle_majore", month))
    expected = socle - simulation.calculate("rsa_forfait_logement", month)
    assert simulation.calculate("rsa_base_ressources_individuelles", month)[0] > socle[0]  # the bound says 0
    assert expected[0] > 100
    assert values[("rsa", month)].tolist() == expected.tolist()


def test_a_given_ppa_base_is_used_even_below_the_activity_income(engine, case):
    month = Period.parse(case["period"])
    quarter = month.last_months(3)
    simulation, values = simulate(engine, case, {"ppa_base_ressources": {str(m): 0.0 for m in quarter}})
    computed, _ = simulate(engine, case, {})
    fictive = []
    for m in quarter:
        mf = simulation.calculate("ppa_fictive_montant_forfaitaire", m)
        base = (
            mf
            + simulation.calculate("ppa_bonification", m).sum()
            + simulation.calculate("ppa_fictive_ressource_activite", m)
        )
        assert computed.calculate("ppa_base_ressources", m)[0] > base[0]  # the resources say 0
        fictive.append(np.maximum(base - np.maximum(simulation.calculate("ppa_forfait_logement", m), mf), 0))
    expected = (fictive[0] + fictive[1] + fictive[2]) / 3
    assert expected[0] > 100
    assert np.allclose(values[("ppa", month)], expected, rtol=0, atol=1e-9)


def test_a_given_cf_amount_is_paid_whatever_the_eligibility(engine, case):
    month = Period.parse(case["period"])
    simulation, values = simulate(engine, case, {"cf_montant": {str(month): 123.45}})
    assert not simulation.calculate("cf_eligibilite_base", month).any()
    assert values[("cf", month)].tolist() == [123.45]
