"""Web hygiene on the real server (``mesaides serve``, several worker processes by default):
security headers everywhere, the body limit, bounded errors, private saved pages, forms only
from this site, statistics one client cannot inflate, the API documentation offline."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sys
import threading
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import form_token, lille_situation

ANSWERS = {
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
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


@pytest.fixture(scope="module")
def site(tmp_path_factory, start_server):
    """A server of its own (fresh statistics), with the default number of workers."""
    server = start_server(tmp_path_factory.mktemp("hygiene"))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield server, client


def saved_situation(client: httpx.Client) -> tuple[str, str]:
    """Answer the questionnaire, save it: the saved situation's address and its results page."""
    from test_pages import walk

    results = walk(client, ANSWERS)
    saved = client.post(
        "/enregistrer",
        data={"etat": _etat(results.text), "csrf": form_token(results.text, "/enregistrer")},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    assert saved.headers["cache-control"] == "no-store"
    return saved.headers["location"].split("?")[0], results.text


def _etat(page_html: str) -> str:
    import html

    form = re.search(r'<form[^>]*action="/enregistrer".*?</form>', page_html, re.S).group(0)
    return html.unescape(re.search(r'name="etat" value="([^"]*)"', form).group(1))


# ---- Headers ------------------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(site):
    _, client = site
    responses = {
        "page": client.get("/"),
        "json": client.get("/aides"),
        "static file": client.get("/static/style.css"),
        "404 json": client.get("/nulle-part"),
        "404 page": client.get("/nulle-part", headers={"Accept": "text/html"}),
        "api error": client.post("/calculate", content=b"{"),
        "openapi": client.get("/openapi.json"),
        "docs": client.get("/docs"),
        "redoc": client.get("/redoc"),
        "docs asset": client.get("/docs/assets/swagger-ui-bundle.js"),
    }
    assert responses["404 page"].status_code == 404 and "Page introuvable" in responses["404 page"].text
    for what, response in responses.items():
        missing = [h for h in SECURITY_HEADERS if h not in response.headers]
        assert not missing, f"{what} ({response.request.url}) lacks {missing}"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self';" in responses["page"].headers["content-security-policy"]


def test_even_an_unexpected_error_carries_the_security_headers(tmp_path):
    """The headers wrap the server-error handler too (an exception no route expected: 500)."""
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}"))

    def broken():
        raise RuntimeError("a bug")

    app.add_api_route("/en-panne", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/en-panne")
    assert response.status_code == 500
    assert not [h for h in SECURITY_HEADERS if h not in response.headers]


# ---- Limits -------------------------------------------------------------------------------------


def _big_situation(target_bytes: int) -> bytes:
    """A well-formed situation of about ``target_bytes``: the Lille household with as many
    extra persons (three years of wages each) as it takes."""
    situation = lille_situation(dt.date.today())
    padding = {f"{2024 + i // 12:04d}-{i % 12 + 1:02d}": 0.0 for i in range(36)}
    persons = 0
    while len(json.dumps(situation)) < target_bytes:
        persons += 1
        situation["individus"][f"personne_supplementaire_{persons}"] = {"salaire_net": dict(padding)}
    return json.dumps(situation).encode()


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(site):
    _, client = site
    body = _big_situation(1_100_000)
    response = client.post("/calculate", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "request body too large: the limit is 1 000 000 bytes"
    assert len(response.content) < 500
    assert "413" in client.get("/openapi.json").json()["paths"]["/calculate"]["post"]["responses"]

    # A chunked body announces no length: it is cut as soon as it passes the limit.
    def chunks():
        for start in range(0, len(body), 64_000):
            yield body[start : start + 64_000]

    response = client.post("/calculate", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "limit is 1 000 000 bytes" in response.json()["error"]

    # A form: the same refusal, as a page.
    page = client.post("/simulation", data={"etat": "x" * 1_100_000})
    assert page.status_code == 413 and "Envoi trop volumineux" in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_the_limit_is_a_setting(tmp_path):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    body = json.dumps(lille_situation(dt.date.today())).encode()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", max_body_bytes=len(body) - 1)
    with TestClient(create_app(settings)) as client:
        response = client.post("/calculate", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.json()["errors"] == [
            {"path": "", "message": f"request body too large: the limit is {len(body) - 1:,} bytes".replace(",", " ")}
        ]


def test_a_bad_limit_setting_is_named(tmp_path):
    from click.testing import CliRunner

    from mesaides.web.plugin import serve

    env = {"MESAIDES_INSTANCE": str(tmp_path), "MESAIDES_MAX_BODY_BYTES": "un mega"}
    done = CliRunner().invoke(serve, ["--port", "1"], env=env)
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)  # a message, not a traceback
    assert "MESAIDES_MAX_BODY_BYTES='un mega': expected a whole number of at least 1" in done.output


def test_errors_do_not_repeat_what_was_sent_at_length(site):
    _, client = site
    situation = lille_situation(dt.date.today())
    situation["individus"]["demandeur"]["v" * 300_000] = {"2026-01": 1}
    for i in range(2_000):
        situation["individus"]["demandeur"][f"inconnue_{i}"] = {"2026-01": 1}
    response = client.post("/calculate", json=situation)
    assert response.status_code in (400, 404)
    data = response.json()
    assert len(response.content) < 50_000, len(response.content)
    assert len(data["errors"]) == 51 and data["errors"][-1]["message"].endswith("more problems not shown")
    assert all(len(e["path"]) < 250 and len(e["message"]) < 250 for e in data["errors"])
    # One name of 300,000 characters: its path and message keep the first 200 and say the length.
    situation = lille_situation(dt.date.today())
    situation["individus"]["demandeur"]["v" * 300_000] = {"2026-01": 1}
    response = client.post("/calculate", json=situation)
    assert response.status_code in (400, 404) and len(response.content) < 2_000, len(response.content)
    assert response.json()["errors"][0]["path"].endswith("… (300,020 characters)")


# ---- Saved situations ---------------------------------------------------------------------------


def test_saved_pages_are_not_stored_by_caches(site):
    _, client = site
    address, _ = saved_situation(client)
    for path in (address, f"{address}/modifier", f"{address}/supprimer"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["referrer-policy"] == "same-origin"


def test_a_cross_site_delete_is_refused(site):
    server, client = site
    address, _ = saved_situation(client)
    other, _ = saved_situation(client)
    confirm = client.get(f"{address}/supprimer").text
    token = form_token(confirm, f"{address}/supprimer")
    attempts = {
        "another site's form": ({"csrf": token}, {"Origin": "https://attaquant.example"}),
        "a sandboxed page": ({"csrf": token}, {"Origin": "null"}),
        "a browser saying so": ({"csrf": token}, {"Sec-Fetch-Site": "cross-site"}),
        "no token": ({}, {"Origin": server.url}),
        "a forged token": ({"csrf": token[:-4] + "0000"}, {}),
        "another situation's token": (
            {"csrf": form_token(client.get(f"{other}/supprimer").text, f"{other}/supprimer")},
            {},
        ),
    }
    for what, (data, headers) in attempts.items():
        response = client.post(f"{address}/supprimer", data=data, headers=headers)
        assert response.status_code == 403, what
        assert "Demande refusée" in response.text, what
        assert client.get(address).status_code == 200, f"{what} deleted the situation"
    # From the confirmation page itself, as a browser sends it: deleted.
    headers = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    deleted = client.post(f"{address}/supprimer", data={"csrf": token}, headers=headers)
    assert deleted.status_code == 200 and deleted.headers["cache-control"] == "no-store"
    assert client.get(address).status_code == 404
    # Behind a proxy that rewrites Host, the public host it forwards is this server's too.
    proxied = client.post(
        "/simulation",
        data={
            "etape": "foyer",
            "etat": "{}",
            "action": "suivant",
            "csrf": form_token(client.get("/simulation").text, "/simulation"),
        },
        headers={"Origin": "https://mesaides.example", "X-Forwarded-Host": "mesaides.example"},
    )
    assert proxied.status_code in (200, 422)
    # Every form of the pages is checked, not only this one.
    assert (
        client.post(
            "/enregistrer", data={"etat": json.dumps(ANSWERS)}, headers={"Origin": "https://attaquant.example"}
        ).status_code
        == 403
    )
    assert client.post("/simulation", data={"etape": "foyer", "etat": "{}"}).status_code == 403


def test_tokens_issued_by_one_worker_are_accepted_by_the_others(site, tmp_path):
    """The secret is the instance's (in its database), not each process's: a token one
    application issued is accepted by another on the same database, not on another one."""
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.plugin import default_workers
    from mesaides.web.settings import Settings

    def form(csrf: str) -> dict[str, str]:
        return {
            "etape": "foyer",
            "etat": "{}",
            "action": "suivant",
            "csrf": csrf,
            "foyer.situation_familiale": "pacse",
            "foyer.nb_enfants": "0",
        }

    shared = Settings(database_url=f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    other = Settings(database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with (
        TestClient(create_app(shared)) as first,
        TestClient(create_app(shared)) as second,
        TestClient(create_app(other)) as elsewhere,
    ):
        token = form_token(first.get("/simulation").text, "/simulation")
        assert second.post("/simulation", data=form(token)).status_code == 200
        assert elsewhere.post("/simulation", data=form(token)).status_code == 403

    # The real server runs one worker per processor; new connections reach any of them.
    server, client = site
    assert f"({default_workers()} worker process" in server.log.read_text()
    token = form_token(client.get("/simulation").text, "/simulation")
    for _ in range(8):
        with httpx.Client(base_url=server.url, timeout=30) as fresh:
            page = fresh.post("/simulation", data=form(token))
            assert page.status_code == 200, page.text[:300]


def test_a_deleted_situation_is_gone_from_the_database_files(site):
    server, client = site
    address, _ = saved_situation(client)
    token = address.rsplit("/", 1)[1]
    database = server.instance / "mesaides.sqlite3"

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))

    assert token.encode() in files()
    confirm = client.get(f"{address}/supprimer").text
    client.post(f"{address}/supprimer", data={"csrf": form_token(confirm, f"{address}/supprimer")})
    assert client.get(address).status_code == 404
    assert token.encode() not in files()


# ---- Statistics ---------------------------------------------------------------------------------


def test_one_client_cannot_inflate_the_statistics(site):
    server, client = site
    from mesaides.web import db
    from mesaides.web.stats import CLICKS, VISITORS, Stats

    stats = Stats(db.connect(f"sqlite:///{server.instance / 'mesaides.sqlite3'}"))
    visitors = stats.total(VISITORS)
    clicks = stats.by_key(CLICKS).get("rsa", 0)
    for i in range(50):
        assert client.get("/", headers={"User-Agent": f"Navigateur/{i}"}).status_code == 200
        assert client.get("/aller/rsa", headers={"User-Agent": f"Navigateur/{i}"}).status_code == 303
    assert stats.total(VISITORS) - visitors <= 1
    assert stats.by_key(CLICKS).get("rsa", 0) - clicks <= 1
    assert stats.by_key(CLICKS).get("rsa", 0) == 1  # this server's first visitor counted once


# ---- Computation off the event loop ------------------------------------------------------------


def test_calculate_runs_outside_the_event_loop(engine):
    """The batcher computes in its own thread: the event loop goes on serving meanwhile."""
    from mesaides.web.batching import CalculationBatcher

    threads: list[int] = []

    class Recording:
        def calculate_many(self, situations):
            threads.append(threading.get_ident())
            return engine.calculate_many(situations)

    situation = lille_situation(dt.date.today())
    situation["familles"]["famille_1"]["af"] = {f"{dt.date.today():%Y-%m}": None}

    async def main():
        batcher = CalculationBatcher(Recording())
        try:
            result = await batcher.calculate(situation)
        finally:
            batcher.close()
        return threading.get_ident(), result

    # In a thread of its own: Playwright's sync API may hold this thread's event loop.
    outcome: list = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(main())))
    runner.start()
    runner.join(120)
    loop_thread, result = outcome[0]
    assert threads and loop_thread not in threads
    assert result["familles"]["famille_1"]["af"][f"{dt.date.today():%Y-%m}"] > 0


def test_pages_first_then_the_api(engine, monkeypatch):
    """While a page computes, the batcher starts no run (pages first), but never waits for
    pages longer than its bound (the API is not starved)."""
    from mesaides.web import batching

    calls: list[int] = []

    class Recording:
        def calculate_many(self, situations):
            calls.append(len(situations))
            return engine.calculate_many(situations)

    situation = lille_situation(dt.date.today())

    async def main(bound: float) -> list[int]:
        monkeypatch.setattr(batching, "MAX_DEFERRAL", bound)
        batcher = batching.CalculationBatcher(Recording())
        seen = []
        try:
            with batcher.page():
                task = asyncio.create_task(batcher.calculate(situation))
                for _ in range(20):
                    await asyncio.sleep(0.01)
                seen.append(len(calls))  # runs started while the page computed
            await task
            seen.append(len(calls))
        finally:
            batcher.close()
        return seen

    outcome: list = []
    for bound in (60.0, 0.0):
        runner = threading.Thread(target=lambda b=bound: outcome.append(asyncio.run(main(b))))
        runner.start()
        runner.join(120)
        calls.clear()
    assert outcome == [[0, 1], [1, 1]]


def test_serve_uses_every_processor_by_default():
    import os

    from click.testing import CliRunner

    from mesaides.web.plugin import default_workers, serve

    assert default_workers() == len(os.sched_getaffinity(0))
    assert "env var: MESAIDES_WORKERS; default: (one per processor)" in " ".join(
        CliRunner().invoke(serve, ["--help"]).output.split()
    )


# ---- API documentation without the internet ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/docs", ".opblock-summary-path >> text=/calculate"),
        ("/redoc", 'h2:has-text("Compute a situation (OpenFisca\'s /calculate)")'),
    ],
)
def test_api_docs_work_offline_in_a_browser(page, site, path, shown):
    """Every request off this server is cut: the page still renders the API, and the browser
    reports no error (no script or style refused by the Content-Security-Policy)."""
    server, _ = site
    outside: list[str] = []
    problems: list[str] = []

    def only_here(route):
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url + path)
    page.locator(shown).first.wait_for()
    assert not outside, outside
    # ReDoc's "API docs by Redocly" shows a logo from the editor's site: the policy blocks it,
    # as it should (no request leaves for another site). Nothing else may be refused.
    blocked_logo = re.compile(r"Loading the image 'https://cdn\.redoc\.ly/[^']*' violates .*img-src")
    assert not [p for p in problems if not blocked_logo.match(p)], problems
