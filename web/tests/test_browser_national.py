"""Issue 15's households in headless Chromium against the real server: the national partners
beside the CAF (Assurance retraite, Assurance maladie, Éducation nationale, France Travail, État).

Each household is answered in the browser, and every amount the page shows is compared with what
the engine computes for the same household written independently (``web_scenarios``); the main
amounts are also worked out here from the dated legislation values, as the law computes them.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import (
    HOUSING,
    amounts_on_page,
    birth,
    elderly_situation,
    expected_amounts,
    family_situation,
    fr,
    jobseeker_situation,
)

NATIONAL = ("aspa", "cmu_c", "css_participation_forfaitaire", "bourse_college", "ass", "aefa")


def answer(page, base_url: str, answers: dict[str, str]) -> None:
    """Answer every page of the questionnaire with ``answers`` (form field name -> value, in the
    order a person fills them: a field a script shows after another's answer comes after it),
    leaving the other fields as they are, up to the results."""
    page.goto(base_url + "/simulation")
    for _ in range(10):
        for name, value in answers.items():
            field = page.locator(f'[name="{name}"]')
            if not field.count():
                continue
            kind = field.first.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
            if kind == "radio":
                page.locator(f'[name="{name}"][value="{value}"]').check()
            elif kind == "select":
                field.select_option(value)
            elif kind == "checkbox":
                field.set_checked(bool(value))
            else:
                field.fill(value)
        continuer = page.get_by_role("button", name="Continuer")
        if continuer.count():
            continuer.click()
            continue
        page.get_by_role("button", name="Voir mes résultats").click()
        page.get_by_role("heading", name="Vos résultats", level=1).wait_for()
        return
    raise AssertionError("the questionnaire never ended")


def results(browser, server, answers: dict[str, str]) -> dict:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20_000)
    answer(page, server.url, answers)
    shown = amounts_on_page(page)
    not_obtained = {e.get_attribute("data-aide-non-obtenue") for e in page.locator("[data-aide-non-obtenue]").all()}
    text = page.locator("main").inner_text()
    context.close()
    return {"shown": shown, "not_obtained": not_obtained, "text": text}


def same_as_the_engine(shown: dict, expected: dict, engine) -> None:
    """Every amount shown is the engine's for the household; every aide obtained is shown (an
    aide declared as the sum of others through the part actually paid)."""
    assert shown, "no aide obtained"
    for name, amount in shown.items():
        assert name in expected, f"{name} shown but not computed by the engine"
        if amount is not None:
            assert amount == pytest.approx(expected[name], abs=0.01), name
    for name, amount in expected.items():
        if amount > 0:
            parts = [r for r in engine.rules.quantities[name].adds if r in shown]
            assert name in shown or parts, f"{name} ({amount} €) obtained but not shown"
        else:
            assert name not in shown, f"{name} shown with the engine's 0"


def law(engine, path: str, day: dt.date) -> float:
    return float(engine.rules.legislation.value(path, day))


@pytest.fixture(scope="module")
def today():
    return dt.date.today()


@pytest.fixture(scope="module")
def national(engine):
    missing = [a for a in NATIONAL if a not in engine.rules.aides or a in engine.rules.unavailable]
    if missing:
        pytest.skip(f"national partners not installed: {missing}")


def test_elderly_person_with_a_small_pension_in_a_hlm(browser, server, engine, national, today):
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "veuf",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": fr(birth(today, 72)),
            "demandeur.activite": "retraite",
            "demandeur.retraite_nette": "650",
            "menage.depcom": "Roubaix",
            "menage.statut_occupation_logement": "locataire_hlm",
            "menage.loyer": "320",
        },
    )
    expected = expected_amounts(engine, elderly_situation(today), today)
    same_as_the_engine(page["shown"], expected, engine)
    shown = page["shown"]
    # ASPA (L815-1, L815-9, R815-22 CSS): the yearly maximum for a person alone, a twelfth a
    # month, less the resources of the three months before: her pension, at the larger of the
    # net and taxable amounts the questionnaire gives (taxable = net × 1.0352, Mes Aides'
    # conversion; the Assurance retraite's docs/known-differences.md, 1).
    maximum = law(engine, "aspa.montant_maximum_annuel.personnes_seules", today)
    assert shown["aspa"] == pytest.approx(maximum / 12 - round(650 * 1.0352, 2), abs=0.01)
    # CSS: with the ASPA her resources exceed the free CSS ceiling (L861-1 CSS), not the
    # contributory one: she pays the contribution of a person of 70 or more, 30 € a month (D861-3).
    assert "cmu_c" not in shown and "cmu_c" in page["not_obtained"]
    assert shown["css_participation_forfaitaire"] == 30.0
    # Housing aid: the APL of a HLM tenant, the part actually paid.
    assert [h for h in HOUSING if h in shown] == ["apl"] and shown["apl"] > 0


def test_family_with_a_child_at_college_and_a_disabled_child(browser, server, engine, national, today):
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "marie",
            "foyer.nb_enfants": "2",
            "demandeur.date_naissance": fr(birth(today, 40)),
            "demandeur.activite": "actif",
            "conjoint.date_naissance": fr(birth(today, 38)),
            "conjoint.activite": "inactif",
            "enfant1.enfant_date_naissance": fr(birth(today, 12)),
            "enfant1.scolarite": "college",
            "enfant2.enfant_date_naissance": fr(birth(today, 8)),
            "enfant2.scolarite": "primaire",
            "enfant2.handicap": "1",
            "enfant2.enfant_taux_incapacite": "80_plus",
            "enfant2.aeeh_niveau_handicap": "0",
            "demandeur.salaire_net": "1400",
            "demandeur.pensions_alimentaires_percues": "0",
            "menage.depcom": "Lens",
            "menage.statut_occupation_logement": "locataire_hlm",
            "menage.loyer": "480",
        },
    )
    expected = expected_amounts(engine, family_situation(today), today)
    same_as_the_engine(page["shown"], expected, engine)
    shown = page["shown"]
    bmaf = law(engine, "prestations_familiales.bmaf", today)
    # AF for two children: 32 % of the BMAF (D521-1 CSS), below the first resource ceiling.
    assert shown["af"] == pytest.approx(
        round(law(engine, "prestations_familiales.af.taux.enf2", today) * bmaf, 2), abs=0.01
    )
    # Bourse de collège, échelon 1 (D531-7 C. éduc.): 25.6 % of the BMAF of 1 January of the
    # school year's start, paid in three terms each rounded to the euro.
    bmaf_rentree = law(
        engine, "prestations_familiales.bmaf", dt.date(today.year if today.month >= 9 else today.year - 1, 1, 1)
    )
    terms = int(law(engine, "bourse_college.nb_termes", today))
    assert shown["bourse_college"] == terms * round(
        law(engine, "bourse_college.taux.echelon_1", today) * bmaf_rentree / terms
    )
    # AEEH (L541-1, D541-1 CSS): a child under 20 with an incapacity of 80 % or more gets the
    # base, 32 % of the BMAF, without a complement (none granted by the CDAPH).
    if "aeeh" not in engine.rules.aides:
        pytest.xfail("the CAF's AEEH is not installed")
    assert shown["aeeh"] == pytest.approx(round(law(engine, "aeeh.base", today) * bmaf, 2), abs=0.01)


def test_long_term_jobseeker_whose_rsa_reads_the_ass(browser, server, engine, national, today):
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "marie",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": fr(birth(today, 54)),
            "demandeur.activite": "chomeur",
            "demandeur.date_debut_chomage": "15/01/2024",
            "conjoint.date_naissance": fr(birth(today, 52)),
            "conjoint.activite": "inactif",
            "demandeur.ass_precondition_remplie": "1",
            "menage.depcom": "Lille",
            "menage.statut_occupation_logement": "loge_gratuitement",
        },
    )
    expected = expected_amounts(engine, jobseeker_situation(today), today)
    same_as_the_engine(page["shown"], expected, engine)
    shown = page["shown"]
    # ASS (R5423-1, R5423-6 C. trav.): the daily amount for 30 days, no other resource.
    ass = law(engine, "ass.montant_journalier", today) * law(engine, "ass.nb_jours_mois", today)
    assert shown["ass"] == pytest.approx(ass, abs=0.01)
    # RSA of a couple (L262-2, R262-1 CASF): 1.5 montants forfaitaires, less the forfait logement
    # of two persons lodged free of charge (16 %, R262-10), less the ASS received over the three
    # months before (R262-6): the CAF reads France Travail's ASS.
    rsa_couple = 1.5 * law(engine, "rsa.montant_de_base", today)
    rsa = rsa_couple * (1 - law(engine, "rsa.forfait_logement.taux_2_personnes", today)) - ass
    assert shown["rsa"] == pytest.approx(rsa, abs=0.01)
    # Free CSS: an RSA recipient is entitled to it (L861-2 CSS).
    assert shown["cmu_c"] is None and "cmu_c" in shown
    # Prime de Noël: due for the RSA of a couple, 152.45 € increased by 50 % for the second person,
    # cut to the cent as the decree's amount (228.67 €); not added to the ASS's.
    base = law(engine, "aefa.montant_de_base", today)
    couple = math.floor(base * (1 + law(engine, "aefa.majoration.deuxieme_personne", today)) * 100) / 100
    assert shown["aefa"] == couple


def test_aides_already_received_are_taken_as_given(browser, server, engine, national, today):
    """The jobseeker says he received 400 € of ASS a month over the last three months: the RSA
    reads those months' ASS as given (R262-6 CASF), and this month's ASS is still computed."""
    page = results(
        browser,
        server,
        {
            "foyer.situation_familiale": "marie",
            "foyer.nb_enfants": "0",
            "demandeur.date_naissance": fr(birth(today, 54)),
            "demandeur.activite": "chomeur",
            "demandeur.date_debut_chomage": "15/01/2024",
            "conjoint.date_naissance": fr(birth(today, 52)),
            "conjoint.activite": "inactif",
            "demandeur.ass_precondition_remplie": "1",
            "demandeur.ass_percue": "400",
            "menage.depcom": "Lille",
            "menage.statut_occupation_logement": "loge_gratuitement",
        },
    )
    situation = jobseeker_situation(today)
    last_three = [m for m in situation["individus"]["demandeur"]["activite"]][-4:-1]
    situation["individus"]["demandeur"]["ass"] = dict.fromkeys(last_three, 400.0)
    expected = expected_amounts(engine, situation, today)
    same_as_the_engine(page["shown"], expected, engine)
    rsa_couple = 1.5 * law(engine, "rsa.montant_de_base", today)
    assert page["shown"]["rsa"] == pytest.approx(
        rsa_couple * (1 - law(engine, "rsa.forfait_logement.taux_2_personnes", today)) - 400, abs=0.01
    )
    assert page["shown"]["ass"] == pytest.approx(
        law(engine, "ass.montant_journalier", today) * law(engine, "ass.nb_jours_mois", today), abs=0.01
    )
