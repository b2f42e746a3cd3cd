"""The partner JSON API: what a partner's CI does with a token of its own (created and revoked
in the portal, ``/espace/partenaire/{partner}/jetons``), under ``/api/partenaires/{partner}/``:
check a candidate release against the registry's rules, list the notifications sent to the
partner, answer one (A7).

A token acts for one partner: on another partner's URL it gets 403; an unknown or revoked
token gets 401. Bad input gets 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Annotated, Literal, NoReturn

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Security, UploadFile, status
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from mesaides.registry import RegistryError
from mesaides.registry.accounts import Actor, Permission, authorize
from mesaides.registry.candidate import CHECK_TIMEOUT, CandidateError, check_wheel
from mesaides.web.auth import ApiActor, RegistryDep

TAG = "Partenaires"
MAX_CASE_FILES = 200
CHECKS_AT_ONCE = 2
"""Candidate checks one worker runs at once: each is a child process loading every partner
(about 150 MB, a few seconds); more wait for a retry (503) rather than exhaust the machine."""

BEARER = HTTPBearer(
    auto_error=False,  # the token itself is checked by ApiActor (401 when missing, unknown or revoked)
    description="A token of the partner (`mat_...`), created by one of its referents at /espace/partenaire/{partner}/jetons.",
)
router = APIRouter(
    prefix="/api/partenaires/{partner}",
    tags=[TAG],
    dependencies=[Security(BEARER)],
    responses={
        400: {"description": "A body that cannot be read (not JSON, not a multipart form)."},
        401: {"description": "No token, or an unknown or revoked one."},
        403: {"description": "The token acts for another partner."},
    },
)

PartnerId = Annotated[str, Path(description="The partner's id in the registry (e.g. `caf`).", max_length=64)]


def partner_actor(partner: PartnerId, actor: ApiActor) -> Actor:
    """The token's actor, when it acts for ``partner``; 403 (AccessDenied) otherwise."""
    authorize(actor, Permission.READ_PARTNER, partner)
    return actor


PartnerActor = Annotated[Actor, Depends(partner_actor)]


class CheckSlots:
    """A dependency holding one of a worker's few candidate-check slots for the request."""

    def __init__(self, at_once: int):
        self._free = threading.BoundedSemaphore(at_once)

    def __call__(self) -> Iterator[None]:
        if not self._free.acquire(blocking=False):
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                f"{CHECKS_AT_ONCE} candidate checks are running on this server: retry in a minute",
                headers={"Retry-After": "60"},
            )
        try:
            yield
        finally:
            self._free.release()


check_slot = CheckSlots(CHECKS_AT_ONCE)  # one per worker process, like the router itself


# ---- responses -----------------------------------------------------------------------------------


class FindingOut(BaseModel):
    level: Literal["error", "warning"]
    rule: str = Field(description="The convention's rule (`A5`, `P4`...), or `load` for a technical problem.")
    distribution: str
    subject: str = Field(description="The aide, Parameter or distribution concerned.")
    message: str


class CandidateCheck(BaseModel):
    """What `mesaides registry check` reports for the candidate: ``ok`` is false when a finding is
    an error (the release would break a rule of the convention)."""

    distribution: str
    version: str
    partner: str | None
    ok: bool
    errors: int
    warnings: int
    findings: list[FindingOut]


class Recipient(BaseModel):
    aides: list[str] = Field(description="This partner's aides the notification concerns.")
    answer: Literal["no_interaction", "updated"] | None
    answered_at: dt.datetime | None


class NotificationOut(BaseModel):
    id: int
    rule: str
    kind: str
    subject: str
    title: str
    created_at: dt.datetime
    requires_answer: bool = Field(description="A7/Pa2: the partner answers within two weeks.")
    due: dt.datetime | None = Field(description="When the answer is due (Pa2), if one is expected.")
    notice: str | None = Field(description="`A7` or `G3`: users see a notice until every recipient answers.")
    closed_at: dt.datetime | None
    details: dict = Field(description="The change and its measured impact.")
    mine: Recipient


class AnswerIn(BaseModel):
    answer: Literal["no_interaction", "updated"] = Field(
        description="`no_interaction`: the change does not interact with your aides; `updated`: you updated them."
    )
    comment: str = Field("", max_length=2000)


class AnswerOut(BaseModel):
    notification: int
    answer: Literal["no_interaction", "updated"]
    closed: bool = Field(description="Every recipient has answered: the notice is lifted (A7).")


# ---- routes ----------------------------------------------------------------------------------------


@router.post(
    "/verifications",
    response_model=CandidateCheck,
    summary="Check a candidate release (a wheel) against the registry's rules",
    responses={
        422: {"description": "The upload is not a mesaides wheel, or a case file is misnamed."},
        503: {"description": "Too many checks are running: retry after the Retry-After seconds."},
    },
)
def check_candidate(
    partner: PartnerId,
    actor: PartnerActor,
    registry: RegistryDep,
    _slot: Annotated[None, Depends(check_slot)],  # taken once the token is checked
    wheel: Annotated[UploadFile, File(description="The wheel built by `python -m build`.")],
    cases: Annotated[list[UploadFile], File(description="Expert test cases (tests/yaml/*.yaml), A5.")] = [],  # noqa: B006 (FastAPI copies defaults)
    run_tests: Annotated[bool, Form(description="Run the expert cases (false: only count them).")] = True,
) -> CandidateCheck:
    """The registry's checks of ``mesaides registry check``, on the uploaded wheel in place of the
    installed version of its distribution, with the operator's catalogue (Parameter statuses,
    refused aides, registered expert cases). Takes up to a few minutes."""
    if len(cases) > MAX_CASE_FILES:
        _unprocessable("cases", f"at most {MAX_CASE_FILES} files")
    try:
        report = check_wheel(
            wheel.file.read(),
            wheel.filename or "",
            registry.catalogue(),
            today=registry.now.date(),
            cases={c.filename or "": c.file.read() for c in cases},
            run_tests=run_tests,
            timeout=CHECK_TIMEOUT,
        )
    except CandidateError as exc:
        _unprocessable(exc.field, exc.message)
    if report.partner is not None and report.partner != partner:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{report.distribution} registers the partner {report.partner!r}'s aides; this token acts for {partner!r}",
        )
    return CandidateCheck(
        distribution=report.distribution,
        version=report.version,
        partner=report.partner,
        ok=report.ok,
        errors=len(report.errors),
        warnings=len(report.warnings),
        findings=[FindingOut(**f.__dict__) for f in report.findings],
    )


@router.get("/notifications", response_model=list[NotificationOut], summary="The notifications sent to the partner")
def list_notifications(
    partner: PartnerId,
    actor: PartnerActor,
    registry: RegistryDep,
    waiting: Annotated[bool, Query(description="Only those still waiting for this partner's answer.")] = False,
) -> list[NotificationOut]:
    out = []
    for n in registry.notifications(partner=partner):
        mine = n["recipients"][partner]
        if waiting and not (n["requires_ack"] and mine["at"] is None):
            continue
        out.append(_notification(n, partner))
    return out


@router.post(
    "/notifications/{notification_id}/reponse",
    response_model=AnswerOut,
    summary="Answer a notification (A7)",
    responses={
        404: {"description": "No such notification sent to this partner."},
        409: {"description": "Already answered."},
    },
)
def answer_notification(
    partner: PartnerId,
    notification_id: int,
    body: AnswerIn,
    actor: PartnerActor,
    registry: RegistryDep,
) -> AnswerOut:
    """A7: the change does not interact with the partner's aides, or the partner updated them.
    The notice users see is lifted when the last recipient has answered."""
    sent = {n["id"]: n for n in registry.notifications(partner=partner)}
    if notification_id not in sent:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no notification #{notification_id} was sent to {partner!r}")
    mine = sent[notification_id]["recipients"][partner]
    if mine["at"] is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{partner!r} already answered notification #{notification_id} on {mine['at']:%Y-%m-%d}",
        )
    try:
        closed = registry.acknowledge(
            notification_id, partner, by=actor, updated=body.answer == "updated", comment=body.comment
        )
    except RegistryError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return AnswerOut(notification=notification_id, answer=body.answer, closed=closed)


def _notification(n: dict, partner: str) -> NotificationOut:
    from mesaides.registry.overdue import ANSWER_WITHIN

    mine = n["recipients"][partner]
    return NotificationOut(
        id=n["id"],
        rule=n["rule"],
        kind=n["kind"],
        subject=n["subject"],
        title=n["title"],
        created_at=n["created_at"],
        requires_answer=n["requires_ack"],
        due=n["created_at"] + ANSWER_WITHIN if n["requires_ack"] else None,
        notice=n["notice"],
        closed_at=n["closed_at"],
        details=n["details"] or {},
        mine=Recipient(aides=mine["aides"], answer=mine["answer"], answered_at=mine["at"]),
    )


def _unprocessable(field: str, message: str) -> NoReturn:
    raise HTTPException(
        422,
        [{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )
