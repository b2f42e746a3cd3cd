"""The questionnaire's pages: ``/simulation``, one step after another, then the results."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from mesaides.web.dependencies import ServicesDep
from mesaides.web.questionnaire import merge_form
from mesaides.web.routes.common import COUNTED, answers_from, page_router
from mesaides.web.routes.views import results_page, step_page

router = page_router()


@router.get("/simulation", response_class=HTMLResponse, dependencies=COUNTED)
def start(request: Request, services: ServicesDep) -> HTMLResponse:
    return step_page(request, services, "", {})


@router.post("/simulation", response_class=HTMLResponse)
async def submit(request: Request, services: ServicesDep) -> Response:
    deployment = services.deployment
    questionnaire = deployment.questionnaire()
    today = deployment.today()
    form = await request.form()
    answers = answers_from(str(form.get("etat", "")))
    token = str(form.get("jeton", ""))
    action = str(form.get("action", "suivant"))
    step_id = str(form.get("etape", ""))
    steps = [st.id for st in questionnaire.steps(answers, today)]
    if step_id in steps:
        shown = questionnaire.fields(step_id, answers, today)
        answers = merge_form(answers, {k: str(v) for k, v in form.items()}, shown)
    if action.startswith("aller:"):
        return step_page(request, services, action.split(":", 1)[1], answers, token)
    steps = [st.id for st in questionnaire.steps(answers, today)]
    if step_id not in steps:
        return step_page(request, services, steps[0], answers, token)
    if action == "precedent":
        previous = steps[max(steps.index(step_id) - 1, 0)]
        return step_page(request, services, previous, answers, token)
    checked = questionnaire.validate(step_id, answers, today)
    if any(f.error for f in checked):
        return step_page(request, services, step_id, answers, token, fields=checked, status_code=422)
    position = steps.index(step_id)
    if position + 1 < len(steps):
        return step_page(request, services, steps[position + 1], answers, token)
    # The computation takes tens of milliseconds: off the event loop, which keeps serving.
    return await run_in_threadpool(results_page, request, services, answers, token, count=True)
