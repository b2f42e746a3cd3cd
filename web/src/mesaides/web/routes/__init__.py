"""The application's routes, one router per concern; :func:`mesaides.web.app.create_app` includes
every router of :data:`ROUTERS`, in order. Adding a part to the site is one line here."""

from __future__ import annotations

from fastapi import APIRouter

from mesaides.web.routes import (
    accounts,
    calculate,
    catalogue,
    docs,
    expert_cases,
    partners,
    portal,
    questionnaire,
    results,
    saved,
    signin,
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
    signin.router,  # /connexion, /deconnexion (issue 17)
    accounts.router,  # /espace/compte, /espace/comptes, /espace/journal
    portal.router,  # /espace, /espace/partenaire/{partner}, /espace/operateur
    partners.router,  # /api/partenaires/{partner}/... and /espace/partenaire/{partner}/jetons
)
