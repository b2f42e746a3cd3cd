"""Agreement with the reference cases computed by OpenFisca-France 176.1.8 for November 2026
(``oracle/cases-bourses.jsonl.gz``: the 600 public households of the second wave, with only the
bourses kept).

The partner reads the resources as art. D531-5 C. éduc. does (the RFR of year N-1 of each
parent's foyer fiscal), OpenFisca as it did before 2019 (the RFR of N-2 of the first parent's
foyer): ``docs/known-differences.md``. So the comparison gives each famille its resources as
OpenFisca reads them (a value given for a computed quantity is taken as given): every other part
of the rule (children, ceilings, échelons, amounts) must then agree. The households the
difference touches are those whose bourse changes when the resources are read as the law reads
them; their number is asserted, and ``tests/yaml/`` works figures out for them.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from mesaides.core import Engine
from mesaides.core.testing.oracle import compare, merge, read_cases

CASES = Path(__file__).parent / "oracle" / "cases-bourses.jsonl.gz"
BOURSES = ("bourse_college", "bourse_lycee")
RESOURCES_YEAR = "2024"  # OpenFisca: year N-2 of November 2026
# Households (of 600) whose bourse the law's resources change, measured on the reference cases
# and explained in docs/known-differences.md.
TOUCHED = {"bourse_college": 19, "bourse_lycee": 8}


@pytest.fixture(scope="module")
def engine():
    return Engine()


@pytest.fixture(scope="module")
def cases():
    return read_cases(CASES)


def _demandeur_foyer(situation: dict) -> str:
    demandeur = next(iter(situation["familles"].values()))["parents"][0]
    return next(
        ident
        for ident, foyer in situation["foyers_fiscaux"].items()
        if demandeur in foyer.get("declarants", []) + foyer.get("personnes_a_charge", [])
    )


def _with_openfisca_resources(cases: list[dict], engine: Engine) -> list[dict]:
    """The cases, each famille given its resources as OpenFisca reads them: the RFR of N-2 of
    the first parent's foyer fiscal, computed by the core."""
    batch, _ = merge(cases, set(), engine.rules, known_only=True)
    for foyer in batch["foyers_fiscaux"].values():
        foyer["rfr"] = {RESOURCES_YEAR: None}
    rfr = engine.calculate(batch)["foyers_fiscaux"]
    given = copy.deepcopy(cases)
    for case in given:
        situation = case["situation"]
        value = rfr[f"{case['id']}:{_demandeur_foyer(situation)}"]["rfr"][RESOURCES_YEAR]
        for famille in situation["familles"].values():
            famille["bourse_ressources"] = {case["period"]: value}
    return given


@pytest.mark.parametrize("bourse", BOURSES)
def test_agreement_with_the_resources_as_openfisca_reads_them(bourse, cases, engine):
    agreement = compare(_with_openfisca_resources(cases, engine), engine, {bourse}, known_only=True)
    assert agreement.total[bourse] == 600, agreement.report()
    assert agreement.rate(bourse) >= 0.99, agreement.detail(bourse)


@pytest.mark.parametrize("bourse", BOURSES)
def test_households_the_resources_of_the_law_change(bourse, cases, engine):
    as_the_law = compare(cases, engine, {bourse}, known_only=True)
    as_openfisca = compare(_with_openfisca_resources(cases, engine), engine, {bourse}, known_only=True)
    differ = {m.case for m in as_the_law.mismatches} - {m.case for m in as_openfisca.mismatches}
    assert len(differ) == TOUCHED[bourse], sorted(differ)
    assert as_the_law.rate(bourse) >= 1 - TOUCHED[bourse] / 600, as_the_law.detail(bourse)
