"""Issue 16's households in headless Chromium against the real server: each sees its territory's
aides (its Région's, its Département's, its city's and transport authority's) and none from
elsewhere, grouped by partner.

The aides expected are worked out from each aide's declared conditions (its file in the partner's
``aides/``); the page's list of territorial aides is checked against the partners that cover the
household's commune."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_browser_national import results
from web_scenarios import birth, fr

COVERING = {
    # commune -> the territorial partners whose territory holds it
    "Lille": {"mesaides-partner-region", "mesaides-partner-nord", "mesaides-partner-mel"},
    "Rennes": {"mesaides-partner-rennes-metropole", "mesaides-partner-region-bretagne"},
    "Toulouse": {"mesaides-partner-tisseo", "mesaides-partner-occitanie"},
}


@pytest.fixture(scope="module")
def today():
    return dt.date.today()


@pytest.fixture(scope="module")
def territorial(engine):
    aides = {n: a for n, a in engine.rules.aides.items() if a.info.territory}
    owners = {a.owner for a in aides.values()}
    missing = {d for covering in COVERING.values() for d in covering} - owners
    if missing:
        pytest.skip(f"territorial partners not installed: {sorted(missing)}")
    return aides


def only_from(page: dict, commune: str, territorial: dict) -> set[str]:
    """The territorial aides the page lists (obtained or not), each owned by a partner that
    covers ``commune``; the others are counted as not shown."""
    listed = {n for n in (*page["shown"], *page["not_obtained"]) if n in territorial}
    foreign = {n: territorial[n].owner for n in listed if territorial[n].owner not in COVERING[commune]}
    assert not foreign, f"aides of other territories listed in {commune}: {foreign}"
    assert f"{len(territorial) - len(listed)} aides d'autres territoires" in page["text"]
    return listed


def test_a_19_year_old_apprentice_in_lille(browser, server, territorial, today):
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "celibataire",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": fr(birth(today, 19)),
            "demandeur.activite": "actif",
            "demandeur.apprenti": "1",
            "demandeur.salaire_net": "900",
            "menage.depcom": "Lille",
            "menage.statut_occupation_logement": "loge_gratuitement",
        },
    )
    only_from(page, "Lille", territorial)
    shown = page["shown"]
    # The Région Hauts-de-France: the TER card of the under-26 and the apprentices' season
    # ticket are rights (no amount); the transport aid is 20 € a month for an apprentice.
    assert {"hauts_de_france_carte_ter_moins_26_ans", "hauts_de_france_abo_etudiant_apprenti_ter"} <= set(shown)
    assert shown["hauts_de_france_carte_ter_moins_26_ans"] is None
    assert shown["hauts_de_france_aide_transport_particuliers"] == 20.0
    # Ilévia's free travel is for the under-18s: listed, not obtained.
    assert "ilevia_gratuite_moins_18_ans" in page["not_obtained"]
    # The State's aid towards an apprentice's driving licence, from 18: 500 €.
    assert shown["aide_financement_permis_apprenti"] == 500.0


def test_a_family_in_rennes(browser, server, territorial, today):
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "marie",
            "foyer.nb_enfants": "2",
            "demandeur.date_naissance": fr(birth(today, 41)),
            "demandeur.activite": "actif",
            "conjoint.date_naissance": fr(birth(today, 39)),
            "conjoint.activite": "actif",
            "enfant1.enfant_date_naissance": fr(birth(today, 14)),
            "enfant1.scolarite": "college",
            "enfant2.enfant_date_naissance": fr(birth(today, 7)),
            "enfant2.scolarite": "primaire",
            "demandeur.salaire_net": "1900",
            "conjoint.salaire_net": "1500",
            "demandeur.pensions_alimentaires_percues": "0",
            "menage.depcom": "Rennes",
            "menage.statut_occupation_logement": "locataire_vide",
            "menage.loyer": "900",
        },
    )
    only_from(page, "Rennes", territorial)
    shown = page["shown"]
    # STAR: free under 12 (the 7-year-old), the under-26 season ticket from 12 (the 14-year-old);
    # BreizhGo's young people's fare up to 25. Rights, without an amount.
    assert {"star_gratuite_moins_12_ans", "star_abonnement_moins_26_ans", "breizhgo_abonnement_jeunes"} <= set(shown)


def test_a_retired_person_in_toulouse(browser, server, territorial, today):
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "celibataire",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": fr(birth(today, 70)),
            "demandeur.activite": "retraite",
            "demandeur.retraite_nette": "1300",
            "menage.depcom": "Toulouse",
            "menage.statut_occupation_logement": "proprietaire",
        },
    )
    listed = only_from(page, "Toulouse", territorial)
    shown = page["shown"]
    # Tisséo's seniors' fare: from 65 or retired, in Tisséo's communes.
    assert "tisseo_tarif_seniors" in shown
    # The Région Occitanie's young people's aides are listed as not obtained, with their reason.
    assert "occitanie_libertio_jeunes" in page["not_obtained"] and "occitanie_libertio_jeunes" in listed
