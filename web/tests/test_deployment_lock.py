"""The web serves what the deployment lock says (``mesaides serve --deployment deployment.lock``):
only the aides it lists, with their status, instead of the registry's statuses; whether the
instance is a preview; and it refuses to start on a lock that does not match what is installed.

The locks are written by the real commands (``mesaides registry sync``, ``sign-off``,
``mesaides deployment check``) from the installed CAF and Nord packages.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import importlib_metadata
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import lille_situation

from mesaides.registry import open_registry
from mesaides.registry.testing import operator_account, referent
from mesaides.web.dependencies import services_of

NORD_AIDE, LYON_AIDE = "nord_activ_emploi_maximum", "revenu_solidaire_jeune"


def deployment(path: Path, preview: bool) -> Path:
    path.write_text(
        textwrap.dedent(f"""\
        [instance]
        preview = {"true" if preview else "false"}
        default = "disabled"

        [distributions]
        mesaides-partner-caf = ">=1.0,<2"
        mesaides-partner-nord = ">=1.0,<2"

        [aides]
        rsa = "public"
        {NORD_AIDE} = "preview"
        """),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    """An instance folder with a synced registry, ``rsa`` signed off, and two locks."""
    for dist in ("mesaides-partner-caf", "mesaides-partner-nord"):
        try:
            importlib_metadata.distribution(dist)
        except importlib_metadata.PackageNotFoundError:
            pytest.skip(f"{dist} is not installed")
    folder = tmp_path_factory.mktemp("locked")
    env = {**os.environ, "MESAIDES_INSTANCE": str(folder)}
    env.pop("MESAIDES_DATABASE_URL", None)
    database_url = f"sqlite:///{folder / 'mesaides.sqlite3'}"
    env.update(operator_account(database_url))

    def mesaides(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "mesaides.core.cli_main", *args],
            env=env,
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"

    mesaides("registry", "sync", "--no-measure")
    with open_registry(database_url) as registry:
        registry.sign_off("rsa", "reliability", by=referent("caf"))  # the partner's own act (A6a)
    mesaides("registry", "sign-off", "rsa", "quality")
    mesaides("deployment", "check", str(deployment(folder / "public.toml", preview=False)))
    mesaides("deployment", "check", str(deployment(folder / "preview.toml", preview=True)))
    return folder


def catalogue(aides: list[dict]) -> dict[str, dict]:
    return {a["name"]: a for a in aides}


def test_the_app_serves_the_aides_of_the_lock_with_their_status(instance):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    settings = Settings(database_url=f"sqlite:///{instance / 'mesaides.sqlite3'}", deployment=instance / "public.lock")
    app = create_app(settings)
    with TestClient(app) as client:
        aides = catalogue(client.get("/aides").json()["aides"])
        assert {a["status_source"] for a in aides.values()} == {"deployment"}
        assert aides["rsa"]["shown"] and aides["rsa"]["status"] == "published"
        # In preview in the lock, but this is a public instance.
        assert not aides[NORD_AIDE]["shown"] and aides[NORD_AIDE]["status"] == "preview"
        # Disabled (not named, default) and not in the deployment at all (Lyon).
        assert not aides["af"]["shown"] and aides["af"]["status"] == "disabled"
        if LYON_AIDE in aides:
            assert not aides[LYON_AIDE]["shown"] and aides[LYON_AIDE]["status"] == "disabled"
        assert [name for name, a in aides.items() if a["shown"]] == ["rsa"]
        assert services_of(app).settings.preview is False

        today = dt.date.today()
        month = f"{today.year}-{today.month:02d}"
        situation = lille_situation(today)
        situation["familles"]["famille_1"]["af"] = {month: None}
        refused = client.post("/calculate", json=situation)
        assert refused.status_code == 404
        assert "aide not public on this deployment" in refused.json()["familles"]["famille_1"]["af"]
        situation["familles"]["famille_1"].pop("af")
        situation["familles"]["famille_1"]["rsa"] = {month: None}
        assert client.post("/calculate", json=situation).status_code == 200
        assert "(déploiement)" in client.get("/stats").text


def test_the_server_serves_a_preview_lock(instance, start_server):
    server = start_server(instance, "--deployment", str(instance / "preview.lock"))
    aides = catalogue(httpx.get(server.url + "/aides", timeout=10).json()["aides"])
    assert sorted(n for n, a in aides.items() if a["shown"]) == sorted(["rsa", NORD_AIDE])
    assert aides[NORD_AIDE]["status"] == "preview"
    home = httpx.get(server.url + "/", timeout=10).text
    assert "Version de prévisualisation" in home  # the lock makes it a preview, without --preview


def test_the_server_refuses_a_lock_that_does_not_match_what_is_installed(instance, start_server, tmp_path):
    caf = importlib_metadata.version("mesaides-partner-caf")
    stale = tmp_path / "stale.lock"
    text = (instance / "public.lock").read_text(encoding="utf-8")
    marker = f'[distributions."mesaides-partner-caf"]\nversion = "{caf}"'
    assert marker in text
    stale.write_text(
        text.replace(marker, '[distributions."mesaides-partner-caf"]\nversion = "0.0.1"'), encoding="utf-8"
    )
    with pytest.raises(RuntimeError, match=f"mesaides-partner-caf 0.0.1 is locked but {caf} is installed"):
        start_server(tmp_path, "--deployment", str(stale))
    with pytest.raises(RuntimeError, match="is for a public instance"):
        start_server(tmp_path, "--deployment", str(instance / "public.lock"), "--preview")
