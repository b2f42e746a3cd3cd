"""From the results to an aide: ``/aller/{aide}`` counts a click to its application service, then
goes there (O8); ``/logos/{institution}.png`` serves the granting institutions' logos."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from mesaides.web.dependencies import DeploymentDep, PagesDep, StatsDep, client_address
from mesaides.web.routes.common import page_router

log = logging.getLogger(__name__)
router = page_router()


@router.get("/aller/{aide}")
def go_apply(request: Request, aide: str, deployment: DeploymentDep, stats: StatsDep, pages: PagesDep) -> Response:
    """Count a click to an aide's application service, then go there (O8)."""
    entry = next((e for e in deployment.shown_aides() if e.name == aide), None)
    if entry is None:
        return pages.error(request, 404, "Aide inconnue", "Cette aide n'est pas proposée par ce simulateur.")
    try:
        stats.click(aide, client_address(request))
    except Exception:
        log.exception("cannot count the click")
    return RedirectResponse(str(entry.aide.info.best_channel.url), status_code=303)


@router.get("/logos/{institution}.png")
def logo(institution: str, deployment: DeploymentDep) -> Response:
    path = deployment.logo(institution)
    if path is None:
        return Response(status_code=404)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})
