"""The accounts pages: the accounts that may sign in, created and deactivated by administrators or
by a partner's referents (never by self-registration), and the audit log that shows which account
did what.

- ``/espace/comptes``: an administrator's page, every account of the instance.
- ``/espace/comptes/partenaire/{partner}``: one partner's referents and experts, managed by the
  partner's own referents (and the administrators). A referent of another partner, an expert or a
  statistics viewer gets a 403 page saying so.
- ``/espace/journal``: the audit log, for administrators.

Who may do what is the registry's to say (:mod:`mesaides.registry.accounts`); these pages ask it
before showing anything, and the registry asks again when an account is created or deactivated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mesaides.registry.accounts import Actor, Permission, Role
from mesaides.registry.errors import RegistryError
from mesaides.registry.identity import normalise_email
from mesaides.web import auth
from mesaides.web.dependencies import form_from_this_site, services_of
from mesaides.web.routes.common import PAGES_TAG, render

router = APIRouter(include_in_schema=False, tags=[PAGES_TAG], dependencies=[Depends(form_from_this_site)])

ROLES: dict[Role, str] = {
    Role.ADMINISTRATOR: "Administrateur·rice de l'instance",
    Role.REFERENT: "Référent·e du partenaire",
    Role.EXPERT: "Expert·e (cas de test)",
    Role.STATISTICS: "Lecteur·rice des statistiques",
}
"""Each role's name on the pages."""
PARTNER_ROLES = (Role.REFERENT, Role.EXPERT)
"""What a partner's referent may create for its own partner."""
ALL_ACCOUNTS = "/espace/comptes"
JOURNAL_LIMIT = 200


def partner_accounts_path(partner: str) -> str:
    return f"/espace/comptes/partenaire/{partner}"


def refused(request: Request, actor: Actor, message: str) -> HTMLResponse:
    """The 403 page: what the account may not see, in French."""
    return render(request, "espace/acces_refuse.html", status_code=403, message=message, compte=actor.email)


def _partners(request: Request) -> dict[str, str]:
    state = services_of(request.app).registry.public_state()
    return {p.id: p.name for p in state.partners.values()}


def _page(
    request: Request,
    actor: Actor,
    partner: str | None,
    *,
    status_code: int = 200,
    message: str = "",
    erreur: str = "",
    saisie: dict[str, str] | None = None,
) -> HTMLResponse:
    registry = services_of(request.app).registry
    partners = _partners(request)
    return render(
        request,
        "espace/comptes.html",
        status_code=status_code,
        comptes=registry.accounts(partner=partner),
        partenaire=partner,
        partenaire_nom=partners.get(partner or "", partner),
        partenaires=[{"id": k, "name": v} for k, v in sorted(partners.items(), key=lambda kv: kv[1])],
        roles=ROLES,
        roles_possibles=list(PARTNER_ROLES) if partner else list(ROLES),
        action=partner_accounts_path(partner) if partner else ALL_ACCOUNTS,
        moi=actor.label,
        moi_email=actor.email,
        message=message,
        erreur=erreur,
        saisie=saisie or {"email": "", "name": "", "role": str(Role.REFERENT), "partner": ""},
    )


def _may_manage(actor: Actor, partner: str) -> bool:
    return actor.may(Permission.MANAGE_ACCOUNTS) or actor.may(Permission.MANAGE_PARTNER_ACCOUNTS, partner)


def _not_for_you(request: Request, actor: Actor, partner: str | None) -> HTMLResponse:
    if partner is None:
        return refused(request, actor, "Seuls les administrateurs de l'instance gèrent l'ensemble des comptes.")
    return refused(
        request,
        actor,
        f"Votre compte n'a pas accès aux comptes du partenaire « {partner} » : seuls ses référents "
        "et les administrateurs de l'instance les gèrent.",
    )


# ---- pages ---------------------------------------------------------------------------------------


@router.get("/espace/comptes", response_class=HTMLResponse)
def all_accounts(request: Request, actor: auth.CurrentActor) -> Response:
    if actor.may(Permission.MANAGE_ACCOUNTS):
        return _page(request, actor, None)
    if actor.partner and actor.may(Permission.MANAGE_PARTNER_ACCOUNTS, actor.partner):
        return RedirectResponse(partner_accounts_path(actor.partner), status_code=303)
    return _not_for_you(request, actor, None)


@router.get("/espace/comptes/partenaire/{partner}", response_class=HTMLResponse)
def partner_accounts(request: Request, partner: str, actor: auth.CurrentActor) -> HTMLResponse:
    if not _may_manage(actor, partner):
        return _not_for_you(request, actor, partner)
    if partner not in _partners(request):
        return render(
            request,
            "erreur.html",
            status_code=404,
            titre="Partenaire inconnu",
            message=f"Aucun partenaire « {partner} » dans le registre.",
        )
    return _page(request, actor, partner)


# ---- creating and deactivating -------------------------------------------------------------------


def _creation_problem(
    request: Request, email: str, name: str, role: str, partner: str | None, allowed: tuple[Role, ...]
) -> str | None:
    """What is wrong with the creation form, in French, naming the field; None when nothing."""
    try:
        email = normalise_email(email)
    except ValueError:
        return "Adresse électronique : saisissez une adresse valide, de la forme prenom.nom@organisme.fr."
    if not name.strip():
        return "Nom et prénom : saisissez le nom de la personne."
    if role not in {str(r) for r in allowed}:
        return f"Rôle : choisissez parmi {', '.join(ROLES[r] for r in allowed)}."
    if Role(role).bound_to_partner and not partner:
        return f"Partenaire : un compte « {ROLES[Role(role)]} » est rattaché à un partenaire ; choisissez-le."
    if not Role(role).bound_to_partner and partner:
        return (
            f"Partenaire : un compte « {ROLES[Role(role)]} » n'est rattaché à aucun partenaire ; choisissez « aucun »."
        )
    if partner and partner not in _partners(request):
        return f"Partenaire : aucun partenaire « {partner} » dans le registre."
    if any(a.email == email for a in services_of(request.app).registry.accounts()):
        return f"Adresse électronique : un compte existe déjà pour {email}."
    return None


async def _create(
    request: Request, actor: Actor, partner_page: str | None, email: str, name: str, role: str, partner: str | None
) -> Response:
    allowed = PARTNER_ROLES if partner_page else tuple(ROLES)
    saisie = {"email": email, "name": name, "role": role, "partner": partner or ""}
    problem = await run_in_threadpool(_creation_problem, request, email, name, role, partner, allowed)
    if problem:
        return _page(request, actor, partner_page, status_code=422, erreur=problem, saisie=saisie)
    registry = services_of(request.app).registry
    try:
        view = await run_in_threadpool(
            registry.create_account, email, name=name.strip(), role=role, partner=partner, by=actor
        )
    except RegistryError as exc:
        return _page(request, actor, partner_page, status_code=422, erreur=str(exc), saisie=saisie)
    return _page(request, actor, partner_page, message=f"Compte créé pour {view.email} ({ROLES[view.role]}).")


async def _deactivate(request: Request, actor: Actor, partner_page: str | None, email: str) -> Response:
    registry = services_of(request.app).registry
    email = email.strip().lower()
    account = next((a for a in registry.accounts(partner=partner_page) if a.email == email), None)
    if account is None:
        return _page(request, actor, partner_page, status_code=422, erreur=f"Aucun compte {email} sur cette page.")
    if account.email == actor.email:
        return _page(
            request, actor, partner_page, status_code=422, erreur="Vous ne pouvez pas désactiver votre propre compte."
        )
    try:
        await run_in_threadpool(registry.deactivate_account, email, by=actor)
    except RegistryError as exc:
        return _page(request, actor, partner_page, status_code=422, erreur=str(exc))
    return _page(
        request,
        actor,
        partner_page,
        message=f"Compte {email} désactivé : ses sessions et ses liens ne fonctionnent plus.",
    )


@router.post("/espace/comptes", response_class=HTMLResponse)
async def create_any_account(
    request: Request,
    actor: auth.CurrentActor,
    email: Annotated[str, Form(max_length=300)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    partner: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not actor.may(Permission.MANAGE_ACCOUNTS):
        return _not_for_you(request, actor, None)
    return await _create(request, actor, None, email, name, role, partner or None)


@router.post("/espace/comptes/desactiver", response_class=HTMLResponse)
async def deactivate_any_account(
    request: Request, actor: auth.CurrentActor, email: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    if not actor.may(Permission.MANAGE_ACCOUNTS):
        return _not_for_you(request, actor, None)
    return await _deactivate(request, actor, None, email)


@router.post("/espace/comptes/partenaire/{partner}", response_class=HTMLResponse)
async def create_partner_account(
    request: Request,
    partner: str,
    actor: auth.CurrentActor,
    email: Annotated[str, Form(max_length=300)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    if not _may_manage(actor, partner):
        return _not_for_you(request, actor, partner)
    return await _create(request, actor, partner, email, name, role, partner)


@router.post("/espace/comptes/partenaire/{partner}/desactiver", response_class=HTMLResponse)
async def deactivate_partner_account(
    request: Request, partner: str, actor: auth.CurrentActor, email: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    if not _may_manage(actor, partner):
        return _not_for_you(request, actor, partner)
    return await _deactivate(request, actor, partner, email)


# ---- the audit log -------------------------------------------------------------------------------


@router.get("/espace/journal", response_class=HTMLResponse)
def journal(request: Request, actor: auth.CurrentActor, objet: str = "") -> HTMLResponse:
    """Who did what, when and why: each event names the account (and how it acted: web, api, cli,
    scheduler)."""
    if not actor.may(Permission.READ_ALL):
        return refused(request, actor, "Seuls les administrateurs de l'instance consultent le journal des actions.")
    events = services_of(request.app).registry.audit_log(limit=JOURNAL_LIMIT, subject=objet.strip() or None)
    return render(request, "espace/journal.html", evenements=events, objet=objet.strip(), limite=JOURNAL_LIMIT)
