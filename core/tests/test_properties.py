"""Property tests (hypothesis) on the JSON reader and the engine: every input either computes a
finite value for every request or raises a SituationError whose issues each name a path; no
other exception, no ``null``, ``NaN`` or ``inf`` given back (issue 13 §1).

The situations start from a valid household and take random changes: variables of the installed
rules (Parameters and quantities, of their entity or another) at well-formed or malformed
periods, with values of every JSON type and none (``NaN``, infinities, huge integers, lone
surrogates, dates, enum values, commune codes), structural damage (a table null or left out, a
role naming an unknown person), and requests of any quantity.
"""

from __future__ import annotations

import datetime as dt
import math
import os

import pytest
from core_scenarios import household
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesaides.core import ComputationError, Engine, SituationError, get_plugin_manager, load_rules
from mesaides.core.entities import ENTITIES_BY_PLURAL
from mesaides.core.situation import read_json

EXAMPLES = int(os.environ.get("MESAIDES_FUZZ_EXAMPLES", "150"))
"""Examples per property (raise ``MESAIDES_FUZZ_EXAMPLES`` to fuzz longer)."""


@pytest.fixture(scope="module")
def engine():
    """Every installed partner; beside the core alone (no aide installed), the core's toy partner,
    so that the properties still have aides to compute."""
    installed = Engine()
    if any(name not in installed.rules.unavailable for name in installed.rules.aides):
        return installed
    import toy_plugin

    pm = get_plugin_manager(load_entry_points=False)
    pm.register_plugin(toy_plugin, "toy", "mesaides-partner-toy", "0.1.0")
    return Engine(load_rules(pm))


# ---- The JSON reader ----------------------------------------------------------------------------


@given(st.binary(max_size=200) | st.text(max_size=200))
@settings(max_examples=EXAMPLES, deadline=None)
def test_the_reader_returns_a_value_or_one_error(raw):
    try:
        read_json(raw)
    except SituationError as exc:
        [issue] = exc.issues
        assert issue.path == "" and issue.message.startswith("Invalid JSON: ")


JSON_TOKENS = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e309",
        "-1e309",
        "1" * 400,
        '"\\ud800"',
        "[" * 2000,
        "]" * 2000,
        "{}",
        "null",
        '"a"',
        "0",
        "-0.0",
        ",",
        ":",
        '{"individus":',
    ],
)


@given(st.lists(JSON_TOKENS, max_size=8).map("".join))
@settings(max_examples=EXAMPLES, deadline=None)
def test_the_reader_takes_what_pythons_parser_takes_and_says_what_is_wrong(raw):
    try:
        read_json(raw)
    except SituationError as exc:
        assert exc.issues[0].message.startswith("Invalid JSON: ")


# ---- The engine ---------------------------------------------------------------------------------

PERIODS = st.sampled_from(
    [
        "2026-11",
        "2026-10",
        "2026-09",
        "2026",
        "2025",
        "ETERNITY",
        "0003",
        "0000-01",
        "2026-13",
        "2101-01",
        "1900-01",
        "",
        "x",
    ]
)
VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e4, max_value=1e5),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.just(10**400),
    st.booleans(),
    st.text(max_size=6),
    st.sampled_from(
        [
            "59350",
            "69123",
            "99999",
            "",
            "zzz",
            "1990-05-01",
            "2090-01-01",
            "0003-01-01",
            "actif",
            "etudiant",
            "locataire_vide",
            "\ud800",
            "2026-02-30",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def situations(draw, rules):
    data = household()
    del data["familles"]["famille"]["toy_aide"]
    names = sorted(rules.definitions)
    for _ in range(draw(st.integers(0, 8))):
        plural = draw(st.sampled_from(sorted(ENTITIES_BY_PLURAL)))
        table = data.get(plural)
        if not isinstance(table, dict):
            continue
        ident = draw(st.sampled_from([*table, "inconnu"]))
        obj = table.setdefault(ident, {})
        own = [n for n in names if rules.variable(n).entity.plural == plural]
        name = (
            draw(st.sampled_from(own) | st.sampled_from(names) | st.text(max_size=5))
            if own
            else draw(st.sampled_from(names))
        )
        obj.setdefault(name, {})
        if isinstance(obj[name], dict):
            obj[name][draw(PERIODS)] = draw(VALUES)
    damage = draw(st.sampled_from(["none", "none", "none", "null table", "no table", "unknown member", "not a list"]))
    group = draw(st.sampled_from(["familles", "foyers_fiscaux", "menages"]))
    if damage == "null table":
        data[group] = None
    elif damage == "no table":
        del data[group]
    elif damage == "unknown member":
        next(iter(data[group].values())).setdefault("enfants", []).append("fantome")
    elif damage == "not a list":
        data["familles"]["famille"]["parents"] = draw(VALUES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(n for n in rules.quantities if n not in rules.unavailable)))
        d = rules.variable(name)
        table = data.get(d.entity.plural)
        if isinstance(table, dict) and table:
            obj = table[draw(st.sampled_from(sorted(table)))]
            key = {"year": "2026", "eternity": "ETERNITY"}.get(
                d.period.value, draw(st.sampled_from(["2026-11", "2026-10"]))
            )
            if isinstance(obj.get(name, {}), dict):
                obj.setdefault(name, {})[key] = None
    return data


def requested(data):
    for plural, table in data.items():
        for ident, obj in (table or {}).items():
            for name, periods in (obj or {}).items():
                if isinstance(periods, dict):
                    for key, value in periods.items():
                        if value is None:
                            yield plural, ident, name, key


def test_every_situation_computes_finite_values_or_names_its_problems(engine):
    @given(situations(engine.rules))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def computes_or_explains(data):
        try:
            result = engine.calculate(data)
        except SituationError as exc:
            assert exc.issues and all(issue.path for issue in exc.issues), exc.issues
            return
        except ComputationError as exc:  # a rule that cannot give a value: a defect to report
            raise AssertionError(f"computation error on a valid situation: {exc}") from None
        for plural, ident, name, key in requested(data):
            value = result[plural][ident][name][key]
            assert value is not None, (name, key)
            if isinstance(value, float):
                assert math.isfinite(value), (name, key, value)

    computes_or_explains()


def value_of(d):
    """Values a definition accepts, edges included (0, its minimum and maximum)."""
    t = d.value_type
    if t in ("float", "int"):
        low = getattr(d, "minimum", None)
        high = getattr(d, "maximum", None)
        low = -1e6 if low is None else low
        high = 1e6 if high is None else high
        edges = st.sampled_from([low, high, 0.0 if low <= 0 <= high else low])
        numbers = st.floats(min_value=low, max_value=high) if t == "float" else st.integers(int(low), int(high))
        return edges | numbers if t == "float" else edges.map(int) | numbers
    if t == "bool":
        return st.booleans()
    if t == "enum":
        return st.sampled_from(d.enum_values)
    if t == "date":
        return st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 11, 1)).map(str)
    return st.sampled_from(["59350", "69123", "75056", "97101", "2A004", "13201"])


@st.composite
def valid_situations(draw, rules):
    data = household()
    del data["familles"]["famille"]["toy_aide"]
    parameters = sorted(rules.parameters)
    for _ in range(draw(st.integers(0, 10))):
        d = rules.variable(draw(st.sampled_from(parameters)))
        table = data[d.entity.plural]
        obj = table[draw(st.sampled_from(sorted(table)))]
        key = {"year": "2026", "eternity": "ETERNITY"}.get(d.period.value) or draw(
            st.sampled_from(
                ["2026-11", "2026-10", "2026-09", "2026-08", "2025-11"] + (["2026", "2025"] if d.year_input else [])
            )
        )
        obj.setdefault(d.name, {})[key] = draw(value_of(d))
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(n for n in rules.aides if n not in rules.unavailable)))
        d = rules.variable(name)
        table = data[d.entity.plural]
        obj = table[draw(st.sampled_from(sorted(table)))]
        key = {"year": "2026", "eternity": "ETERNITY"}.get(d.period.value) or "2026-11"
        obj.setdefault(name, {})[key] = None
    return data


def test_every_valid_situation_computes_finite_aides(engine):
    """Valid values, at the edges of their domains too: each requested aide is a finite amount."""

    @given(valid_situations(engine.rules))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def computes(data):
        try:
            result = engine.calculate(data)
        except SituationError as exc:  # what only the whole situation says (a birth after the period...)
            assert all(issue.path for issue in exc.issues), exc.issues
            return
        for plural, ident, name, key in requested(data):
            value = result[plural][ident][name][key]
            assert value is not None and (not isinstance(value, float) or math.isfinite(value)), (name, key, value)

    computes()
