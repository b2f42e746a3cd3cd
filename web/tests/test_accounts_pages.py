"""The accounts pages and the audit log, signed in as each role, on the registry's real accounts."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from signin_helpers import (
    ADMIN,
    CAF_EXPERT,
    CAF_REFERENT,
    NORD,
    NORD_REFERENT,
    create_registry_accounts,
    database_url,
    sign_in_directly,
)
from web_scenarios import form_token


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    url = database_url(tmp_path_factory.mktemp("accounts"))
    create_registry_accounts(url)
    app = create_app(Settings(database_url=url))
    with TestClient(app, base_url="https://testserver") as client:
        client.database_url = url
        yield client


@pytest.fixture
def as_account(site):
    def sign_in(email: str):
        site.cookies.clear()
        sign_in_directly(site, site.database_url, email)
        return site

    yield sign_in
    site.cookies.clear()


def text(response) -> str:
    return html.unescape(response.text)


def post_form(client, page_path: str, action: str, **fields):
    page = client.get(page_path)
    return client.post(action, data={**fields, "csrf": form_token(page.text, action)})


def test_an_administrator_creates_and_deactivates_any_account(as_account):
    client = as_account(ADMIN)
    page = client.get("/espace/comptes")
    assert page.status_code == 200
    for email in (CAF_REFERENT, CAF_EXPERT, NORD_REFERENT, ADMIN):
        assert f'data-compte="{email}"' in page.text
    created = post_form(
        client,
        "/espace/comptes",
        "/espace/comptes",
        email="Stats@Operateur.test",
        name="Sam Stat",
        role="statistics",
        partner="",
    )
    assert created.status_code == 200, text(created)[:2000]
    assert "Compte créé pour stats@operateur.test (Lecteur·rice des statistiques)" in text(created)
    deactivated = post_form(client, "/espace/comptes", "/espace/comptes/desactiver", email="stats@operateur.test")
    assert "Compte stats@operateur.test désactivé" in text(deactivated)
    assert "désactivé" in text(client.get("/espace/comptes")).split('data-compte="stats@operateur.test"')[1][:400]


def test_the_creation_form_names_the_field_in_french(as_account):
    client = as_account(ADMIN)
    cases = [
        (
            {"email": "pas-une-adresse", "name": "X", "role": "referent", "partner": "caf"},
            "Adresse électronique : saisissez une adresse valide",
        ),
        (
            {"email": "x@caf.test", "name": " ", "role": "referent", "partner": "caf"},
            "Nom et prénom : saisissez le nom",
        ),
        ({"email": "x@caf.test", "name": "X", "role": "roi", "partner": ""}, "Rôle : choisissez parmi"),
        (
            {"email": "x@caf.test", "name": "X", "role": "referent", "partner": ""},
            "Partenaire : un compte « Référent·e du partenaire » est rattaché à un partenaire",
        ),
        (
            {"email": "x@caf.test", "name": "X", "role": "administrator", "partner": "caf"},
            "n'est rattaché à aucun partenaire",
        ),
        (
            {"email": "x@caf.test", "name": "X", "role": "referent", "partner": "atlantide"},
            "Partenaire : aucun partenaire « atlantide »",
        ),
        (
            {"email": CAF_EXPERT, "name": "X", "role": "expert", "partner": "caf"},
            f"un compte existe déjà pour {CAF_EXPERT}",
        ),
    ]
    for fields, message in cases:
        answer = post_form(client, "/espace/comptes", "/espace/comptes", **fields)
        assert answer.status_code == 422, fields
        assert message in text(answer), (fields, text(answer)[:3000])
        assert f'value="{html.escape(fields["email"])}"' in answer.text, "what was typed is kept"


def test_a_referent_manages_its_own_partners_referents_and_experts_only(as_account):
    client = as_account(CAF_REFERENT)
    answer = client.get("/espace/comptes", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/espace/comptes/partenaire/caf"
    page = client.get("/espace/comptes/partenaire/caf")
    assert f'data-compte="{CAF_EXPERT}"' in page.text and NORD_REFERENT not in page.text
    assert '<option value="administrator"' not in page.text
    own = "/espace/comptes/partenaire/caf"
    created = post_form(client, own, own, email="second.referent@caf.test", name="Second Référent", role="referent")
    assert "Compte créé pour second.referent@caf.test" in text(created)
    promoted = post_form(client, own, own, email="chef@caf.test", name="Chef", role="administrator")
    assert promoted.status_code == 422 and "Rôle : choisissez parmi" in text(promoted)
    # Another partner's pages and actions: refused with a page in French.
    other = f"/espace/comptes/partenaire/{NORD}"
    for refused in (
        client.get(other),
        client.post(
            other, data={"email": "x@nord.test", "name": "X", "role": "expert", "csrf": form_token(page.text, own)}
        ),
        post_form(client, own, own + "/desactiver", email=NORD_REFERENT),
    ):
        assert refused.status_code in (403, 422), refused.status_code
    forbidden = client.get(other)
    assert forbidden.status_code == 403
    assert "Accès refusé" in text(forbidden) and f"n'a pas accès aux comptes du partenaire « {NORD} »" in text(
        forbidden
    )
    assert client.get("/espace/comptes/desactiver").status_code == 405
    deactivate_other = post_form(client, own, own + "/desactiver", email=NORD_REFERENT)
    assert "Aucun compte referent@nord.test sur cette page" in text(deactivate_other)
    # The account of the other partner is still active.
    client = as_account(ADMIN)
    row = text(client.get("/espace/comptes")).split(f'data-compte="{NORD_REFERENT}"')[1][:400]
    assert "actif" in row


def test_an_expert_and_a_referent_of_another_partner_are_refused(as_account):
    client = as_account(CAF_EXPERT)
    for path in ("/espace/comptes", "/espace/comptes/partenaire/caf", "/espace/journal"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "Accès refusé" in text(answer)
    client = as_account(NORD_REFERENT)
    assert client.get("/espace/comptes/partenaire/caf").status_code == 403
    assert client.get("/espace/journal").status_code == 403


def test_one_does_not_deactivate_ones_own_account(as_account):
    client = as_account(CAF_REFERENT)
    own = "/espace/comptes/partenaire/caf"
    answer = post_form(client, own, own + "/desactiver", email=CAF_REFERENT)
    assert answer.status_code == 422 and "Vous ne pouvez pas désactiver votre propre compte" in text(answer)


def test_the_audit_log_shows_the_account_that_did_each_action(as_account):
    client = as_account(CAF_REFERENT)
    own = "/espace/comptes/partenaire/caf"
    post_form(client, own, own, email="journal.expert@caf.test", name="Journal Expert", role="expert")
    client = as_account(ADMIN)
    journal = text(client.get("/espace/journal?objet=journal.expert@caf.test"))
    row = journal.split("<tbody>")[1]
    assert "account_created" in row and CAF_REFERENT in row and "referent:caf" in row and "web" in row
    everything = text(client.get("/espace/journal"))
    assert "signed_in" in everything


def test_a_deactivated_account_is_signed_out_at_once(site, as_account):
    from fastapi.testclient import TestClient

    admin = as_account(ADMIN)
    created = post_form(
        admin,
        "/espace/comptes",
        "/espace/comptes",
        email="partante@caf.test",
        name="Partante",
        role="expert",
        partner="caf",
    )
    assert created.status_code == 200
    with TestClient(site.app, base_url="https://testserver") as other:
        sign_in_directly(other, site.database_url, "partante@caf.test")
        assert other.get("/espace/compte").status_code == 200
        deactivated = post_form(admin, "/espace/comptes", "/espace/comptes/desactiver", email="partante@caf.test")
        assert "Compte partante@caf.test désactivé" in text(deactivated)
        again = other.get("/espace/compte", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].startswith("/connexion")
