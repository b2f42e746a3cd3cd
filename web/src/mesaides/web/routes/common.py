"""What the HTML pages' routers share.

Every page works without JavaScript: the questionnaire is a sequence of forms posted to
``/simulation``; the answers typed so far travel in a hidden field (``etat``) until the person
saves them, so that nothing is stored about a person who does not ask for it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mesaides.core.values import has_surrogate
from mesaides.web.dependencies import count_visit, form_from_this_site, services_of

PAGES_TAG = "pages"
"""The tag of the pages' routes: their errors are answered with a page (see the application)."""
COUNTED = (Depends(count_visit),)
"""The dependencies of a page that opens a visit (counted once a day per visitor, O8)."""
MAX_STATE_BYTES = 64_000
PRIVATE = {"Cache-Control": "no-store"}
"""The pages of a saved situation: its token is in the address, its answers on the page."""


def page_router() -> APIRouter:
    """A router of HTML pages: out of the OpenAPI document, errors answered with a page, and every
    form posted to it must come from this site's pages (CSRF)."""
    return APIRouter(include_in_schema=False, tags=[PAGES_TAG], dependencies=[Depends(form_from_this_site)])


def answers_from(raw: str) -> dict[str, str]:
    """The questionnaire's answers carried by a form's ``etat`` field (a flat JSON object); empty
    when it is missing, too large or forged."""
    if not raw or len(raw) > MAX_STATE_BYTES:
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):  # the state is a flat object: deep nesting is forged
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): str(v)
        for k, v in data.items()
        if isinstance(v, (str, int, float)) and len(str(k)) < 100 and not has_surrogate(f"{k}{v}")
    }


def private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page rendered by the application's renderer, for helpers that build pages outside a
    route's signature (a route itself takes ``pages: PagesDep``)."""
    return services_of(request.app).pages.render(request, template, status_code, **context)
