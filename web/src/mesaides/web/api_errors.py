"""The JSON API's errors, in OpenFisca's shape: status 400 (404 for unknown variables) with the
message at the faulty path, such as ``{"individus": {"bob": {"salaire_net": {"2026-13": "…"}}}}``;
the body also carries the list ``"errors": [{"path": "individus.bob.salaire_net.2026-13",
"message": "…"}]`` with every problem found (:class:`mesaides.web.api_models.ApiError`). A request
of the right shape that cannot be computed gets 422; an aide this deployment does not serve, 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi.responses import JSONResponse

from mesaides.core import SituationError, SituationIssue
from mesaides.core.limits import TooLarge
from mesaides.core.situation import InconsistentSituation
from mesaides.web.api_models import ApiError

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "A request of the wrong shape", "model": ApiError},
    404: {"description": "Unknown variable, or an aide not public here", "model": ApiError},
    422: {
        "description": (
            "A request of the right shape that cannot be computed: a role naming an unknown person, a person in "
            "no group, an unknown commune code, a birth in the future, more persons or requested values than "
            "this service allows (the message names the cap)"
        ),
        "model": ApiError,
    },
    413: {"description": "Request body over the limit (MESAIDES_MAX_BODY_BYTES, 1 MB by default)", "model": ApiError},
}
"""The errors ``/calculate`` and ``/explain`` may answer, as ``/openapi.json`` describes them."""


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "0+unknown"


HEADERS = {"Country-Package": "mesaides-core", "Country-Package-Version": _version("mesaides-core")}
"""OpenFisca's headers, on every answer of the computations."""


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


def message_error(message: str, status: int = 400) -> JSONResponse:
    body = error_body([SituationIssue(path="", message=message)])
    return JSONResponse(body, status_code=status, headers=HEADERS)


def not_found(issues: list[SituationIssue]) -> JSONResponse:
    """404: what is asked for exists in the rules but is not served here (not public)."""
    return JSONResponse(error_body(issues), status_code=404, headers=HEADERS)
