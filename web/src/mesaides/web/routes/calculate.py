"""The computations of the JSON API: ``/calculate`` and ``/explain``, described by the OpenAPI
document at ``/openapi.json`` (``/docs``).

``POST /calculate`` is OpenFisca's web API: the same request (a situation whose ``null`` values
are to be computed) and the same response (the request with the nulls filled), so that a Mes
Aides or aides-jeunes client can point to it unchanged. Errors also follow OpenFisca
(:mod:`mesaides.web.api_errors`), and invalid JSON gets ``{"error": "Invalid JSON: …"}`` as in
OpenFisca. A request of the right shape that cannot be computed gets 422 (a role naming an
unknown person, an unknown commune code, a birth in the future, a cap on persons or requested
values); an aide this deployment does not serve, 404. The messages are the command line's (``core/docs/situations.md``).
The request schemas in ``/openapi.json`` are written from the rules (:mod:`mesaides.web.schema`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from mesaides.core import ComputationError, SituationError, SituationIssue
from mesaides.core.api import requested_names
from mesaides.core.periods import PeriodError
from mesaides.core.situation import read_json
from mesaides.web.api_errors import (
    ERROR_RESPONSES,
    HEADERS,
    error_response,
    message_error,
    not_found,
    situation_error_response,
)
from mesaides.web.dependencies import BatcherDep, DeploymentDep
from mesaides.web.deployment.running import Deployment
from mesaides.web.schema import MONTH_PATTERN, YEAR_PATTERN, situation_schema

router = APIRouter(tags=["Calcul"])

SITUATION_EXAMPLE = {
    "individus": {"demandeur": {"date_naissance": {"ETERNITY": "1990-05-10"}, "salaire_net": {"2026-10": 900}}},
    "familles": {"famille_1": {"parents": ["demandeur"], "af": {"2026-11": None}}},
    "menages": {"menage_1": {"personne_de_reference": ["demandeur"], "depcom": {"2026-11": "59350"}}},
}


def describe_requests(app: FastAPI, deployment: Deployment) -> None:
    """Write the request schemas of ``/calculate`` and ``/explain`` from the deployment's rules
    and caps (see :mod:`mesaides.web.schema`) into ``app``'s OpenAPI document."""
    described = situation_schema(deployment.rules, deployment.engine.limits)
    described["example"] = SITUATION_EXAMPLE
    situation = {"$ref": "#/components/schemas/Situation"}
    available = sorted(n for n in deployment.rules.definitions if n not in deployment.rules.unavailable)
    bodies = {
        "/calculate": situation,
        "/explain": {
            "type": "object",
            "required": ["situation", "variable", "period", "entity"],
            "properties": {
                "situation": situation,
                "variable": {"type": "string", "enum": available},
                "period": {"type": "string", "pattern": f"{MONTH_PATTERN}|{YEAR_PATTERN}|^ETERNITY$"},
                "entity": {"type": "string", "minLength": 1, "description": "the id of the person or group"},
            },
        },
    }
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI's documented way to extend its document: generate it once, then add to it.
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()  # FastAPI keeps it as app.openapi_schema
        document.setdefault("components", {}).setdefault("schemas", {})["Situation"] = described
        for path, schema in bodies.items():
            body = {"required": True, "content": {"application/json": {"schema": schema}}}
            document["paths"][path]["post"]["requestBody"] = body
        return document

    app.openapi = openapi  # type: ignore[method-assign]


TAKEN_FROM_SITUATION = "X-Mesaides-Taken-From-Situation"
"""Response header of ``/calculate``: the quantities of absent partners the requested outputs read,
taken from the situation (0 when not given)."""


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return read_json(raw or b"null")  # the command line's reader: the same messages
    except SituationError as exc:
        raise _BadJSON(exc.issues[0].message) from None


class _BadJSON(ValueError):
    pass


def _not_shown(deployment: Deployment, data: Any) -> list[SituationIssue]:
    """Requests for aides this deployment does not show to the public (A6, G4)."""
    if not isinstance(data, dict):
        return []
    shown = {e.name: e for e in deployment.catalogue()}
    issues = []
    for plural in ("individus", "familles", "foyers_fiscaux", "menages"):
        table = data.get(plural)
        if not isinstance(table, dict):
            continue
        for ident, obj in table.items():
            if not isinstance(obj, dict):
                continue
            for name, periods in obj.items():
                entry = shown.get(name)
                if entry is None or entry.shown or entry.unavailable:
                    continue
                if isinstance(periods, dict) and any(v is None for v in periods.values()):
                    issues.append(
                        SituationIssue(
                            path=f"{plural}.{ident}.{name}",
                            message=f"aide not public on this deployment (status: {entry.state.status})",
                        )
                    )
    return issues


@router.post(
    "/calculate",
    summary="Compute a situation (OpenFisca's /calculate)",
    description=(
        "Fill every `null` of an OpenFisca situation. Same request and response as OpenFisca's web API. "
        "When a requested output reads a quantity that no installed partner computes (another partner's aide, "
        "such as the ASS for the RSA), that quantity is taken from the situation (0 when not given) and the "
        "`X-Mesaides-Taken-From-Situation` response header lists it."
    ),
    responses=ERROR_RESPONSES,
)
async def calculate(request: Request, deployment: DeploymentDep, batcher: BatcherDep) -> JSONResponse:
    try:
        data = await _json_body(request)
    except _BadJSON as exc:
        body = {"error": str(exc), "errors": [{"path": "", "message": str(exc)}]}
        return JSONResponse(body, status_code=400, headers=HEADERS)
    hidden = _not_shown(deployment, data)
    if hidden:
        return not_found(hidden)
    try:
        result = await batcher.calculate(data)
    except SituationError as exc:
        return situation_error_response(exc)
    except (ComputationError, PeriodError) as exc:  # a well-formed request the rules cannot compute
        return message_error(str(exc), status=422)
    headers = dict(HEADERS)
    taken = deployment.engine.taken_from_situation(requested_names(data))
    if taken:  # the body stays OpenFisca's; the header says what no installed partner computed
        headers[TAKEN_FROM_SITUATION] = ", ".join(taken)
    return JSONResponse(result, headers=headers)


@router.post(
    "/explain",
    summary="Explain one value",
    description=(
        'Body: `{"situation": {...}, "variable": "rsa", "period": "2026-11", "entity": "famille_1"}`. '
        "Returns the tree of what the value read: inputs, intermediate values, legislation values and the "
        "conditions checked (`checks`, each with its figures); the aide's `conditions` met, the `reason` it is nil "
        "(the conditions not met, in French, with their figures) and `notes` on how its amount was worked out: "
        "what the command line's `mesaides explain` and the results page give (`Engine.explain`)."
    ),
    responses=ERROR_RESPONSES,
)
async def explain_value(request: Request, deployment: DeploymentDep) -> JSONResponse:
    try:
        body = await _json_body(request)
    except _BadJSON as exc:
        return message_error(str(exc))
    if not isinstance(body, dict):
        return message_error("expected an object with situation, variable, period and entity")
    missing = [k for k in ("situation", "variable", "period", "entity") if not body.get(k)]
    if missing:
        return error_response([SituationIssue(path=k, message="missing") for k in missing])
    not_text = [k for k in ("variable", "period", "entity") if not isinstance(body[k], str)]
    if not_text:
        return error_response([SituationIssue(path=k, message="expected a string") for k in not_text])
    name, period, entity_id = str(body["variable"]), str(body["period"]), str(body["entity"])
    rules = deployment.rules
    if name not in rules:
        return error_response([SituationIssue(path="variable", message=f"unknown variable {name!r}")])
    entry = next((e for e in deployment.catalogue() if e.name == name), None)
    if entry is not None and not entry.shown:
        return not_found([SituationIssue(path="variable", message="aide not public on this deployment")])
    if name in rules.unavailable:
        return error_response([SituationIssue(path="variable", message=f"unavailable: {rules.unavailable[name]}")])
    # Computing takes milliseconds to a second: off the event loop, so pages keep answering.
    return await run_in_threadpool(_explanation_response, deployment, body["situation"], name, period, entity_id)


def _explanation_response(
    deployment: Deployment, situation: Any, name: str, period: str, entity_id: str
) -> JSONResponse:
    try:
        traced = deployment.engine.traced(situation)
    except SituationError as exc:
        exc.issues = [
            SituationIssue(path=f"situation.{i.path}" if i.path else "situation", message=i.message) for i in exc.issues
        ]
        return situation_error_response(exc)
    try:
        explanation = deployment.engine.explain(traced, name, period, entity_id)
    except SituationError as exc:  # the variable, the period or the entity (an id the situation lacks: 422)
        return situation_error_response(exc)
    except (ComputationError, PeriodError) as exc:  # such as a monthly value asked for a year
        return message_error(str(exc), status=422)
    data = explanation.to_json()
    data["failed_checks"] = explanation.failed_checks()
    return JSONResponse(data, headers=HEADERS)


@router.get("/spec", include_in_schema=False)
def spec() -> RedirectResponse:
    """OpenFisca serves its OpenAPI document at /spec."""
    return RedirectResponse("/openapi.json")
