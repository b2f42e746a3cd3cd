"""``/stats``: the open statistics (O8) and what the registry says of each partner and aide."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from mesaides.core.geography import name_of
from mesaides.web import charts
from mesaides.web.dependencies import DeploymentDep, PagesDep, StatsDep
from mesaides.web.deployment.running import Deployment
from mesaides.web.impact_charts import impact_by_subject
from mesaides.web.registry_view import STATUS_FR, PublicState
from mesaides.web.routes.common import COUNTED, page_router
from mesaides.web.stats import CLICKS, DEPARTEMENTS, SIMULATIONS, VISITORS

router = page_router()

DAYS = 30
"""The days the daily charts cover."""


@router.get("/stats", response_class=HTMLResponse, dependencies=COUNTED)
def statistics(request: Request, deployment: DeploymentDep, stats: StatsDep, pages: PagesDep) -> HTMLResponse:
    visitors = stats.daily(VISITORS, DAYS)
    simulations = stats.daily(SIMULATIONS, DAYS)
    labels = {e.name: e.aide.info.label for e in deployment.catalogue()}
    clicks = stats.by_key(CLICKS)
    clicks_daily = stats.by_key_daily(CLICKS, DAYS)
    deps = stats.by_key(DEPARTEMENTS)
    clicks_total = stats.daily(CLICKS, DAYS)
    state = deployment.public_state()
    catalogue = deployment.catalogue()
    return pages.render(
        request,
        "stats.html",
        days=DAYS,
        visitors=visitors,
        simulations=simulations,
        totals={
            "visitors": stats.total(VISITORS),
            "simulations": stats.total(SIMULATIONS),
            "clicks": stats.total(CLICKS),
        },
        activity_chart=charts.line_chart(
            f"Visiteurs uniques et simulations terminées par jour, {DAYS} derniers jours",
            visitors.days,
            [("Visiteurs uniques", visitors.values), ("Simulations terminées", simulations.values)],
        ),
        clicks_chart=charts.line_chart(
            f"Accès aux services de demande en ligne par jour, {DAYS} derniers jours",
            clicks_total.days,
            [("Accès aux démarches", clicks_total.values)],
        ),
        clicks_bars=charts.bar_chart(
            "Accès aux services de demande en ligne, par aide, depuis le début",
            [(labels.get(k, k), v) for k, v in clicks.items()],
        ),
        clicks=[(labels.get(k, k), v, clicks_daily.get(k)) for k, v in clicks.items()],
        deps_bars=charts.bar_chart(
            "Simulations terminées par département de résidence, depuis le début (15 premiers)",
            [(f"{k} {name_of('departement', k)}".strip(), v) for k, v in list(deps.items())[:15]],
        ),
        deps=[(k, name_of("departement", k), v) for k, v in deps.items()],
        registry=state,
        lock=deployment.lock,
        catalogue=catalogue,
        status_fr=STATUS_FR,
        partners=_partners_view(deployment, state),
        partner_names={dist: p.name for dist, p in deployment.rules.partners.items()},
        aide_labels=labels,
        impacts=impact_by_subject(state.impacts, labels),
    )


def _partners_view(deployment: Deployment, state: PublicState) -> list[dict[str, Any]]:
    rules = deployment.rules
    out = []
    for record in rules.plugins.values():
        partner = rules.partners.get(record.distribution)
        if partner is None:
            continue
        known = state.partner(partner.id, partner.name, record.distribution)
        out.append({"partner": partner, "record": record, "registry": known})
    return out
