"""The ASS of a jobseeker without resources is 30 daily amounts of its month (R5423-1 C. trav.),
in mainland France and in Mayotte, for every month a request or its lookback (36 months) may
reach: the daily amounts are dated from their decrees, not only from the latest ones."""

import pytest

from mesaides.core import Engine


@pytest.fixture(scope="module")
def engine():
    return Engine()


def jobseeker(month: str, depcom: str) -> dict:
    """A jobseeker of 51 with nothing to live on in the 12 months before ``month``."""
    return {
        "individus": {
            "demandeur": {
                "date_naissance": {"ETERNITY": f"{int(month[:4]) - 51}-03-15"},
                "activite": {month: "chomeur"},
                "ass_precondition_remplie": {month: True},
            }
        },
        "familles": {"famille": {"parents": ["demandeur"]}},
        "foyers_fiscaux": {"foyer": {"declarants": ["demandeur"]}},
        "menages": {"menage": {"personne_de_reference": ["demandeur"], "depcom": {month: depcom}}},
    }


@pytest.mark.parametrize(
    ("month", "depcom", "daily"),
    [
        ("2021-06", "75056", 16.91),  # Décret 2021-523
        ("2022-09", "75056", 17.90),  # Loi 2022-1158, art. 9: +4 % from July 2022
        ("2022-09", "97611", 8.95),  # Mayotte, the same law
        ("2025-02", "97611", 9.51),  # Mayotte, Décret 2024-402
        ("2026-11", "75056", 19.48),  # Décret 2026-219
    ],
)
def test_thirty_daily_amounts_of_the_month(engine, month, depcom, daily):
    got = engine.compute(jobseeker(month, depcom), ["ass"], month)["ass"]["demandeur"]
    assert got == pytest.approx(round(30 * daily, 2))
