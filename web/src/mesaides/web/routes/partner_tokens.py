"""The partner portal's API tokens page, ``/espace/partenaire/{partner}/jetons``: a referent of
the partner lists its CI's tokens, creates one (the secret shown once, on the answer to the
form, never again: only its SHA-256 is stored) and revokes one. Anyone else gets 403.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mesaides.registry.accounts import Actor, Permission, authorize
from mesaides.registry.identity import AccountError
from mesaides.web.auth import CurrentActor, RegistryDep
from mesaides.web.dependencies import form_from_this_site, services_of
from mesaides.web.routes.common import PAGES_TAG

NAME_MAX = 100
NO_STORE = {"Cache-Control": "no-store"}
"""The page lists the tokens and, once, a new token's secret: kept in no cache."""

router = APIRouter(
    prefix="/espace/partenaire/{partner}/jetons",
    include_in_schema=False,
    tags=[PAGES_TAG],
    dependencies=[Depends(form_from_this_site)],  # every form comes from this site's pages (CSRF)
)


def token_manager(partner: str, actor: CurrentActor) -> Actor:
    """The signed-in referent of ``partner``; anyone else is refused (403)."""
    authorize(actor, Permission.MANAGE_TOKENS, partner)
    return actor


Manager = Annotated[Actor, Depends(token_manager)]


def _page(
    request: Request, registry: RegistryDep, partner: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return services_of(request.app).pages.templates.TemplateResponse(
        request,
        "jetons.html",
        {"partenaire": partner, "jetons": registry.api_tokens(partner), "preview": False, **context},
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("", response_class=HTMLResponse)
def tokens_page(
    request: Request, partner: str, actor: Manager, registry: RegistryDep, revoque: str = ""
) -> HTMLResponse:
    message = f"Le jeton « {revoque} » est révoqué : il ne donne plus accès à l'API." if revoque else ""
    return _page(request, registry, partner, message=message)


@router.post("", response_class=HTMLResponse)
def create_token(
    request: Request,
    partner: str,
    actor: Manager,
    registry: RegistryDep,
    nom: Annotated[str, Form()] = "",
) -> HTMLResponse:
    name = nom.strip()
    if not name or len(name) > NAME_MAX:
        erreur = (
            "Nom du jeton : indiquez où il servira (par exemple « CI GitLab »)."
            if not name
            else f"Nom du jeton : {NAME_MAX} caractères au plus."
        )
        return _page(request, registry, partner, status_code=422, erreur=erreur, nom=nom[:NAME_MAX])
    try:
        secret = registry.create_api_token(partner, name, by=actor)
    except AccountError as exc:
        return _page(request, registry, partner, status_code=422, erreur=f"Nom du jeton : {exc}", nom=name)
    return _page(request, registry, partner, nouveau_jeton=secret, nouveau_nom=name)


@router.post("/{token_id}/revoquer")
def revoke_token(partner: str, token_id: int, actor: Manager, registry: RegistryDep) -> RedirectResponse:
    tokens = {t.id: t for t in registry.api_tokens(partner)}
    if token_id not in tokens:  # another partner's token is not this page's to revoke
        raise HTTPException(404, f"pas de jeton n° {token_id} pour le partenaire {partner}")
    registry.revoke_api_token(token_id, by=actor)
    return RedirectResponse(
        f"/espace/partenaire/{partner}/jetons?{urlencode({'revoque': tokens[token_id].name})}",
        status_code=303,
        headers=NO_STORE,
    )
