"""Expert test cases (A5, O6), written on a preview deployment only: the expert's amounts typed on
the results page become an OpenFisca YAML case and the text of a pull request
(:mod:`mesaides.web.expert_cases`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mesaides.web.dependencies import Services, ServicesDep
from mesaides.web.expert_cases import ExpertCase, build_case, case_yaml, pull_request_text
from mesaides.web.routes.common import answers_from, page_router

router = page_router()


async def _expert_case(request: Request, services: Services):
    """The case the expert's form describes, or a page to show instead (404 off preview, or
    back to the questionnaire when the answers are incomplete)."""
    if not services.settings.preview:
        return None, services.pages.error(
            request, 404, "Page introuvable", "Les cas de test s'écrivent sur une instance de prévisualisation."
        )
    form = {str(k): str(v) for k, v in (await request.form()).items()}
    answers = answers_from(form.get("etat", ""))
    deployment = services.deployment
    today = deployment.today()
    questionnaire = deployment.questionnaire()
    if not answers or questionnaire.first_incomplete(answers, today) is not None:
        return None, RedirectResponse("/simulation", status_code=303)
    situation = questionnaire.situation(answers, today)
    case = await run_in_threadpool(build_case, deployment, situation, today, form)
    return (case, form), None


def _case_page(request: Request, services: Services, case: ExpertCase, form: dict[str, str]) -> HTMLResponse:
    today = services.deployment.today()
    row_errors = [f"{a.label}, {r.who} : {r.error}" for a in case.aides for r in a.rows if r.error]
    context: dict[str, Any] = {"case": case, "form": form, "etat": form.get("etat", ""), "case_row_errors": row_errors}
    if case.ok:
        text = case_yaml(case, today, request.url.hostname or "")
        context.update(yaml_text=text, pr_text=pull_request_text(case, text))
    return services.pages.render(request, "cas_de_test.html", status_code=200 if case.ok else 422, **context)


@router.post("/cas-de-test", response_class=HTMLResponse)
async def expert_case(request: Request, services: ServicesDep) -> Response:
    found, other = await _expert_case(request, services)
    if other is not None:
        return other
    return _case_page(request, services, *found)


@router.post("/cas-de-test/telecharger")
async def expert_case_download(request: Request, services: ServicesDep) -> Response:
    found, other = await _expert_case(request, services)
    if other is not None:
        return other
    case, form = found
    if not case.ok:
        return _case_page(request, services, case, form)
    text = case_yaml(case, services.deployment.today(), request.url.hostname or "")
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{case.file_name}"'},
    )
