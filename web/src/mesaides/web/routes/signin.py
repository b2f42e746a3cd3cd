"""Signing in by a link sent by email, and signing out (Administration+'s model).

- ``GET /connexion``: the form (an email address). ``POST /connexion`` always answers the same
  page, "if an account exists, a link was sent", whether or not one does, and sends the email
  after answering (so that the answer's timing does not tell either). Requests are limited per
  email and per network address (:mod:`mesaides.web.sign_in_limits`, HTTP 429).
- ``GET /connexion/lien/{token}`` only shows a confirmation button: mail scanners that open the
  links of incoming mail would otherwise use a single-use link before its owner.
  ``POST /connexion/lien/{token}`` redeems it (single use, 15 minutes, the account must still be
  active) and opens a session: an HttpOnly, SameSite=Lax cookie, Secure unless the settings say
  the site is served over plain local http.
- ``POST /deconnexion`` closes the session; ``/espace/compte`` shows who is signed in, the
  pages the account may open, and the button that signs out.

Every form carries the site's CSRF token (:mod:`mesaides.web.csrf`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mesaides.registry.accounts import Permission
from mesaides.registry.errors import RegistryError
from mesaides.registry.identity import LINK_LIFETIME, AccountError, normalise_email
from mesaides.web import auth
from mesaides.web.dependencies import form_from_this_site, services_of
from mesaides.web.routes.accounts import ROLES
from mesaides.web.routes.common import PAGES_TAG, render
from mesaides.web.sign_in_limits import SignInLimits
from mesaides.web.sign_in_mail import send_sign_in_email, sign_in_email

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, tags=[PAGES_TAG], dependencies=[Depends(form_from_this_site)])

LINK_MINUTES = int(LINK_LIFETIME.total_seconds()) // 60
"""How long a link is valid: the registry's identity service decides, the pages and the email say it."""
MAX_EMAIL_CHARS = 254
ACCOUNT_PAGE = "/espace/compte"
HOME = ACCOUNT_PAGE
"""Where signing in leads when no page was asked for."""
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""The link's page has a credential in its address: neither cached nor sent as a referrer."""


def _is_email(email: str) -> bool:
    """The registry's idea of an email address (:func:`~mesaides.registry.identity.normalise_email`),
    within the length an address can have."""
    try:
        normalise_email(email)
    except AccountError:
        return False
    return len(email) <= MAX_EMAIL_CHARS


def safe_next(path: str) -> str:
    """Where to go after signing in: a path of this site only (never ``//host`` or a URL)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path and len(path) < 500:
        return path
    return HOME


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _limits(request: Request) -> SignInLimits:
    """The limiter the application set up at start (its key is the instance's secret)."""
    return services_of(request.app).sign_in_limits


LimitsDep = Annotated[SignInLimits, Depends(_limits)]


def _link_base(request: Request) -> str:
    """The address the emailed link starts with: the configured public address, else the one this
    request was sent to (fine on a local instance; set ``MESAIDES_PUBLIC_URL`` in production, so
    that a forged ``Host`` header cannot make the email point elsewhere)."""
    configured = services_of(request.app).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


@router.get("/connexion", response_class=HTMLResponse)
def sign_in_form(request: Request, suite: str = "", deconnecte: str = "") -> HTMLResponse:
    return render(
        request,
        "espace/connexion.html",
        email="",
        suite=safe_next(suite) if suite else "",
        minutes=LINK_MINUTES,
        erreur="",
        message="Vous êtes déconnecté·e." if deconnecte else "",
        erreur_email="",
    )


@router.post("/connexion", response_class=HTMLResponse)
async def request_link(
    request: Request,
    background: BackgroundTasks,
    registry: auth.RegistryDep,
    limits: LimitsDep,
    email: Annotated[str, Form(max_length=2000)] = "",
    suite: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    email = email.strip().lower()
    if not _is_email(email):
        problem = (
            "Saisissez votre adresse électronique."
            if not email
            else "Cette adresse électronique n'est pas valide : elle doit avoir la forme prenom.nom@organisme.fr."
        )
        return render(
            request,
            "espace/connexion.html",
            status_code=422,
            email=email[:MAX_EMAIL_CHARS],
            suite=safe_next(suite) if suite else "",
            minutes=LINK_MINUTES,
            erreur="",
            erreur_email=problem,
        )
    refusal = await run_in_threadpool(limits.attempt, email, _address(request))
    if refusal is not None:
        response = render(request, "espace/trop_de_demandes.html", status_code=429, message=refusal.message)
        response.headers["Retry-After"] = str(int(refusal.retry_after.total_seconds()))
        return response
    token = await run_in_threadpool(registry.issue_sign_in_link, email, ip=_address(request))
    if token is not None:
        link = f"{_link_base(request)}/connexion/lien/{token}"
        if suite and safe_next(suite) != HOME:
            link += f"?suite={quote(safe_next(suite), safe='/')}"
        message = sign_in_email(email, link, LINK_MINUTES, registry.smtp.sender, dt.datetime.now(dt.UTC))
        background.add_task(send_sign_in_email, registry.smtp, message)
    return render(request, "espace/connexion_envoyee.html", email=email, minutes=LINK_MINUTES)


@router.get("/connexion/lien/{token}", response_class=HTMLResponse)
def confirm_link(request: Request, token: str, suite: str = "") -> HTMLResponse:
    """Only a button: opening the link does not use it (see the module's documentation)."""
    response = render(
        request,
        "espace/connexion_lien.html",
        action=f"/connexion/lien/{token}",
        suite=safe_next(suite) if suite else "",
    )
    response.headers.update(PRIVATE)
    return response


@router.post("/connexion/lien/{token}")
async def redeem_link(
    request: Request, token: str, registry: auth.RegistryDep, suite: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    try:
        _actor, session_token = await run_in_threadpool(registry.redeem_sign_in_link, token)
    except RegistryError as exc:
        refused = render(
            request, "espace/connexion_refusee.html", status_code=403, minutes=LINK_MINUTES, raison=str(exc)
        )
        refused.headers.update(PRIVATE)
        return refused
    previous = request.cookies.get(auth.SESSION_COOKIE)
    if previous:  # a session opened before in this browser is closed: one session per sign-in
        await run_in_threadpool(registry.close_session, previous)
    signed_in = RedirectResponse(safe_next(suite) if suite else HOME, status_code=303)
    auth.set_session_cookie(request, signed_in, session_token)
    return signed_in


@router.post("/deconnexion")
async def sign_out(request: Request, registry: auth.RegistryDep) -> Response:
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token:
        await run_in_threadpool(registry.close_session, token)
    response = RedirectResponse("/connexion?deconnecte=1", status_code=303)
    auth.clear_session_cookie(response)
    return response


@router.get(ACCOUNT_PAGE, response_class=HTMLResponse)
def my_account(request: Request, actor: auth.CurrentActor, registry: auth.RegistryDep) -> HTMLResponse:
    """Who is signed in, the pages this account may open, and signing out."""
    links = []
    if actor.partner and actor.may(Permission.READ_PARTNER, actor.partner):
        links.append({"url": f"/espace/partenaire/{actor.partner}", "texte": "L'espace de mon organisme"})
    if actor.may(Permission.READ_ALL):
        links.append({"url": "/espace/operateur", "texte": "Ce qui attend l'opérateur"})
    if actor.may(Permission.MANAGE_ACCOUNTS):
        links.append({"url": "/espace/comptes", "texte": "Les comptes de l'instance"})
    elif actor.partner and actor.may(Permission.MANAGE_PARTNER_ACCOUNTS, actor.partner):
        links.append({"url": f"/espace/comptes/partenaire/{actor.partner}", "texte": "Les comptes de mon organisme"})
    if actor.may(Permission.READ_ALL):
        links.append({"url": "/espace/journal", "texte": "Le journal des actions"})
    if actor.may(Permission.READ_STATISTICS):
        links.append({"url": "/stats", "texte": "Les statistiques d'utilisation"})
    partners = {p.id: p.name for p in registry.public_state().partners.values()}
    return render(
        request,
        "espace/espace.html",
        moi=actor,
        role=ROLES[actor.role],
        partenaire_nom=partners.get(actor.partner or "", actor.partner),
        liens=links,
    )
