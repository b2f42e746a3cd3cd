"""The questionnaire's pages through HTTP forms, for households the browser tests do not cover."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import form_token, lille_situation

from mesaides.web.dependencies import services_of


@pytest.fixture(scope="module")
def client(tmp_path_factory, new_database_url):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("pages")
    with TestClient(create_app(Settings(database_url=new_database_url(folder)))) as c:
        yield c


def walk(client, answers: dict[str, str]):
    """Submit every step with the answers for the fields it shows, up to the results."""
    page = client.get("/simulation")
    for _ in range(10):
        step = re.search(r'name="etape" value="([^"]+)"', page.text)
        if step is None:
            return page
        etat = html.unescape(re.search(r'name="etat" value="([^"]*)"', page.text).group(1))
        names = set(re.findall(r'name="((?:foyer|menage|demandeur|conjoint|enfant\d+)\.[a-z_]+)"', page.text))
        data = {"etape": step.group(1), "etat": etat, "action": "suivant", "csrf": form_token(page.text, "/simulation")}
        data.update({k: v for k, v in answers.items() if k in names})
        page = client.post("/simulation", data=data)
        assert page.status_code in (200, 422), page.text[:500]
        if page.status_code == 422:
            errors = re.findall(r'class="champ-erreur"[^>]*><span class="sr">Erreur : </span>(.*?)</p>', page.text)
            raise AssertionError(f"errors on step {step.group(1)}: {errors}")
    raise AssertionError("the questionnaire never ended")


@pytest.mark.parametrize(
    "answers",
    [
        {  # a married couple, one unemployed and disabled, owners in Paris
            "foyer.situation_familiale": "marie",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": "1970-03-01",
            "demandeur.activite": "chomeur",
            "demandeur.date_debut_chomage": "01/01/2026",
            "demandeur.handicap": "1",
            "demandeur.taux_incapacite": "80_plus",
            "demandeur.chomage_net": "1 100",
            "conjoint.date_naissance": "02/02/1972",
            "conjoint.activite": "retraite",
            "conjoint.retraite_nette": "1300",
            "menage.depcom": "75011",
            "menage.statut_occupation_logement": "proprietaire",
        },
        {  # a couple in union libre with three children, a teenager working, tenants in HLM in Lyon
            "foyer.situation_familiale": "union_libre",
            "foyer.nb_enfants": "3",
            "demandeur.date_naissance": "15/05/1985",
            "demandeur.activite": "actif",
            "demandeur.salaire_net": "1500",
            "conjoint.date_naissance": "20/06/1987",
            "conjoint.activite": "inactif",
            "enfant1.enfant_date_naissance": "01/09/2009",
            "enfant1.enfant_salaire_net": "300",
            "enfant2.enfant_date_naissance": "01/09/2015",
            "enfant3.enfant_date_naissance": "01/09/2019",
            "demandeur.pensions_alimentaires_percues": "0",
            "menage.depcom": "Lyon",
            "menage.statut_occupation_logement": "locataire_hlm",
            "menage.loyer": "480,50",
        },
        {  # a young student alone, in a furnished flat-share in Ajaccio
            "foyer.situation_familiale": "celibataire",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": "01/10/2004",
            "demandeur.activite": "etudiant",
            "demandeur.salaire_net": "",
            "menage.depcom": "2A004",
            "menage.statut_occupation_logement": "locataire_meuble",
            "menage.loyer": "400",
            "menage.coloc": "1",
        },
    ],
)
def test_households_reach_their_results(client, answers):
    page = walk(client, answers)
    assert page.status_code == 200
    assert "<h1>Vos résultats</h1>" in page.text
    assert "Enregistrer ma simulation" in page.text


def test_previous_step_keeps_what_was_typed(client):
    csrf = form_token(client.get("/simulation").text, "/simulation")
    page = client.post(
        "/simulation",
        data={
            "etape": "foyer",
            "etat": "{}",
            "action": "suivant",
            "csrf": csrf,
            "foyer.situation_familiale": "pacse",
            "foyer.nb_enfants": "1",
        },
    )
    etat = html.unescape(re.search(r'name="etat" value="([^"]*)"', page.text).group(1))
    page = client.post(
        "/simulation",
        data={
            "etape": "personnes",
            "etat": etat,
            "action": "precedent",
            "csrf": csrf,
            "demandeur.date_naissance": "pas une date",
        },
    )
    assert page.status_code == 200
    assert re.search(r'value="pacse" checked', page.text)
    etat = html.unescape(re.search(r'name="etat" value="([^"]*)"', page.text).group(1))
    assert '"demandeur.date_naissance": "pas une date"' in etat


def test_a_tampered_state_is_ignored(client):
    tokens = services_of(client.app).form_tokens
    page = client.post(
        "/simulation", data={"etape": "nope", "etat": "[1, 2", "action": "suivant", "csrf": tokens.issue("/simulation")}
    )
    assert page.status_code == 200 and "Votre foyer" in page.text
    page = client.post(
        "/enregistrer", data={"etat": "{}", "csrf": tokens.issue("/enregistrer")}, follow_redirects=False
    )
    assert page.status_code == 303 and page.headers["location"] == "/simulation"
    assert client.get("/s/" + "a" * 32).status_code == 404


def test_results_cards_need_only_the_first_levels_of_each_explanation(engine):
    """The results page builds each aide's explanation ``EXPLAIN_DEPTH`` levels deep (the whole
    tree is hundreds of nodes): its conditions and details are the ones the whole tree gives."""
    import copy
    import datetime as dt
    import tempfile

    from mesaides.web import results
    from mesaides.web.deployment.running import Deployment
    from mesaides.web.settings import Settings

    folder = tempfile.mkdtemp()
    deployment = Deployment(Settings(database_url=f"sqlite:///{folder}/m.sqlite3"), engine=engine)
    today = dt.date.today()
    shallow = results.compute(deployment, copy.deepcopy(lille_situation(today)), today)
    depth = results.EXPLAIN_DEPTH
    try:
        results.EXPLAIN_DEPTH = None
        whole = results.compute(deployment, copy.deepcopy(lille_situation(today)), today)
    finally:
        results.EXPLAIN_DEPTH = depth
    assert repr(shallow) == repr(whole)
    cards = whole.obtained + whole.not_obtained
    assert any(r.conditions for r in cards) and any(r.details for r in cards)


def test_an_owner_is_told_the_housing_aid_is_for_tenants(engine):
    """The housing aid is listed once, with the condition an owner without a loan does not meet
    (tenants, foyer residents and home-buyers get it), rather than a nil amount and its three
    parts (APL, ALF, ALS)."""
    import copy
    import datetime as dt
    import tempfile

    from mesaides.web import results
    from mesaides.web.deployment.running import Deployment
    from mesaides.web.settings import Settings

    folder = tempfile.mkdtemp()
    deployment = Deployment(Settings(database_url=f"sqlite:///{folder}/m.sqlite3"), engine=engine)
    today = dt.date.today()
    situation = copy.deepcopy(lille_situation(today))
    for menage in situation["menages"].values():
        menage["statut_occupation_logement"] = {k: "proprietaire" for k in menage["statut_occupation_logement"]}
        menage.pop("loyer", None)
    page = results.compute(deployment, situation, today)
    by_name = {r.name: r for r in page.not_obtained}
    assert not {"apl", "alf", "als"} & {r.name for r in page.obtained + page.not_obtained}
    assert by_name["aide_logement"].reason == (
        "Condition non remplie : être locataire (HLM, logement vide ou meublé), résident d'un logement-foyer "
        "ou accédant à la propriété."
    )
