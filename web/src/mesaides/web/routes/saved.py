"""Saved situations' pages: save, see the results again, resume, delete (the token is the only
credential; every page of a saved situation is kept out of caches)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mesaides.web.dependencies import SavedDep, Services, ServicesDep
from mesaides.web.results import month_label
from mesaides.web.routes.common import COUNTED, PRIVATE, answers_from, page_router, private
from mesaides.web.routes.views import results_page, step_page

router = page_router()


@router.post("/enregistrer")
async def save(request: Request, saved: SavedDep) -> Response:
    form = await request.form()
    answers = answers_from(str(form.get("etat", "")))
    if not answers:
        return RedirectResponse("/simulation", status_code=303)
    token = saved.save(answers, str(form.get("jeton", "")) or None)
    return RedirectResponse(f"/s/{token}?enregistree=1", status_code=303, headers=PRIVATE)


def _expired(request: Request, services: Services) -> Response:
    retention = services.settings.retention_days
    return private(
        services.pages.error(
            request,
            404,
            "Simulation introuvable",
            f"Cette simulation n'existe pas ou plus : elle a été supprimée, ou sa durée de conservation "
            f"({retention} jours) est dépassée.",
        )
    )


@router.get("/s/{token}", response_class=HTMLResponse, dependencies=COUNTED)
def saved_results(request: Request, token: str, services: ServicesDep) -> Response:
    found = services.saved.load(token)
    if found is None:
        return _expired(request, services)
    answers, expires = found
    saved = {
        "url": str(request.url_for("saved_results", token=token)),
        "expires": f"{expires.day} {month_label(expires.date())}",
        "just_saved": request.query_params.get("enregistree") == "1",
        "token": token,
    }
    return private(results_page(request, services, answers, token, saved=saved))


@router.get("/s/{token}/modifier", response_class=HTMLResponse, dependencies=COUNTED)
def resume(request: Request, token: str, services: ServicesDep) -> Response:
    found = services.saved.load(token)
    if found is None:
        return _expired(request, services)
    return private(step_page(request, services, "", found[0], token))


@router.get("/s/{token}/supprimer", response_class=HTMLResponse)
def confirm_delete(request: Request, token: str, services: ServicesDep) -> Response:
    if services.saved.load(token) is None:
        return _expired(request, services)
    return private(services.pages.render(request, "supprimer.html", token=token))


@router.post("/s/{token}/supprimer", response_class=HTMLResponse)
def delete(request: Request, token: str, services: ServicesDep) -> Response:
    services.saved.delete(token)
    return private(services.pages.render(request, "supprimee.html"))
