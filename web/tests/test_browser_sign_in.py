"""Signing in from the emailed link in headless Chromium, against the real server (``mesaides
serve``) sending through a real SMTP server (aiosmtpd), with the registry's real accounts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from signin_helpers import CAF_EXPERT, CAF_REFERENT, create_registry_accounts, database_url

LINK = re.compile(r"https?://\S+/connexion/lien/[A-Za-z0-9_-]+\S*")


@pytest.fixture(scope="module")
def site(tmp_path_factory, start_server, smtp_server):
    instance = tmp_path_factory.mktemp("sign-in-instance")
    create_registry_accounts(database_url(instance))
    server = start_server(instance, env=smtp_server.env)
    server.database_url = database_url(instance)
    return server


def emailed_link(page, site, smtp_server, email: str) -> str:
    """Ask for a link on the sign-in page; the link in the email the SMTP server received."""
    already = len([m for m in smtp_server.messages if m["To"] == email])
    page.goto(site.url + "/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    assert "un lien de connexion vous a été envoyé" in page.locator("main").inner_text()
    message = smtp_server.wait_for(email, count=already + 1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return LINK.search(body).group(0)


def test_a_referent_signs_in_from_the_emailed_link_sees_the_space_and_signs_out(page, site, smtp_server):
    link = emailed_link(page, site, smtp_server, CAF_REFERENT)
    page.goto(link)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(site.url + "/espace/compte")
    assert page.locator("[data-moi]").inner_text() == CAF_REFERENT
    cookie = next(c for c in page.context.cookies() if c["name"] == "mesaides_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert not cookie["secure"], "served over plain http here: a Secure cookie would never come back"

    # The partner's accounts: a referent of the CAF manages the CAF's referents and experts.
    page.goto(site.url + "/espace/comptes")
    page.wait_for_url(site.url + "/espace/comptes/partenaire/caf")
    assert page.locator(f'[data-compte="{CAF_EXPERT}"]').count() == 1
    page.get_by_label("Adresse électronique").fill("nouvelle.experte@caf.test")
    page.get_by_label("Nom et prénom").fill("Nouvelle Experte")
    page.get_by_label("Rôle").select_option("expert")
    page.get_by_role("button", name="Créer le compte").click()
    assert "Compte créé pour nouvelle.experte@caf.test" in page.locator("main").inner_text()
    page.get_by_role("button", name="Désactiver le compte nouvelle.experte@caf.test").click()
    assert "Compte nouvelle.experte@caf.test désactivé" in page.locator("main").inner_text()

    # Another partner's accounts are refused, with a page in French.
    refused = page.goto(site.url + "/espace/comptes/partenaire/departement_nord")
    assert refused.status == 403
    assert "Accès refusé" in page.locator("h1").inner_text()
    assert "n'a pas accès aux comptes du partenaire « departement_nord »" in page.locator("main").inner_text()

    page.goto(site.url + "/espace/compte")
    page.get_by_role("button", name="Me déconnecter").click()
    page.wait_for_url(re.compile(r".*/connexion\?deconnecte=1$"))
    page.goto(site.url + "/espace/compte")
    assert "/connexion" in page.url, "signed out: the space asks to sign in again"

    # The link served once.
    page.goto(link)
    page.get_by_role("button", name="Me connecter").click()
    assert "Ce lien de connexion ne peut pas être utilisé" in page.locator("h1").inner_text()
    assert "déjà servi" in page.locator("main").inner_text()


def test_an_expired_link_is_refused(page, site, smtp_server):
    link = emailed_link(page, site, smtp_server, CAF_EXPERT)
    engine = sa.create_engine(site.database_url)
    with engine.begin() as conn:  # as if the 15 minutes had passed
        conn.execute(sa.text("UPDATE sign_in_links SET expires_at = created_at WHERE used_at IS NULL"))
    engine.dispose()
    page.goto(link)
    page.get_by_role("button", name="Me connecter").click()
    assert "Ce lien de connexion ne peut pas être utilisé" in page.locator("h1").inner_text()
    assert "expiré" in page.locator("main").inner_text()
    page.goto(site.url + "/espace/compte")
    assert "/connexion" in page.url
