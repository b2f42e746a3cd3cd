"""What the portal's two spaces share: the registry as a dependency, the route class that answers
a refusal with the French 403 page, rendering, and the French names of rules and statuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from mesaides.registry import Registry, RegistryError, open_registry
from mesaides.registry.accounts import AccessDenied

RULES_FR = {
    "A3": "A3 — ajout d'une aide",
    "A7": "A7 — interactions à confirmer",
    "A8": "A8 — mise à jour d'une aide",
    "A9": "A9 — défaut à corriger",
    "A10": "A10 — retrait ou suspension d'une aide",
    "G3": "G3 — nouvelle aide territoriale",
    "P3": "P3 — nouveau Parameter",
    "P4": "P4 — Parameter déprécié ou retiré",
    "Pa2": "Pa2 — question de l'opérateur",
    "O4": "O4 — question à l'opérateur",
    "C1": "C1 — avenant à la convention",
}
STATUS_FR = {
    "suggested": "proposée",
    "feasible": "jugée faisable",
    "refused": "refusée",
    "development": "en développement",
    "preview": "en aperçu",
    "published": "publiée",
    "suspended": "suspendue",
    "removed": "retirée",
    "active": "active",
    "deprecated": "dépréciée",
    "open": "ouvert",
    "resolved": "résolu",
    "expired": "délai expiré",
}
ANSWERS_FR = {"no_interaction": "aucune interaction", "updated": "nous mettrons à jour"}
PRIVATE = {"Cache-Control": "no-store"}


def portal_registry(request: Request) -> Registry:
    """The registry of this application's database, opened on first use and kept with the app."""
    state = request.app.state
    registry = getattr(state, "portal_registry", None)
    if registry is None:
        registry = state.portal_registry = open_registry(state.settings.database_url)
    return registry


PortalRegistry = Annotated[Registry, Depends(portal_registry)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    state = request.app.state
    context.setdefault("preview", state.settings.preview)
    context.update(regles=RULES_FR, statuts=STATUS_FR, reponses=ANSWERS_FR, jour=day, date_heure=day_and_time)
    # O7: what partners share in confidence stays out of shared caches and the browser's history
    return state.templates.TemplateResponse(request, template, context, status_code=status_code, headers=PRIVATE)


def done(path: str, what: str) -> RedirectResponse:
    """After an action: back to the space, which says what was done (``fait``: a fixed key)."""
    return RedirectResponse(f"{path}?fait={what}", status_code=303)


def day(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def day_and_time(value: dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y à %H:%M") if value else ""


def refused_page(request: Request, reason: str) -> HTMLResponse:
    return render(request, "espace/refus.html", status_code=403, raison=reason)


class PortalRoute(APIRoute):
    """A portal route: a refusal of the registry's ``authorize`` (an account acting beyond its
    role or for a partner it is not bound to) is answered with the French 403 page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except AccessDenied as exc:
                return refused_page(request, str(exc))

        return handle


def form_text(form: Any, name: str, limit: int = 10_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


class FormProblem(RegistryError):
    """A form field the portal refuses before asking the registry: names the field."""
