"""What the portal's spaces share: rendering, the French names of rules and statuses, running
an action. A refusal of the registry's ``authorize`` (:class:`AccessDenied`) is answered with the
French 403 page by the application's handler (:func:`mesaides.web.auth.install`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mesaides.registry import RegistryError
from mesaides.registry.accounts import AccessDenied
from mesaides.web.dependencies import services_of
from mesaides.web.registry_view import STATUS_FR

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
ANSWERS_FR = {"no_interaction": "aucune interaction", "updated": "nous mettrons à jour"}
PRIVATE = {"Cache-Control": "no-store"}


def render(
    request: Request, template: str, status_code: int = 200, sent: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    """A page of the portal; ``sent``: the fields of a refused form (posted to this request's
    path), which the form shows again so that nothing typed is lost."""
    services = services_of(request.app)
    context.setdefault("preview", services.settings.preview)
    typed, posted_to = sent or {}, request.url.path

    def repris(action: str, name: str) -> str:
        return typed.get(name, "") if action == posted_to else ""

    context["repris"] = repris
    context.update(
        regles=RULES_FR, statuts=STATUS_FR, reponses=ANSWERS_FR, jour=day, date_heure=day_and_time, signe=signed_euros
    )
    # O7: what partners share in confidence stays out of shared caches and the browser's history
    return services.pages.templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=PRIVATE
    )


def done(path: str, what: str) -> RedirectResponse:
    """After an action: back to the space, which says what was done (``fait``: a fixed key)."""
    return RedirectResponse(f"{path}?fait={what}", status_code=303)


def day(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def signed_euros(amount: float) -> str:
    """A change in euros, the French way: ``+150,00\u00a0€``."""
    return f"{amount:+.2f}".replace(".", ",") + "\u00a0€"


def day_and_time(value: dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y à %H:%M") if value else ""


def form_text(form: Any, name: str, limit: int = 10_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


class FormProblem(RegistryError):
    """A form field the portal refuses before asking the registry: names the field."""


async def act(
    action: Callable[[], None], back: str, what: str, space_again: Callable[[str], Awaitable[Response]]
) -> Response:
    """Run ``action`` (the facade's, in a thread); then back to the space, saying what was done,
    or the space again (422) with the refusal, which names the field or the rule. A refusal of
    ``authorize`` is not the form's problem: it goes on to the 403 page."""
    try:
        await run_in_threadpool(action)
    except AccessDenied:
        raise
    except RegistryError as exc:
        return await space_again(str(exc))
    return done(back, what)


async def read(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one of the facade's reads in a thread; what it does not know (an unknown partner) is
    a 404 page. A refusal of ``authorize`` goes on to the 403 page."""
    try:
        return await run_in_threadpool(method, *args, **kwargs)
    except AccessDenied:
        raise
    except RegistryError:
        raise HTTPException(404) from None


async def sent_fields(request: Request) -> dict[str, str]:
    """The text fields of the form posted (the CSRF token aside), to show them again."""
    if request.method != "POST":
        return {}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
