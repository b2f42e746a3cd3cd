"""The web application keeps a well-kept FastAPI shape while it grows: services reached through
dependencies (only :mod:`mesaides.web.dependencies` reads the application's state), routes in
routers by concern (every route of the application comes from :data:`mesaides.web.routes.ROUTERS`),
response models for the catalogue, and no optional import of a dependency the package requires."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

SOURCES = Path(__file__).parents[1] / "src" / "mesaides" / "web"


def _modules():
    return sorted(p for p in SOURCES.rglob("*.py") if "migrations" not in p.parts)


def test_only_the_dependencies_read_the_application_state():
    for path in _modules():
        if path.name == "dependencies.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"app\.state\b", text), path.relative_to(SOURCES)
    for path in SOURCES.joinpath("templates").glob("*.html"):
        assert "app.state" not in path.read_text(encoding="utf-8"), path.name


def test_no_optional_import_of_a_required_dependency():
    # settings.py reads the registry's database-URL rule: its guard goes with the settings object
    # the web and the registry will share (issue 17's database part).
    for path in _modules():
        if path.name == "settings.py":
            continue
        assert "except ImportError" not in path.read_text(encoding="utf-8"), path.relative_to(SOURCES)


@pytest.fixture(scope="module")
def app(tmp_path_factory, engine):
    from mesaides.web.app import create_app
    from mesaides.web.deployment.running import Deployment
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("shape")
    settings = Settings(database_url=f"sqlite:///{folder / 'db.sqlite3'}")
    return create_app(settings, Deployment(settings, engine=engine))


def test_every_route_comes_from_a_router_of_the_list():
    from mesaides.web.routes import ROUTERS

    def flat(routes):
        """Routes, with those of the routers a router includes (a space of several pages)."""
        for route in routes:
            included = getattr(route, "original_router", None)
            yield from flat(included.routes) if included is not None else (route,)

    routes = [route for router in ROUTERS for route in flat(router.routes)]
    assert all(isinstance(r, APIRoute) and r.endpoint.__module__.startswith("mesaides.web.routes.") for r in routes)
    paths = {(m, r.path) for r in routes for m in r.methods}
    assert {
        ("POST", "/calculate"),
        ("GET", "/aides"),
        ("GET", "/"),
        ("POST", "/simulation"),
        ("GET", "/stats"),
    } <= paths
    # The application declares no route of its own: it includes the routers of the list.
    app_source = (SOURCES / "app.py").read_text(encoding="utf-8")
    assert not re.search(r"@app\.(get|post|put|delete|patch|api_route)\b", app_source)
    assert app_source.count("include_router(") == 1


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/aides", {"$ref": "#/components/schemas/AidesCatalogue"}),
        ("/partners", {"$ref": "#/components/schemas/PartnersCatalogue"}),
        ("/communes", {"type": "array", "items": {"$ref": "#/components/schemas/Commune"}}),
    ],
)
def test_the_catalogue_answers_are_described_by_response_models(app, path, schema):
    document = app.openapi()
    answered = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {k: v for k, v in answered.items() if k != "title"} == schema
    parameters = document["paths"]["/parameters"]["get"]["responses"]["200"]["content"]["application/json"]
    assert parameters["schema"]["additionalProperties"] == {"$ref": "#/components/schemas/CatalogueParameter"}
    error = document["paths"]["/calculate"]["post"]["responses"]["400"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/ApiError"}
