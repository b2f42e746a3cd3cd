"""The reasons a results page gives for the CAF's aides hold (issue 13, section 4): every
condition an aide names is necessary (no household that gets the aide fails it), and every nil
amount fails one of them, over the 600 public reference households, OpenFisca's converted tests
dated 2024 or later, and 5,000 generated households."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mesaides.core import Engine, StatutOccupationLogement
from mesaides.core.periods import ETERNITY_PERIOD
from mesaides.core.population import Population
from mesaides.core.testing.households import generate
from mesaides.core.testing.reasons import ReasonCoverage, check_cases_and_generated, check_reasons

CASES = Path(__file__).parent / "oracle" / "cases-public.jsonl.gz"
PEER = Path(__file__).parent / "oracle" / "peer-cases.jsonl.gz"
AIDES = ("rsa", "ppa", "af", "cf", "asf", "paje_base", "ars", "aide_logement", "apl", "alf", "als", "aah")


@pytest.fixture(scope="module")
def run():
    coverage = ReasonCoverage()
    engine = Engine()
    problems = check_cases_and_generated(engine, CASES, AIDES, generated=5000, coverage=coverage)
    problems += check_cases_and_generated(engine, PEER, AIDES, generated=0, since="2024", coverage=coverage)
    problems += check_reasons(engine, accession_and_foyers(2000), "2026-11", aides=AIDES, coverage=coverage)
    return problems, coverage


def accession_and_foyers(n: int, seed: int = 15) -> Population:
    """Generated households moved to the accession and logement-foyer statuses: loans of every
    period (before and after 2018, unknown dates), repayments and redevances from nil to high,
    foyers conventionnés or not, foyers de jeunes travailleurs, CROUS residences with rooms
    rehabilitated or not."""
    population = generate(n, "2026-11", seed=seed)
    rng = np.random.default_rng(seed)
    n_menages = population.size("menage")
    statut = np.where(
        rng.random(n_menages) < 0.5,
        StatutOccupationLogement.PRIMO_ACCEDANT.code,
        StatutOccupationLogement.LOCATAIRE_FOYER.code,
    ).astype(np.int16)
    loyer = rng.choice([0.0, 60.0, 150.0, 300.0, 450.0, 700.0, 1100.0], size=n_menages)
    dates = np.array(
        [
            "1995-03-01",
            "2003-05-12",
            "2010-01-01",
            "2016-11-20",
            "2017-12-31",
            "2018-01-01",
            "2021-04-01",
            "9999-12-31",
        ],
        dtype="datetime64[D]",
    )
    crous = rng.random(n_menages) < 0.3
    etat = rng.integers(0, 3, n_menages).astype(np.int16)
    inputs = dict(population.inputs)
    months = list(inputs["statut_occupation_logement"])
    inputs["statut_occupation_logement"] = dict.fromkeys(months, statut)
    inputs["loyer"] = dict.fromkeys(months, loyer)
    inputs["logement_crous"] = dict.fromkeys(months, crous)
    inputs["etat_logement_foyer"] = dict.fromkeys(months, etat)
    inputs["aide_logement_date_pret"] = {ETERNITY_PERIOD: rng.choice(dates, size=n_menages)}
    inputs["foyer_jeunes_travailleurs_ou_residence_sociale"] = dict.fromkeys(months, rng.random(n_menages) < 0.5)
    # A conventionné foyer says so by giving logement_conventionne (the APL en logement-foyer).
    conventionne = (statut == StatutOccupationLogement.LOCATAIRE_FOYER.code) & (rng.random(n_menages) < 0.5)
    given = {"logement_conventionne": dict.fromkeys(months, (conventionne, conventionne))}
    return dataclasses.replace(population, inputs=inputs, given={**population.given, **given})


def test_every_condition_is_necessary_and_every_nil_amount_has_one(run):
    problems, _ = run
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("aide", AIDES)
def test_each_aide_is_checked_on_households_that_get_it_and_households_that_do_not(run, aide):
    _, coverage = run
    assert coverage.granted[aide] > 0 and coverage.nil[aide] > 0
    shown = {label for (a, label), n in coverage.shown.items() if a == aide}
    assert shown, f"{aide}: no reason was ever shown"
    assert shown <= coverage.conditions[aide]


def test_the_accession_and_foyer_steps_are_reasons_met_on_generated_households(run):
    """Each step at which a home-buyer's or a foyer resident's aid becomes nil was the reason
    shown for some generated household, and some of them got an aid."""
    _, coverage = run
    shown = {label for (aide, label), n in coverage.shown.items() if aide == "aide_logement"}
    assert {
        "Prêt d'accession signé avant le 1er janvier 2018",
        "Mensualité de prêt ou redevance déclarée",
        "Ressources permettant une aide en accession ou en logement-foyer",
        "Aide en accession ou en logement-foyer au moins égale au seuil de versement",
    } <= shown
