"""Households for the web tests, and their expected results computed through the engine.

The expected situation is written here independently of the questionnaire's code, as the issue
describes the household, so that the tests check the questionnaire's translation too.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from mesaides.core import Engine, Period

HOUSING = ("aide_logement", "apl", "alf", "als")
LILLE_EXPECTED = ("ppa", "af", "asf", "paje_base", "hauts_de_france_aide_garde_enfant")
"""The aides the issue says the Lille household sees, besides a housing aid (one of HOUSING).

The issue also lists the RSA, but for this household it is 0 by law (and in OpenFisca-France
176.1.8): 900 € of wages plus the family benefits exceed the RSA majoré for a single parent with
two children. The page lists it among the aides not obtained, with the reason."""


def birth(today: dt.date, years: int) -> dt.date:
    """A birth date giving ``years`` full years today (and a few months more)."""
    return today - dt.timedelta(days=int(365.25 * years) + 75)


def fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def months(today: dt.date) -> list[str]:
    out, y, m = [], 2024, 1
    while (y, m) <= (today.year, today.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def lille_situation(today: dt.date) -> dict[str, Any]:
    """A single parent in Lille with two children aged 1 and 4, 900 € net wages a month for a
    year (and before) and 550 € rent in the private sector, as the issue describes it."""
    window = months(today)

    def every(value):
        return dict.fromkeys(window, value)

    return {
        "individus": {
            "demandeur": {
                "date_naissance": {"ETERNITY": birth(today, 32).isoformat()},
                "activite": every("actif"),
                "statut_marital": every("celibataire"),
                "salaire_net": every(900.0),
                "salaire_imposable": every(round(900 * 1.036529, 2)),
            },
            "enfant1": {"date_naissance": {"ETERNITY": birth(today, 1).isoformat()}},
            "enfant2": {"date_naissance": {"ETERNITY": birth(today, 4).isoformat()}},
        },
        "familles": {"famille_1": {"parents": ["demandeur"], "enfants": ["enfant1", "enfant2"]}},
        "foyers_fiscaux": {
            "foyer_fiscal_1": {"declarants": ["demandeur"], "personnes_a_charge": ["enfant1", "enfant2"]}
        },
        "menages": {
            "menage_1": {
                "personne_de_reference": ["demandeur"],
                "enfants": ["enfant1", "enfant2"],
                "depcom": every("59350"),
                "statut_occupation_logement": every("locataire_vide"),
                "loyer": every(550.0),
            }
        },
    }


def expected_amounts(engine: Engine, situation: dict[str, Any], today: dt.date) -> dict[str, float]:
    """Every available aide's amount for the household (summed over its persons or groups)."""
    rules = engine.rules
    known = copy.deepcopy(situation)
    # Inputs the installed packages do not declare are left out, as the questionnaire does.
    for table in known.values():
        for obj in table.values():
            for name in [n for n in obj if n not in rules and not isinstance(obj[n], list)]:
                del obj[name]
    month = Period.month_of(today.year, today.month)
    aides = [a for a in rules.aides if a not in rules.unavailable]
    result = {}
    for name in aides:
        d = rules.aides[name]
        period = month.this_year if d.period.value == "year" else month
        values = engine.compute(known, [name], period)[name]
        result[name] = round(sum(float(v) for v in values.values()), 2)
    return result


def amounts_on_page(page) -> dict[str, float | None]:
    shown = {}
    for card in page.locator("[data-aide]").all():
        name = card.get_attribute("data-aide")
        amount = card.get_attribute("data-montant")
        shown[name] = float(amount) if amount else None
    return shown


def skip_aides_received(page) -> None:
    """Leave the step of the aides already received empty (the engine computes them)."""
    if page.locator('[name="foyer.rsa_percu"]').count():
        page.get_by_role("button", name="Continuer").click()


def fill_lille(page, base_url: str, today: dt.date) -> None:
    """Answer the questionnaire as the Lille household, in the browser, up to the results."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Commencer la simulation").click()
    page.get_by_label("Célibataire, sans conjoint").check()
    page.get_by_label("Combien d'enfants à charge vivent avec vous ?").fill("2")
    page.get_by_role("button", name="Continuer").click()

    page.locator('[name="demandeur.date_naissance"]').fill(fr(birth(today, 32)))
    if page.locator('[name="demandeur.activite"]').count():
        page.locator('[name="demandeur.activite"]').select_option("actif")
    page.locator('[name="enfant1.enfant_date_naissance"]').fill(fr(birth(today, 1)))
    page.locator('[name="enfant2.enfant_date_naissance"]').fill(fr(birth(today, 4)))
    page.get_by_role("button", name="Continuer").click()

    page.locator('[name="demandeur.salaire_net"]').fill("900")
    if page.locator('[name="demandeur.pensions_alimentaires_percues"]').count():
        page.locator('[name="demandeur.pensions_alimentaires_percues"]').fill("0")
    page.get_by_role("button", name="Continuer").click()
    skip_aides_received(page)

    page.locator('[name="menage.depcom"]').fill("59350")
    statut = page.locator('[name="menage.statut_occupation_logement"]')
    if statut.count():
        page.get_by_label("Locataire d'un logement vide (non meublé)").check()
        page.locator('[name="menage.loyer"]').fill("550")
    page.get_by_role("button", name="Voir mes résultats").click()
    # 59350 is Lille's INSEE code and Saint-André-lez-Lille's postal code: the page asks which.
    if page.locator('[name="menage.depcom_choix"]').count():
        page.get_by_label(re.compile(r"^Lille\b")).check()
        page.get_by_role("button", name="Voir mes résultats").click()
    page.get_by_role("heading", name="Vos résultats", level=1).wait_for()


def form_token(page_html: str, action: str) -> str:
    """The CSRF token of the page's form posted to ``action`` (every form carries one)."""
    import html

    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page_html, re.S)
    assert form is not None, f"no form posted to {action}"
    return html.unescape(re.search(r'name="csrf" value="([^"]*)"', form.group(1)).group(1))


# ---- Issue 15's households: the national partners beside the CAF -------------------------------


def _household(
    today: dt.date,
    individus: dict[str, dict[str, Any]],
    parents: list[str],
    children: list[str],
    menage: dict[str, Any],
) -> dict[str, Any]:
    window = months(today)

    def every(value):
        return dict.fromkeys(window, value)

    persons = {}
    for pid, values in individus.items():
        person = {}
        for name, value in values.items():
            person[name] = {"ETERNITY": value} if name in ("date_naissance", "date_debut_chomage") else every(value)
        persons[pid] = person
    menage_1: dict[str, Any] = {"personne_de_reference": [parents[0]], "enfants": children}
    if len(parents) > 1:
        menage_1["conjoint"] = [parents[1]]
    menage_1.update({name: every(value) for name, value in menage.items()})
    return {
        "individus": persons,
        "familles": {"famille_1": {"parents": parents, "enfants": children}},
        "foyers_fiscaux": {"foyer_fiscal_1": {"declarants": parents, "personnes_a_charge": children}},
        "menages": {"menage_1": menage_1},
    }


def elderly_situation(today: dt.date) -> dict[str, Any]:
    """A widow aged 72 in Roubaix, alone, 650 € of net pension a month (677,88 € taxable: the
    questionnaire's conversion), in a HLM at 320 € rent."""
    return _household(
        today,
        {
            "demandeur": {
                "date_naissance": birth(today, 72).isoformat(),
                "activite": "retraite",
                "statut_marital": "veuf",
                "retraite_nette": 650.0,
                "retraite_imposable": round(650 * 1.0352, 2),
            }
        },
        ["demandeur"],
        [],
        {"depcom": "59512", "statut_occupation_logement": "locataire_hlm", "loyer": 320.0},
    )


def family_situation(today: dt.date) -> dict[str, Any]:
    """A married couple in Lens, one earning 1,400 € net a month, two children: one of 12 at
    collège, one of 8 at primary school with a disability the CDAPH rated at 80 % or more."""
    return _household(
        today,
        {
            "demandeur": {
                "date_naissance": birth(today, 40).isoformat(),
                "activite": "actif",
                "statut_marital": "marie",
                "salaire_net": 1400.0,
                "salaire_imposable": round(1400 * 1.036529, 2),
            },
            "conjoint": {
                "date_naissance": birth(today, 38).isoformat(),
                "activite": "inactif",
                "statut_marital": "marie",
            },
            "enfant1": {"date_naissance": birth(today, 12).isoformat(), "scolarite": "college"},
            "enfant2": {
                "date_naissance": birth(today, 8).isoformat(),
                "scolarite": "primaire",
                "handicap": True,
                "taux_incapacite": 0.8,
            },
        },
        ["demandeur", "conjoint"],
        ["enfant1", "enfant2"],
        {"depcom": "62498", "statut_occupation_logement": "locataire_hlm", "loyer": 480.0},
    )


def jobseeker_situation(today: dt.date) -> dict[str, Any]:
    """A man of 54 in Lille, married to a woman of 52 without activity or income, unemployed
    since January 2024, his unemployment benefit run out, who worked 5 of the 10 years before
    his last contract; the couple is lodged free of charge."""
    return _household(
        today,
        {
            "demandeur": {
                "date_naissance": birth(today, 54).isoformat(),
                "activite": "chomeur",
                "statut_marital": "marie",
                "date_debut_chomage": "2024-01-15",
                "ass_precondition_remplie": True,
            },
            "conjoint": {
                "date_naissance": birth(today, 52).isoformat(),
                "activite": "inactif",
                "statut_marital": "marie",
            },
        },
        ["demandeur", "conjoint"],
        [],
        {"depcom": "59350", "statut_occupation_logement": "loge_gratuitement"},
    )
