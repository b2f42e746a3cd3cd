"""The site's own pages: home, roadmap (O9), privacy, accessibility."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import markdown
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from mesaides.web.dependencies import DeploymentDep, PagesDep, SettingsDep
from mesaides.web.offer import offer
from mesaides.web.routes.common import COUNTED, page_router
from mesaides.web.settings import Settings, instance_path

router = page_router()


@router.get("/", response_class=HTMLResponse, dependencies=COUNTED)
def home(request: Request, deployment: DeploymentDep, pages: PagesDep) -> HTMLResponse:
    offered = offer(deployment)
    return pages.render(request, "accueil.html", aides=offered.computed, offer=offered)


def roadmap_text(settings: Settings) -> str:
    """``MESAIDES_ROADMAP``, else ``roadmap.md`` in the instance folder, else the packaged one."""
    candidates: list[Path] = []
    if settings.roadmap:
        candidates.append(settings.roadmap)
    candidates.append(instance_path() / "roadmap.md")
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return (files("mesaides.web") / "roadmap.md").read_text(encoding="utf-8")


@router.get("/roadmap", response_class=HTMLResponse, dependencies=COUNTED)
def roadmap(request: Request, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    html = markdown.markdown(roadmap_text(settings), extensions=["extra", "sane_lists", "toc"])
    return pages.render(request, "roadmap.html", contenu=Markup(html))


@router.get("/confidentialite", response_class=HTMLResponse, dependencies=COUNTED)
def privacy(request: Request, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    return pages.render(request, "confidentialite.html", retention=settings.retention_days)


@router.get("/accessibilite", response_class=HTMLResponse, dependencies=COUNTED)
def accessibility(request: Request, pages: PagesDep) -> HTMLResponse:
    return pages.render(request, "accessibilite.html")
