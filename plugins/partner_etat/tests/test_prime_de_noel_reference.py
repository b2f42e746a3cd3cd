"""The prime de Noël of the 600 second-wave households, from the reference's rights.

OpenFisca's ``aefa`` is not the aide (it grants it for an RSA of any month of the year), so the
reference cases carry no value for it. What they do carry are OpenFisca's ``rsa`` and ``ass`` of
November 2026 (``oracle/cases-rsa-ass.jsonl.gz``): each household is given those as its rights
(a value given for a computed quantity is taken as given), and the prime must follow the decree
on them: nothing without a right, the flat 152.45 € for the ASS alone, at least 152.45 € at the
RSA's rate, one prime per foyer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from mesaides.core import Engine
from mesaides.core.testing.oracle import merge, read_cases

CASES = Path(__file__).parent / "oracle" / "cases-rsa-ass.jsonl.gz"
NOVEMBER, YEAR = "2026-11", "2026"
BASE = 152.45


def test_prime_de_noel_follows_the_reference_rights():
    engine = Engine()
    cases = read_cases(CASES)
    batch, _ = merge(cases, set(), engine.rules, known_only=True)
    rights = {}
    for case in cases:
        rsa = case["expected"]["rsa"]["famille_1"]
        ass = sum(case["expected"]["ass"].values())
        rights[case["id"]] = (rsa, ass)
        famille = batch["familles"][f"{case['id']}:famille_1"]
        famille["rsa"] = {NOVEMBER: rsa}
        famille["aefa"] = {YEAR: None}
        for person, value in case["expected"]["ass"].items():
            batch["individus"][f"{case['id']}:{person}"]["ass"] = {NOVEMBER: value}
    result = engine.calculate(batch)["familles"]
    kinds = Counter()
    amounts = Counter()
    for case_id, (rsa, ass) in rights.items():
        prime = result[f"{case_id}:famille_1"]["aefa"][YEAR]
        if rsa > 0:
            kinds["rsa"] += 1
            assert prime >= BASE, (case_id, rsa, prime)
            amounts[prime] += 1
        elif ass > 0:
            kinds["ass"] += 1
            assert prime == BASE, (case_id, ass, prime)
        else:
            assert prime == 0, (case_id, prime)
    # research/check_aefa.py on the same households: 100 through the RSA, 53 through the ASS alone.
    assert kinds == {"rsa": 100, "ass": 53}
    # The RSA foyers' sizes give the decree's amounts (docs/rules.md's table), e.g. 34 parents
    # alone with a child or couples without one: 152.45 × 1.5 = 228.675, cut to 228.67 €.
    assert amounts == {
        152.45: 23,
        228.67: 34,
        274.41: 19,
        320.14: 12,
        335.39: 3,
        381.12: 3,
        442.1: 5,
        457.35: 1,
    }, amounts
