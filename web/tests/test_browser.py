"""The real pages in headless Chromium against the real server (``mesaides serve``)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import (
    HOUSING,
    LILLE_EXPECTED,
    amounts_on_page,
    birth,
    expected_amounts,
    fill_lille,
    fr,
    lille_situation,
)


@pytest.fixture(scope="module")
def lille(browser, server, engine):
    """The Lille household's results page, answered without JavaScript (the pages must work
    without it), and what the engine computes for the same household."""
    today = dt.date.today()
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20_000)
    fill_lille(page, server.url, today)
    shown = amounts_on_page(page)
    not_obtained = [e.get_attribute("data-aide-non-obtenue") for e in page.locator("[data-aide-non-obtenue]").all()]
    text = page.locator("main").inner_text()
    context.close()
    return {
        "shown": shown,
        "not_obtained": not_obtained,
        "text": text,
        "expected": expected_amounts(engine, lille_situation(today), today),
    }


def test_lille_results_match_the_engine(lille, engine):
    shown, expected = lille["shown"], lille["expected"]
    assert shown, "no aide obtained"
    for name, amount in shown.items():
        assert name in expected, f"{name} shown but not computed by the engine"
        if amount is None:  # a right without an amount (a fare): granted to someone
            assert expected[name] > 0, name
        else:
            assert amount == pytest.approx(expected[name], abs=0.01), name
    for name, amount in expected.items():
        if amount <= 0:
            assert name not in shown
            continue
        parts = [r for r in engine.rules.quantities[name].reads if r in shown]
        assert name in shown or parts, f"{name} ({amount} €) obtained but not shown"
    # Every aide not obtained is listed, with its reason.
    for name in lille["not_obtained"]:
        assert expected.get(name, 0) == 0


def test_lille_sees_the_aides_of_the_issue(lille):
    """PPA, AF, ASF, PAJE, a housing aid and the Hauts-de-France childcare aid; the RSA is listed
    as not obtained (see ``LILLE_EXPECTED``)."""
    shown, expected = lille["shown"], lille["expected"]
    assert expected["rsa"] == 0 and "rsa" in lille["not_obtained"]
    missing = [a for a in LILLE_EXPECTED if a not in shown]
    assert not missing, f"not shown: {missing}; engine: { {a: expected.get(a) for a in missing} }"
    assert any(h in shown for h in HOUSING), f"no housing aid shown; engine: { {h: expected.get(h) for h in HOUSING} }"
    assert "Pourquoi ce résultat ?" in lille["text"]


def test_results_explain_and_link_to_the_application(page, server):
    today = dt.date.today()
    fill_lille(page, server.url, today)
    card = page.locator("[data-aide]").first
    name = card.get_attribute("data-aide")
    card.get_by_text("Pourquoi ce résultat ?").click()
    assert card.locator(".conditions li, .details div").count() >= 1
    assert card.locator(f'a[href="/aller/{name}"]').count() == 1
    assert card.locator("a.lien-externe").get_attribute("href").startswith("https://")
    logo = card.locator("img.logo")
    if logo.count():
        assert httpx.get(server.url + logo.get_attribute("src")).headers["content-type"] == "image/png"


def test_a_bad_entry_shows_its_error_next_to_the_field(page, server):
    page.goto(server.url + "/simulation")
    page.get_by_label("Combien d'enfants à charge vivent avec vous ?").fill("deux")
    page.get_by_role("button", name="Continuer").click()
    error = page.locator("#q-foyer-nb_enfants-erreur")
    assert "n'est pas un nombre entier" in error.inner_text()
    field = page.locator("#q-foyer-nb_enfants")
    assert field.get_attribute("aria-invalid") == "true"
    assert "q-foyer-nb_enfants-erreur" in field.get_attribute("aria-describedby")
    assert field.input_value() == "deux", "what was typed is kept"
    # The summary at the top links to the field and takes the focus.
    summary = page.locator("#resume-erreurs")
    assert summary.get_by_role("link").first.get_attribute("href") == "#q-foyer-nb_enfants"
    assert page.evaluate("document.activeElement.id") == "resume-erreurs"

    field.fill("1")
    page.get_by_role("button", name="Continuer").click()
    page.locator('[name="demandeur.date_naissance"]').fill("31/02/1990")
    page.locator('[name="enfant1.enfant_date_naissance"]').fill(fr(birth(dt.date.today(), 3)))
    page.get_by_role("button", name="Continuer").click()
    assert "n'est pas une date qui existe" in page.locator("#q-demandeur-date_naissance-erreur").inner_text()
    assert page.locator('[name="enfant1.enfant_date_naissance"]').input_value() == fr(birth(dt.date.today(), 3))
    assert page.locator('[name="demandeur.date_naissance"]').input_value() == "31/02/1990"


def test_questions_that_do_not_apply_are_hidden_with_javascript(page, server):
    page.goto(server.url + "/simulation")
    page.get_by_label("Combien d'enfants à charge vivent avec vous ?").fill("0")
    page.get_by_role("button", name="Continuer").click()
    assert page.locator('[name^="enfant"]').count() == 0, "no question about children without children"
    if page.locator('[name="demandeur.date_debut_chomage"]').count():
        block = page.locator("#q-demandeur-date_debut_chomage-bloc")
        assert block.is_hidden()
        page.locator('[name="demandeur.activite"]').select_option("chomeur")
        assert block.is_visible()
    if page.locator('[name="demandeur.taux_incapacite"]').count():
        block = page.locator("#q-demandeur-taux_incapacite-bloc")
        assert block.is_hidden()
        page.locator('[name="demandeur.handicap"]').check()
        assert block.is_visible()


def test_save_resume_and_delete(browser, server):
    today = dt.date.today()
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20_000)
    fill_lille(page, server.url, today)
    before = amounts_on_page(page)
    page.get_by_role("button", name="Enregistrer ma simulation").click()
    assert re.search(r"/s/[A-Za-z0-9_-]{30,}\?enregistree=1$", page.url)
    assert "Votre simulation est enregistrée" in page.locator("main").inner_text()
    link = page.locator("#lien-sauvegarde").input_value()
    context.close()

    # Another browser (no cookie, nothing shared) resumes it with the link alone.
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(link)
    assert amounts_on_page(page) == before
    page.get_by_role("link", name="Modifier mes réponses").click()
    assert page.get_by_label("Combien d'enfants à charge vivent avec vous ?").input_value() == "2"
    assert page.get_by_label("Célibataire, sans conjoint").is_checked()
    while page.get_by_role("button", name="Continuer").count():
        page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Voir mes résultats").click()
    assert amounts_on_page(page) == before
    page.get_by_role("button", name="Enregistrer ma simulation").click()
    assert page.url.split("?")[0] == link, "saving a resumed simulation updates it"

    page.get_by_role("link", name="Supprimer ma simulation").click()
    page.get_by_role("button", name="Supprimer définitivement").click()
    assert "Votre simulation a été supprimée" in page.locator("main").inner_text()
    response = page.goto(link)
    assert response.status == 404
    assert "Simulation introuvable" in page.locator("main").inner_text()
    context.close()


def test_stats_count_the_simulation(page, server):
    def figure(element_id: str) -> int:
        page.goto(server.url + "/stats")
        return int(page.locator(f"#{element_id}").inner_text())

    simulations = figure("total-simulations")
    fill_lille(page, server.url, dt.date.today())
    aide = page.locator("[data-aide]").first.get_attribute("data-aide")
    assert figure("total-simulations") == simulations + 1
    assert figure("total-visiteurs") >= 1
    assert page.locator("#geo-titre + p + figure svg").count() == 1
    assert "59 Nord" in page.locator("section[aria-labelledby=geo-titre]").inner_text()

    # A click to the application service is counted, then redirected to the partner's service.
    clicks = figure("total-clics")
    response = httpx.get(f"{server.url}/aller/{aide}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("https://")
    assert figure("total-clics") == clicks + 1
    assert page.locator("#tableau-aides tbody tr").count() >= 1


def test_pages_fit_a_phone_and_focus_is_visible(browser, server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ("/", "/simulation", "/stats", "/roadmap"):
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    page.goto(server.url + "/simulation")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert style not in ("none", ""), "the focused element has no visible outline"
    # Every visible field has a label.
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select')]
           .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)"""
    )
    assert unlabelled == []
    context.close()


def test_roadmap_is_rendered_from_markdown(page, server):
    page.goto(server.url + "/roadmap")
    assert page.get_by_role("heading", name="Feuille de route", level=1).is_visible()
