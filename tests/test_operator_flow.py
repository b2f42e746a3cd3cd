"""The operator's flow as the README gives it, end to end: the real command line on a real
SQLite instance folder, the repository's ``deployment.toml``, and a real ``mesaides serve
--deployment deployment.lock`` answering a single mother in Lille through the questionnaire.

An instance that starts using the registry records the aides it already showed as public
(``mesaides registry adopt``, A6); until then the check refuses to make them public, naming the
way out, and a server reading the registry's statuses says how many aides it withholds and why,
never that the household can get "aucune" aide.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import importlib_metadata
import pytest

from mesaides.web.deployment.file import load_deployment
from mesaides.web.deployment.lock import read_lock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "web" / "tests"))

from web_scenarios import birth, expected_amounts, fr, lille_situation  # noqa: E402

CLI = [sys.executable, "-m", "mesaides.core.cli_main"]
HOUSING_PARTS = ("apl", "alf", "als")
ADOPTION = "public on https://mesaides.example.org since 2025-03"


def lille_answers(today: dt.date) -> dict[str, str]:
    """The questionnaire's answers for ``web_scenarios.lille_situation``."""
    return {
        "foyer.situation_familiale": "celibataire",
        "foyer.nb_enfants": "2",
        "demandeur.date_naissance": fr(birth(today, 32)),
        "demandeur.activite": "actif",
        "demandeur.salaire_net": "900",
        # Asked, not assumed absent, of a parent (issue 15): she receives none.
        "demandeur.pensions_alimentaires_percues": "0",
        "enfant1.enfant_date_naissance": fr(birth(today, 1)),
        "enfant2.enfant_date_naissance": fr(birth(today, 4)),
        "menage.depcom": "Lille",
        "menage.statut_occupation_logement": "locataire_vide",
        "menage.loyer": "550",
    }


def walk(client: httpx.Client, answers: dict[str, str]) -> str:
    """Submit every step of the questionnaire with the answers it asks for; the results page."""
    page = client.get("/simulation")
    for _ in range(10):
        step = re.search(r'name="etape" value="([^"]+)"', page.text)
        if step is None:
            assert page.status_code == 200, page.text[:500]
            return page.text
        etat = html.unescape(re.search(r'name="etat" value="([^"]*)"', page.text).group(1))
        names = set(re.findall(r'name="((?:foyer|menage|demandeur|enfant\d+)\.[a-z_]+)"', page.text))
        csrf = html.unescape(re.search(r'name="csrf" value="([^"]*)"', page.text).group(1))
        data = {
            "etape": step.group(1),
            "etat": etat,
            "action": "suivant",
            "csrf": csrf,
            **{k: v for k, v in answers.items() if k in names},
        }
        page = client.post("/simulation", data=data, headers={"Origin": str(client.base_url).rstrip("/")})
        assert page.status_code == 200, page.text[:2000]
    raise AssertionError("the questionnaire never ended")


class Server:
    """``mesaides serve`` on a free port, as the operator starts it."""

    def __init__(self, env: dict[str, str], *args: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, self.process.stderr.read()
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)

    def stop(self) -> None:
        self.process.terminate()
        assert self.process.wait(30) == 0, self.process.stderr.read()


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    deployment = load_deployment(ROOT / "deployment.toml")
    for dist in deployment.distributions:
        try:
            importlib_metadata.distribution(dist)
        except importlib_metadata.PackageNotFoundError:
            pytest.skip(f"{dist} is not installed")
    folder = tmp_path_factory.mktemp("operator")
    env = {**os.environ, "MESAIDES_INSTANCE": str(folder), "MESAIDES_REFERENCE_HOUSEHOLDS": "200"}
    for name in ("MESAIDES_DATABASE_URL", "MESAIDES_NOW", "MESAIDES_DEPLOYMENT", "MESAIDES_PREVIEW"):
        env.pop(name, None)

    def mesaides(*args: str, status: int = 0) -> str:
        done = subprocess.run(
            [*CLI, *args], env=env, cwd=folder, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == status, f"{args}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        return done.stdout + done.stderr

    # The operator's shell creates the first administrator account; commands then act as it.
    created = mesaides("registry", "account", "create", "claire@operateur.example", "--role", "administrator")
    assert "account claire@operateur.example: administrator" in created
    mesaides("registry", "sync", "--as", "claire@operateur.example")
    env["MESAIDES_ACCOUNT"] = "claire@operateur.example"  # what the operator's shell profile sets
    return folder, env, mesaides


def installed_aides_shown() -> int:
    """The aides of every installed distribution as a page counts them: the housing aid once."""
    from mesaides.core import load_rules

    return len(load_rules().aides) - len(HOUSING_PARTS)


def test_the_readme_flow_serves_the_public_aides_of_an_instance_that_starts_using_the_registry(instance):
    from mesaides.core import load_rules

    folder, env, mesaides = instance
    every = installed_aides_shown()
    lock = folder / "deployment.lock"
    shipped = str(ROOT / "deployment.toml")

    # Before the operator records anything, the public instance is refused, aide by aide, with
    # the rule and the way out; no lock is written.
    refused = mesaides("deployment", "check", shipped, "--lock", str(lock), status=1)
    assert "error: [A6] rsa: A6(a): the partner has not signed off" in refused
    assert "`mesaides registry adopt rsa --reason" in refused
    assert not lock.exists()

    # A server reading the registry's statuses withholds every aide, and says so.
    server = Server(env)
    try:
        with server.client() as client:
            home = client.get("/").text
            assert f"Les {every} aides de ce simulateur ne sont pas évaluées ici pour le moment" in home
            page = walk(client, lille_answers(dt.date.today()))
    finally:
        server.stop()
    assert "aucune des aides" not in page
    assert "Ce simulateur ne peut pas encore vous indiquer vos droits" in page
    assert f'data-aides-retenues="{every}"' in page
    assert f"{every} ne sont pas encore validées pour le public" in page
    withheld = re.findall(r'data-aide-retenue="([a-z0-9_]+)"', page)
    assert "aide_logement" in withheld and not set(HOUSING_PARTS) & set(withheld) and len(withheld) == every

    # The operator records the aides the public already saw, then checks and serves.
    adopted = mesaides("registry", "adopt", "--all", "--reason", ADOPTION, "--as", "claire@operateur.example")
    assert "rsa: published (recorded as public before the registry)" in adopted
    audit = mesaides("registry", "audit", "--subject", "rsa")
    assert "claire@operateur.example (administrator, cli)" in audit and ADOPTION in audit
    checked = mesaides("deployment", "check", shipped, "--lock", str(lock))
    public = len(load_rules().aides)  # deployment.toml lists every partner distribution
    assert f"ok ({public} public, 0 preview, 0 disabled)" in checked
    served = read_lock(lock)
    assert not served.preview and set(served.shown().values()) == {"public"}

    today = dt.date.today()
    server = Server(env, "--deployment", str(lock))
    try:
        with server.client() as client:
            home = client.get("/").text
            page = walk(client, lille_answers(today))
    finally:
        server.stop()
    # The housing aid once, not four times.
    assert f"Évaluez vos droits à {every} aides en quelques minutes" in home and 'id="aides-retenues"' not in home
    assert "aucune des aides" not in page and "Aperçu" not in page and 'id="aides-retenues"' not in page

    from mesaides.core import Engine

    engine = Engine()
    deployed = set(load_deployment(ROOT / "deployment.toml").distributions)  # installed others are not shown
    expected = {
        n: v
        for n, v in expected_amounts(engine, lille_situation(today), today).items()
        if v > 0 and engine.rules.variable(n).owner in deployed
    }
    # An amount, or nothing for a right without one (a fare).
    shown = {n: v for n, v in re.findall(r'data-aide="([a-z0-9_]+)" data-montant="([0-9.]*)"', page)}
    paid_housing = [n for n in HOUSING_PARTS if n in expected]
    assert paid_housing and set(shown) == set(expected) - {"aide_logement"}
    for name, amount in shown.items():
        if amount:
            assert float(amount) == pytest.approx(expected[name], abs=0.01), name
        else:
            assert engine.rules.aides[name].value_type == "bool", name
    synthese = re.search(r'id="synthese">(.*?)</p>', page, re.S).group(1)
    assert f"<strong>{len(shown)} aides</strong>" in synthese


def test_withheld_aides_are_counted_by_reason_next_to_the_computed_ones(instance, tmp_path):
    """A public deployment lock that shows some aides and keeps one in preview, with another one
    suspended by the registry (A9): the page counts what is withheld and why."""
    _folder, env, mesaides = instance
    partial = tmp_path / "partial.toml"
    partial.write_text(
        (ROOT / "deployment.toml")
        .read_text(encoding="utf-8")
        .replace(
            "[aides]\n",
            '[aides]\nrsa = "preview"\naf = "public"\nasf = "public"\n',
            1,
        )
        .replace('default = "public"', 'default = "disabled"'),
        encoding="utf-8",
    )
    mesaides("registry", "adopt", "--all", "--reason", ADOPTION)
    mesaides("deployment", "check", str(partial))
    mesaides("registry", "notify-defect", "asf", "--description", "le montant ignore la pension alimentaire")
    later = (dt.datetime.now() + dt.timedelta(days=16)).isoformat(timespec="minutes")
    env = {**env, "MESAIDES_NOW": later}
    subprocess.run([*CLI, "registry", "overdue"], env=env, check=True, capture_output=True)

    server = Server(env, "--deployment", str(partial.with_suffix(".lock")))
    try:
        with server.client() as client:
            home = client.get("/").text
            page = walk(client, lille_answers(dt.date.today()))
    finally:
        server.stop()
    assert "Évaluez vos droits à 1 aide en quelques minutes" in home
    assert "2 autres aides ne sont pas évaluées ici pour le moment" in home
    assert 'data-aides-retenues="2"' in page
    assert (
        "1 n’est pas encore validée pour le public" in page
        and "1 est suspendue le temps de corriger une erreur de calcul" in page
    )
    assert sorted(re.findall(r'data-aide-retenue="([a-z0-9_]+)"', page)) == ["asf", "rsa"]
    assert "aucune des aides" not in page
