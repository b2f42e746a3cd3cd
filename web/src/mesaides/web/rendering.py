"""The HTML pages' templates (Jinja2), with what every page shows: the version, the preview
banner, the forms' CSRF fields (:mod:`mesaides.web.csrf`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from mesaides.web.csrf import FormTokens
from mesaides.web.results import euros

TEMPLATES = Path(__file__).parent / "templates"


class PageRenderer:
    """Renders the pages of one application (its preview flag, its forms' tokens)."""

    def __init__(self, *, preview: bool, form_tokens: FormTokens, version: str):
        self.preview = preview
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.filters["euros"] = euros
        self.templates.env.globals["version"] = version
        self.templates.env.globals["champ_csrf"] = form_tokens.field

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("preview", self.preview)
        return self.templates.TemplateResponse(request, template, context, status_code=status_code)

    def error(self, request: Request, status_code: int, titre: str, message: str) -> HTMLResponse:
        """The error page, in French: what happened and what to do."""
        return self.render(request, "erreur.html", status_code=status_code, titre=titre, message=message)
