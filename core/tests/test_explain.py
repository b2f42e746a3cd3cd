"""Explanations: the conditions met, the reason of a nil amount with its figures, the notes, the
order the computation meets them; one ``Engine.explain`` for the API and the command line."""

import json
import subprocess
import sys

import numpy as np
import pytest
from core_scenarios import household

from mesaides.core import SituationError
from mesaides.core.context import Context
from mesaides.core.explain import condition_order
from mesaides.core.periods import Period
from mesaides.core.population import parse_situation
from mesaides.core.simulation import Simulation, TraceNode


def earning(amount: float):
    data = household()
    data["individus"]["parent"]["salaire_net"] = dict.fromkeys(("2026-08", "2026-09", "2026-10"), amount)
    return data


def test_a_nil_aide_gives_the_condition_not_met_with_its_figures(toy_engine):
    explanation = toy_engine.explain(earning(3000.0), "toy_aide", "2026-11", "famille")
    assert explanation.nodes[explanation.root].values == {"famille": 0.0}
    assert explanation.conditions() == []
    # 3 × 3,000 € over the three months before, a mean of 3,000 €; 520 € + 30 % for the child under 20.
    assert explanation.reason().text() == (
        "Condition non remplie : ressources inférieures au montant "
        "(vos ressources, 3\u202f000,00\u202f€ par mois, atteignent le montant de 676,00\u202f€)."
    )
    assert explanation.to_json()["reason"]["unmet"] == [
        {
            "label": "Ressources inférieures au montant",
            "because": "vos ressources, 3\u202f000,00\u202f€ par mois, atteignent le montant de 676,00\u202f€",
        }
    ]


def test_an_amount_carries_its_notes(toy_engine):
    explanation = toy_engine.explain(household(), "toy_aide", "2026-11", "famille")
    assert explanation.reason() is None
    assert explanation.notes() == ["Majoré pour 1 enfant(s) de moins de 20 ans"]
    assert explanation.to_json()["notes"] == ["Majoré pour 1 enfant(s) de moins de 20 ans"]


def test_a_sentence_must_name_figures_it_is_given(toy_engine):
    rules = toy_engine.rules
    population = parse_situation(household(), rules)
    simulation = Simulation(rules, population, trace=True)
    period = Period.parse("2026-11")
    c = Context(simulation, rules.variable("toy_aide"), period, TraceNode("toy_aide", period))
    with pytest.raises(ValueError, match=r"toy_aide: check 'Condition': .* names plafond, not given as figures"):
        c.check("Condition", np.array([True]), "vos ressources dépassent {plafond}", ressources=1.0)
    with pytest.raises(ValueError, match="toy_aide: note"):
        c.note("arrondi à {montant}", True)


def test_conditions_come_in_the_order_the_computation_meets_them():
    # aide reads a (which reads b), then other_aide (not entered), then c; b reads d, too deep.
    reads = {"aide": ["a", "other_aide", "c"], "a": ["b"], "b": ["d"], "other_aide": ["e"], "c": [], "d": [], "e": []}
    order = condition_order("aide", reads.__getitem__, lambda k: k != "other_aide", depth=2)
    assert order == ["b", "a", "c", "aide"]
    assert condition_order("aide", reads.__getitem__, lambda k: k != "other_aide", depth=None) == [
        "d",
        "b",
        "a",
        "c",
        "aide",
    ]


@pytest.mark.parametrize(
    ("name", "period", "entity", "path", "message"),
    [
        ("nope", "2026-11", "famille", "variable", "unknown variable 'nope'"),
        ("toy_aide", "2026-13", "famille", "period", "2026-13"),
        ("toy_aide", "2026-11", "famille_9", "entity", "no famille 'famille_9' in the situation"),
    ],
)
def test_bad_requests_name_the_field(toy_engine, name, period, entity, path, message):
    with pytest.raises(SituationError) as error:
        toy_engine.explain(household(), name, period, entity)
    assert [i.path for i in error.value.issues] == [path]
    assert message in error.value.issues[0].message


def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-c", "from mesaides.core.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_command_line_explains_through_the_engine():
    data = json.dumps({"individus": {"a": {"date_naissance": {"ETERNITY": "1990-11-15"}}}})
    done = run_cli("explain", "-", "age", "2026-11", "a", stdin=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("age [2026-11] = a=35")
    done = run_cli("explain", "-", "age", "2026-11", "zz", stdin=data)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: entity: no individu 'zz' in the situation"
    done = run_cli("explain", "-", "nope", "2026-11", "a", stdin=data)
    assert done.returncode == 2 and done.stderr.strip() == "error: variable: unknown variable 'nope'"


def test_figures_read_in_french():
    from mesaides.core.checks import sentence

    text = sentence("{r} ; {n} enfants ; {t:%} ; {m}", {"r": 2940.0, "n": 2, "t": 0.795, "m": "étudiant"})
    assert text == "2\u202f940,00\u202f€ ; 2 enfants ; 79,5\u202f% ; étudiant"
