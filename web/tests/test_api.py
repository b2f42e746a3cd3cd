"""The JSON API, in process (httpx through FastAPI's TestClient)."""

from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import lille_situation


@pytest.fixture(scope="module")
def client(tmp_path_factory, new_database_url):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("api")
    app = create_app(Settings(database_url=new_database_url(folder)))
    with TestClient(app) as c:
        yield c


def famille_aides(client):
    """The monthly aides of the famille this deployment shows (whichever packages are installed)."""
    return [
        a["name"]
        for a in client.get("/aides").json()["aides"]
        if a["shown"] and a["entity"] == "famille" and a["period"] == "month"
    ]


def _request(client, aides=None):
    today = dt.date.today()
    situation = lille_situation(today)
    month = f"{today.year}-{today.month:02d}"
    for aide in famille_aides(client)[:3] if aides is None else aides:
        situation["familles"]["famille_1"][aide] = {month: None}
    return situation


def test_calculate_answers_like_the_engine(client, engine):
    body = _request(client)
    response = client.post("/calculate", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == engine.calculate(copy.deepcopy(body))
    assert response.headers["Country-Package"] == "mesaides-core"


def test_calculate_reports_every_error_with_its_path(client):
    body = _request(client)
    body["individus"]["demandeur"]["salaire_net"]["2026-13"] = 100
    body["individus"]["enfant1"]["date_naissance"]["ETERNITY"] = "hier"
    response = client.post("/calculate", json=body)
    assert response.status_code == 400
    data = response.json()
    paths = {e["path"] for e in data["errors"]}
    assert "individus.demandeur.salaire_net.2026-13" in paths
    assert "individus.enfant1.date_naissance.ETERNITY" in paths
    # OpenFisca's shape: the message at the faulty path.
    assert isinstance(data["individus"]["demandeur"]["salaire_net"]["2026-13"], str)
    assert "date" in data["individus"]["enfant1"]["date_naissance"]["ETERNITY"]


def test_calculate_unknown_variable_is_a_404_as_in_openfisca(client):
    body = _request(client)
    body["individus"]["demandeur"]["salaire_brut_inconnu"] = {"2026-11": 1}
    response = client.post("/calculate", json=body)
    assert response.status_code == 404
    assert "unknown variable" in response.json()["individus"]["demandeur"]["salaire_brut_inconnu"]


def test_calculate_invalid_json(client):
    response = client.post("/calculate", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Invalid JSON")


def test_calculate_without_persons(client):
    response = client.post("/calculate", json={"familles": {}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "individus"


def test_explain(client, engine):
    today = dt.date.today()
    month = f"{today.year}-{today.month:02d}"
    aides = famille_aides(client)
    if not aides:
        pytest.skip("no aide installed")
    body = {"situation": lille_situation(today), "variable": aides[0], "period": month, "entity": "famille_1"}
    response = client.post("/explain", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["root"] == f"{aides[0]}@{month}"
    assert "failed_checks" in data
    # The same explanation as the command line's and the results page's (Engine.explain).
    expected = engine.explain(lille_situation(today), aides[0], month, "famille_1").to_json()
    assert {k: data[k] for k in ("conditions", "reason", "notes")} == {
        k: expected[k] for k in ("conditions", "reason", "notes")
    }
    bad = client.post("/explain", json={**body, "entity": "famille_9"})
    assert bad.status_code == 422  # well formed, but the situation has no famille_9
    assert bad.json()["errors"][0]["path"] == "entity"
    missing = client.post("/explain", json={"variable": aides[0]})
    assert {e["path"] for e in missing.json()["errors"]} == {"situation", "period", "entity"}


def test_catalogue(client, engine):
    aides = client.get("/aides").json()["aides"]
    names = {a["name"] for a in aides}
    assert names == set(engine.rules.aides)
    for a in aides:
        if a["shown"]:
            assert a["best_channel"]["url"].startswith("http")
            assert a["status_source"] in ("registry", "fallback")
    parameters = client.get("/parameters").json()
    assert parameters["depcom"]["entity"] == "menage"
    assert "salaire_net" in parameters
    partners = client.get("/partners").json()["partners"]
    assert partners and all(p["version"] and p["distribution"].startswith("mesaides-") for p in partners)
    spec = client.get("/openapi.json").json()
    assert {"/calculate", "/explain", "/aides", "/parameters", "/partners"} <= set(spec["paths"])
    assert client.get("/communes", params={"q": "59350"}).json()[0]["nom"] == "Lille"


def test_preview_aides_only_on_a_preview_deployment(tmp_path, engine):
    """A6, G4: an aide in preview is neither computed by the API nor shown on a public
    deployment; a preview deployment shows it."""
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.deployment.running import Deployment
    from mesaides.web.registry_view import RegistryView
    from mesaides.web.settings import Settings

    candidates = [
        n
        for n, a in engine.rules.aides.items()
        if n not in engine.rules.unavailable and a.entity.key == "famille" and a.period.value == "month"
    ]
    if not candidates:
        pytest.skip("no aide installed")
    aide = candidates[0]

    class FakeRegistry:
        def public_state(self):
            return {
                "synced": True,
                "aides": {aide: {"status": "preview", "notice": "Interactions non vérifiées."}},
                "partners": {},
            }

        def pending_notices(self):
            return []

    def opener(url, clock):
        return FakeRegistry()

    for preview in (False, True):
        settings = Settings(database_url=f"sqlite:///{tmp_path / f'p{preview}.sqlite3'}", preview=preview)
        deployment = Deployment(settings, engine=engine, registry=RegistryView(opener=opener))
        with TestClient(create_app(settings, deployment)) as client:
            body = _request(client, aides=())
            today = dt.date.today()
            month = f"{today.year}-{today.month:02d}"
            body["familles"]["famille_1"][aide] = {month: None}
            response = client.post("/calculate", json=body)
            listed = {a["name"]: a for a in client.get("/aides").json()["aides"]}
            assert listed[aide]["status"] == "preview"
            assert listed[aide]["status_source"] == "registry"
            if preview:
                assert response.status_code == 200
                assert listed[aide]["shown"]
            else:
                assert response.status_code == 404  # not served here, as an unknown variable
                assert "not public" in response.json()["errors"][0]["message"]
                assert not listed[aide]["shown"]
                assert client.get(f"/aller/{aide}").status_code == 404


def test_concurrent_requests_on_the_real_server_each_get_their_own_answer(server, engine):
    """The server merges the requests that arrive together into one computation
    (:mod:`mesaides.web.batching`): each must still get its own household's values, and a bad
    request its own error."""
    import concurrent.futures

    import httpx

    today = dt.date.today()
    month = f"{today.year}-{today.month:02d}"
    aides = [
        a["name"]
        for a in httpx.get(server.url + "/aides", timeout=30).json()["aides"]
        if a["shown"] and a["entity"] == "famille" and a["period"] == "month"
    ]
    bodies = []
    for k in range(12):
        situation = lille_situation(today)
        wages = situation["individus"]["demandeur"]["salaire_net"]
        for m in wages:
            wages[m] = 150.0 * k
        for aide in aides:
            situation["familles"]["famille_1"][aide] = {month: None}
        bodies.append(situation)
    bodies[5]["individus"]["demandeur"]["salaire_net"]["2026-13"] = 1.0

    def post(body):
        return httpx.post(server.url + "/calculate", json=body, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(post, bodies))
    assert responses[5].status_code == 400
    assert [e["path"] for e in responses[5].json()["errors"]] == ["individus.demandeur.salaire_net.2026-13"]
    answers = [r.json() for k, r in enumerate(responses) if k != 5]
    expected = [engine.calculate(copy.deepcopy(b)) for k, b in enumerate(bodies) if k != 5]
    assert [r.status_code for k, r in enumerate(responses) if k != 5] == [200] * 11
    assert answers == expected
    amounts = {tuple(a["familles"]["famille_1"][n][month] for n in aides) for a in answers}
    assert len(amounts) > 3  # the households differ, and so do their answers
