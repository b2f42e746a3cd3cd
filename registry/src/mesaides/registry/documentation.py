"""What the registry adds to the documentation site (``mesaides docs build``), in French."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import select

from mesaides.registry.models import AideVersion, Parameter
from mesaides.registry.settings import DATABASE_ENV, DATABASE_FILE, instance_dir
from mesaides.registry.statuses import ParameterStatus

CHANGES = {
    "added": "ajoutée",
    "rules": "règles modifiées",
    "version": "nouvelle version, résultats modifiés",
    "version-same-results": "nouvelle version, mêmes résultats",
    "removed": "retirée",
}


def documentation_extras() -> dict[str, Any] | None:
    if not os.environ.get(DATABASE_ENV) and not (instance_dir() / DATABASE_FILE).exists():
        return None
    import click

    from mesaides.registry.database import DatabaseUrlError
    from mesaides.registry.registry import open_registry

    try:
        registry = open_registry()
    except DatabaseUrlError as exc:  # `mesaides docs build` stops with the reason (exit 2), not a traceback
        raise click.BadParameter(str(exc), param_hint=DATABASE_ENV) from None
    try:
        with registry.database.reading() as session:
            history: dict[str, list[dict[str, Any]]] = {}
            for v in session.scalars(select(AideVersion).order_by(AideVersion.id)):
                history.setdefault(v.aide, []).append(
                    {"when": v.at.date().isoformat(), "version": v.version, "what": CHANGES.get(v.change, v.change)}
                )
            statuses = {p.name: parameter_status(p) for p in session.scalars(select(Parameter))}
        notices: dict[str, list[str]] = {}
        for notice in registry.pending_notices():
            for aide in notice.aides:
                notices.setdefault(aide, []).append(notice.text)
    finally:
        registry.close()
    return {"aide_history": history, "aide_notices": notices, "parameter_status": statuses}


def parameter_status(p: Parameter) -> str:
    if p.status == ParameterStatus.REMOVED:
        return f"retiré le {p.removed_at:%d/%m/%Y}" if p.removed_at else "retiré"
    if p.status == ParameterStatus.DEPRECATED:
        text = f"déprécié depuis le {p.deprecated_since:%d/%m/%Y}" if p.deprecated_since else "déprécié"
        if p.replacement:
            text += f", remplacé par {p.replacement}"
        if p.removal_date:
            text += f", retrait prévu le {p.removal_date:%d/%m/%Y}"
        return text
    return "actif"
