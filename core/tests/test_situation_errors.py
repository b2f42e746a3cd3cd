"""Every class of bad input is reported with its path and the problem, never a traceback."""

import pytest
from core_scenarios import household

from mesaides.core import SituationError


def issues(engine, data):
    with pytest.raises(SituationError) as err:
        engine.calculate(data)
    return [str(i) for i in err.value.issues]


def test_bad_month(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"]["2026-13"] = 100
    assert issues(toy_engine, data) == [
        "individus.parent.salaire_net.2026-13: not a month (month 13 is not between 01 and 12)"
    ]


def test_unknown_variable_suggests_a_name(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_nett"] = {"2026-11": 1}
    assert issues(toy_engine, data) == ["individus.parent.salaire_nett: unknown variable (did you mean salaire_net?)"]


def test_wrong_type(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"]["2026-10"] = "mille"
    data["individus"]["parent"]["handicap"] = {"2026-10": 1}
    data["individus"]["parent"]["date_naissance"] = {"ETERNITY": "15/05/1990"}
    assert sorted(issues(toy_engine, data)) == [
        "individus.parent.date_naissance.ETERNITY: expected a date YYYY-MM-DD, got '15/05/1990'",
        "individus.parent.handicap.2026-10: expected true or false, got 1",
        "individus.parent.salaire_net.2026-10: expected a number, got 'mille'",
    ]


def test_unknown_enum_value(toy_engine):
    data = household()
    data["individus"]["parent"]["activite"] = {"2026-11": "etudiants"}
    assert issues(toy_engine, data) == [
        "individus.parent.activite.2026-11: unknown value 'etudiants' (did you mean etudiant?) "
        "(allowed: actif, chomeur, etudiant, retraite, inactif)"
    ]


def test_variable_on_the_wrong_entity(toy_engine):
    data = household()
    data["menages"]["menage"]["salaire_net"] = {"2026-11": 1}
    assert issues(toy_engine, data) == [
        "menages.menage.salaire_net: salaire_net is a variable of individu, not of menage"
    ]


def test_person_in_no_famille_and_in_two(toy_engine):
    data = household()
    data["familles"]["famille"]["enfants"] = ["enfant1"]
    data["familles"]["autre"] = {"parents": ["parent"]}
    assert sorted(issues(toy_engine, data)) == [
        "familles.autre.parents: 'parent' is already in familles.famille: a person belongs to one famille",
        "individus.enfant2: in no famille: add this person to one of familles",
    ]


def test_role_naming_an_unknown_person_and_too_many_in_a_role(toy_engine):
    data = household()
    data["familles"]["famille"]["parents"] = ["parent", "enfant1", "parnet"]
    data["familles"]["famille"]["enfants"] = ["enfant2"]
    assert sorted(issues(toy_engine, data)) == [
        "familles.famille.parents: at most 2 persons in this role, got 3",
        "familles.famille.parents: unknown person 'parnet' (did you mean parent?)",
    ]


def test_monthly_value_given_for_a_year(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"] = {"2026": 12000.0}
    data["familles"]["famille"]["toy_aide"] = {"2026": None}
    assert issues(toy_engine, data) == [
        "familles.famille.toy_aide.2026: toy_aide is monthly: ask for a month such as 2026-01"
    ]


def test_a_yearly_amount_is_spread_over_months(toy_engine):
    data = household()
    data["individus"]["parent"]["salaire_net"] = {"2026": 1200.0, "2026-10": 600.0}
    result = toy_engine.calculate(data)
    # 100 € in 2026-08 and 2026-09 (a twelfth of the year each), 600 € given for 2026-10.
    assert result["familles"]["famille"]["toy_aide"]["2026-11"] == pytest.approx(676 - 800 / 3, abs=0.005)


def test_not_an_object_and_unknown_entity(toy_engine):
    assert issues(toy_engine, {"individus": {"a": {"salaire_net": 5}}}) == [
        'individus.a.salaire_net: expected an object of periods, such as {"2026-11": ...}, got 5'
    ]
    assert issues(toy_engine, {"individus": {"a": {}}, "famillles": {}}) == [
        "famillles: unknown entity (expected one of individus, familles, foyers_fiscaux, menages)"
    ]
    assert issues(toy_engine, {"individus": {}}) == ["individus: empty: a situation needs at least one person"]


def test_requesting_an_unknown_or_unavailable_output(toy_engine):
    data = household()
    data["familles"]["famille"]["rsa"] = {"2026-11": None}
    assert issues(toy_engine, data) == ["familles.famille.rsa: unknown variable"]


def test_output_keeps_the_input_and_fills_nulls(toy_engine):
    data = household()
    result = toy_engine.calculate(data)
    assert result["individus"] == data["individus"]
    assert data["familles"]["famille"]["toy_aide"]["2026-11"] is None  # the input is not modified
