"""Bad input over HTTP: a 4xx naming the field, never a 5xx, and the command line's messages
(issue 13 §1); caps on persons and requested values (§2): 422 naming the cap."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import lille_situation

from mesaides.web.dependencies import services_of

TODAY = dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("bad-input")
    settings = Settings(database_url=f"sqlite:///{folder / 'mesaides.sqlite3'}", max_persons=5, max_requested_values=3)
    with TestClient(create_app(settings)) as c:
        yield c


def situation() -> dict:
    data = lille_situation(TODAY)
    data["familles"]["famille_1"]["rsa"] = {"2026-11": None}
    return data


def post(client, raw: str):
    return client.post(
        "/calculate", content=raw.encode("utf-8", "surrogatepass"), headers={"content-type": "application/json"}
    )


def cli_errors(raw: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", "from mesaides.core.cli import main; main()", "calculate"],
        input=raw.encode("utf-8", "surrogatepass"),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    return [line.removeprefix("error: ") for line in done.stderr.decode().splitlines()]


def with_wages(text: str) -> str:
    data = situation()
    data["individus"]["demandeur"]["salaire_net"]["2026-10"] = "WAGES"
    return json.dumps(data).replace('"WAGES"', text)


CASES = {
    "nan": with_wages("NaN"),
    "infinity": with_wages("-Infinity"),
    "1e309": with_wages("1e309"),
    "10**400": with_wages("1" + "0" * 400),
    "negative": with_wages("-1000000"),
    "unknown commune": json.dumps(situation()).replace('"59350"', '"00000"'),
    "birth in the future": json.dumps(situation()).replace('"1994-09-01"', '"2090-01-01"'),
    "null familles": json.dumps({**situation(), "familles": None}),
    "year 3": with_wages("1").replace('"2026-10": 1', '"0003-10": 1'),
    "surrogate id": json.dumps(situation()).replace('"enfant1"', '"enf\\ud800"'),
    "deep": '{"individus": {"a": ' + "[" * 10_000 + "]" * 10_000 + "}}",
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_a_4xx_with_the_command_lines_messages(client, name):
    raw = CASES[name]
    response = post(client, raw)
    assert 400 <= response.status_code < 500, response.text
    messages = [f"{e['path']}: {e['message']}" if e["path"] else e["message"] for e in response.json()["errors"]]
    assert all(m and "Traceback" not in m for m in messages)
    assert messages == cli_errors(raw)


def test_each_class_names_its_path(client):
    paths = {name: [e["path"] for e in post(client, raw).json()["errors"]] for name, raw in CASES.items()}
    assert paths["nan"] == paths["1e309"] == paths["negative"] == ["individus.demandeur.salaire_net.2026-10"]
    assert paths["unknown commune"][0].startswith("menages.menage_1.depcom.")
    assert paths["birth in the future"][0] == "individus.demandeur.date_naissance.ETERNITY"
    assert paths["null familles"] == ["familles"]
    assert paths["year 3"] == ["individus.demandeur.salaire_net.0003-10"]
    assert paths["surrogate id"] == ["individus.enf\\ud800"]
    assert paths["deep"] == [""]


def test_statuses(client):
    assert post(client, CASES["nan"]).status_code == 400  # outside the schema
    assert post(client, CASES["unknown commune"]).status_code == 422  # what no schema says
    assert post(client, CASES["birth in the future"]).status_code == 422


def test_caps_on_persons_and_requested_values_are_422_naming_the_cap(client):
    data = situation()
    for k in range(4):
        data["individus"][f"autre{k}"] = {}
        data["familles"]["famille_1"]["enfants"].append(f"autre{k}")
        data["foyers_fiscaux"]["foyer_fiscal_1"]["personnes_a_charge"].append(f"autre{k}")
        data["menages"]["menage_1"]["enfants"].append(f"autre{k}")
    response = client.post("/calculate", json=data)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "individus", "message": "too many persons: 7, at most 5 per situation (limit max_persons)"}
    ]
    data = situation()
    data["familles"]["famille_1"]["rsa"] = {m: None for m in ("2026-08", "2026-09", "2026-10", "2026-11")}
    response = client.post("/calculate", json=data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "too many requested values: 4 null values, at most 3 per situation (limit max_requested_values)"
    )
    assert client.post("/calculate", json=situation()).status_code == 200


def test_the_schema_states_the_cap_on_persons(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Situation"]
    assert schema["properties"]["individus"]["maxProperties"] == 5
    wages = schema["properties"]["individus"]["additionalProperties"]["properties"]["salaire_net"]
    assert wages["patternProperties"]["^(19[0-9]{2}|20[0-9]{2}|2100)$"] == {
        "type": "number",
        "minimum": 0.0,
        "maximum": 10_000_000.0,
    }


def test_the_settings_read_the_caps_from_the_environment(monkeypatch):
    from mesaides.web.settings import Settings

    monkeypatch.setenv("MESAIDES_MAX_PERSONS", "12")
    monkeypatch.setenv("MESAIDES_MAX_REQUESTED_VALUES", "40")
    settings = Settings.from_env()
    assert (settings.limits().max_persons, settings.limits().max_requested_values) == (12, 40)
    monkeypatch.setenv("MESAIDES_MAX_PERSONS", "beaucoup")
    with pytest.raises(ValueError, match="MESAIDES_MAX_PERSONS='beaucoup': expected a whole number of at least 1"):
        Settings.from_env()


@pytest.mark.parametrize("etat", ['{"a": ' * 1_500 + "1" + "}" * 1_500, '{"demandeur.prenom": "\\ud800"}'])
def test_a_forged_questionnaire_state_is_ignored(client, etat):
    token = services_of(client.app).form_tokens.issue("/simulation")
    page = client.post("/simulation", data={"etape": "foyer", "etat": etat, "action": "suivant", "csrf": token})
    empty = client.post("/simulation", data={"etape": "foyer", "etat": "{}", "action": "suivant", "csrf": token})
    # As with no answers at all: the step again, asking for its answers (422), never a 5xx.
    assert page.status_code == empty.status_code == 422
    assert "Votre foyer" in page.text and "Choisissez une réponse." in page.text


def test_the_parameters_give_their_domain(client):
    parameters = client.get("/parameters").json()
    assert (parameters["loyer"]["minimum"], parameters["loyer"]["maximum"]) == (0.0, 100_000.0)
    assert parameters["date_naissance"]["minimum"] is None
