"""The FastAPI application: the rule set is loaded once, when the application is created."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from mesaides.web import db
from mesaides.web.batching import CalculationBatcher
from mesaides.web.deployment import Deployment
from mesaides.web.results import euros
from mesaides.web.saved import SavedSituations
from mesaides.web.settings import Settings
from mesaides.web.stats import Stats

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PURGE_EVERY = 3600.0
"""Seconds between two purges of the saved situations past their retention period."""

DESCRIPTION = """
The mesaides simulator's JSON API.

* `POST /calculate` is compatible with OpenFisca's web API: send a situation with `null` where
  you want a value, get it back filled in.
* `POST /explain` explains one value: inputs, intermediate values, legislation, conditions, and why an
  aide is nil.
* `GET /aides`, `/parameters`, `/partners`: the catalogue of this deployment, with versions and
  provenance.
"""


def create_app(settings: Settings | None = None, deployment: Deployment | None = None) -> FastAPI:
    """Build the application. The rule set, the database and the registry view are set up here,
    once per process; requests only read them."""
    settings = settings or Settings.from_env()
    engine = db.connect(settings.database_url)
    db.upgrade(engine)
    deployment = deployment or Deployment(settings)
    settings = deployment.settings  # a deployment lock says whether this is a preview
    saved = SavedSituations(engine, settings.retention_days)
    stats = Stats(engine, today=settings.current_date)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The rules, the tables and the application live as long as the process: out of the
        # collector's sight, its full collections no longer walk them in the middle of requests.
        gc.freeze()
        task = asyncio.create_task(_purge_forever(saved))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="mesaides",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "Calcul", "description": "Computations, OpenFisca-compatible."},
            {"name": "Catalogue", "description": "What this deployment computes."},
        ],
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["euros"] = euros
    templates.env.globals["version"] = _version()
    app.state.settings = settings
    app.state.deployment = deployment
    app.state.batcher = CalculationBatcher(deployment.engine)
    app.state.saved = saved
    app.state.stats = stats
    app.state.templates = templates
    app.state.db = engine

    from mesaides.web import api, pages

    app.include_router(api.router)
    api.describe_requests(app, deployment)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and "text/html" in request.headers.get("accept", ""):
            return templates.TemplateResponse(
                request,
                "erreur.html",
                {"titre": "Page introuvable", "message": "Cette page n'existe pas.", "preview": settings.preview},
                status_code=404,
            )
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)

    return app


async def _purge_forever(saved: SavedSituations) -> None:
    while True:
        try:
            removed = await asyncio.to_thread(saved.purge)
            if removed:
                log.info("deleted %d saved situations past their retention period", removed)
        except Exception:
            log.exception("cannot purge the saved situations")
        await asyncio.sleep(PURGE_EVERY)


def _version() -> str:
    from mesaides.web import __version__

    return __version__
