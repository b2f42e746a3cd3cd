"""What a formula no longer says by hand: its reads and legislation values (inferred from its
source), its eligibility (``defined_for``) and its sums (``adds``/``subtracts``), which the
engine evaluates and shortcuts itself."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import structure_plugin

from mesaides.core import (
    FAMILLE,
    MONTH,
    ComputationError,
    Engine,
    Period,
    Quantity,
    SituationError,
    hookimpl,
    load_rules,
    quantity,
)
from mesaides.core.population import parse_situation
from mesaides.core.simulation import Simulation

MONTH_ASKED = Period.parse("2026-11")


@pytest.fixture
def engine(pm):
    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    return Engine(load_rules(pm))


def situation(salaire=0.0, retraite=0.0, child_age=5, with_child=True, **famille):
    individus = {
        "parent": {
            "date_naissance": {"ETERNITY": "1980-01-01"},
            "salaire_net": {str(m): salaire for m in MONTH_ASKED.last_months(3)},
            "retraite_nette": {str(MONTH_ASKED): retraite},
        }
    }
    enfants = []
    if with_child:
        born = dt.date(2026 - child_age, 1, 1).isoformat()
        individus["enfant"] = {"date_naissance": {"ETERNITY": born}}
        enfants = ["enfant"]
    return {
        "individus": individus,
        "familles": {"famille": {"parents": ["parent"], "enfants": enfants, **famille}},
        "menages": {"menage": {"personne_de_reference": ["parent"], "enfants": enfants}},
    }


def run(engine, data, *names, trace=False):
    population = parse_situation(data, engine.rules)
    simulation = Simulation(engine.rules, population, trace=trace)
    return simulation, {n: simulation.calculate(n, MONTH_ASKED) for n in names}


# ---- Reads inferred from the source ---------------------------------------------------------


def test_reads_and_law_are_inferred_from_literal_names(engine):
    q = engine.rules.quantities
    # Through a helper it passes its context to, with a module constant as the name.
    assert q["st_salaire_moyen"].reads == ("salaire_net",)
    # c(...), c.is_role, f-strings and a local variable built from literal parts.
    assert set(q["st_enfant"].reads) == {"age"}
    assert set(q["st_forfait"].law) == {"structure.montant", "structure.taux.enfant"}
    # defined_for is a read; loop variables over literal names are followed.
    assert set(q["st_forfait"].reads) == {"st_eligible", "st_enfant"}
    assert set(q["st_autres_ressources"].reads) == {"st_pension", "chomage_net"}
    # A sum reads its terms, and those of a sum it subtracts (to stop at its floor).
    assert set(q["st_montant"].reads) == {
        "st_eligible",
        "st_forfait",
        "st_ressources",
        "st_salaire_moyen",
        "st_autres_ressources",
    }
    assert not engine.rules.problems


def test_a_typo_in_a_name_is_reported_at_load_naming_the_formula(pm):
    def st_typo(c):
        return c("salaire_nett") + c.law("structure.montan")

    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    pm.register_plugin(structure_plugin.bad_plugin(st_typo), "bad", "mesaides-partner-bad", "0.1.0")
    rules = load_rules(pm)
    assert "st_typo: reads salaire_nett, which no installed distribution provides" in rules.problems
    assert "st_typo" in rules.unavailable


def test_a_legislation_typo_is_reported_at_load(pm):
    def st_law_typo(c):
        return c.full(c.law("structure.montan"))

    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    pm.register_plugin(structure_plugin.bad_plugin(st_law_typo), "bad", "mesaides-partner-bad", "0.1.0")
    rules = load_rules(pm)
    assert "st_law_typo: reads legislation value structure.montan, which is not registered" in rules.problems


def test_a_name_built_at_run_time_must_be_declared(pm):
    def st_dynamic(c):
        return sum(c(f"st_{k}") for k in c("st_keys"))

    pm.register_plugin(structure_plugin.bad_plugin(st_dynamic), "bad", "mesaides-partner-bad", "0.1.0")
    rules = load_rules(pm)
    problem = next(p for p in rules.problems if "bad" in p)
    assert "st_dynamic: a formula reads a variable whose name is built at run time" in problem
    assert 'c(f"st_{k}")' in problem or "c(f'st_{k}')" in problem
    assert "declare the names it may read in reads=" in problem


def test_an_undeclared_read_is_still_an_error_at_run_time(pm):
    def st_sneaky(c):
        name = "".join(["salaire", "_net"])  # built at run time, not declared
        return c(name) + c("retraite_nette")

    pm.register_plugin(structure_plugin.bad_plugin(st_sneaky, reads=("retraite_nette",)), "bad", "d", "0.1.0")
    engine = Engine(load_rules(pm))
    with pytest.raises(ComputationError, match="st_sneaky reads salaire_net without declaring it"):
        run(engine, situation(), "st_sneaky")


# ---- defined_for ----------------------------------------------------------------------------


def test_defined_for_gives_the_default_where_it_does_not_hold_and_names_the_reason(engine):
    simulation, values = run(engine, situation(with_child=False), "st_forfait", trace=True)
    assert values["st_forfait"].tolist() == [0.0]
    node = simulation.trace[("st_forfait", MONTH_ASKED)]
    assert [(check.label, check.condition.tolist()) for check in node.checks] == [
        ("Au moins un enfant de moins de 20 ans", [False])
    ]
    assert node.law == {}  # the formula did not run


def test_a_defined_for_is_a_condition_of_its_quantity_and_of_what_is_defined_for_it_only(pm):
    def st_lecteur(c):  # reads an amount defined for a famille with a child, without requiring one
        return c("st_forfait") + 1.0

    def st_pour_enfant(c):
        return c("st_forfait")

    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    pm.register_plugin(structure_plugin.bad_plugin(st_lecteur), "lecteur", "d", "0.1.0")
    pm.register_plugin(
        structure_plugin.bad_plugin(st_pour_enfant, defined_for="st_forfait_ouvert"), "pour", "d", "0.1.0"
    )
    pm.register_plugin(
        structure_plugin.bad_plugin(_st_forfait_ouvert, value_type="bool", defined_for="st_eligible"),
        "ouvert",
        "d",
        "0.1.0",
    )
    engine = Engine(load_rules(pm))
    traced = engine.traced(situation(with_child=False))
    own = traced.explain("st_forfait", MONTH_ASKED, "famille")
    assert own.reason().label == "Au moins un enfant de moins de 20 ans"
    # The reader gets 1 € without a child: the condition of what it reads is not its own.
    reader = traced.explain("st_lecteur", MONTH_ASKED, "famille")
    assert reader.reason() is None
    assert "Au moins un enfant de moins de 20 ans" not in reader.conditions()
    # Defined for a quantity that is itself defined for st_eligible: both conditions are its.
    chained = traced.explain("st_pour_enfant", MONTH_ASKED, "famille")
    assert chained.reason().label == "Au moins un enfant de moins de 20 ans"


def _st_forfait_ouvert(c):
    return c("st_forfait") > 0


_st_forfait_ouvert.__name__ = "st_forfait_ouvert"


def test_defined_for_keeps_the_formula_where_it_holds_in_a_batch(engine):
    data = situation()
    lone = situation(with_child=False)
    data["individus"]["seul"] = lone["individus"]["parent"]
    data["familles"]["seule"] = {"parents": ["seul"], "enfants": []}
    data["menages"]["seul"] = {"personne_de_reference": ["seul"]}
    _, values = run(engine, data, "st_forfait")
    # 600 € + 50 % for the child; nothing for the famille without a child.
    assert values["st_forfait"].tolist() == [900.0, 0.0]


# ---- Sums -----------------------------------------------------------------------------------


def test_a_sum_with_a_floor(engine):
    _, values = run(engine, situation(salaire=300.0, retraite=100.0), "st_montant", "st_ressources")
    assert values["st_ressources"].tolist() == [400.0]
    assert values["st_montant"].tolist() == [500.0]  # 900 - 300 - 100


def test_what_can_only_lower_an_amount_at_its_floor_is_not_computed(engine):
    simulation, values = run(engine, situation(salaire=1200.0, retraite=100.0), "st_montant")
    assert values["st_montant"].tolist() == [0.0]
    # The salary alone takes the amount to the floor: the other resources (never negative) are
    # not computed, nor is their sum.
    assert ("st_salaire_moyen", MONTH_ASKED) in simulation.cache
    assert ("st_autres_ressources", MONTH_ASKED) not in simulation.cache
    assert ("st_ressources", MONTH_ASKED) not in simulation.cache


def test_a_given_sum_is_read_whatever_the_bound(engine):
    data = situation(salaire=1200.0, st_ressources={str(MONTH_ASKED): 100.0})
    _, values = run(engine, data, "st_montant")
    assert values["st_montant"].tolist() == [800.0]


def test_a_given_term_is_read_whatever_the_bound(engine):
    # A client may give a resource any value, even below zero: then it is read.
    data = situation(salaire=1200.0, st_autres_ressources={str(MONTH_ASKED): -1000.0})
    _, values = run(engine, data, "st_montant")
    assert values["st_montant"].tolist() == [700.0]  # 900 - (1200 - 1000)


def test_a_formula_below_its_minimum_is_an_error(pm):
    def st_negative(c):
        return c.full(-1.0)

    pm.register_plugin(structure_plugin.bad_plugin(st_negative, minimum=0), "bad", "d", "0.1.0")
    engine = Engine(load_rules(pm))
    with pytest.raises(ComputationError, match="st_negative for 2026-11: the formula gave -1, below its minimum 0"):
        run(engine, situation(), "st_negative")


# ---- Dated formulas -------------------------------------------------------------------------


def test_dated_formulas_through_the_decorator(engine):
    population = parse_situation(situation(), engine.rules)
    simulation = Simulation(engine.rules, population)
    assert simulation.calculate("st_bonus", "2025-12").tolist() == [1.0]
    assert simulation.calculate("st_bonus", "2026-01").tolist() == [2.0]


def test_a_gap_between_formulas_is_an_error():
    @quantity(FAMILLE, MONTH, label="Trou", valid_to=dt.date(2025, 12, 31))
    def st_gap(c):
        return 1.0

    with pytest.raises(ValueError, match="no formula applies from 2026-01-01 to 2026-01-31"):

        @st_gap.formula(valid_from=dt.date(2026, 2, 1))
        def st_gap(c):
            return 2.0


def test_a_sum_has_no_formula():
    with pytest.raises(ValueError, match="a quantity with adds or subtracts has no formula"):
        Quantity(
            name="st_both",
            entity=FAMILLE,
            period=MONTH,
            label="Les deux",
            adds=("a",),
            formulas=structure_plugin.st_bonus.formulas,
        )


def test_the_same_values_with_and_without_reuse(engine):
    data = situation(salaire=200.0, retraite=50.0)
    population = parse_situation(data, engine.rules)
    months = [MONTH_ASKED.offset(-k) for k in range(6)]
    with_reuse = Simulation(engine.rules, population)
    without = Simulation(engine.rules, population, reuse=False)
    for m in months:
        a, b = with_reuse.calculate("st_montant", m), without.calculate("st_montant", m)
        assert np.array_equal(a, b)


# ---- The inference cache --------------------------------------------------------------------


def test_inferences_are_kept_between_loadings_and_give_the_same_rules(pm, tmp_path, monkeypatch):
    monkeypatch.setenv("MESAIDES_CACHE_DIR", str(tmp_path))
    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    first = load_rules(pm)
    (written,) = tmp_path.glob("inference-*.json")
    assert written.stat().st_size > 0
    again = load_rules(pm)
    assert {n: (q.reads, q.law) for n, q in again.quantities.items()} == {
        n: (q.reads, q.law) for n, q in first.quantities.items()
    }
    # Nothing new to write the second time.
    assert written.stat().st_mtime_ns == next(tmp_path.glob("inference-*.json")).stat().st_mtime_ns


def test_a_cache_key_changes_with_the_constants_a_formula_uses(tmp_path):
    from mesaides.core.inference import InferenceCache

    namespace: dict = {"NAME": "salaire_net"}
    exec("def formula(c):\n    return c(NAME)\n", namespace)
    before = InferenceCache(None).key(namespace["formula"])
    namespace["NAME"] = "chomage_net"
    assert InferenceCache(None).key(namespace["formula"]) != before


def test_a_broken_cache_file_is_ignored(pm, tmp_path, monkeypatch):
    monkeypatch.setenv("MESAIDES_CACHE_DIR", str(tmp_path))
    (tmp_path / "inference-v1-py311.json").write_text("{not json")
    for version in ("py310", "py312", "py313"):
        (tmp_path / f"inference-v1-{version}.json").write_text("{not json")
    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    rules = load_rules(pm)
    assert rules.quantities["st_salaire_moyen"].reads == ("salaire_net",)


def test_a_sum_stops_before_a_parameter_whose_domain_is_never_negative(pm):
    """What remains to subtract is never negative when it is a Parameter whose domain starts at
    0 (its ``minimum``): once the amount is at its floor for everyone, it is not read."""
    st_net = Quantity(
        name="st_net",
        entity=FAMILLE,
        period=MONTH,
        label="Net",
        adds=("st_forfait",),
        subtracts=("st_ressources", "chomage_net"),
        floor=0,
    )

    class Plugin:
        @staticmethod
        @hookimpl
        def mesaides_register_quantities(register):
            register(st_net)

    pm.register_plugin(structure_plugin, "structure", "mesaides-partner-structure", "0.1.0")
    pm.register_plugin(Plugin, "net", "d", "0.1.0")
    engine = Engine(load_rules(pm))
    assert engine.rules.parameters["chomage_net"].minimum == 0
    simulation, values = run(engine, situation(salaire=5000.0), "st_net", trace=True)
    assert values["st_net"].tolist() == [0.0]
    read = [name for name, _ in simulation.trace[("st_net", MONTH_ASKED)].reads]
    assert "st_salaire_moyen" in read and "chomage_net" not in read
    # Sound because a Parameter given outside its domain is refused with the situation.
    data = situation(salaire=5000.0)
    data["individus"]["parent"]["chomage_net"] = {str(MONTH_ASKED): -100.0}
    with pytest.raises(SituationError, match="below the minimum of chomage_net"):
        run(engine, data, "st_net")
