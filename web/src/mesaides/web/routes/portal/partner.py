"""A partner's space, ``/espace/partenaire/{partner}``: what is addressed to it and what it does
under the convention, without the command line.

- notifications (A3, A8, A10, G3, P3, A9, Pa2, C1) with the aide, the change and the measured
  impact; the A7 answer, "aucune interaction" or "nous mettrons à jour" (the registry lifts the
  public notice once the last partner concerned has answered);
- its aides, their statuses and the reliability sign-off that lets them be published (A6a);
- defects notified to it, with the days left of the correction period (A9);
- its questions to the operator and their answers (O4), the operator's questions with its own
  two weeks to answer (Pa2);
- withdrawing an aide it no longer grants (A9, A10);
- expert test cases for its aides (A5, G4), for its experts.

Every route takes the signed-in account; the registry's facade authorizes each action for the
partner of the address, so that nobody acts for a partner they are not bound to.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mesaides.registry.accounts import Actor, Role
from mesaides.registry.lifecycle import RELIABILITY
from mesaides.web.auth import CurrentActor, RegistryDep
from mesaides.web.dependencies import form_from_this_site
from mesaides.web.routes.common import PAGES_TAG
from mesaides.web.routes.portal.common import FormProblem, act, form_text, read, render, sent_fields

router = APIRouter(
    prefix="/espace/partenaire/{partner}",
    include_in_schema=False,
    tags=[PAGES_TAG],
    dependencies=[Depends(form_from_this_site)],
)

DONE_FR = {
    "reponse": "Votre réponse est enregistrée.",
    "validation": "Votre validation de la fiabilité du calcul est enregistrée (A6a).",
    "retrait": "L'aide est retirée ; les partenaires dont les aides en dépendent sont prévenus (A9, A10).",
    "question": "Votre question est transmise à l'opérateur : il y répond sous deux semaines (O4).",
    "reponse-question": "Votre réponse à l'opérateur est enregistrée.",
    "cas": "Les cas de test sont enregistrés (A5).",
}
ANSWERS = {"aucune-interaction": False, "mise-a-jour": True}
"""The A7 answers of the form: whether the partner will update its aides."""


def _path(partner: str) -> str:
    return f"/espace/partenaire/{partner}"


async def _space_page(
    request: Request, registry: RegistryDep, actor: Actor, partner: str, *, error: str = "", status_code: int = 200
) -> HTMLResponse:
    if actor.role == Role.STATISTICS:  # counts only, never a message's content
        figures = await read(registry.partner_figures, partner, by=actor)
        return render(request, "espace/chiffres.html", titre=f"partenaire {partner}", chiffres=figures)
    space = await read(registry.partner_space, partner, by=actor)
    return render(
        request,
        "espace/partenaire.html",
        status_code=status_code,
        sent=await sent_fields(request) if error else None,
        espace=space,
        acteur=actor,
        expert=actor.role == Role.EXPERT,
        chemin=_path(partner),
        fait=DONE_FR.get(request.query_params.get("fait", "")),
        erreur=error,
    )


async def _act(request: Request, registry: RegistryDep, actor: Actor, partner: str, action, what: str) -> Response:
    async def space_again(error: str) -> Response:
        return await _space_page(request, registry, actor, partner, error=error, status_code=422)

    return await act(action, _path(partner), what, space_again)


@router.get("", response_class=HTMLResponse)
async def space(request: Request, partner: str, actor: CurrentActor, registry: RegistryDep) -> HTMLResponse:
    return await _space_page(request, registry, actor, partner)


@router.post("/notifications/{notification_id}/reponse")
async def answer_notification(
    request: Request, partner: str, notification_id: int, actor: CurrentActor, registry: RegistryDep
) -> Response:
    """A7: "aucune interaction" or "nous mettrons à jour"."""
    form = await request.form()
    choice = form_text(form, "reponse")

    def acknowledge() -> None:
        if choice not in ANSWERS:
            raise FormProblem("reponse : choisissez « aucune interaction » ou « nous mettrons à jour »")
        registry.acknowledge(
            notification_id, partner, by=actor, updated=ANSWERS[choice], comment=form_text(form, "commentaire")
        )

    return await _act(request, registry, actor, partner, acknowledge, "reponse")


@router.post("/aides/{aide}/validation")
async def sign_off(request: Request, partner: str, aide: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A6(a): the partner deems the calculation of the aide's current version reliable."""
    form = await request.form()

    def reliability() -> None:
        registry.sign_off(aide, RELIABILITY, by=actor, comment=form_text(form, "commentaire"))

    return await _act(request, registry, actor, partner, reliability, "validation")


@router.post("/aides/{aide}/retrait")
async def withdraw(request: Request, partner: str, aide: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """A9: the partner removes an aide it no longer grants (A10: the partners whose aides
    depend on it are told, and those carry the A7 notice)."""
    form = await request.form()

    def remove() -> None:
        reason = form_text(form, "motif")
        if not reason:
            raise FormProblem("motif : dites pourquoi l'aide n'est plus versée")
        registry.remove_aide(aide, by=actor, reason=reason, partner_request=True)

    return await _act(request, registry, actor, partner, remove, "retrait")


@router.post("/questions")
async def ask_operator(request: Request, partner: str, actor: CurrentActor, registry: RegistryDep) -> Response:
    """O4: a question to the operator, who answers within two weeks."""
    form = await request.form()
    text = form_text(form, "question")

    def ask() -> None:
        if not text:
            raise FormProblem("question : écrivez votre question")
        registry.ask(partner, text, by=actor, to_operator=True)

    return await _act(request, registry, actor, partner, ask, "question")


@router.post("/questions/{question_id}/reponse")
async def answer_operator(
    request: Request, partner: str, question_id: int, actor: CurrentActor, registry: RegistryDep
) -> Response:
    """Pa2: the partner's referent answers the operator's question within two weeks."""
    form = await request.form()
    text = form_text(form, "reponse")

    def answer() -> None:
        if not text:
            raise FormProblem("reponse : écrivez votre réponse")
        registry.answer(question_id, text, by=actor)

    return await _act(request, registry, actor, partner, answer, "reponse-question")


@router.post("/aides/{aide}/cas")
async def add_expert_cases(
    request: Request, partner: str, aide: str, actor: CurrentActor, registry: RegistryDep
) -> Response:
    """A5, G4: an expert of the partner registers test cases (OpenFisca's YAML) for its aide."""
    form = await request.form()
    text = form_text(form, "cas", limit=200_000)

    def add() -> None:
        if not text:
            raise FormProblem("cas : collez un ou plusieurs cas de test au format YAML d'OpenFisca")
        registry.add_expert_case(aide, text, by=actor)

    return await _act(request, registry, actor, partner, add, "cas")
