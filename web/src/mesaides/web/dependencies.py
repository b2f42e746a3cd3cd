"""The application's services, reached by the routes through FastAPI's dependencies.

:func:`mesaides.web.app.create_app` builds one :class:`Services` per application; this module is
the only one that reads it from the application's state. A route declares what it needs by type::

    @router.get("/")
    def home(request: Request, deployment: DeploymentDep, pages: PagesDep) -> HTMLResponse: ...

and a test replaces a service with ``app.dependency_overrides[get_deployment] = ...``. A new
service is a field of :class:`Services`, built in ``create_app``, with its ``get_x`` and its
``XDep`` alias here; a new part of the site is a router (HTML pages:
:func:`mesaides.web.routes.common.page_router`, which checks every form's origin and token) listed
in :data:`mesaides.web.routes.ROUTERS`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.engine import Engine

from mesaides.registry import Registry
from mesaides.web.batching import CalculationBatcher
from mesaides.web.csrf import FIELD, SAFE_METHODS, CrossSiteRequest, FormTokens, check_origin
from mesaides.web.deployment.running import Deployment
from mesaides.web.rendering import PageRenderer
from mesaides.web.saved import SavedSituations
from mesaides.web.settings import Settings
from mesaides.web.sign_in_limits import SignInLimits
from mesaides.web.stats import Stats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """What the routes use, built once per application (and process) by ``create_app``."""

    settings: Settings
    deployment: Deployment
    batcher: CalculationBatcher
    saved: SavedSituations
    stats: Stats
    pages: PageRenderer
    form_tokens: FormTokens
    database: Engine
    registry: Registry
    """The registry, opened once per process (accounts, sessions, the partner portal's acts)."""
    sign_in_limits: SignInLimits
    """How many sign-in links may be asked for, per email and per address (in the database)."""


def attach(app: FastAPI, services: Services) -> None:
    """Give ``app`` its services (``create_app`` does, once)."""
    app.state.services = services


def services_of(app: FastAPI) -> Services:
    """The services of ``app`` (for its lifespan and for tests)."""
    return app.state.services


def get_services(request: Request) -> Services:
    return services_of(request.app)


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_deployment(services: ServicesDep) -> Deployment:
    return services.deployment


def get_batcher(services: ServicesDep) -> CalculationBatcher:
    return services.batcher


def get_saved(services: ServicesDep) -> SavedSituations:
    return services.saved


def get_stats(services: ServicesDep) -> Stats:
    return services.stats


def get_pages(services: ServicesDep) -> PageRenderer:
    return services.pages


def get_form_tokens(services: ServicesDep) -> FormTokens:
    return services.form_tokens


def get_registry(services: ServicesDep) -> Registry:
    return services.registry


def get_sign_in_limits(services: ServicesDep) -> SignInLimits:
    return services.sign_in_limits


SettingsDep = Annotated[Settings, Depends(get_settings)]
DeploymentDep = Annotated[Deployment, Depends(get_deployment)]
BatcherDep = Annotated[CalculationBatcher, Depends(get_batcher)]
SavedDep = Annotated[SavedSituations, Depends(get_saved)]
StatsDep = Annotated[Stats, Depends(get_stats)]
PagesDep = Annotated[PageRenderer, Depends(get_pages)]
FormTokensDep = Annotated[FormTokens, Depends(get_form_tokens)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
SignInLimitsDep = Annotated[SignInLimits, Depends(get_sign_in_limits)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def count_visit(request: Request, stats: StatsDep) -> None:
    """Count a unique visitor (a daily salted hash; nothing personal is kept, no cookie): a
    dependency of the pages a visit opens."""
    try:
        stats.visit(client_address(request))
    except Exception:  # statistics must never break a page
        log.exception("cannot record the visit")


async def form_from_this_site(request: Request, tokens: FormTokensDep) -> None:
    """Every form POST of the pages comes from this instance's pages (see :mod:`mesaides.web.csrf`);
    a dependency of the pages' routers. Safe methods pass."""
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    form = await request.form()  # parsed once: the route reads the same, cached
    token = form.get(FIELD)
    if not isinstance(token, str) or not tokens.valid(token, request.url.path):
        raise CrossSiteRequest("the form's security token is missing, expired or not for this form: refused")
