"""Expert test cases (A5, O6): on a preview deployment, an expert answers the questionnaire,
types the expected amounts on the results page, downloads the YAML test case, and
``mesaides test`` runs it."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import fill_lille, form_token


def mesaides_test(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mesaides.core.cli_main", "test", str(path)], capture_output=True, text=True, check=False
    )


def test_an_expert_saves_a_case_from_the_preview_page_and_it_runs(browser, preview_server, tmp_path):
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    fill_lille(page, preview_server.url, dt.date.today())

    form = page.locator("#formulaire-cas")
    assert form.is_visible()
    page.get_by_label("Nom du cas").fill("Parent isolé à Lille, deux enfants, 900 € de salaire")
    expected: dict[str, list[str]] = {}
    rows = page.locator("#tableau-attendus tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        aide = row.get_attribute("data-attendu")
        cells = row.locator("td")
        computed = cells.nth(1).inner_text().strip()
        field = cells.nth(2).locator("input, select")
        # The expert confirms each computed value by typing it, as a French amount ("612,04 €").
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(computed)
        else:
            field.fill(computed)
        expected.setdefault(aide, []).append(computed)
    assert {"rsa", "af"} <= set(expected)
    page.get_by_role("button", name="Écrire le cas de test").click()

    page.get_by_role("heading", name="Cas de test pour les partenaires", level=1).wait_for()
    shown = page.locator("#cas-yaml").inner_text()
    pull_request = page.locator("#texte-pr").input_value()
    assert shown.strip() in pull_request, "the pull request text carries the same YAML"
    assert "tests/yaml/parent_isole_a_lille_deux_enfants_900_de_salaire.yaml" in pull_request
    assert "Le calcul actuel donne les montants attendus" in pull_request
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Télécharger ")).click()
    download = info.value
    assert download.suggested_filename == "parent_isole_a_lille_deux_enfants_900_de_salaire.yaml"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    context.close()

    assert path.read_text(encoding="utf-8").strip() == shown.strip()
    (case,) = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) == {"name", "description", "period", "absolute_error_margin", "input", "output"}
    assert set(case["input"]) == {"individus", "familles", "foyers_fiscaux", "menages"}
    assert set(case["output"]) == set(expected)
    done = mesaides_test(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("1 passed, 0 failed")


@pytest.fixture(scope="module")
def clients(tmp_path_factory, new_database_url):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("expert")
    url = new_database_url(folder)
    with (
        TestClient(create_app(Settings(database_url=url, preview=True))) as preview,
        TestClient(create_app(Settings(database_url=url))) as public,
    ):
        yield preview, public


LILLE = {
    "foyer.situation_familiale": "celibataire",
    "foyer.nb_enfants": "1",
    "demandeur.date_naissance": "14/03/1992",
    "demandeur.activite": "actif",
    "demandeur.salaire_net": "900",
    "demandeur.pensions_alimentaires_percues": "0",
    "enfant1.enfant_date_naissance": "01/09/2022",
    "menage.depcom": "Roubaix",
    "menage.statut_occupation_logement": "locataire_vide",
    "menage.loyer": "550",
}


def test_a_wrong_expectation_gives_a_failing_case_that_names_the_aide(clients, tmp_path):
    from test_pages import walk

    preview, public = clients
    page = walk(preview, LILLE)
    etat = html.unescape(re.search(r'id="formulaire-cas".*?name="etat" value="([^"]*)"', page.text, re.S).group(1))
    af = re.search(r'<tr data-attendu="af">.*?<td>[^<]*</td>\s*<td>([^<]*)</td>', page.text, re.S).group(1)
    computed = float(html.unescape(af).replace("\u202f", "").replace("€", "").replace(",", "."))
    data = {
        "etat": etat,
        "cas_nom": "Attendu faux",
        "attendu.af.famille_1": f"{computed + 50:.2f}".replace(".", ","),
        "csrf": form_token(page.text, "/cas-de-test"),
    }

    answer = preview.post("/cas-de-test", data=data)
    assert answer.status_code == 200
    assert "diffère de l&#39;attendu pour : `af` pour la famille" in answer.text
    data["csrf"] = form_token(answer.text, "/cas-de-test/telecharger")
    download = preview.post("/cas-de-test/telecharger", data=data)
    assert download.headers["content-disposition"] == 'attachment; filename="attendu_faux.yaml"'
    path = tmp_path / "attendu_faux.yaml"
    path.write_text(download.text, encoding="utf-8")
    done = mesaides_test(path)
    assert done.returncode == 1 and f"af [famille_1, {yaml.safe_load(download.text)[0]['period']}]" in done.stdout

    # A bad amount is shown next to its field; nothing to download.
    bad = preview.post("/cas-de-test/telecharger", data={**data, "attendu.af.famille_1": "beaucoup"})
    assert bad.status_code == 422 and "n&#39;est pas un montant" in bad.text
    # Not on a public deployment.
    assert "formulaire-cas" not in walk(public, LILLE).text
    data["csrf"] = form_token(page.text, "/cas-de-test")
    assert public.post("/cas-de-test", data=data).status_code == 404
