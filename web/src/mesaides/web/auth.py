"""Who is asking: the signed-in account of a browser, or the partner token of a CI job.

Routes declare what they need as a dependency: ``actor: CurrentActor`` for a page of the partner
portal (a browser without a session is sent to ``/connexion``, a JSON client gets 401),
``actor: ApiActor`` for the partners' JSON API (``Authorization: Bearer mat_...``). What the actor
may then do is the registry's to say (:mod:`mesaides.registry.accounts`): a refusal raises
:class:`~mesaides.registry.accounts.AccessDenied`, answered 403 by :func:`install`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from mesaides.registry.accounts import AccessDenied, Actor
from mesaides.registry.identity import SESSION_LIFETIME
from mesaides.web.dependencies import RegistryDep as RegistryDep
from mesaides.web.dependencies import get_registry as get_registry
from mesaides.web.dependencies import services_of

SESSION_COOKIE = "mesaides_session"
SIGN_IN_PATH = "/connexion"


def current_actor(request: Request, registry: RegistryDep) -> Actor | None:
    """The account signed in on this browser, if any."""
    secret = request.cookies.get(SESSION_COOKIE)
    return registry.actor_for_session(secret) if secret else None


MaybeActor = Annotated[Actor | None, Depends(current_actor)]


class SignInRequired(Exception):
    """A page of the portal asked without a session: answered by a redirection to sign in."""

    def __init__(self, next_path: str):
        self.next_path = next_path


def require_actor(request: Request, actor: MaybeActor) -> Actor:
    if actor is None:
        raise SignInRequired(request.url.path)
    return actor


CurrentActor = Annotated[Actor, Depends(require_actor)]


def require_api_token(request: Request, registry: RegistryDep) -> Actor:
    """The referent a partner token acts for; 401 when the token is missing, unknown or revoked."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    actor = registry.actor_for_api_token(secret.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail="Authorization: a valid partner token is required (Bearer mat_...)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


ApiActor = Annotated[Actor, Depends(require_api_token)]


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (no cross-site form posts it), Secure whenever
    the site is served over HTTPS (directly or behind a proxy passing ``X-Forwarded-Proto``)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Answer a missing session by the sign-in page and a refusal by 403, in French for pages."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"{SIGN_IN_PATH}?suite={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(AccessDenied)
    async def _denied(request: Request, exc: AccessDenied) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        message = "Votre compte ne permet pas d'accéder à cette page ou de faire cette action. " + str(exc)
        return services_of(request.app).pages.error(request, 403, "Accès refusé", message)
