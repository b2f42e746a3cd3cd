"""How the application answers an HTTP error: a page, in French, on the pages (and off the
application's routes for a client asking for HTML); this application's own refusals (CSRF, body
limit) in the API's error shape elsewhere; FastAPI's answer otherwise."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from mesaides.web.dependencies import services_of
from mesaides.web.routes.common import PAGES_TAG

ERROR_ECHO_CHARS = 200
"""An error repeats at most this much of what the client sent."""
REFUSALS = (403, 413)
"""This application's own refusals (CSRF, body limit): in the API's error shape off the pages."""
PAGE_ERRORS = {
    403: (
        "Demande refusée",
        "Cette demande ne provient pas d'une page de ce site, ou la page était trop ancienne : "
        "elle a été refusée. Revenez à la page précédente, rechargez-la et réessayez.",
    ),
    404: ("Page introuvable", "Cette page n'existe pas."),
    413: (
        "Envoi trop volumineux",
        "Les données envoyées dépassent la taille acceptée par ce simulateur : elles n'ont pas été traitées.",
    ),
}


async def answer_http_error(request: Request, exc: HTTPException) -> Response:
    """A page for the pages' errors, the API's error shape for this application's refusals,
    FastAPI's answer otherwise."""
    if wants_page(request) and exc.status_code in PAGE_ERRORS:
        titre, message = PAGE_ERRORS[exc.status_code]
        return services_of(request.app).pages.error(request, exc.status_code, titre, message)
    if exc.status_code in REFUSALS:
        message = str(exc.detail)[:ERROR_ECHO_CHARS]
        return JSONResponse(
            {"error": message, "errors": [{"path": "", "message": message}]}, status_code=exc.status_code
        )
    return await http_exception_handler(request, exc)


def wants_page(request: Request) -> bool:
    """Whether an error is answered with a page: on the pages' routes, or, off the application's
    routes (a 404, a static file), when the client asks for HTML."""
    tags = getattr(request.scope.get("route"), "tags", None)
    if tags is not None:
        return PAGES_TAG in tags
    return "text/html" in request.headers.get("accept", "")
