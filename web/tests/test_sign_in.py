"""Signing in by an emailed link, through the pages, with the registry's real accounts on a real
SQLite database and the link read from a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from signin_helpers import CAF_REFERENT, create_registry_accounts, database_url, link_in, redeem
from web_scenarios import form_token


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp_server):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    url = database_url(tmp_path_factory.mktemp("sign-in"))
    accounts = create_registry_accounts(url)
    with pytest.MonkeyPatch.context() as env:
        for name, value in smtp_server.env.items():
            env.setenv(name, value)
        app = create_app(Settings(database_url=url, public_url="https://mesaides.example.org"))
        with TestClient(app, base_url="https://mesaides.example.org") as client:
            client.accounts = accounts
            yield client


def ask_link(client, email: str, suite: str = ""):
    page = client.get("/connexion" + (f"?suite={suite}" if suite else ""))
    return client.post("/connexion", data={"email": email, "suite": suite, "csrf": form_token(page.text, "/connexion")})


def test_a_referent_signs_in_from_the_emailed_link_and_signs_out(site, smtp_server):
    site.cookies.clear()
    before, already = len(smtp_server.messages), smtp_server.sent_to(CAF_REFERENT)
    answer = ask_link(site, "  Referente@CAF.test ")
    assert answer.status_code == 200
    assert "Si un compte actif existe pour" in answer.text and CAF_REFERENT in answer.text
    message = smtp_server.wait_for(CAF_REFERENT, count=already + 1)
    assert len(smtp_server.messages) == before + 1
    assert message["Subject"] == "Votre lien de connexion à l'espace partenaires de mesaides"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://mesaides.example.org/connexion/lien/" in body, "the configured public address"
    assert "15 minutes" in body and "ne sert qu'une fois" in body
    path = link_in(message)

    # Opening the link (as a mail scanner would, twice) does not use it.
    for _ in range(2):
        shown = site.get(path)
        assert shown.status_code == 200 and "Me connecter" in shown.text
        assert shown.headers["cache-control"] == "no-store"
    signed_in = redeem(site, path)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/espace/compte"
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("mesaides_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" in cookie
    space = site.get("/espace/compte")
    assert space.status_code == 200 and f"<strong data-moi>{CAF_REFERENT}</strong> : Référent·e du partenaire (" in (
        html.unescape(space.text)
    )
    assert 'href="/espace/comptes/partenaire/caf"' in space.text and "/espace/journal" not in space.text

    out = site.post("/deconnexion", data={"csrf": form_token(space.text, "/deconnexion")}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].startswith("/connexion")
    assert 'mesaides_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    # The session is closed in the database: the old cookie opens nothing any more.
    site.cookies.set("mesaides_session", re.search(r"mesaides_session=([^;]+)", cookie).group(1))
    again = site.get("/espace/compte", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/connexion")
    site.cookies.clear()


def test_an_unknown_or_deactivated_email_gets_the_same_answer_and_no_email(site, smtp_server):
    site.cookies.clear()
    known = ask_link(site, "referent@nord.test")
    unknown = ask_link(site, "personne@nulle-part.test")
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("personne@nulle-part.test", "X") == known.text.replace("referent@nord.test", "X")
    smtp_server.wait_for("referent@nord.test")
    time.sleep(1)
    assert not [m for m in smtp_server.messages if m["To"] == "personne@nulle-part.test"]


def test_a_used_link_and_an_expired_link_are_refused(site, smtp_server):
    site.cookies.clear()
    email = "expert@caf.test"
    already = smtp_server.sent_to(email)
    ask_link(site, email)
    used = link_in(smtp_server.wait_for(email, count=already + 1))
    assert redeem(site, used).status_code == 303
    site.cookies.clear()
    refused = redeem(site, used)
    assert refused.status_code == 403
    assert "Ce lien de connexion ne peut pas être utilisé" in refused.text and "déjà servi" in refused.text
    assert "mesaides_session" not in refused.headers.get("set-cookie", "")

    ask_link(site, email)
    expired = link_in(smtp_server.wait_for(email, count=already + 2))
    engine = sa.create_engine(site.accounts.url)
    with engine.begin() as conn:  # 16 minutes later, for this link
        conn.execute(sa.text("UPDATE sign_in_links SET expires_at = created_at WHERE used_at IS NULL"))
    engine.dispose()
    refused = redeem(site, expired)
    assert refused.status_code == 403 and "expiré" in refused.text
    assert redeem(site, "/connexion/lien/nimportequoi").status_code == 403


def test_sign_in_requests_are_limited_per_email(site, smtp_server):
    site.cookies.clear()
    email = "limite@caf.test"  # no account: the limit does not depend on one
    answers = [ask_link(site, email) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "Trop de demandes de lien de connexion pour cette adresse électronique" in answers[-1].text
    assert 0 < int(answers[-1].headers["retry-after"]) <= 15 * 60


def test_the_form_names_a_bad_email(site):
    answer = ask_link(site, "pas-une-adresse")
    assert answer.status_code == 422
    assert "Cette adresse électronique n'est pas valide" in html.unescape(answer.text)
    assert 'aria-invalid="true"' in answer.text


def test_forms_without_their_token_are_refused(site):
    assert site.post("/connexion", data={"email": CAF_REFERENT}).status_code == 403
    assert site.post("/deconnexion", data={}).status_code == 403
    assert site.post("/connexion/lien/abc", data={}).status_code == 403


def test_after_signing_in_only_a_path_of_this_site(site, smtp_server):
    site.cookies.clear()
    already = smtp_server.sent_to(CAF_REFERENT)
    ask_link(site, CAF_REFERENT, suite="//evil.example/x")
    path = link_in(smtp_server.wait_for(CAF_REFERENT, count=already + 1))
    assert redeem(site, path).headers["location"] == "/espace/compte"
    site.cookies.clear()
    # The page asked for before signing in is where the link leads.
    ask_link(site, CAF_REFERENT, suite="/espace/comptes/partenaire/caf")
    message = smtp_server.wait_for(CAF_REFERENT, count=already + 2)
    assert "?suite=/espace/comptes/partenaire/caf" in message.get_body(preferencelist=("plain",)).get_content()
    page = site.get(link_in(message) + "?suite=/espace/comptes/partenaire/caf")
    action = re.search(r'<form method="post" action="(/connexion/lien/[^"]+)"', page.text).group(1)
    assert '<input type="hidden" name="suite" value="/espace/comptes/partenaire/caf">' in page.text
    answer = site.post(
        action,
        data={"suite": "/espace/comptes/partenaire/caf", "csrf": form_token(page.text, action)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/espace/comptes/partenaire/caf"
    site.cookies.clear()


def test_without_a_session_the_space_sends_to_the_sign_in_page(site):
    site.cookies.clear()
    answer = site.get("/espace/comptes", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/connexion?suite=/espace/comptes"
