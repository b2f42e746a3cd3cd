"""The vectorised engine on the toy partner: amounts worked out by hand from its legislation."""

import numpy as np
import pytest
from core_scenarios import household

from mesaides.core import ComputationError, Period
from mesaides.core.population import parse_situation
from mesaides.core.simulation import Simulation


def test_toy_aide_uses_three_months_and_the_value_in_force(toy_engine):
    result = toy_engine.calculate(household())
    # 2026-11: 520 € + 30 % for the one child under 20, minus the mean of 300+300+600 over 3 months.
    assert result["familles"]["famille"]["toy_aide"]["2026-11"] == pytest.approx(520 * 1.3 - 1200 / 3)


def test_value_before_a_revaluation(toy_engine):
    data = household()
    data["familles"]["famille"]["toy_aide"] = {"2025-03": None}
    result = toy_engine.calculate(data)
    # 2025-03: 500 € (the 2025-04 revaluation is not yet in force), no income in 2024-12..2025-02,
    # one child under 20 (the other turned 20 in 2024-06).
    assert result["familles"]["famille"]["toy_aide"]["2025-03"] == pytest.approx(500 * 1.3)


def test_many_households_in_one_batch(toy_engine):
    data = {"individus": {}, "familles": {}}
    for k in range(50):
        data["individus"][f"p{k}"] = {"salaire_net": {"2026-10": float(30 * k)}}
        data["familles"][f"f{k}"] = {"parents": [f"p{k}"], "toy_aide": {"2026-11": None}}
    result = toy_engine.calculate(data)
    got = [result["familles"][f"f{k}"]["toy_aide"]["2026-11"] for k in range(50)]
    expected = [round(max(520 - 30 * k / 3, 0) * (30 * k / 3 < 520), 2) for k in range(50)]
    assert got == expected


def test_aggregations(toy_engine):
    population = parse_situation(household(), toy_engine.rules)
    s = population.groups["famille"]
    values = np.array([10.0, 0.0, 5.0])
    from mesaides.core.context import Members

    m = Members(values, s)
    assert m.sum().tolist() == [15.0]
    assert m.sum("enfants").tolist() == [5.0]
    assert m.count().tolist() == [2]
    assert m.any("enfants").tolist() == [True]
    assert m.all("enfants").tolist() == [False]
    assert m.max("enfants").tolist() == [5.0]
    assert m.first("parents").tolist() == [10.0]
    assert m.nth("enfants", 1).tolist() == [5.0]


def test_a_value_given_for_a_computed_quantity_is_taken_as_given(toy_engine):
    data = household()
    data["familles"]["famille"]["toy_ressources"] = {"2026-11": 3 * 676.0}
    result = toy_engine.calculate(data)
    assert result["familles"]["famille"]["toy_aide"]["2026-11"] == 0.0


def test_only_what_is_needed_is_computed(toy_engine):
    population = parse_situation(household(), toy_engine.rules)
    sim = Simulation(toy_engine.rules, population)
    sim.calculate("toy_nb_enfants", Period.parse("2026-11"))
    assert {name for name, _ in sim.cache} == {
        "toy_nb_enfants",
        "toy_is_young",
        "age",
        "date_naissance",
        "date_naissance_premier_mois_entier",
    }


def test_explanation_lists_inputs_law_and_conditions(toy_engine):
    explanation = toy_engine.explain(household(), "toy_aide", "2026-11", "famille")
    root = explanation.nodes[explanation.root]
    assert root.law == {"toy.montant": 520.0, "toy.majoration_enfant": 0.3}
    assert root.checks[0] == {
        "label": "Ressources inférieures au montant",
        "kind": "condition",
        "values": {"famille": True},
        "otherwise": "vos ressources, {ressources} par mois, atteignent le montant de {montant}",
        # 1200 € over the three months before; 520 € + 30 % for the child under 20.
        "figures": {"ressources": {"famille": 400.0}, "montant": {"famille": 676.0}},
    }
    assert explanation.conditions() == ["Ressources inférieures au montant"]
    assert explanation.reason() is None
    assert explanation.nodes["toy_ressources@2026-11"].values == {"famille": 1200.0}
    assert explanation.nodes["salaire_net@2026-10"].values == {"parent": 600.0, "enfant1": 0.0, "enfant2": 0.0}
    assert any("toy_nb_enfants [2026-11] = famille=1" in line for line in explanation.lines())


def test_explanation_can_stop_at_a_depth(toy_engine):
    from mesaides.core.explain import explain

    population = parse_situation(household(), toy_engine.rules)
    sim = Simulation(toy_engine.rules, population, trace=True)
    whole = explain(sim, "toy_aide", Period.parse("2026-11"), "famille")
    shallow = explain(sim, "toy_aide", Period.parse("2026-11"), "famille", max_depth=1)
    # toy_aide reads toy_ressources (which reads salaire_net) and toy_nb_enfants (toy_is_young, age...).
    assert "salaire_net@2026-10" in whole.nodes and "salaire_net@2026-10" not in shallow.nodes
    assert set(shallow.nodes) == {shallow.root, *whole.nodes[whole.root].reads}
    assert shallow.nodes[shallow.root].reads == whole.nodes[whole.root].reads
    assert shallow.nodes[shallow.root].checks == whole.nodes[whole.root].checks
    assert shallow.nodes["toy_ressources@2026-11"].reads == []


def test_wrong_period_unit_is_a_clear_error(toy_engine):
    population = parse_situation(household(), toy_engine.rules)
    with pytest.raises(ComputationError, match="toy_aide is monthly: ask for a month, not 2026"):
        Simulation(toy_engine.rules, population).calculate("toy_aide", "2026")


def test_the_engine_compiles_its_rules_once_for_every_simulation(toy_engine):
    """The results page (traced), the API (simulation) and a web server's capped engine all
    run on what the engine compiled when it was made."""
    from mesaides.core.limits import Limits

    compiled = toy_engine.compiled
    population = toy_engine.population(household())
    assert toy_engine.simulation(population).compiled is compiled
    traced = toy_engine.traced(household())
    assert traced.simulation.compiled is compiled
    capped = toy_engine.with_limits(Limits(max_persons=10))
    assert capped.compiled is compiled and capped.rules is toy_engine.rules
    assert capped.limits.max_persons == 10 and toy_engine.limits.max_persons != 10
    assert capped.traced(household()).simulation.compiled is compiled
