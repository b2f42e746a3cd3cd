"""A JSON Feed (https://jsonfeed.org/version/1.1) per partner: the notifications it received,
newest first, for partners who prefer to poll rather than read email."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mesaides.registry.models import Acknowledgement, Notification, Partner


def partner_feed(session: Session, partner_id: str, *, limit: int = 100) -> dict[str, Any]:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise KeyError(f"unknown partner {partner_id!r}")
    rows = session.execute(
        select(Notification, Acknowledgement)
        .join(Acknowledgement, Acknowledgement.notification_id == Notification.id)
        .where(Acknowledgement.partner_id == partner_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    items = []
    for n, ack in rows:
        items.append(
            {
                "id": f"mesaides-notification-{n.id}",
                "title": f"[{n.rule}] {n.title}",
                "content_text": n.body,
                "date_published": n.created_at.isoformat() + "Z",
                "tags": [n.rule, n.kind],
                "_mesaides": {
                    "notification": n.id,
                    "rule": n.rule,
                    "kind": n.kind,
                    "subject": n.subject,
                    "impacted_aides": ack.impacted_aides,
                    "requires_acknowledgement": n.requires_ack,
                    "acknowledged_at": ack.acknowledged_at.isoformat() + "Z" if ack.acknowledged_at else None,
                    "answer": ack.answer,
                    "impact": n.details.get("impact", []),
                },
            }
        )
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"mesaides : notifications pour {partner.name}",
        "description": "Notifications du registre mesaides (convention de partenariat)",
        "language": "fr",
        "items": items,
    }
