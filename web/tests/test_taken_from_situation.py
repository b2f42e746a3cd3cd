"""A partner that reads another partner's aide keeps working when that partner is not installed:
the value is taken from the situation (0 when not given), and the result says so (issue 15). Here
France Travail's distribution is left out, so the CAF's RSA reads the ASS from the answers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import lille_situation

from mesaides.web.dependencies import services_of
from mesaides.web.routes.calculate import TAKEN_FROM_SITUATION

TODAY = dt.date.today()
MONTH = f"{TODAY.year}-{TODAY.month:02d}"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("stand-ins")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MESAIDES_DISABLE_PLUGINS", "partner_france_travail")
        application = create_app(Settings(database_url=f"sqlite:///{folder / 'db.sqlite3'}"))
        with TestClient(application) as client:
            yield application, client


def _asking(name: str) -> dict:
    situation = lille_situation(TODAY)
    demandeur = situation["individus"]["demandeur"]
    for income in ("salaire_net", "salaire_imposable"):  # no wages: an RSA is due
        demandeur[income] = dict.fromkeys(demandeur[income], 0.0)
    situation["familles"]["famille_1"][name] = {MONTH: None}
    return situation


def test_the_rsa_reads_the_ass_from_the_situation_and_the_api_says_so(app):
    application, client = app
    rules = services_of(application).deployment.rules
    assert "ass" in rules.stand_ins and "rsa" not in rules.unavailable
    response = client.post("/calculate", json=_asking("rsa"))
    assert response.status_code == 200, response.text
    assert "ass" in response.headers[TAKEN_FROM_SITUATION].split(", ")
    alone = response.json()["familles"]["famille_1"]["rsa"][MONTH]
    # An ASS the client gives is a resource of the RSA (R262-6 CASF): the RSA falls by as much
    # (the household's RSA is above 100 € before).
    given = _asking("rsa")
    given["individus"]["demandeur"]["ass"] = {m: 100.0 for m in _last_months(4)}
    with_ass = client.post("/calculate", json=given).json()["familles"]["famille_1"]["rsa"][MONTH]
    assert alone > 100 and with_ass == pytest.approx(alone - 100, abs=0.01)


def test_an_output_that_reads_no_absent_partner_has_no_such_header(app):
    _, client = app
    response = client.post("/calculate", json=_asking("af"))
    assert response.status_code == 200, response.text
    assert TAKEN_FROM_SITUATION not in response.headers


def test_the_results_page_says_what_was_taken_from_the_answers(app):
    from mesaides.web.results import compute

    application, _ = app
    results = compute(services_of(application).deployment, lille_situation(TODAY), TODAY)
    cards = {r.name: r for r in (*results.obtained, *results.not_obtained)}
    assert any("Allocation de solidarité spécifique" in t for t in cards["rsa"].taken_from_situation)
    assert cards["af"].taken_from_situation == []


def _last_months(n: int) -> list[str]:
    out, year, month = [], TODAY.year, TODAY.month
    for _ in range(n):
        out.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out
