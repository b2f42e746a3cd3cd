"""The registry's public state: what the web simulator shows (statuses, A7 and G3 notices,
partners and their versions). This is a contract with the web package: keep it stable.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry.defects import suspended_in_effect
from mesaides.registry.models import SUSPENDED, Aide, Distribution, DistributionVersion, Partner
from mesaides.registry.notices import G3_NOTICE, a7_notice
from mesaides.registry.notifications import aides_showing_notice, open_notices, waiting_for
from mesaides.registry.statuses import AideStatus


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class AideState(_Model):
    name: str
    status: str
    """suggested, feasible, refused, development, preview, published, suspended or removed."""
    notice: str | None = None
    """A7: the French message users see while interactions are not confirmed, or None."""
    territorial_notice: str | None = None
    """G3: the French message on a territorial aide national partners have not assessed, or None."""
    label: str = ""
    partner: str | None = None
    distribution: str | None = None
    version: str | None = None


class DistributionState(_Model):
    name: str
    version: str
    installed: bool
    versions: list[str]
    """Every version synced, oldest first."""


class PartnerState(_Model):
    id: str
    name: str
    scope: str
    distributions: list[DistributionState]


class PendingNotice(_Model):
    id: int
    rule: str
    """A7 (with A3, A8 or A10 in ``cause``) or G3."""
    cause: str
    kind: str
    subject: str
    aides: list[str]
    """The aides that show the notice."""
    text: str
    created_at: dt.datetime
    waiting_for: list[str]
    """The partners that have not answered yet."""


class PublicState(_Model):
    generated_at: dt.datetime
    synced: bool
    """False until the first sync: then every mapping is empty."""
    aides: dict[str, AideState]
    partners: dict[str, PartnerState]
    pending_notices: list[PendingNotice]


def pending_notices(session: Session) -> list[PendingNotice]:
    out = []
    for n in open_notices(session):
        text = G3_NOTICE if n.notice == "G3" else a7_notice(n.kind)
        waiting = waiting_for(session, n.id)
        out.append(
            PendingNotice(
                id=n.id,
                rule=n.notice or "",
                cause=n.rule,
                kind=n.kind,
                subject=n.subject,
                aides=aides_showing_notice(n, waiting),
                text=text,
                created_at=n.created_at,
                waiting_for=waiting,
            )
        )
    return out


def public_state(session: Session, now: dt.datetime) -> PublicState:
    notices = pending_notices(session)
    a7: dict[str, str] = {}
    g3: dict[str, str] = {}
    for notice in notices:
        for aide in notice.aides:
            (g3 if notice.rule == "G3" else a7).setdefault(aide, notice.text)
    suspended = suspended_in_effect(session, now)
    aides = {}
    for a in session.scalars(select(Aide).order_by(Aide.name)):
        status = SUSPENDED if a.name in suspended and AideStatus(a.status).can_become(SUSPENDED) else a.status
        aides[a.name] = AideState(
            name=a.name,
            status=status,
            notice=a7.get(a.name),
            territorial_notice=g3.get(a.name),
            label=a.label,
            partner=a.partner_id,
            distribution=a.owner,
            version=a.version,
        )
    versions: dict[str, list[str]] = {}
    for v in session.scalars(select(DistributionVersion).order_by(DistributionVersion.id)):
        if v.version not in versions.setdefault(v.distribution, []):
            versions[v.distribution].append(v.version)
    dists: dict[str | None, list[DistributionState]] = {}
    for d in session.scalars(select(Distribution).order_by(Distribution.name)):
        dists.setdefault(d.partner_id, []).append(
            DistributionState(name=d.name, version=d.version, installed=d.installed, versions=versions.get(d.name, []))
        )
    partners = {
        p.id: PartnerState(id=p.id, name=p.name, scope=p.scope, distributions=dists.get(p.id, []))
        for p in session.scalars(select(Partner).order_by(Partner.id))
    }
    synced = bool(dists)
    return PublicState(generated_at=now, synced=synced, aides=aides, partners=partners, pending_notices=notices)
