"""The two pages the questionnaire's routes and the saved situations' routes show: a step of the
questionnaire, and the results of complete answers."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from mesaides.core import ComputationError, SituationError
from mesaides.web.dependencies import Services
from mesaides.web.expert_cases import expert_aides
from mesaides.web.offer import offer
from mesaides.web.results import compute

log = logging.getLogger(__name__)


def step_page(
    request: Request,
    services: Services,
    step_id: str,
    answers: dict[str, str],
    token: str = "",
    fields=None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page of one step (the first when ``step_id`` is not one of the steps these answers
    lead to), with ``fields`` checked when given."""
    deployment = services.deployment
    questionnaire = deployment.questionnaire()
    today = deployment.today()
    steps = questionnaire.steps(answers, today)
    ids = [s.id for s in steps]
    if step_id not in ids:
        step_id = ids[0]
    step = steps[ids.index(step_id)]
    if fields is None:
        fields = questionnaire.fields(step_id, answers, today)
    groups: list[dict[str, Any]] = []
    for f in fields:
        if groups and groups[-1]["subject"] == f.subject:
            groups[-1]["fields"].append(f)
        else:
            groups.append({"subject": f.subject, "fields": [f]})
    errors = [f for f in fields if f.error]
    return services.pages.render(
        request,
        "etape.html",
        status_code=status_code,
        step=step,
        steps=steps,
        index=ids.index(step_id),
        groups=groups,
        errors=errors,
        etat=json.dumps(answers, ensure_ascii=False),
        jeton=token,
        single_group=len(groups) == 1,
    )


def results_page(
    request: Request,
    services: Services,
    answers: dict[str, str],
    token: str = "",
    *,
    count: bool = False,
    saved: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The results of ``answers`` (back to the first incomplete step, 422, if they are not
    complete); ``count`` counts a completed simulation (O8)."""
    deployment = services.deployment
    questionnaire = deployment.questionnaire()
    today = deployment.today()
    incomplete = questionnaire.first_incomplete(answers, today)
    if incomplete is not None:
        checked = questionnaire.validate(incomplete, answers, today)
        return step_page(request, services, incomplete, answers, token, fields=checked, status_code=422)
    situation = questionnaire.situation(answers, today)
    try:
        with services.batcher.page():  # pages first: the API's computations wait meanwhile
            results = compute(deployment, situation, today)
    except (SituationError, ComputationError) as exc:
        log.error("cannot compute a questionnaire's situation: %s", exc)
        return services.pages.error(
            request,
            500,
            "Le calcul n'a pas abouti",
            "Le simulateur n'a pas pu calculer vos droits. Réessayez plus tard ; "
            "si le problème persiste, signalez-le à l'équipe.",
        )
    if count:
        try:
            services.stats.simulation(results.depcom)
        except Exception:
            log.exception("cannot count the simulation")
    expert = None
    if services.settings.preview:
        try:
            expert = expert_aides(deployment, situation, today)
        except (SituationError, ComputationError) as exc:
            log.error("cannot compute the expert's table: %s", exc)
    return services.pages.render(
        request,
        "resultats.html",
        results=results,
        etat=json.dumps(answers, ensure_ascii=False),
        jeton=token,
        saved=saved,
        retention_days=services.settings.retention_days,
        first_step=questionnaire.steps(answers, today)[0].id,
        expert=expert,
        offer=offer(deployment),
    )
