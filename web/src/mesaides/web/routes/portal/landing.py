"""``/espace``: each account lands in its own space (a partner's referent or expert in its
partner's, the operator's administrators and statistics viewers in the operator's)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from mesaides.web.auth import CurrentActor
from mesaides.web.routes.common import PAGES_TAG

router = APIRouter(include_in_schema=False, tags=[PAGES_TAG])


@router.get("/espace")
def landing(actor: CurrentActor) -> RedirectResponse:
    if actor.partner:
        return RedirectResponse(f"/espace/partenaire/{actor.partner}", status_code=303)
    return RedirectResponse("/espace/operateur", status_code=303)
