"""The FastAPI application: the rule set is loaded once, when the application is created.

The routes live in :mod:`mesaides.web.routes` (one router per concern, listed in
:data:`~mesaides.web.routes.ROUTERS`) and reach the services built here through
:mod:`mesaides.web.dependencies`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mesaides.registry import open_registry
from mesaides.web import __version__, auth, db, scheduler
from mesaides.web.batching import CalculationBatcher
from mesaides.web.csrf import FormTokens, instance_secret
from mesaides.web.dependencies import Services, attach, services_of
from mesaides.web.deployment.running import Deployment
from mesaides.web.errors import answer_http_error
from mesaides.web.middleware import BodyLimit, SecurityHeaders
from mesaides.web.registry_view import RegistryView
from mesaides.web.rendering import PageRenderer
from mesaides.web.routes import ROUTERS, calculate, docs
from mesaides.web.saved import SavedSituations
from mesaides.web.settings import Settings
from mesaides.web.sign_in_limits import SignInLimits
from mesaides.web.stats import Stats

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SWITCH_INTERVAL = 0.001
"""Seconds a computing thread keeps the interpreter's lock while another thread waits for it
(Python's default: 0.005). A page passes the lock back and forth several times (event loop,
thread pool, database); behind a running computation each pass waits up to this long. With
web/bench/load.py and the API saturated, 1 ms halved the home page's p99 against 5 ms."""
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
    database = db.open_database(settings.database_url)  # one engine: the registry's tables and ours
    engine = database.engine
    registry = open_registry(database=database)
    deployment = deployment or Deployment(settings, registry=RegistryView(opener=lambda url=None, clock=None: registry))
    settings = deployment.settings  # a deployment lock says whether this is a preview
    secret = instance_secret(engine)  # one read: the forms' tokens and the sign-in limits' keys
    form_tokens = FormTokens(secret)
    services = Services(
        settings=settings,
        deployment=deployment,
        batcher=CalculationBatcher(deployment.engine),
        saved=SavedSituations(engine, settings.retention_days),
        stats=Stats(engine, today=settings.current_date),
        pages=PageRenderer(preview=settings.preview, form_tokens=form_tokens, version=__version__),
        form_tokens=form_tokens,
        database=engine,
        registry=registry,
        sign_in_limits=SignInLimits(engine, secret),
    )
    app = _Application(
        title="mesaides",
        version=__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
        docs_url=None,  # served from the package, see mesaides.web.routes.docs
        redoc_url=None,
        openapi_tags=[
            {"name": "Calcul", "description": "Computations, OpenFisca-compatible."},
            {"name": "Catalogue", "description": "What this deployment computes."},
        ],
    )
    attach(app, services)
    auth.install(app)
    for router in ROUTERS:
        app.include_router(router)
    calculate.describe_requests(app, deployment)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.mount(docs.ASSETS_PATH, StaticFiles(directory=docs.assets_directory()), name="docs-assets")
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    # The decorator's form: Starlette's add_exception_handler is annotated for handlers of any
    # Exception, not of one class.
    app.exception_handler(StarletteHTTPException)(answer_http_error)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The rules, the tables and the application live as long as the process: out of the
    # collector's sight, its full collections no longer walk them in the middle of requests.
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)
    services = services_of(app)
    # deadlines, the outbox and retention purges (registry.tick), on schedule
    scheduled = scheduler.start(services.registry, rules=lambda: services.deployment.rules)
    try:
        yield
    finally:
        services.batcher.close()
        scheduler.shutdown(scheduled)
        services.registry.close()


class _Application(FastAPI):
    """FastAPI, with the security headers outside everything, even the server-error handler
    that answers an unexpected exception's 500 (which ``add_middleware`` would put outside)."""

    def build_middleware_stack(self):
        return SecurityHeaders(super().build_middleware_stack())
