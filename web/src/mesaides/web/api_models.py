"""The JSON API's response models: what ``/openapi.json`` says the catalogue endpoints and the
errors answer. The request schemas of ``/calculate`` and ``/explain`` depend on the installed rules
and are written from them instead (:mod:`mesaides.web.schema`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

StatusSource = Literal["deployment", "registry", "fallback"]


class Problem(BaseModel):
    path: str = Field(description="Where, dotted (`individus.bob.salaire_net.2026-13`); empty for the whole request")
    message: str


class ApiError(BaseModel):
    """OpenFisca's shape (the message at the faulty path, such as
    `{"individus": {"bob": {"salaire_net": {"2026-13": "…"}}}}`) plus the list of every problem."""

    model_config = ConfigDict(extra="allow")

    errors: list[Problem]
    error: str | None = Field(default=None, description="A problem of the whole request (such as invalid JSON)")


# ---- GET /aides ---------------------------------------------------------------------------------


class ApplyChannel(BaseModel):
    kind: str
    url: str
    label: str


class BestChannel(BaseModel):
    kind: str
    kind_label: str = Field(description="The kind, in French")
    url: str
    label: str


class LegalReference(BaseModel):
    title: str
    url: str


class CatalogueAide(BaseModel):
    name: str
    label: str
    description: str
    entity: str
    period: str
    periodicity: str
    institution: str
    logo: str | None = Field(description="Address of the institution's logo, when it has one")
    partner: str | None
    distribution: str
    version: str | None
    status: str = Field(description="published, preview, disabled (deployment lock), or the registry's status")
    status_source: StatusSource
    shown: bool = Field(description="Whether this deployment computes it for the public")
    unavailable: str | None = Field(description="Why it cannot be computed here (a partner it needs is missing)")
    notice: str | None = Field(description="A7: interactions with the other aides not yet confirmed")
    territorial_notice: str | None = Field(description="G3: a territorial aide that may change national ones")
    public_page: str
    best_channel: BestChannel
    apply: list[ApplyChannel]
    legal_references: list[LegalReference]
    documentation: str


class RegistryAvailability(BaseModel):
    available: bool = Field(description="Whether the registry could be read")
    problem: str | None


class AidesCatalogue(BaseModel):
    aides: list[CatalogueAide]
    registry: RegistryAvailability


# ---- GET /parameters ----------------------------------------------------------------------------


class CatalogueParameter(BaseModel):
    label: str
    description: str
    entity: str
    period: str
    value_type: str
    enum_values: list[str] | None
    default: str | int | float | bool | None
    unit: str | None
    minimum: float | None
    maximum: float | None
    owner: str
    read_by: list[str] = Field(description="The aides shown here that read it")


# ---- GET /partners ------------------------------------------------------------------------------


class CatalogueInstitution(BaseModel):
    id: str
    name: str
    logo: str | None


class CataloguePartner(BaseModel):
    id: str
    name: str
    scope: str
    distribution: str
    version: str
    module: str
    entry_point: str
    institutions: list[CatalogueInstitution]
    aides: list[str]
    requires: dict[str, str] = Field(description="Distributions whose aides its aides read, with version ranges")
    problems: list[str]
    registry: dict[str, Any] | None = Field(description="What the registry records of it, when it does")


class PartnersCatalogue(BaseModel):
    partners: list[CataloguePartner]


# ---- GET /communes ------------------------------------------------------------------------------


class Commune(BaseModel):
    insee: str
    nom: str
    codes_postaux: list[str]
