"""The registry's tables (SQLAlchemy 2). The schema itself is created by the Alembic migrations
in ``migrations/versions``; a test checks that these models and the migrations agree.

Times are naive UTC. JSON columns hold lists and small mappings (what an aide reads, an aide's
convention metadata, the details of a notification).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mesaides.registry.statuses import LIVE_STATUSES as LIVE_STATUSES
from mesaides.registry.statuses import AideStatus, DefectStatus


class Base(DeclarativeBase):
    pass


# Aide statuses (A1, A2, A6, A9, G4), in lifecycle order: the type and its transitions are in
# ``statuses.py``; these names stay for the modules and tests that use them.
SUGGESTED = AideStatus.SUGGESTED
FEASIBLE = AideStatus.FEASIBLE
REFUSED = AideStatus.REFUSED
DEVELOPMENT = AideStatus.DEVELOPMENT
PREVIEW = AideStatus.PREVIEW
PUBLISHED = AideStatus.PUBLISHED
SUSPENDED = AideStatus.SUSPENDED
REMOVED = AideStatus.REMOVED
AIDE_STATUSES = tuple(AideStatus)


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(20))
    """``national`` or ``territorial`` (G3)."""
    referent_email: Mapped[str] = mapped_column(String(300), default="")
    """Pa2: the referent who answers the operator within two weeks."""
    distribution: Mapped[str | None] = mapped_column(String(200), unique=True)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)


class Distribution(Base):
    __tablename__ = "distributions"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    version: Mapped[str] = mapped_column(String(64))
    installed: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)


class DistributionVersion(Base):
    """Each version of a distribution ever synced (a re-synced version whose content changed,
    as with an editable install, gets a new row with its own digest)."""

    __tablename__ = "distribution_versions"
    __table_args__ = (UniqueConstraint("distribution", "version", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    distribution: Mapped[str] = mapped_column(ForeignKey("distributions.name"))
    version: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    quantities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Fingerprint of each quantity and aide the version registers."""
    sync_id: Mapped[int] = mapped_column(ForeignKey("syncs.id"))
    synced_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Aide(Base):
    __tablename__ = "aides"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    """The distribution that registers it; none while only suggested."""
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status_changed_by: Mapped[str] = mapped_column(String(200), default="")
    label: Mapped[str] = mapped_column(String(300), default="")
    institution: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    reads: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Every name upstream in the dependency graph (``RuleSet.graph.upstream``)."""
    parameters: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The Parameters it reads (``RuleSet.parameters_read_by``)."""
    law: Mapped[list[str]] = mapped_column(JSON, default=list)
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The convention metadata (``AideInfo``), or what a suggestion said."""
    unavailable_reason: Mapped[str | None] = mapped_column(Text)
    suggested_by: Mapped[str | None] = mapped_column(String(200))
    suggested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AideVersion(Base):
    """An aide as one sync found it: added, rules changed, version changed, removed."""

    __tablename__ = "aide_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aide: Mapped[str] = mapped_column(ForeignKey("aides.name"))
    distribution: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(20))
    sync_id: Mapped[int] = mapped_column(ForeignKey("syncs.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class Parameter(Base):
    __tablename__ = "parameters"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    """A :class:`~mesaides.registry.statuses.ParameterStatus` (P4)."""
    label: Mapped[str] = mapped_column(String(300), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64))
    declared: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether an installed distribution still declares it."""
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    deprecated_since: Mapped[dt.date | None] = mapped_column(Date)
    replacement: Mapped[str | None] = mapped_column(String(200))
    removal_date: Mapped[dt.date | None] = mapped_column(Date)
    deprecation_reason: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removal_reason: Mapped[str | None] = mapped_column(Text)


class SignOff(Base):
    """A6: the partner's reliability sign-off or the operator's quality sign-off of a version."""

    __tablename__ = "sign_offs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aide: Mapped[str] = mapped_column(ForeignKey("aides.name"))
    kind: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")


class ExpertCase(Base):
    """A5: an expert test case registered with the registry (OpenFisca's YAML test format)."""

    __tablename__ = "expert_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aide: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Sync(Base):
    __tablename__ = "syncs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str | None] = mapped_column(String(10))
    population_version: Mapped[str | None] = mapped_column(String(64))
    households: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReferenceResult(Base):
    """An aide's results on the reference population at one sync: one float per household,
    zlib-compressed little-endian float64."""

    __tablename__ = "reference_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sync_id: Mapped[int] = mapped_column(ForeignKey("syncs.id"), index=True)
    aide: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))
    population_version: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)


class ImpactMeasure(Base):
    """How one aide's results moved on the reference population because of one change."""

    __tablename__ = "impact_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sync_id: Mapped[int] = mapped_column(ForeignKey("syncs.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    """The aide or Parameter that changed."""
    change: Mapped[str] = mapped_column(String(40))
    aide: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))
    households: Mapped[int] = mapped_column(Integer)
    gained: Mapped[int] = mapped_column(Integer, default=0)
    lost: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    mean_change: Mapped[float] = mapped_column(Float, default=0.0)
    largest_increase: Mapped[float] = mapped_column(Float, default=0.0)
    largest_decrease: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sync_id: Mapped[int | None] = mapped_column(ForeignKey("syncs.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    notice: Mapped[str | None] = mapped_column(String(10))
    """``A7`` or ``G3`` when users see a notice until every recipient acknowledges."""
    notice_aides: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The aides that carry the notice."""
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Acknowledgement(Base):
    """One recipient of a notification, and its answer once given."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("notification_id", "partner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    impacted_aides: Mapped[list[str]] = mapped_column(JSON, default=list)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(String(20))
    """``no_interaction`` or ``updated`` (A7)."""
    by: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text, default="")


class Defect(Base):
    """A9: a defect notified to a partner, with its 15-day correction period."""

    __tablename__ = "defects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aide: Mapped[str] = mapped_column(ForeignKey("aides.name"))
    description: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=DefectStatus.OPEN)
    """A :class:`~mesaides.registry.statuses.DefectStatus`."""
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    close_reason: Mapped[str | None] = mapped_column(Text)


class Question(Base):
    """O4/Pa2: a question between the operator and a partner, to answer within two weeks."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    direction: Mapped[str] = mapped_column(String(20))
    """``to_operator`` (O4) or ``to_partner`` (Pa2)."""
    text: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(200))
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxMessage(Base):
    """An email waiting to be sent; written in the same transaction as its notification."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    partner_id: Mapped[str | None] = mapped_column(String(64))
    to_address: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what, when and why: every change of the registry writes one."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# ---- identities (issue 17): who acts, and how they proved it --------------------------------------


class Account(Base):
    """A person acting in the registry under one role (:class:`~mesaides.registry.accounts.Role`).
    Created and deactivated by an administrator, or by a referent for its own partner; never by
    self-registration."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(300), unique=True)
    """Lower-case: where the sign-in links go."""
    name: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(300))
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deactivated_by: Mapped[str | None] = mapped_column(String(300))


class SignInLink(Base):
    """A single-use, short-lived sign-in link sent by email; only its SHA-256 is stored."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    requested_ip: Mapped[str] = mapped_column(String(64), default="")


class AccountSession(Base):
    """A signed-in browser; the cookie holds the raw token, the table its SHA-256."""

    __tablename__ = "account_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A token a partner's CI uses on the JSON API, scoped to that partner; stored as SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    """The referent who created it (the API acts in its name)."""
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    """The token's first characters, shown in lists to tell tokens apart."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(300))
