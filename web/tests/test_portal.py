"""The partner portal's pages (``/espace/``), on real registry data: the installed partners synced
into a fresh SQLite database, then a CAF release raising the RSA (A8: the Nord and Lyon are
notified with the measured impact). The application is the real one (``create_app``) behind
FastAPI's TestClient, its registry on a fixed clock; accounts and sessions are the registry's
(``mesaides.registry.identity``), the session cookie the one the sign-in pages set."""

from __future__ import annotations

import datetime as dt
import html as html_text
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from portal_accounts import sign_in
from portal_data import HOUSEHOLDS, START, baseline_rules, caf_release_raising_rsa

from mesaides.registry import FixedClock, Registry, SmtpSettings, open_registry
from mesaides.registry.testing import OPERATOR, STATISTICS, expert, referent
from mesaides.web.app import create_app
from mesaides.web.auth import get_registry
from mesaides.web.dependencies import services_of
from mesaides.web.settings import Settings

NORD, LYON, CAF = "departement_nord", "metropole_lyon", "caf"
NORD_AIDE = "nord_activ_emploi_maximum"
NORD_SPACE, LYON_SPACE, CAF_SPACE = (f"/espace/partenaire/{p}" for p in (NORD, LYON, CAF))
OPERATOR_SPACE = "/espace/operateur"


@pytest.fixture(scope="module")
def synced_database(tmp_path_factory) -> Path:
    """The registry after the baseline sync and the CAF's RSA release, built once per module."""
    folder = tmp_path_factory.mktemp("portal-registry")
    registry = open_registry(
        f"sqlite:///{folder / 'registry.sqlite3'}", FixedClock(START), smtp=SmtpSettings(), households=HOUSEHOLDS
    )
    registry.sync(baseline_rules(), by=OPERATOR, reason="baseline")
    registry.sync(caf_release_raising_rsa(folder), by=OPERATOR, reason="CAF 1.0.1")
    registry.close()
    return folder / "registry.sqlite3"


@dataclass
class Portal:
    client: TestClient
    registry: Registry
    clock: FixedClock

    def as_(self, role: str, partner: str | None = None, email: str | None = None) -> Portal:
        """Sign in as a new account of ``role`` (bound to ``partner``)."""
        sign_in(self.client, self.registry, role, partner, email)
        return self

    @staticmethod
    def actor(role: str, partner: str | None = None):
        """An actor of ``role`` for the facade's own calls (no account needed)."""
        return {"administrator": OPERATOR, "statistics": STATISTICS}.get(role) or {
            "referent": referent,
            "expert": expert,
        }[role](partner)

    def post(self, page: str, action: str, data: dict[str, str]):
        """Post the form of ``page`` that posts to ``action``, with its CSRF token from the page."""
        html = self.client.get(page).text  # the form's attributes, as sent
        form = re.search(
            rf'<form[^>]*action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', html
        )
        assert form, f"no form posting to {action} on {page}"
        return self.client.post(action, data={"csrf": form.group(1), **data}, follow_redirects=False)


@pytest.fixture
def portal(synced_database, tmp_path, monkeypatch) -> Portal:
    # The registry's clock is set here: the server's own scheduler, on the system clock, would
    # end these sessions (opened on START) and act on deadlines as of today.
    monkeypatch.setenv("MESAIDES_TICK_MINUTES", "0")
    database = tmp_path / "registry.sqlite3"
    shutil.copy(synced_database, database)
    url = f"sqlite:///{database}"
    clock = FixedClock(START)
    registry = open_registry(url, clock, smtp=SmtpSettings(), households=HOUSEHOLDS)
    app = create_app(Settings(database_url=url))
    app.dependency_overrides[get_registry] = lambda: registry
    with TestClient(app, base_url="http://testserver") as client:
        yield Portal(client, registry, clock)
    registry.close()


def text(response) -> str:
    """The page's text as a person reads it (entities such as &#39; decoded)."""
    return html_text.unescape(response.text)


def a8_notification(registry: Registry) -> dict:
    [note] = [n for n in registry.notifications() if n["rule"] == "A8"]
    return note


# ---- a partner's space ----------------------------------------------------------------------


def test_a_referent_sees_the_a8_change_with_its_measured_impact(portal):
    note = a8_notification(portal.registry)
    page = portal.as_("referent", NORD).client.get(NORD_SPACE)
    assert page.status_code == 200
    html = text(page)
    assert "Espace partenaire : Département du Nord" in html
    assert f"N° {note['id']} : {note['title']}" in html
    assert "A8 — mise à jour d'une aide" in html
    # the impact line of its own aide: one household gains Activ'Emploi's 150 € (+150.00 €)
    [nord_line] = [
        m for m in portal.registry.impact(subject=note["details"]["changes"][0]["aide"]) if m["aide"] == NORD_AIDE
    ]
    row = re.search(
        rf"<th scope=\"row\">{NORD_AIDE} <span class=\"badge\">votre aide</span></th>(.*?)</tr>", html, re.S
    )
    assert row, "the Nord's impact line is missing"
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[:4] == [str(HOUSEHOLDS), str(nord_line["gained"]), str(nord_line["lost"]), str(nord_line["changed"])]
    assert (
        cells[4] == f"{nord_line['mean_change']:+.2f}\u00a0€".replace(".", ",")
        and nord_line["largest_increase"] == 150.0
    )
    # what waits on it: the answer, due in two weeks (Pa2)
    assert "attendue avant le 30/11/2026 (Pa2)" in html
    # a referent manages its CI's tokens from its space; an expert does not
    assert f'href="{NORD_SPACE}/jetons"' in html
    assert f'href="{NORD_SPACE}/jetons"' not in text(portal.as_("expert", NORD).client.get(NORD_SPACE))


def test_a7_answers_lift_the_notice_once_the_last_partner_has_answered(portal):
    note = a8_notification(portal.registry)
    action = f"{NORD_SPACE}/notifications/{note['id']}/reponse"
    portal.as_("referent", NORD, "referente@lenord.example.org")
    done = portal.post(NORD_SPACE, action, {"reponse": "aucune-interaction", "commentaire": "Vérifié sur nos cas."})
    assert done.status_code == 303 and done.headers["location"] == f"{NORD_SPACE}?fait=reponse"
    page = text(portal.client.get(done.headers["location"]))
    assert "Votre réponse est enregistrée." in page
    assert "aucune interaction, le 16/11/2026" in page
    assert portal.registry.public_state().aides["rsa"].notice is not None  # Lyon has not answered
    recipients = {p: r["answer"] for p, r in a8_notification(portal.registry)["recipients"].items()}
    assert recipients == {NORD: "no_interaction", LYON: None}
    assert any("referente@lenord.example.org" in e.actor for e in portal.registry.audit_log(subject=note["subject"]))

    portal.as_("referent", LYON)
    done = portal.post(LYON_SPACE, f"{LYON_SPACE}/notifications/{note['id']}/reponse", {"reponse": "mise-a-jour"})
    assert done.status_code == 303
    assert portal.registry.public_state().aides["rsa"].notice is None
    assert "levé le 16/11/2026" in text(portal.client.get(LYON_SPACE))


def test_an_answer_without_a_choice_names_the_field(portal):
    note = a8_notification(portal.registry)
    portal.as_("referent", NORD)
    refused = portal.post(NORD_SPACE, f"{NORD_SPACE}/notifications/{note['id']}/reponse", {})
    assert refused.status_code == 422
    assert "reponse : choisissez « aucune interaction » ou « nous mettrons à jour »" in text(refused)
    assert a8_notification(portal.registry)["recipients"][NORD]["answer"] is None


def test_reliability_then_quality_sign_offs(portal):
    portal.as_("referent", NORD)
    done = portal.post(NORD_SPACE, f"{NORD_SPACE}/aides/{NORD_AIDE}/validation", {})
    assert done.status_code == 303
    [aide] = [
        a for a in portal.registry.partner_space(NORD, by=portal.actor("referent", NORD)).aides if a.name == NORD_AIDE
    ]
    assert aide.signed_off == {"reliability"} and aide.awaits_quality
    page = text(portal.client.get(NORD_SPACE))
    assert "Valider la fiabilité du calcul de" not in page

    portal.as_("administrator")
    operator_page = text(portal.client.get(OPERATOR_SPACE))
    assert re.search(
        rf"{NORD_AIDE}</span></th><td>{NORD}</td><td>[^<]*</td><td>validée par le partenaire</td>", operator_page
    )
    done = portal.post(OPERATOR_SPACE, f"{OPERATOR_SPACE}/aides/{NORD_AIDE}/validation", {})
    assert done.status_code == 303
    space = portal.registry.operator_space(by=portal.actor("administrator"))
    assert NORD_AIDE not in [a.name for a in space.awaiting_quality]


def test_questions_both_ways_with_their_two_weeks(portal):
    portal.as_("referent", NORD)
    asked = portal.post(NORD_SPACE, f"{NORD_SPACE}/questions", {"question": "Le RSA de décembre est-il revalorisé ?"})
    assert asked.status_code == 303
    [question] = [q for q in portal.registry.questions() if q.direction == "to_operator"]

    portal.as_("administrator")
    assert "Le RSA de décembre est-il revalorisé ?" in text(portal.client.get(OPERATOR_SPACE))
    answered = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/questions/{question.id}/reponse", {"reponse": "Oui, au 1er avril."}
    )
    assert answered.status_code == 303
    asked = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/questions", {"partenaire": NORD, "question": "Votre barème 2027 ?"}
    )
    assert asked.status_code == 303
    [to_nord] = [q for q in portal.registry.questions() if q.direction == "to_partner"]

    portal.clock.advance(days=4)
    portal.as_("referent", NORD)
    page = text(portal.client.get(NORD_SPACE))
    assert "Oui, au 1er avril." in page
    assert "À répondre avant le 30/11/2026 (10 jours restants)." in page
    done = portal.post(NORD_SPACE, f"{NORD_SPACE}/questions/{to_nord.id}/reponse", {"reponse": "En janvier."})
    assert done.status_code == 303
    assert [q.answer for q in portal.registry.questions() if q.id == to_nord.id] == ["En janvier."]


def test_a_defect_counts_down_is_renewed_and_resolved(portal):
    portal.as_("administrator")
    done = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/defauts", {"aide": NORD_AIDE, "description": "Montant faux pour les couples"}
    )
    assert done.status_code == 303
    [defect] = portal.registry.defects()

    portal.clock.advance(days=10)
    portal.as_("referent", NORD)
    row = re.search(
        rf"<tr><th scope=\"row\">{defect.id}</th><td>{NORD_AIDE}</td>(.*?)</tr>",
        text(portal.client.get(NORD_SPACE)),
        re.S,
    )
    assert row and "<td>5 jours</td>" in row.group(1) and "<td>01/12/2026</td>" in row.group(1)

    portal.as_("administrator")
    renewed = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/defauts/{defect.id}/prolongation", {"motif": "Réforme en cours"}
    )
    assert renewed.status_code == 303
    assert portal.registry.defects()[0].deadline == dt.datetime(2026, 12, 16, 9)
    resolved = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/defauts/{defect.id}/resolution", {"motif": "Corrigé en 1.1.1"}
    )
    assert resolved.status_code == 303
    assert portal.registry.defects()[0].status == "resolved"
    portal.as_("referent", NORD)
    assert "Aucun défaut à corriger." in text(portal.client.get(NORD_SPACE))


def test_the_operator_decides_on_a_suggestion_with_its_reason(portal):
    portal.registry.suggest("cheque_culture", by=portal.actor("administrator"), label="Chèque culture")
    portal.as_("administrator")
    action = f"{OPERATOR_SPACE}/suggestions/cheque_culture/decision"
    refused = portal.post(OPERATOR_SPACE, action, {"decision": "refusee"})
    assert refused.status_code == 422 and "motif : donnez le motif de la décision (A1)" in text(refused)
    done = portal.post(OPERATOR_SPACE, action, {"decision": "refusee", "motif": "Attribuée par une commission"})
    assert done.status_code == 303
    [aide] = [a for a in portal.registry.aides() if a.name == "cheque_culture"]
    assert aide.status == "refused" and aide.decision_reason == "Attribuée par une commission"


def test_a_parameter_is_deprecated_with_a_removal_date(portal):
    name = next(p.name for p in portal.registry.parameters() if p.status == "active" and p.readers)
    portal.as_("administrator")
    done = portal.post(
        OPERATOR_SPACE,
        f"{OPERATOR_SPACE}/parametres/{name}/deprecation",
        {"motif": "Remplacé par une question plus précise", "date_retrait": "2027-03-01"},
    )
    assert done.status_code == 303
    [state] = [p for p in portal.registry.parameters() if p.name == name]
    assert state.status == "deprecated" and state.removal_date == dt.date(2027, 3, 1)
    bad = portal.post(
        OPERATOR_SPACE,
        f"{OPERATOR_SPACE}/parametres/{next(p.name for p in portal.registry.parameters() if p.status == 'active')}/deprecation",
        {"motif": "x", "date_retrait": "mars"},
    )
    assert bad.status_code == 422 and "date_retrait : « mars » n'est pas une date" in text(bad)


def test_an_amendment_is_announced_at_least_30_days_ahead_to_every_partner(portal):
    portal.as_("administrator")
    too_soon = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/avenants", {"resume": "Nouvelle règle O10", "date_application": "2026-12-15"}
    )
    assert too_soon.status_code == 422
    assert "C1" in text(too_soon) and "2026-12-16" in text(too_soon)  # the earliest day it may apply
    assert not [n for n in portal.registry.notifications() if n["rule"] == "C1"]

    done = portal.post(
        OPERATOR_SPACE, f"{OPERATOR_SPACE}/avenants", {"resume": "Nouvelle règle O10", "date_application": "2026-12-16"}
    )
    assert done.status_code == 303
    [note] = [n for n in portal.registry.notifications() if n["rule"] == "C1"]
    partners = {p.id for p in portal.registry.operator_space(by=portal.actor("administrator")).partners}
    assert set(note["recipients"]) == partners
    assert portal.registry.convention_version() == 1  # version 2 applies on 16/12/2026
    portal.clock.set("2026-12-16T00:00:00")
    assert portal.registry.convention_version() == 2
    portal.as_("referent", NORD)
    assert "Avenant à la convention : version 2, applicable le 16/12/2026" in text(portal.client.get(NORD_SPACE))


# ---- who may see and do what ------------------------------------------------------------------


def test_a_referent_of_the_nord_is_refused_the_cafs_pages(portal):
    portal.as_("referent", NORD)
    page = portal.client.get(CAF_SPACE)
    assert page.status_code == 403
    assert "<h1>Accès refusé</h1>" in text(page) and 'lang="fr"' in text(page)
    assert portal.client.get(OPERATOR_SPACE).status_code == 403


def test_nobody_acts_for_a_partner_they_are_not_bound_to(portal):
    note = a8_notification(portal.registry)
    action = f"{NORD_SPACE}/notifications/{note['id']}/reponse"
    token = services_of(portal.client.app).form_tokens.issue(action)
    for role, partner in (("referent", LYON), ("administrator", None), ("statistics", None)):
        portal.as_(role, partner)
        refused = portal.client.post(
            action, data={"csrf": token, "reponse": "aucune-interaction"}, follow_redirects=False
        )
        assert refused.status_code == 403, (role, partner)
    # the Lyon referent cannot answer for the Nord through its own address either
    portal.as_("referent", LYON)
    own = f"{LYON_SPACE}/aides/{NORD_AIDE}/validation"
    signed = portal.client.post(
        own, data={"csrf": services_of(portal.client.app).form_tokens.issue(own)}, follow_redirects=False
    )
    assert signed.status_code == 403
    assert a8_notification(portal.registry)["recipients"][NORD]["answer"] is None
    assert not portal.registry.partner_space(NORD, by=portal.actor("referent", NORD)).aides[0].signed_off


def test_an_unknown_partner_is_a_page_not_found(portal):
    portal.as_("statistics")
    page = portal.client.get("/espace/partenaire/inconnu")
    assert page.status_code == 404 and "Page introuvable" in text(page)
    portal.as_("referent", NORD)
    assert portal.client.get("/espace/partenaire/inconnu").status_code == 403


def test_a_statistics_viewer_sees_figures_never_a_message(portal):
    note = a8_notification(portal.registry)
    portal.registry.ask(NORD, "Question confidentielle sur une réforme", by=portal.actor("administrator"))
    portal.as_("statistics")
    for path in (NORD_SPACE, OPERATOR_SPACE):
        page = portal.client.get(path)
        assert page.status_code == 200
        assert "jamais le contenu d'une situation ni d'un message" in text(page)
        assert "Question confidentielle" not in text(page)
        assert note["title"] not in text(page) and "7 aides ont été mises à jour" not in text(page)
    nord = text(portal.client.get(NORD_SPACE))
    assert re.search(r'id="chiffre-a-repondre">1<', nord)  # the A8 notification
    assert re.search(r'id="chiffre-questions">1<', nord)  # the operator's question (Pa2)


def test_without_a_session_the_portal_sends_to_sign_in(portal):
    portal.client.cookies.clear()
    page = portal.client.get(NORD_SPACE, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/connexion")


def test_each_account_lands_in_its_own_space(portal):
    for role, partner, space in (
        ("referent", NORD, NORD_SPACE),
        ("expert", LYON, LYON_SPACE),
        ("administrator", None, OPERATOR_SPACE),
    ):
        portal.as_(role, partner)
        landing = portal.client.get("/espace", follow_redirects=False)
        assert landing.status_code == 303 and landing.headers["location"] == space


ACTIV_EMPLOI_CASES = """
- name: Parent seul et deux enfants au RSA à Lille
  period: 2026-11
  input:
    individus:
      parent: {date_naissance: "1990-04-01"}
      enfant1: {date_naissance: "2016-02-01"}
      enfant2: {date_naissance: "2019-09-01"}
    familles:
      famille: {parents: [parent], enfants: [enfant1, enfant2], rsa: 820.5}
    menages:
      menage: {personne_de_reference: [parent], enfants: [enfant1, enfant2], depcom: "59350"}
  output:
    nord_activ_emploi_maximum: [150, 150, 150]
- name: Famille au RSA dans le Pas-de-Calais, hors du Nord
  period: 2026-11
  input:
    individus:
      parent: {date_naissance: "1990-04-01"}
      enfant: {date_naissance: "2016-02-01"}
    familles:
      famille: {parents: [parent], enfants: [enfant], rsa: 500}
    menages:
      menage: {personne_de_reference: [parent], enfants: [enfant], depcom: "62041"}
  output:
    nord_activ_emploi_maximum: [0, 0]
"""


def test_an_expert_adds_test_cases_for_its_partners_aide(portal):
    portal.as_("expert", NORD)
    action = f"{NORD_SPACE}/aides/{NORD_AIDE}/cas"
    broken = portal.post(NORD_SPACE, action, {"cas": "- name: sans période\n  output: {}\n"})
    assert broken.status_code == 422 and "needs at least 'period' and 'output'" in text(broken)
    done = portal.post(NORD_SPACE, action, {"cas": ACTIV_EMPLOI_CASES})
    assert done.status_code == 303 and done.headers["location"] == f"{NORD_SPACE}?fait=cas"
    assert "(2 enregistrés)" in text(portal.client.get(NORD_SPACE))
    registered = [c for c in portal.registry.catalogue().cases if NORD_AIDE in c.aides]
    assert [c.name for c in registered] == [
        "Parent seul et deux enfants au RSA à Lille",
        "Famille au RSA dans le Pas-de-Calais, hors du Nord",
    ]


def test_both_sign_offs_then_the_operator_publishes(portal):
    portal.as_("referent", NORD)
    assert portal.post(NORD_SPACE, f"{NORD_SPACE}/aides/{NORD_AIDE}/validation", {}).status_code == 303
    portal.as_("administrator")
    assert portal.post(OPERATOR_SPACE, f"{OPERATOR_SPACE}/aides/{NORD_AIDE}/validation", {}).status_code == 303
    published = portal.post(OPERATOR_SPACE, f"{OPERATOR_SPACE}/aides/{NORD_AIDE}/publication", {})
    assert published.status_code == 303, text(published)
    assert portal.registry.public_state().aides[NORD_AIDE].status == "published"
    portal.as_("referent", NORD)
    row = re.search(rf'<tr id="aide-{NORD_AIDE}">(.*?)</tr>', text(portal.client.get(NORD_SPACE)), re.S)
    assert row and "<td>publiée</td>" in row.group(1)


def test_a_refused_form_keeps_what_was_typed(portal):
    portal.as_("administrator")
    refused = portal.post(OPERATOR_SPACE, f"{OPERATOR_SPACE}/questions", {"question": "Votre barème 2027 ?"})
    assert refused.status_code == 422 and "partenaire : choisissez le partenaire" in text(refused)
    assert re.search(r'<textarea[^>]*id="question-texte"[^>]*>Votre barème 2027 \?</textarea>', text(refused))
    assert "Votre barème 2027 ?" not in text(portal.client.get(OPERATOR_SPACE))  # nothing was asked
    assert not portal.registry.questions()


def test_a_partner_withdraws_an_aide_it_no_longer_grants(portal):
    action = f"{CAF_SPACE}/aides/rsa/retrait"
    portal.as_("referent", NORD)
    token = services_of(portal.client.app).form_tokens.issue(action)
    refused = portal.client.post(action, data={"csrf": token, "motif": "x"}, follow_redirects=False)
    assert refused.status_code == 403  # not the Nord's aide
    portal.as_("referent", CAF)
    assert portal.post(CAF_SPACE, action, {"motif": ""}).status_code == 422
    done = portal.post(CAF_SPACE, action, {"motif": "Remplacé par le revenu de solidarité unique"})
    assert done.status_code == 303
    assert portal.registry.public_state().aides["rsa"].status == "removed"
    # A10: the Nord, whose aide reads the RSA, is told
    [a10] = [n for n in portal.registry.notifications() if n["rule"] == "A10"]
    assert NORD in a10["recipients"]


def test_the_operator_removes_an_aide_suspended_after_its_correction_period(portal):
    defect = portal.registry.notify_defect(NORD_AIDE, by=OPERATOR, description="Montant faux pour les couples")
    action = f"{OPERATOR_SPACE}/aides/{NORD_AIDE}/retrait"
    portal.as_("administrator")
    assert f'action="{action}"' not in portal.client.get(OPERATOR_SPACE).text  # still within its period
    portal.clock.advance(days=16)
    portal.registry.apply_deadlines()  # the scheduler's job: the aide is suspended (A9)
    assert portal.registry.public_state().aides[NORD_AIDE].status == "suspended"
    portal.as_("administrator")  # a session lasts 12 hours
    done = portal.post(OPERATOR_SPACE, action, {"motif": f"Défaut n° {defect} non corrigé"})
    assert done.status_code == 303
    assert portal.registry.public_state().aides[NORD_AIDE].status == "removed"
