"""The partner portal in headless Chromium against the real server (``mesaides serve``): the
Nord's referent answers the CAF's A8 notification and signs off its aide (A6a), on a registry
holding the installed partners and a CAF release raising the RSA."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from portal_accounts import session_cookie
from portal_data import HOUSEHOLDS, baseline_rules, caf_release_raising_rsa

from mesaides.registry import FixedClock, SmtpSettings, open_registry
from mesaides.registry.testing import OPERATOR

NORD, NORD_AIDE = "departement_nord", "nord_activ_emploi_maximum"


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory, start_server):
    """A server on an instance whose registry holds the A8 change, and the Nord referent's
    session cookie (opened by the registry, as the sign-in link would)."""
    instance = tmp_path_factory.mktemp("portal-instance")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    registry = open_registry(
        f"sqlite:///{instance / 'mesaides.sqlite3'}", FixedClock(now), smtp=SmtpSettings(), households=HOUSEHOLDS
    )
    registry.sync(baseline_rules(), by=OPERATOR, reason="baseline")
    registry.sync(caf_release_raising_rsa(instance), by=OPERATOR, reason="CAF 1.0.1")
    cookie = session_cookie(registry, "referent", NORD, "referente@lenord.example.org")
    registry.close()
    return start_server(instance), cookie


def test_a_referent_answers_a_notification_and_signs_off_its_aide(browser, portal_server):
    server, (name, value) = portal_server
    context = browser.new_context(locale="fr-FR")
    context.add_cookies([{"name": name, "value": value, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server.url}/espace/partenaire/{NORD}")
    assert page.get_by_role("heading", level=1).inner_text() == "Espace partenaire : Département du Nord"

    notification = page.locator("article", has_text="7 aides ont été mises à jour")
    impact = notification.get_by_role("table", name="Impact mesuré sur la population de référence")
    assert "+150,00 €" in impact.get_by_role("row", name=NORD_AIDE).inner_text().replace("\u00a0", " ")
    notification.get_by_label("Aucune interaction avec nos aides").check()
    notification.get_by_label("Commentaire (facultatif)").fill("Nos cas de test passent.")
    notification.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_url("**?fait=reponse")
    assert page.get_by_role("status").inner_text() == "Votre réponse est enregistrée."
    assert "aucune interaction" in page.locator("article", has_text="7 aides ont été mises à jour").inner_text()

    page.get_by_role("button", name="Valider la fiabilité du calcul de").click()
    page.wait_for_url("**?fait=validation")
    assert "(A6a)" in page.get_by_role("status").inner_text()
    row = page.get_by_role("table", name="Vos aides").get_by_role("row", name=NORD_AIDE)
    assert "validée" in row.inner_text()
    context.close()

    with open_registry(f"sqlite:///{server.instance / 'mesaides.sqlite3'}", smtp=SmtpSettings()) as registry:
        [note] = [n for n in registry.notifications() if n["rule"] == "A8"]
        assert note["recipients"][NORD]["answer"] == "no_interaction"
        assert any("referente@lenord.example.org" in e.actor for e in registry.audit_log(subject=NORD_AIDE))
