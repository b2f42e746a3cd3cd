"""The partner JSON API and its tokens (issue 17), through the application (TestClient) on a real
SQLite file: a referent creates a token on the portal page (the secret shown once, stored as a
digest) and revokes it; the partner's CI checks a real candidate wheel (built from the Métropole
de Lyon's folder with hatchling), lists its notifications and answers one (A7). A token acts for
its partner only (403 elsewhere), a missing, unknown or revoked one gets 401, bad input 422
naming the field."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mesaides.registry import open_registry
from mesaides.registry.models import ApiToken, Partner
from mesaides.registry.notifications import notify
from mesaides.registry.testing import OPERATOR
from mesaides.web.auth import SESSION_COOKIE
from mesaides.web.dependencies import services_of

LYON = Path(__file__).resolve().parents[2] / "plugins" / "partner_lyon"
LYON_ID = "metropole_lyon"


def build_wheel(project: Path) -> Path:
    """Build ``project``'s wheel with its build backend (hatchling), as a partner's CI does."""
    pytest.importorskip("hatchling")
    done = subprocess.run(
        [sys.executable, "-c", "from hatchling.build import build_wheel; print(build_wheel('dist'))"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return project / "dist" / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def candidate(tmp_path_factory):
    """The Métropole de Lyon's distribution as a new version 1.2.0, and its expert cases."""
    project = tmp_path_factory.mktemp("candidate") / "partner_lyon"
    shutil.copytree(LYON, project, ignore=shutil.ignore_patterns("oracle", "__pycache__", "dist"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.1.0"', 'version = "1.2.0"'))
    return build_wheel(project), sorted((project / "tests" / "yaml").glob("*.yaml"))


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The application, two partners, a referent of each signed in (their session cookies)."""
    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('instance') / 'mesaides.sqlite3'}"
    registry = open_registry(url)
    now = registry.now
    with registry.database.transaction() as session:
        for pid, name in ((LYON_ID, "Métropole de Lyon"), ("caf", "Caisse d'allocations familiales")):
            session.add(
                Partner(id=pid, name=name, scope="territorial", referent_email="", first_seen=now, last_seen=now)
            )
    registry.create_first_administrator("admin@mesaides.test")
    admin = registry.actor_for_email("admin@mesaides.test", via="test")
    cookies = {}
    for pid in (LYON_ID, "caf"):
        email = f"referente@{pid}.test"
        registry.create_account(email, role="referent", partner=pid, by=admin)
        cookies[pid] = registry.open_session(registry.actor_for_email(email, via="web"))
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        yield client, registry, cookies
    registry.close()


def _page(client, cookie, partner, path=""):
    client.cookies.set(SESSION_COOKIE, cookie)
    try:
        return client.get(f"/espace/partenaire/{partner}/jetons{path}")
    finally:
        client.cookies.clear()


def _post(client, cookie, partner, path, data):
    """Post a form of the tokens page as a browser does, with the page's CSRF field."""
    client.cookies.set(SESSION_COOKIE, cookie)
    try:
        page = client.get(f"/espace/partenaire/{partner}/jetons")
        action = f"/espace/partenaire/{partner}/jetons{path}"
        form = re.search(
            rf'action="{re.escape(action)}">\s*<input type="hidden" name="csrf" value="([^"]+)"', page.text
        )
        assert form, page.text
        return client.post(action, data={"csrf": form.group(1), **data}, follow_redirects=False)
    finally:
        client.cookies.clear()


def _post_forged(client, cookie, partner, path):
    """Post to ``path`` with a valid CSRF field for it, though no page of this account shows that form."""
    action = f"/espace/partenaire/{partner}/jetons{path}"
    client.cookies.set(SESSION_COOKIE, cookie)
    try:
        field = services_of(client.app).form_tokens.issue(action)
        return client.post(action, data={"csrf": field}, follow_redirects=False)
    finally:
        client.cookies.clear()


def _create_token(client, cookie, partner, name):
    answer = _post(client, cookie, partner, "", {"nom": name})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return html.unescape(re.search(r'<code class="jeton" id="nouveau-jeton">([^<]+)</code>', answer.text).group(1))


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_referent_creates_a_token_shown_once_and_stored_as_a_digest(portal):
    client, registry, cookies = portal
    token = _create_token(client, cookies[LYON_ID], LYON_ID, "CI GitLab")
    assert token.startswith("mat_")
    listing = _page(client, cookies[LYON_ID], LYON_ID)
    assert listing.status_code == 200 and "CI GitLab" in listing.text
    assert token not in listing.text  # never shown again
    with registry.database.reading() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.name == "CI GitLab"))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.prefix, row.token_hash) and row.partner_id == LYON_ID

    # A name is required, and says so on the page.
    empty = _post(client, cookies[LYON_ID], LYON_ID, "", {"nom": "  "})
    assert empty.status_code == 422 and "Nom du jeton : indiquez où il servira" in empty.text


def test_only_the_partners_own_referents_see_its_tokens_page(portal):
    client, _, cookies = portal
    assert _page(client, cookies["caf"], LYON_ID).status_code == 403
    refused = client.get(f"/espace/partenaire/{LYON_ID}/jetons", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/connexion?suite=")
    assert client.post(f"/espace/partenaire/{LYON_ID}/jetons", data={"nom": "x"}).status_code == 403  # no CSRF


def test_a_token_acts_for_its_partner_only_and_not_once_revoked(portal):
    client, registry, cookies = portal
    lyon = _create_token(client, cookies[LYON_ID], LYON_ID, "CI Lyon")
    caf = _create_token(client, cookies["caf"], "caf", "CI CAF")
    assert client.get(f"/api/partenaires/{LYON_ID}/notifications", headers=_bearer(lyon)).status_code == 200

    other = client.get(f"/api/partenaires/{LYON_ID}/notifications", headers=_bearer(caf))
    assert other.status_code == 403 and "caf" in other.json()["detail"]
    assert client.get("/api/partenaires/inconnu/notifications", headers=_bearer(lyon)).status_code == 403
    for headers in ({}, _bearer("mat_unknown"), {"Authorization": f"Basic {lyon}"}):
        missing = client.get(f"/api/partenaires/{LYON_ID}/notifications", headers=headers)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"

    [row] = [t for t in registry.api_tokens(LYON_ID) if t.name == "CI Lyon"]
    assert row.last_used_at is not None
    # Another partner's referent cannot revoke it; its own can.
    assert _post_forged(client, cookies["caf"], "caf", f"/{row.id}/revoquer").status_code == 404
    assert _post_forged(client, cookies["caf"], LYON_ID, f"/{row.id}/revoquer").status_code == 403
    done = _post(client, cookies[LYON_ID], LYON_ID, f"/{row.id}/revoquer", {})
    assert done.status_code == 303
    assert "Le jeton « CI Lyon » est révoqué" in _page(client, cookies[LYON_ID], LYON_ID, "?revoque=CI+Lyon").text
    assert client.get(f"/api/partenaires/{LYON_ID}/notifications", headers=_bearer(lyon)).status_code == 401


def test_the_ci_lists_and_answers_its_notifications(portal):
    client, registry, cookies = portal
    token = _create_token(client, cookies[LYON_ID], LYON_ID, "CI notifications")
    with registry.database.transaction() as session:
        n = notify(
            session,
            registry.now,
            actor=OPERATOR.label,
            kind="aide_changed",
            rule="A8",
            subject="rsa",
            subject_kind="aide",
            title="Le RSA change",
            body="Le montant forfaitaire du RSA est revalorisé.",
            recipients={LYON_ID: ["revenu_solidaire_jeune"], "caf": []},
            requires_ack=True,
            notice="A7",
            notice_aides=["revenu_solidaire_jeune"],
        )
        notification = n.id
    url = f"/api/partenaires/{LYON_ID}/notifications"
    listed = client.get(url, params={"waiting": "true"}, headers=_bearer(token)).json()
    [mine] = [x for x in listed if x["id"] == notification]
    assert mine["rule"] == "A8" and mine["requires_answer"] and mine["notice"] == "A7"
    assert mine["mine"] == {"aides": ["revenu_solidaire_jeune"], "answer": None, "answered_at": None}

    answer_url = f"{url}/{notification}/reponse"
    bad = client.post(answer_url, json={"answer": "peut-être"}, headers=_bearer(token))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "answer"]
    assert client.post(f"{url}/999999/reponse", json={"answer": "updated"}, headers=_bearer(token)).status_code == 404

    done = client.post(answer_url, json={"answer": "no_interaction", "comment": "pas d'effet"}, headers=_bearer(token))
    assert done.status_code == 200
    assert done.json() == {"notification": notification, "answer": "no_interaction", "closed": False}  # the CAF has not
    again = client.post(answer_url, json={"answer": "updated"}, headers=_bearer(token))
    assert again.status_code == 409
    assert not [
        x for x in client.get(url, params={"waiting": "true"}, headers=_bearer(token)).json() if x["id"] == notification
    ]
    [ack] = [r for r in registry.notifications(partner=LYON_ID) if r["id"] == notification]
    assert ack["recipients"][LYON_ID]["answer"] == "no_interaction"
    assert any(
        e.action == "acknowledge" and "referente@metropole_lyon.test" in e.actor and "api:CI notifications" in e.actor
        for e in registry.audit_log(limit=20)
    )


def test_the_ci_checks_a_candidate_wheel(portal, candidate):
    client, _, cookies = portal
    wheel, cases = candidate
    token = _create_token(client, cookies[LYON_ID], LYON_ID, "CI check")
    url = f"/api/partenaires/{LYON_ID}/verifications"
    files = [("wheel", (wheel.name, wheel.read_bytes(), "application/zip"))]
    files += [("cases", (case.name, case.read_bytes(), "application/yaml")) for case in cases]
    checked = client.post(url, files=files, headers=_bearer(token))
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert (body["distribution"], body["version"], body["partner"]) == ("mesaides-partner-lyon", "1.2.0", LYON_ID)
    assert body["ok"] and body["errors"] == 0, body["findings"]

    # An expert case the candidate no longer passes: the release would break A5.
    broken = [f for f in files if f[0] == "wheel"]
    for case in cases:
        text = case.read_text(encoding="utf-8")
        if case.name == "revenu_solidaire_jeune.yaml":
            text = text.replace("revenu_solidaire_jeune: [420, 315, 0, 0]", "revenu_solidaire_jeune: [420, 300, 0, 0]")
            assert "[420, 300, 0, 0]" in text  # 315 € is the amount the law gives under 400 € of income
        broken.append(("cases", (case.name, text.encode(), "application/yaml")))
    failing = client.post(url, files=broken, headers=_bearer(token)).json()
    assert not failing["ok"]
    assert any(f["rule"] == "A5" and f["subject"] == "revenu_solidaire_jeune" for f in failing["findings"])

    # The CAF's token may not check the Métropole's distribution, even on its own URL.
    caf = _create_token(client, cookies["caf"], "caf", "CI CAF check")
    other = client.post("/api/partenaires/caf/verifications", files=files, headers=_bearer(caf))
    assert other.status_code == 403 and "metropole_lyon" in other.text


def test_a_bad_upload_is_refused_naming_the_field(portal):
    client, _, cookies = portal
    token = _create_token(client, cookies[LYON_ID], LYON_ID, "CI bad input")
    url = f"/api/partenaires/{LYON_ID}/verifications"
    missing = client.post(url, files={"cases": ("a.yaml", b"x")}, headers=_bearer(token))
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "wheel"]
    not_zip = client.post(url, files={"wheel": ("demo-1.0-py3-none-any.whl", b"nope")}, headers=_bearer(token))
    assert not_zip.status_code == 422
    assert not_zip.json()["detail"] == [
        {"loc": ["body", "wheel"], "msg": "the file is not a wheel (not a zip archive)", "type": "value_error"}
    ]
    named = client.post(url, files={"wheel": ("rapport.pdf", b"%PDF")}, headers=_bearer(token))
    assert named.status_code == 422 and named.json()["detail"][0]["loc"] == ["body", "wheel"]


def test_the_partner_api_is_in_the_openapi_document(portal):
    client, _, _ = portal
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    check = paths["/api/partenaires/{partner}/verifications"]["post"]
    assert check["tags"] == ["Partenaires"]
    assert check["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CandidateCheck")
    assert check["security"] == [{"HTTPBearer": []}]
    assert "get" in paths["/api/partenaires/{partner}/notifications"]
    answer = paths["/api/partenaires/{partner}/notifications/{notification_id}/reponse"]["post"]
    assert answer["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/AnswerOut")
    assert set(document["components"]["schemas"]["AnswerIn"]["properties"]["answer"]["enum"]) == {
        "no_interaction",
        "updated",
    }
    assert not any(p.startswith("/espace/") for p in paths)  # the portal's pages are not API


def test_a_worker_runs_few_candidate_checks_at_once():
    from fastapi import HTTPException

    from mesaides.web.routes.partner_api import CheckSlots

    slots = CheckSlots(1)
    first = slots()
    next(first)  # a check is running
    with pytest.raises(HTTPException) as busy:
        next(slots())
    assert busy.value.status_code == 503 and busy.value.headers == {"Retry-After": "60"}
    with pytest.raises(StopIteration):
        next(first)  # it ends: the slot is free again
    second = slots()
    next(second)
