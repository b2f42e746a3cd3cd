"""Bad input is an error naming its path (exit 2 on the command line), never a traceback, a
non-finite amount or a silently wrong one: issue 13 §1, at the depth where each arises (the
JSON reader, the situation model, value coercion, Parameter domains, the built-in situation
hooks, the engine's outputs)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from core_scenarios import household

from mesaides.core import FAMILLE, MONTH, ComputationError, Engine, SituationError, hookimpl, load_rules, quantity
from mesaides.core.limits import Limits, TooLarge
from mesaides.core.periods import PeriodError
from mesaides.core.situation import read_json


def issues(engine, data):
    with pytest.raises(SituationError) as err:
        engine.calculate(data)
    return [str(i) for i in err.value.issues]


# ---- Numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
        ("1e309", "1e309"),
        ("1" + "0" * 400, "1000000000000000000000000000000000000..."),
    ],
)
def test_a_non_finite_number_in_the_json_names_its_path(toy_engine, text, shown):
    raw = json.dumps(household()).replace('"2026-10": 600.0', f'"2026-10": {text}')
    assert issues(toy_engine, read_json(raw)) == [
        f"individus.parent.salaire_net.2026-10: expected a finite number, got {shown}"
    ]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**400])
def test_a_non_finite_number_from_python_names_its_path(toy_engine, value):
    data = household()
    data["individus"]["parent"]["salaire_net"]["2026-10"] = value
    [issue] = issues(toy_engine, data)
    assert issue.startswith("individus.parent.salaire_net.2026-10: ")


def test_huge_negative_amounts_are_refused_instead_of_an_infinite_aide(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"] = {m: -1e308 for m in ("2026-08", "2026-09", "2026-10")}
    assert len(issues(toy_engine, data)) == 3


def test_a_negative_amount_is_below_the_parameters_domain(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"]["2026-09"] = -1_000_000
    assert issues(toy_engine, data) == [
        "individus.parent.salaire_net.2026-09: -1000000 is below the minimum of salaire_net, 0 EUR"
    ]


def test_a_rent_has_a_ceiling():
    engine = Engine()
    data = household()
    data["menages"]["menage"]["loyer"] = {"2026-11": 5e6}
    del data["familles"]["famille"]["toy_aide"]
    assert issues(engine, data) == ["menages.menage.loyer.2026-11: 5000000.0 is above the maximum of loyer, 100000 EUR"]


def test_a_yearly_amount_spread_over_months_is_checked_too(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"] = {"2026": -1200}
    assert issues(toy_engine, data) == [
        "individus.parent.salaire_net.2026: -1200 is below the minimum of salaire_net, 0 EUR"
    ]


def test_every_numeric_parameter_declares_its_domain():
    """The core's and the installed partners' Parameters: an amount, a rate, a count has a
    minimum and a maximum, which the core enforces."""
    rules = load_rules()
    undeclared = [
        name
        for name, p in rules.parameters.items()
        if p.value_type in ("float", "int") and (p.minimum is None or p.maximum is None)
    ]
    assert undeclared == []


class _InfinitePlugin:
    @staticmethod
    @quantity(FAMILLE, MONTH, label="Une division par zéro", reads=("toy_ressources",))
    def toy_infini(c):
        with np.errstate(divide="ignore"):
            return np.float64(1.0) / (c("toy_ressources") * 0.0)

    @staticmethod
    @hookimpl
    def mesaides_register_quantities(register):
        register(_InfinitePlugin.toy_infini)


def test_a_formulas_infinite_result_is_a_computation_error_naming_it(pm):
    import toy_plugin

    pm.register_plugin(toy_plugin, "toy", "mesaides-partner-toy", "0.1.0")
    pm.register_plugin(_InfinitePlugin, "infini", "mesaides-partner-infini", "0.1.0")
    engine = Engine(load_rules(pm))
    data = household()
    data["familles"]["famille"]["toy_infini"] = {"2026-11": None}
    with pytest.raises(ComputationError, match=r"^toy_infini for 2026-11: the formula gives inf, not an amount$"):
        engine.calculate(data)
    with pytest.raises(ComputationError, match="toy_infini"):
        engine.compute(household(), ["toy_infini"], "2026-11")


# ---- Communes and dates -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["99999", "00000", "zzz", ""])
def test_an_unknown_commune_names_depcom_and_the_value(toy_engine, code):
    data = household()
    data["menages"]["menage"]["depcom"] = {"2026-11": code}
    assert issues(toy_engine, data) == [
        f"menages.menage.depcom.2026-11: unknown commune code '{code}': expected an INSEE code of the "
        "Code officiel géographique 2026 (5 characters, such as 59350)"
    ]


@pytest.mark.parametrize("code", ["59350", "69381", "2A004", "97101"])
def test_a_commune_arrondissement_or_overseas_code_of_the_table_is_accepted(toy_engine, code):
    data = household()
    data["menages"]["menage"]["depcom"] = {"2026": code}
    toy_engine.calculate(data)


def test_a_commune_left_out_keeps_its_default(toy_engine):
    result = toy_engine.calculate(household())
    assert result["familles"]["famille"]["toy_aide"]["2026-11"] == pytest.approx(276.0)


def test_a_birth_date_in_the_future(toy_engine):
    data = household()
    data["individus"]["enfant1"]["date_naissance"] = {"ETERNITY": "2090-01-01"}
    [issue] = issues(toy_engine, data)
    assert issue.startswith("individus.enfant1.date_naissance.ETERNITY: '2090-01-01' is in the future")


def test_a_birth_within_the_periods_computed_is_not_in_the_future(toy_engine):
    data = household()
    data["individus"]["enfant1"]["date_naissance"] = {"ETERNITY": "2099-03-01"}
    data["familles"]["famille"]["toy_aide"] = {"2099-11": None}
    toy_engine.calculate(data)


# ---- Structure ----------------------------------------------------------------------------------


@pytest.mark.parametrize("plural", ["familles", "foyers_fiscaux", "menages"])
def test_a_null_group_table(toy_engine, plural):
    data = household()
    data[plural] = None
    assert issues(toy_engine, data) == [f"{plural}: expected an object (leave {plural} out for one group per person)"]


def test_a_null_person_or_group(toy_engine):
    data = household()
    data["individus"]["enfant1"] = None
    data["familles"]["famille"] = None
    assert sorted(issues(toy_engine, data)) == [
        "familles.famille: expected an object",
        "individus.enfant1: expected an object",
    ]


@pytest.mark.parametrize("key", ["0000-01", "0003", "1899-12", "2101"])
def test_periods_outside_the_supported_years(toy_engine, key):
    data = household()
    data["individus"]["parent"]["salaire_net"][key] = 100.0
    assert issues(toy_engine, data) == [
        f"individus.parent.salaire_net.{key}: outside the supported periods (years 1900 to 2100)"
    ]
    data = household()
    data["familles"]["famille"]["toy_aide"] = {key: None}
    assert issues(toy_engine, data) == [
        f"familles.famille.toy_aide.{key}: outside the supported periods (years 1900 to 2100)"
    ]


def test_a_period_outside_the_supported_years_given_to_compute(toy_engine):
    with pytest.raises(PeriodError, match="outside the supported periods"):
        toy_engine.compute(household(), ["toy_aide"], "0003-11")


def test_lone_surrogates_in_ids_and_strings(toy_engine):
    data = read_json(json.dumps(household()).replace('"enfant2"', '"enf\\ud800"'))
    data["menages"]["menage"]["depcom"] = {"2026-11": "593\udc00"}
    found = issues(toy_engine, data)
    assert found == ["individus.enf\\ud800: this id holds a lone UTF-16 surrogate, which is not text"]
    json.dumps(found).encode("utf-8")  # the messages themselves can be sent
    data = household()
    data["menages"]["menage"]["depcom"] = {"2026-11": "593\udc00"}
    [issue] = issues(toy_engine, data)
    assert issue == "menages.menage.depcom.2026-11: '593\\udc00' holds a lone UTF-16 surrogate, which is not text"


@pytest.mark.parametrize("depth", [1_500, 10_000])
def test_json_nested_deeper_than_a_situation(depth):
    with pytest.raises(SituationError) as err:
        read_json('{"individus": {"a": ' + "[" * depth + "]" * depth + "}}")
    assert str(err.value) == "Invalid JSON: nested too deeply (a situation is at most a few levels deep)"


def test_a_deep_value_within_the_readers_depth_is_a_type_error(toy_engine):
    data = read_json('{"individus": {"a": {"salaire_net": {"2026-10": ' + "[" * 900 + "]" * 900 + "}}}}")
    assert issues(toy_engine, data) == ["individus.a.salaire_net.2026-10: expected a number, got a list"]


def test_a_role_of_32768_members(toy_engine):
    n = 32_768
    data = {
        "individus": {f"p{i}": {} for i in range(n)},
        "familles": {"f": {"parents": ["p0"], "enfants": [f"p{i}" for i in range(1, n)]}},
        "foyers_fiscaux": {"ff": {"declarants": ["p0"], "personnes_a_charge": [f"p{i}" for i in range(1, n)]}},
        "menages": {"m": {"personne_de_reference": ["p0"], "enfants": [f"p{i}" for i in range(1, n)]}},
    }
    data["individus"]["p0"]["date_naissance"] = {"ETERNITY": "1980-01-01"}
    data["familles"]["f"]["toy_nb_enfants"] = {"2026-11": None}
    assert toy_engine.calculate(data)["familles"]["f"]["toy_nb_enfants"]["2026-11"] == 0  # born 1970: over 20


# ---- Limits -------------------------------------------------------------------------------------


def test_caps_on_persons_and_requested_values(toy_engine):
    engine = Engine(toy_engine.rules, limits=Limits(max_persons=2, max_requested_values=1))
    data = household()
    data["familles"]["famille"]["toy_aide"] = {"2026-10": None, "2026-11": None}
    with pytest.raises(TooLarge) as err:
        engine.calculate(data)
    assert [str(i) for i in err.value.issues] == [
        "individus: too many persons: 3, at most 2 per situation (limit max_persons)",
    ]
    engine = Engine(toy_engine.rules, limits=Limits(max_persons=3, max_requested_values=1))
    with pytest.raises(TooLarge) as err:
        engine.calculate(data)
    assert [str(i) for i in err.value.issues] == [
        "too many requested values: 2 null values, at most 1 per situation (limit max_requested_values)",
    ]


def test_the_default_limits_take_a_batch_of_hundreds_of_households(toy_engine):
    batch = {"individus": {}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
    for k in range(500):
        one = household()
        for plural, table in one.items():
            for ident, obj in table.items():
                obj = {key: [f"{m}_{k}" for m in v] if isinstance(v, list) else v for key, v in obj.items()}
                batch[plural][f"{ident}_{k}"] = obj
    result = toy_engine.calculate(batch)
    assert result["familles"]["famille_499"]["toy_aide"]["2026-11"] == pytest.approx(276.0)


def test_each_situation_of_a_joined_run_is_held_to_the_limits_alone(toy_engine):
    engine = Engine(toy_engine.rules, limits=Limits(max_persons=3))
    small = household()
    large = household()
    large["individus"]["enfant3"] = {}
    large["familles"]["famille"]["enfants"].append("enfant3")
    large["foyers_fiscaux"]["foyer"]["personnes_a_charge"].append("enfant3")
    large["menages"]["menage"]["enfants"].append("enfant3")
    good, bad, good_again = engine.calculate_many([small, large, household()])
    assert isinstance(bad, TooLarge)
    assert good == good_again == engine.calculate(household())


# ---- The command line gives the same messages ---------------------------------------------------


def run_cli(stdin: str):
    return subprocess.run(
        [sys.executable, "-c", "from mesaides.core.cli import main; main()", "calculate"],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            '{"individus": {"a": {"salaire_net": {"2026-10": NaN}}}}',
            "error: individus.a.salaire_net.2026-10: expected a finite number, got NaN",
        ),
        (
            '{"individus": {"a": {"salaire_net": {"2026-10": 1e309}}}}',
            "error: individus.a.salaire_net.2026-10: expected a finite number, got 1e309",
        ),
        (
            '{"individus": {"a": {}}, "familles": null}',
            "error: familles: expected an object (leave familles out for one group per person)",
        ),
        (
            '{"individus": {"a": {}}, "menages": {"m": {"personne_de_reference": ["a"], "depcom": {"2026-11": "zzz"}}}}',
            "error: menages.m.depcom.2026-11: unknown commune code 'zzz': expected an INSEE code of the Code officiel "
            "géographique 2026 (5 characters, such as 59350)",
        ),
        (
            '{"individus": {"a": ' + "[" * 10_000 + "]" * 10_000 + "}}",
            "error: Invalid JSON: nested too deeply (a situation is at most a few levels deep)",
        ),
    ],
)
def test_the_command_line_exits_2_with_the_message(raw, expected):
    done = run_cli(raw)
    assert (done.returncode, done.stderr.strip(), done.stdout) == (2, expected, "")
