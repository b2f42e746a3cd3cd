"""The application's routes, one router per concern; :func:`mesaides.web.app.create_app` includes
every router of :data:`ROUTERS`, in order. Adding a part to the site is one line here."""

from __future__ import annotations

from fastapi import APIRouter

from mesaides.web.routes import (
    calculate,
    catalogue,
    docs,
    expert_cases,
    questionnaire,
    results,
    saved,
    site,
    statistics,
)

ROUTERS: tuple[APIRouter, ...] = (
    calculate.router,  # the JSON API: /calculate, /explain (OpenFisca-compatible), /spec
    catalogue.router,  # the JSON API: /aides, /parameters, /partners, /communes
    site.router,  # /, /roadmap, /confidentialite, /accessibilite
    questionnaire.router,  # /simulation
    results.router,  # /aller/{aide}, /logos/{institution}.png
    saved.router,  # /enregistrer, /s/{token}...
    expert_cases.router,  # /cas-de-test (preview deployments)
    statistics.router,  # /stats
    docs.router,  # /docs, /redoc
)
