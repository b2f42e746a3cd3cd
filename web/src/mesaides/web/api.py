"""The JSON API, described by FastAPI's OpenAPI document at ``/openapi.json`` (``/docs``).

``POST /calculate`` is OpenFisca's web API: the same request (a situation whose ``null`` values
are to be computed) and the same response (the request with the nulls filled), so that a Mes
Aides or aides-jeunes client can point to it unchanged. Errors also follow OpenFisca: status
400 (404 for unknown variables) with the message at the faulty path, such as
``{"individus": {"bob": {"salaire_net": {"2026-13": "…"}}}}``; the body also carries the list
``"errors": [{"path": "individus.bob.salaire_net.2026-13", "message": "…"}]`` with every
problem found, and invalid JSON gets ``{"error": "Invalid JSON: …"}`` as in OpenFisca. A request
of the right shape that cannot be computed gets 422 (a role naming an unknown person, an unknown
commune code, a birth in the future, a cap on persons or requested values); an aide this
deployment does not serve, 404. The messages are the command line's (``core/docs/situations.md``).
The request schemas in ``/openapi.json`` are written from the rules (:mod:`mesaides.web.schema`).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from mesaides.core import ComputationError, SituationError, SituationIssue
from mesaides.core.api import requested_names
from mesaides.core.definitions import APPLY_KIND_LABELS
from mesaides.core.limits import TooLarge
from mesaides.core.periods import PeriodError
from mesaides.core.situation import InconsistentSituation, read_json
from mesaides.web.communes import communes
from mesaides.web.deployment.running import Deployment
from mesaides.web.schema import MONTH_PATTERN, YEAR_PATTERN, situation_schema

router = APIRouter()

SITUATION_EXAMPLE = {
    "individus": {"demandeur": {"date_naissance": {"ETERNITY": "1990-05-10"}, "salaire_net": {"2026-10": 900}}},
    "familles": {"famille_1": {"parents": ["demandeur"], "af": {"2026-11": None}}},
    "menages": {"menage_1": {"personne_de_reference": ["demandeur"], "depcom": {"2026-11": "59350"}}},
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "OpenFisca's shape (the message at the faulty path) plus the list of every problem.",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "error": {"type": "string"},
    },
}
ERROR_RESPONSES = {
    400: {"description": "A request of the wrong shape", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
    404: {
        "description": "Unknown variable, or an aide not public here",
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    },
    422: {
        "description": (
            "A request of the right shape that cannot be computed: a role naming an unknown person, a person in "
            "no group, an unknown commune code, a birth in the future, more persons or requested values than "
            "this service allows (the message names the cap)"
        ),
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    },
    413: {
        "description": "Request body over the limit (MESAIDES_MAX_BODY_BYTES, 1 MB by default)",
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    },
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
        if app.openapi_schema is None:
            document = generate()
            document.setdefault("components", {}).setdefault("schemas", {})["Situation"] = described
            for path, schema in bodies.items():
                body = {"required": True, "content": {"application/json": {"schema": schema}}}
                document["paths"][path]["post"]["requestBody"] = body
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "0+unknown"


TAKEN_FROM_SITUATION = "X-Mesaides-Taken-From-Situation"
"""Response header of ``/calculate``: the quantities of absent partners the requested outputs read,
taken from the situation (0 when not given)."""
HEADERS = {"Country-Package": "mesaides-core", "Country-Package-Version": _version("mesaides-core")}


def _deployment(request: Request) -> Deployment:
    return request.app.state.deployment


# ---- Errors -------------------------------------------------------------------------------------


MAX_ISSUES_SHOWN = 50
"""An error lists at most this many problems, then says how many more there were."""
MAX_ECHO_CHARS = 200
"""A path or message repeats at most this much of the request: an error never grows with it."""


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_ECHO_CHARS else f"{text[:MAX_ECHO_CHARS]}… ({len(text):,} characters)"


def _bounded(issues: Iterable[SituationIssue]) -> list[SituationIssue]:
    issues = list(issues)
    shown = [SituationIssue(path=_shorten(i.path), message=_shorten(i.message)) for i in issues[:MAX_ISSUES_SHOWN]]
    if len(issues) > MAX_ISSUES_SHOWN:
        shown.append(SituationIssue(path="", message=f"{len(issues) - MAX_ISSUES_SHOWN} more problems not shown"))
    return shown


def error_body(issues: Iterable[SituationIssue]) -> dict[str, Any]:
    """OpenFisca's nested error object, plus ``errors``: the flat list of every issue (at most
    :data:`MAX_ISSUES_SHOWN`, each path and message cut at :data:`MAX_ECHO_CHARS`)."""
    issues = _bounded(issues)
    nested: dict[str, Any] = {}
    for issue in issues:
        parts = [p for p in issue.path.split(".") if p] if issue.path else []
        if not parts:
            nested.setdefault("error", issue.message)
            continue
        here = nested
        for part in parts[:-1]:
            child = here.setdefault(part, {})
            if not isinstance(child, dict):
                break
            here = child
        else:
            here.setdefault(parts[-1], issue.message)
    nested["errors"] = [{"path": i.path, "message": i.message} for i in issues]
    return nested


def error_response(issues: Iterable[SituationIssue]) -> JSONResponse:
    issues = list(issues)
    unknown = issues and all(i.message.startswith("unknown variable") for i in issues)
    return JSONResponse(error_body(issues), status_code=404 if unknown else 400, headers=HEADERS)


def situation_error_response(exc: SituationError) -> JSONResponse:
    """400 (404 for unknown variables) with every issue of a situation of the wrong shape; 422
    for one whose shape the schema allows but that cannot be computed: inconsistent (see
    :class:`~mesaides.core.situation.InconsistentSituation`) or above a cap."""
    if isinstance(exc, (InconsistentSituation, TooLarge)):
        return JSONResponse(error_body(exc.issues), status_code=422, headers=HEADERS)
    return error_response(exc.issues)


def _message_error(message: str, status: int = 400) -> JSONResponse:
    body = error_body([SituationIssue(path="", message=message)])
    return JSONResponse(body, status_code=status, headers=HEADERS)


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


def _not_found(issues: list[SituationIssue]) -> JSONResponse:
    """404: what is asked for exists in the rules but is not served here (not public)."""
    return JSONResponse(error_body(issues), status_code=404, headers=HEADERS)


# ---- Computations -------------------------------------------------------------------------------


@router.post(
    "/calculate",
    tags=["Calcul"],
    summary="Compute a situation (OpenFisca's /calculate)",
    description=(
        "Fill every `null` of an OpenFisca situation. Same request and response as OpenFisca's web API. "
        "When a requested output reads a quantity that no installed partner computes (another partner's aide, "
        "such as the ASS for the RSA), that quantity is taken from the situation (0 when not given) and the "
        "`X-Mesaides-Taken-From-Situation` response header lists it."
    ),
    responses=ERROR_RESPONSES,
)
async def calculate(request: Request) -> JSONResponse:
    deployment = _deployment(request)
    try:
        data = await _json_body(request)
    except _BadJSON as exc:
        body = {"error": str(exc), "errors": [{"path": "", "message": str(exc)}]}
        return JSONResponse(body, status_code=400, headers=HEADERS)
    hidden = _not_shown(deployment, data)
    if hidden:
        return _not_found(hidden)
    try:
        result = await request.app.state.batcher.calculate(data)
    except SituationError as exc:
        return situation_error_response(exc)
    except (ComputationError, PeriodError) as exc:  # a well-formed request the rules cannot compute
        return _message_error(str(exc), status=422)
    headers = dict(HEADERS)
    taken = deployment.engine.taken_from_situation(requested_names(data))
    if taken:  # the body stays OpenFisca's; the header says what no installed partner computed
        headers[TAKEN_FROM_SITUATION] = ", ".join(taken)
    return JSONResponse(result, headers=headers)


@router.post(
    "/explain",
    tags=["Calcul"],
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
async def explain_value(request: Request) -> JSONResponse:
    deployment = _deployment(request)
    try:
        body = await _json_body(request)
    except _BadJSON as exc:
        return _message_error(str(exc))
    if not isinstance(body, dict):
        return _message_error("expected an object with situation, variable, period and entity")
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
        return _not_found([SituationIssue(path="variable", message="aide not public on this deployment")])
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
        return _message_error(str(exc), status=422)
    data = explanation.to_json()
    data["failed_checks"] = explanation.failed_checks()
    return JSONResponse(data, headers=HEADERS)


# ---- Catalogue ----------------------------------------------------------------------------------


def _distribution_versions(deployment: Deployment) -> dict[str, str]:
    return {r.distribution: r.version for r in deployment.rules.plugins.values()}


@router.get("/aides", tags=["Catalogue"], summary="The installed aides, their metadata and status")
def aides(request: Request) -> JSONResponse:
    deployment = _deployment(request)
    versions = _distribution_versions(deployment)
    state = deployment.public_state()
    out = []
    for entry in deployment.catalogue():
        aide, info = entry.aide, entry.aide.info
        partner = deployment.partner_of(aide)
        best = info.best_channel
        out.append(
            {
                "name": entry.name,
                "label": info.label,
                "description": info.description,
                "entity": aide.entity.key,
                "period": aide.period.value,
                "periodicity": info.periodicity,
                "institution": info.institution,
                "logo": f"/logos/{info.institution}.png" if deployment.logo(info.institution) else None,
                "partner": partner.name if partner else None,
                "distribution": aide.owner,
                "version": versions.get(aide.owner),
                "status": entry.state.status,
                "status_source": entry.state.source,
                "shown": entry.shown,
                "unavailable": entry.unavailable,
                "notice": entry.state.notice,
                "territorial_notice": entry.state.territorial_notice,
                "public_page": str(info.public_page),
                "best_channel": {
                    "kind": best.kind,
                    "kind_label": APPLY_KIND_LABELS[best.kind],
                    "url": str(best.url),
                    "label": best.label,
                },
                "apply": [{"kind": c.kind, "url": str(c.url), "label": c.label} for c in info.apply],
                "legal_references": [{"title": r.title, "url": str(r.url)} for r in info.legal_references],
                "documentation": info.documentation,
            }
        )
    return JSONResponse({"aides": out, "registry": {"available": state.available, "problem": state.problem or None}})


@router.get("/parameters", tags=["Catalogue"], summary="The Parameters a situation can give")
def parameters(request: Request) -> JSONResponse:
    deployment = _deployment(request)
    rules = deployment.rules
    shown = [e.name for e in deployment.shown_aides()]
    read_by: dict[str, list[str]] = {}
    for aide in shown:
        for p in rules.parameters_read_by(aide):
            read_by.setdefault(p, []).append(aide)
    out = {}
    for name, p in rules.parameters.items():
        default = p.default
        out[name] = {
            "label": p.label,
            "description": p.description,
            "entity": p.entity.key,
            "period": p.period.value,
            "value_type": p.value_type,
            "enum_values": list(p.enum_values) or None,
            "default": default if isinstance(default, (str, int, float, bool)) or default is None else str(default),
            "unit": p.unit or None,
            "minimum": p.minimum,
            "maximum": p.maximum,
            "owner": p.owner,
            "read_by": sorted(read_by.get(name, [])),
        }
    return JSONResponse(out)


@router.get("/partners", tags=["Catalogue"], summary="Partners, their distributions, versions and provenance")
def partners(request: Request) -> JSONResponse:
    deployment = _deployment(request)
    rules = deployment.rules
    registry_partners = deployment.public_state().partners
    out = []
    for record in rules.plugins.values():
        partner = rules.partners.get(record.distribution)
        if partner is None:
            continue
        known = next(
            (
                p
                for p in registry_partners
                if str(p.get("name")) in {partner.id, partner.name, record.distribution}
                or str(p.get("id", "")) == partner.id
                or str(p.get("distribution", "")) == record.distribution
            ),
            None,
        )
        out.append(
            {
                "id": partner.id,
                "name": partner.name,
                "scope": partner.scope,
                "distribution": record.distribution,
                "version": record.version,
                "module": record.module,
                "entry_point": record.name,
                "institutions": [
                    {"id": i.id, "name": i.name, "logo": f"/logos/{i.id}.png" if i.logo else None}
                    for i in partner.institutions
                ],
                "aides": sorted(n for n, a in rules.aides.items() if a.owner == record.distribution),
                "requires": partner.requires,
                "problems": record.problems,
                "registry": known,
            }
        )
    return JSONResponse({"partners": out})


@router.get("/communes", tags=["Catalogue"], summary="Find a commune by postal code, INSEE code or name")
def find_communes(q: str = "") -> JSONResponse:
    found = communes().search(q, limit=20)
    return JSONResponse([{"insee": c.insee, "nom": c.nom, "codes_postaux": list(c.codes_postaux)} for c in found])


@router.get("/spec", include_in_schema=False)
def spec() -> RedirectResponse:
    """OpenFisca serves its OpenAPI document at /spec."""
    return RedirectResponse("/openapi.json")
