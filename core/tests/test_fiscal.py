"""Fiscal income of a foyer fiscal: amounts worked out by hand from the CGI (incomes 2024).

Incomes 2024: 10 % deduction for professional expenses, at least 504 €, at most 14,426 € per
person (CGI art. 83, 3°); 10 % abattement on pensions, at least 450 € per pensioner, at most
4,399 € per foyer (art. 158, 5. a); abattement for the elderly 2,796 € up to a revenu net global
of 17,510 €, 1,398 € up to 28,170 € (art. 157 bis); parts: art. 194.
"""

import pytest

from mesaides.core import Engine, load_rules

OUTPUTS = ("rni", "rfr", "nbptr", "rng", "abat_spe")


@pytest.fixture
def engine(pm):
    return Engine(load_rules(pm))


def monthly(total, year=2024):
    """A yearly amount spread evenly over the months of ``year``."""
    return {f"{year}-{m:02d}": total / 12 for m in range(1, 13)}


def adult(birth="1980-06-15", statut="celibataire", year=2024, **yearly):
    person = {"date_naissance": {"ETERNITY": birth}, "statut_marital": {f"{year}-01": statut}}
    for name, total in yearly.items():
        person[name] = monthly(total, year)
    return person


def foyer(engine, declarants, children=(), year="2024", **foyer_inputs):
    """Compute the outputs for one foyer: declarants are person dicts, children birth dates."""
    individus = {f"d{k}": p for k, p in enumerate(declarants)}
    kids = {f"e{k}": {"date_naissance": {"ETERNITY": b}} for k, b in enumerate(children)}
    body = {"declarants": list(individus), "personnes_a_charge": list(kids)}
    body.update({k: {year: v} for k, v in foyer_inputs.items()})
    body.update({q: {year: None} for q in OUTPUTS})
    situation = {"individus": {**individus, **kids}, "foyers_fiscaux": {"f": body}}
    result = engine.calculate(situation)["foyers_fiscaux"]["f"]
    return {q: result[q][year] for q in OUTPUTS}


# ---- Salaries and unemployment benefits ---------------------------------------------------


def test_single_salaried_person(engine):
    r = foyer(engine, [adult(salaire_imposable=20_000)])
    # 20,000 - 10 % (2,000) = 18,000; no other income, so RFR = RNI.
    assert (r["rni"], r["rfr"], r["nbptr"]) == (18_000, 18_000, 1)


def test_deduction_floor_and_ceiling(engine):
    # 10 % of 3,000 is 300, below the 504 € floor.
    assert foyer(engine, [adult(salaire_imposable=3_000)])["rni"] == 3_000 - 504
    # The floor never exceeds the income.
    assert foyer(engine, [adult(salaire_imposable=300)])["rni"] == 0
    # 10 % of 200,000 is 20,000, above the 14,426 € ceiling.
    assert foyer(engine, [adult(salaire_imposable=200_000)])["rni"] == 200_000 - 14_426


def test_unemployment_benefits_count_with_salaries(engine):
    # One deduction on salaries + unemployment benefits: 15,000 - 1,500.
    r = foyer(engine, [adult(salaire_imposable=10_000, chomage_imposable=5_000)])
    assert r["rni"] == 13_500


def test_deduction_rounded_to_the_euro_half_up(engine):
    # 10 % of 12,345 is 1,234.50, rounded to 1,235 (CGI art. 1657: 0.50 counts for 1).
    assert foyer(engine, [adult(salaire_imposable=12_345)])["rni"] == 12_345 - 1_235


def test_couple_each_has_its_own_deduction(engine):
    r = foyer(
        engine,
        [adult(statut="marie", salaire_imposable=30_000), adult(statut="marie", salaire_imposable=4_000)],
    )
    # 30,000 - 3,000 and 4,000 - 504 (floor).
    assert r["rni"] == 27_000 + 3_496
    assert r["nbptr"] == 2


# ---- Pensions -----------------------------------------------------------------------------


def test_pensions_and_child_support(engine):
    # Retirement pension 12,000 and child support 2,400 (both taxed as pensions): 10 % of 14,400.
    r = foyer(engine, [adult(retraite_imposable=12_000, pensions_alimentaires_percues=2_400)])
    assert r["rni"] == 14_400 - 1_440


def test_invalidity_pension_is_taxed_as_a_pension(engine):
    # Invalidity pension 9,000 (CGI art. 79 and 158, 5. a: a pension) and retirement pension
    # 3,000: one 10 % abattement on 12,000.
    r = foyer(engine, [adult(pensions_invalidite=9_000, retraite_imposable=3_000)])
    assert (r["rni"], r["rfr"]) == (12_000 - 1_200, 12_000 - 1_200)


def test_pension_floor(engine):
    # 10 % of 3,000 is 300, below the 450 € floor per pensioner.
    assert foyer(engine, [adult(retraite_imposable=3_000)])["rni"] == 2_550


def test_pension_ceiling_per_foyer(engine):
    r = foyer(
        engine,
        [
            adult("1970-01-01", "marie", retraite_imposable=60_000),
            adult("1970-01-01", "marie", retraite_imposable=48_000),
        ],
    )
    # Abattements 6,000 + 4,800 = 10,800, capped at 4,399 for the foyer.
    assert r["rni"] == 108_000 - 4_399


def test_salaries_and_pensions_of_one_person(engine):
    r = foyer(engine, [adult(salaire_imposable=10_000, retraite_imposable=8_000)])
    # 10,000 - 1,000 and 8,000 - 800.
    assert r["rni"] == 9_000 + 7_200


def person_values(engine, person, names, year="2024"):
    """The per-person quantities ``names`` of one person, for ``year``."""
    person = dict(person)
    person.update({q: {year: None} for q in names})
    result = engine.calculate({"individus": {"p": person}})["individus"]["p"]
    return tuple(result[q][year] for q in names)


PER_PERSON = (
    "revenu_assimile_salaire_apres_abattements",
    "revenu_assimile_pension_apres_abattements",
    "traitements_salaires_pensions_rentes",
)


def test_per_person_amounts_after_deductions(engine):
    # 20,000 - 2,000 and 8,000 - 800; their sum.
    person = adult(salaire_imposable=20_000, retraite_imposable=8_000)
    assert person_values(engine, person, PER_PERSON) == (18_000, 7_200, 25_200)
    # Floors never make an amount negative: 300 - 504 and 200 - 450 count as 0.
    person = adult(salaire_imposable=300, retraite_imposable=200)
    assert person_values(engine, person, PER_PERSON) == (0, 0, 0)


def test_per_person_pensions_are_not_capped(engine):
    # 10 % of 60,000 is 6,000, above the foyer's 4,399 € ceiling: the ceiling is added back
    # for the foyer (indu_plaf_abat_pen), not in the person's amount.
    person = adult(retraite_imposable=60_000)
    assert person_values(engine, person, PER_PERSON[1:2]) == (54_000,)
    assert foyer(engine, [adult(retraite_imposable=60_000)])["rni"] == 60_000 - 4_399


def test_per_person_deduction_rounded_half_up(engine):
    # 10 % of 12,345 is 1,234.50: 1,235 (CGI art. 1657), where OpenFisca's numpy rounding gives 1,234.
    person = adult(salaire_imposable=12_345, retraite_imposable=12_345)
    assert person_values(engine, person, PER_PERSON[:2]) == (12_345 - 1_235, 12_345 - 1_235)


def test_per_person_amounts_of_incomes_2021(engine):
    # Floors for incomes 2021: 448 € (salaries), 400 € (pensions); read by the CAF's N-2
    # resource bases of 2023.
    person = adult(year=2021, salaire_imposable=3_000, retraite_imposable=3_000)
    assert person_values(engine, person, PER_PERSON[:2], year="2021") == (3_000 - 448, 3_000 - 400)


# ---- Abattement for the elderly -----------------------------------------------------------


def test_elderly_full_abattement(engine):
    r = foyer(engine, [adult("1950-03-10", "veuf", retraite_imposable=14_400)])
    # Revenu net global 14,400 - 1,440 = 12,960 <= 17,510: 2,796 deducted.
    assert (r["rng"], r["abat_spe"], r["rni"]) == (12_960, 2_796, 10_164)


def test_elderly_reduced_abattement(engine):
    r = foyer(engine, [adult("1950-03-10", retraite_imposable=24_000)])
    # 24,000 - 2,400 = 21,600, between 17,510 and 28,170: 1,398.
    assert r["rni"] == 21_600 - 1_398


def test_elderly_abattement_doubled_for_a_couple(engine):
    r = foyer(
        engine,
        [
            adult("1948-08-12", "marie", retraite_imposable=14_000),
            adult("1946-02-19", "marie", retraite_imposable=10_000),
        ],
    )
    # 12,600 + 9,000 = 21,600: reduced amount, doubled as both spouses are over 65.
    assert (r["abat_spe"], r["rni"]) == (2 * 1_398, 21_600 - 2 * 1_398)


def test_elderly_abattement_age_on_31_december(engine):
    # Born in August 1959: 65 on 31 December 2024, so the abattement applies to incomes 2024
    # (and not to incomes 2023).
    person = adult("1959-08-22", retraite_imposable=12_000)
    assert foyer(engine, [person])["abat_spe"] == 2_796
    assert foyer(engine, [adult("1959-08-22", year=2023, retraite_imposable=12_000)], year="2023")["abat_spe"] == 0


def test_elderly_abattement_never_exceeds_income(engine):
    r = foyer(engine, [adult("1950-06-01", retraite_imposable=3_600)])
    # 3,600 - 450 = 3,150, less the full 2,796: 354.
    assert r["rni"] == 354
    r = foyer(engine, [adult("1950-06-01", retraite_imposable=2_000)])
    # 2,000 - 450 = 1,550: the abattement is limited to it.
    assert (r["abat_spe"], r["rni"]) == (1_550, 0)


# ---- Number of parts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statuts, children, foyer_inputs, parts",
    [
        (["celibataire"], [], {}, 1),
        (["marie", "marie"], [], {}, 2),
        (["pacse", "pacse"], ["2012-01-01", "2015-01-01", "2020-01-01"], {}, 2 + 0.5 + 0.5 + 1),
        (["marie", "marie"], ["2008-01-01", "2010-01-01", "2012-01-01", "2015-01-01", "2020-01-01"], {}, 6),
        (["divorce"], ["2015-01-01", "2018-01-01"], {}, 2),
        (["divorce"], ["2015-01-01", "2018-01-01"], {"case_t": True}, 2.5),
        (["celibataire"], [], {"case_t": True}, 1),  # case T needs a dependant
        (["veuf"], ["2010-01-01", "2012-01-01"], {}, 1 + 1 + 0.5 + 0.5),
        (["veuf"], [], {}, 1),
        (["jeune_veuf"], ["2010-01-01"], {}, 2.5),
        (["celibataire"], ["2003-01-01"], {}, 1.5),  # an adult child attached to the foyer
    ],
)
def test_number_of_parts(engine, statuts, children, foyer_inputs, parts):
    declarants = [adult(statut=s, salaire_imposable=20_000) for s in statuts]
    assert foyer(engine, declarants, children, **foyer_inputs)["nbptr"] == parts


def test_two_declarants_without_status_are_a_couple(engine):
    declarants = [{"date_naissance": {"ETERNITY": "1985-01-01"}}, {"date_naissance": {"ETERNITY": "1986-01-01"}}]
    assert foyer(engine, declarants, ["2019-01-01"])["nbptr"] == 2.5


# ---- Years --------------------------------------------------------------------------------


def test_values_of_each_year_of_incomes(engine):
    # Floors of the salary deduction: 495 € for incomes 2023, 509 € for 2025; incomes 2026
    # use the 2025 values until the next finance law.
    for year, floor in ((2023, 495), (2024, 504), (2025, 509), (2026, 509)):
        r = foyer(engine, [adult(year=year, salaire_imposable=3_000)], year=str(year))
        assert r["rni"] == 3_000 - floor, year


def test_an_aide_reads_year_n_2(engine):
    """The N-2 revenu net imposable as a region's aide reads it for 2026-11: incomes 2024."""
    person = adult(salaire_imposable=20_000)
    person["salaire_imposable"].update(monthly(40_000, 2025))
    situation = {
        "individus": {"d": person},
        "foyers_fiscaux": {"f": {"declarants": ["d"], "rni": {"2024": None, "2025": None}}},
    }
    result = engine.calculate(situation)["foyers_fiscaux"]["f"]["rni"]
    assert result == {"2024": 18_000, "2025": 36_000}


def test_many_foyers_in_one_batch(engine):
    individus, foyers = {}, {}
    for k in range(40):
        individus[f"p{k}"] = adult(salaire_imposable=1_000 * k)
        foyers[f"f{k}"] = {"declarants": [f"p{k}"], "rni": {"2024": None}}
    result = engine.calculate({"individus": individus, "foyers_fiscaux": foyers})["foyers_fiscaux"]
    for k in range(40):
        salary = 1_000 * k
        expected = max(salary - min(max(round(salary * 0.1), 504), 14_426), 0)
        assert result[f"f{k}"]["rni"]["2024"] == expected
