"""The operator's space, ``/espace/operateur``: what waits on the operator, and its decisions.

- what is overdue and what falls due within three days (every deadline of the convention);
- suggested aides to decide on, feasible or refused with the reason (A1, A2);
- versions waiting for the operator's quality sign-off (A6b);
- the catalogue of Parameters, deprecated with a replacement and a removal date (P3, P4);
- partners' questions to answer (O4), questions to a partner (Pa2);
- defects: notify one (A9), renew its correction period, resolve it, or remove the aide once
  suspended;
- amendments of the convention with their day of application (C1: at least 30 days ahead).

A statistics viewer sees the same space as counts only.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mesaides.registry.accounts import Actor, Role
from mesaides.registry.lifecycle import QUALITY
from mesaides.web.auth import CurrentActor, RegistryDep
from mesaides.web.dependencies import form_from_this_site, services_of
from mesaides.web.routes.common import PAGES_TAG
from mesaides.web.routes.portal.common import FormProblem, act, form_text, read, render, sent_fields

PATH = "/espace/operateur"
router = APIRouter(
    prefix=PATH,
    include_in_schema=False,
    tags=[PAGES_TAG],
    dependencies=[Depends(form_from_this_site)],
)

DONE_FR = {
    "decision": "La décision est enregistrée (A1).",
    "validation": "Votre validation de la qualité du code est enregistrée (A6b).",
    "publication": "L'aide est publiée (A6, G2).",
    "deprecation": "Le Parameter est déprécié ; les partenaires dont les aides le lisent sont prévenus (P4).",
    "reponse": "La réponse est enregistrée (O4).",
    "question": "La question est transmise au partenaire : il y répond sous deux semaines (Pa2).",
    "defaut": "Le défaut est signalé au partenaire : il a 15 jours pour le corriger (A9).",
    "prolongation": "Le délai de correction est prolongé de 15 jours (A9).",
    "resolution": "Le défaut est marqué comme corrigé.",
    "retrait": "L'aide est retirée ; les partenaires dont les aides en dépendent sont prévenus (A9, A10).",
    "avenant": "L'avenant est enregistré et chaque partenaire en est informé (C1).",
}
DECISIONS = {"faisable": "feasible", "refusee": "refused"}


async def _space_page(
    request: Request, registry: RegistryDep, actor: Actor, *, error: str = "", status_code: int = 200
) -> HTMLResponse:
    if actor.role == Role.STATISTICS:  # counts only, never a message's content
        figures = await read(registry.operator_figures, by=actor)
        return render(request, "espace/chiffres.html", titre="opérateur", chiffres=figures)
    space = await read(registry.operator_space, by=actor)
    amendments = await read(registry.amendments, by=actor)
    return render(
        request,
        "espace/operateur.html",
        status_code=status_code,
        sent=await sent_fields(request) if error else None,
        espace=space,
        avenants=amendments,
        acteur=actor,
        chemin=PATH,
        fait=DONE_FR.get(request.query_params.get("fait", "")),
        erreur=error,
    )


async def _act(request: Request, registry: RegistryDep, actor: Actor, action, what: str) -> Response:
    async def space_again(error: str) -> Response:
        return await _space_page(request, registry, actor, error=error, status_code=422)

    return await act(action, PATH, what, space_again)


def _date(form, name: str) -> dt.date | None:
    raw = form_text(form, name, limit=40)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FormProblem(f"{name} : « {raw} » n'est pas une date (attendu : AAAA-MM-JJ)") from None


def _required(form, name: str, what: str) -> str:
    text = form_text(form, name)
    if not text:
        raise FormProblem(f"{name} : {what}")
    return text


@router.get("", response_class=HTMLResponse)
async def space(request: Request, actor: CurrentActor, registry: RegistryDep) -> HTMLResponse:
    return await _space_page(request, registry, actor)


@router.post("/suggestions/{aide}/decision")
async def decide(request: Request, aide: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A1: feasible or refused, with the reason (A2: an aide not integrable cannot be feasible)."""
    form = await request.form()

    def decision() -> None:
        choice = form_text(form, "decision")
        if choice not in DECISIONS:
            raise FormProblem("decision : choisissez « faisable » ou « refusée »")
        reason = _required(form, "motif", "donnez le motif de la décision (A1)")
        registry.decide(aide, DECISIONS[choice], by=actor, reason=reason)

    return await _act(request, registry, actor, decision, "decision")


@router.post("/aides/{aide}/validation")
async def sign_off(request: Request, aide: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A6(b): the operator checked the code's quality and that it has no side effect."""
    form = await request.form()

    def quality() -> None:
        registry.sign_off(aide, QUALITY, by=actor, comment=form_text(form, "commentaire"))

    return await _act(request, registry, actor, quality, "validation")


@router.post("/aides/{aide}/publication")
async def publish(request: Request, aide: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A6, G2: publish a version both sign-offs cover, once the automatic checks pass on the
    rules this server runs."""
    rules = services_of(request.app).deployment.rules

    def publish_aide() -> None:
        registry.publish(aide, by=actor, rules=rules)

    return await _act(request, registry, actor, publish_aide, "publication")


@router.post("/parametres/{name}/deprecation")
async def deprecate(request: Request, name: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """P4: deprecate a Parameter, with a replacement and a removal date."""
    form = await request.form()

    def deprecate_parameter() -> None:
        reason = _required(form, "motif", "donnez le motif de la dépréciation")
        registry.deprecate_parameter(
            name,
            by=actor,
            reason=reason,
            replacement=form_text(form, "remplacement", limit=200) or None,
            removal_date=_date(form, "date_retrait"),
        )

    return await _act(request, registry, actor, deprecate_parameter, "deprecation")


@router.post("/questions/{question_id}/reponse")
async def answer(request: Request, question_id: int, actor: CurrentActor, registry: RegistryDep) -> Response:
    """O4: the operator answers a partner's question within two weeks."""
    form = await request.form()

    def answer_question() -> None:
        registry.answer(question_id, _required(form, "reponse", "écrivez la réponse"), by=actor)

    return await _act(request, registry, actor, answer_question, "reponse")


@router.post("/questions")
async def ask(request: Request, actor: CurrentActor, registry: RegistryDep) -> Response:
    """Pa2: a question to a partner's referent, who answers within two weeks."""
    form = await request.form()

    def ask_partner() -> None:
        partner = _required(form, "partenaire", "choisissez le partenaire")
        registry.ask(partner, _required(form, "question", "écrivez la question"), by=actor)

    return await _act(request, registry, actor, ask_partner, "question")


@router.post("/defauts")
async def notify_defect(request: Request, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A9: tell a partner of its aide's defect; it has 15 days to correct it."""
    form = await request.form()

    def notify() -> None:
        aide = _required(form, "aide", "choisissez l'aide")
        registry.notify_defect(aide, by=actor, description=_required(form, "description", "décrivez le défaut"))

    return await _act(request, registry, actor, notify, "defaut")


@router.post("/defauts/{defect_id}/prolongation")
async def renew_defect(request: Request, defect_id: int, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A9: renew the correction period (15 more days, 3 times at most)."""
    form = await request.form()

    def renew() -> None:
        registry.renew_defect(defect_id, by=actor, reason=form_text(form, "motif"))

    return await _act(request, registry, actor, renew, "prolongation")


@router.post("/defauts/{defect_id}/resolution")
async def resolve_defect(request: Request, defect_id: int, actor: CurrentActor, registry: RegistryDep) -> Response:
    form = await request.form()

    def resolve() -> None:
        registry.resolve_defect(defect_id, by=actor, reason=_required(form, "motif", "dites comment il a été corrigé"))

    return await _act(request, registry, actor, resolve, "resolution")


@router.post("/aides/{aide}/retrait")
async def remove_aide(request: Request, aide: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A9: remove an aide suspended after its correction period ran out (A10 applies)."""
    form = await request.form()

    def remove() -> None:
        registry.remove_aide(aide, by=actor, reason=_required(form, "motif", "donnez le motif du retrait"))

    return await _act(request, registry, actor, remove, "retrait")


@router.post("/avenants")
async def announce_amendment(request: Request, actor: CurrentActor, registry: RegistryDep) -> Response:
    """C1: an amendment of the convention, applying at least 30 days from today; every partner is told."""
    form = await request.form()

    def announce() -> None:
        applies_on = _date(form, "date_application")
        if applies_on is None:
            raise FormProblem("date_application : indiquez la date d'application de l'avenant")
        summary = _required(form, "resume", "dites ce que l'avenant change")
        registry.announce_amendment(summary, applies_on, by=actor)

    return await _act(request, registry, actor, announce, "avenant")
