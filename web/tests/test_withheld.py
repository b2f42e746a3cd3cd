"""Aides withheld because a partner package they need is missing: an instance that runs the
Région's, the Nord's and Lyon's packages without the CAF's. The Nord's and Lyon's aides read the
CAF's, so they are unavailable; the page says so and counts them, and computes the Région's."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.testing.partners import partners_except
from mesaides.web.dependencies import services_of

TERRITORIAL = ("partner_region", "partner_nord", "partner_lyon")
UNAVAILABLE = {"nord_activ_emploi_maximum", "revenu_solidaire_jeune"}
"""The Nord's and Lyon's aides that read the CAF's RSA or AEEH."""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.deployment.running import Deployment
    from mesaides.web.settings import Settings

    # Every other partner is left out: this instance runs the three territorial packages only.
    rules = load_rules(get_plugin_manager(blocked=partners_except(*TERRITORIAL)))
    if not UNAVAILABLE <= set(rules.unavailable) or "hauts_de_france_aide_garde_enfant" not in rules.aides:
        pytest.skip("the Région, Nord and Lyon packages are not installed")
    folder = tmp_path_factory.mktemp("withheld")
    settings = Settings(database_url=f"sqlite:///{folder / 'db.sqlite3'}")
    with TestClient(create_app(settings, Deployment(settings, engine=Engine(rules)))) as c:
        yield c


def results(client) -> str:
    today = dt.date.today()
    answers = {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "1",
        "demandeur.date_naissance": "01/01/1990",
        "demandeur.activite": "actif",
        "demandeur.salaire_net": "900",
        "demandeur.pensions_alimentaires_percues": "0",
        "enfant1.enfant_date_naissance": (today - dt.timedelta(days=400)).strftime("%d/%m/%Y"),
        "menage.depcom": "Lille",
        "menage.statut_occupation_logement": "locataire_vide",
        "menage.loyer": "550",
    }
    page = client.get("/simulation")
    for _ in range(10):
        step = re.search(r'name="etape" value="([^"]+)"', page.text)
        if step is None:
            return page.text
        etat = html.unescape(re.search(r'name="etat" value="([^"]*)"', page.text).group(1))
        names = set(re.findall(r'name="((?:foyer|menage|demandeur|enfant\d+)\.[a-z_]+)"', page.text))
        page = client.post(
            "/simulation",
            data={
                "etape": step.group(1),
                "etat": etat,
                "action": "suivant",
                "csrf": services_of(client.app).form_tokens.issue("/simulation"),
                **{k: v for k, v in answers.items() if k in names},
            },
        )
        assert page.status_code == 200, page.text[:1000]
    raise AssertionError("the questionnaire never ended")


def test_unavailable_aides_are_counted_and_named(client):
    home = client.get("/").text
    computed = [a for a in services_of(client.app).deployment.rules.aides if a not in UNAVAILABLE]
    assert f"Évaluez vos droits à {len(computed)} aides en quelques minutes" in home
    assert "2 autres aides ne sont pas évaluées ici pour le moment" in home
    page = results(client)
    assert 'data-aides-retenues="2"' in page and "2 sont indisponibles sur ce simulateur" in page
    assert sorted(re.findall(r'data-aide-retenue="([a-z0-9_]+)"', page)) == [
        "nord_activ_emploi_maximum",
        "revenu_solidaire_jeune",
    ]
    assert "aucune des aides" not in page


def test_an_aide_the_deployment_disables_is_not_counted_even_when_unavailable():
    from mesaides.web.deployment.running import DISABLED, CatalogueEntry
    from mesaides.web.offer import Withholding, withholding
    from mesaides.web.registry_view import AideState

    rules = load_rules(get_plugin_manager(blocked=partners_except(*TERRITORIAL)))
    name = "nord_activ_emploi_maximum"
    if name not in rules.unavailable:
        pytest.skip("the Nord package is not installed")
    entry = CatalogueEntry(
        name=name,
        aide=rules.aides[name],
        state=AideState(status="published"),
        unavailable=rules.unavailable[name],
        shown=False,
    )
    assert withholding(entry) is Withholding.UNAVAILABLE
    for status in (DISABLED, "removed", "refused"):
        disabled = CatalogueEntry(
            name=name,
            aide=rules.aides[name],
            state=AideState(status=status, from_deployment=True),
            unavailable=rules.unavailable[name],
            shown=False,
        )
        assert withholding(disabled) is None, status
