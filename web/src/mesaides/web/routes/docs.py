"""The API's reading views, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served without the
internet: their scripts and style sheets come from the ``fastapi-offline`` package (MIT; it
ships Swagger UI, Apache-2.0, and ReDoc, MIT, about 2.8 MB), mounted at :data:`ASSETS_PATH`.

Each page sets its own Content-Security-Policy, which the security middleware then leaves as
it is: Swagger UI's page starts it with an inline script, allowed by its hash; ReDoc styles its
page with ``<style>`` elements it writes and searches in a worker made from a ``blob:``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

ASSETS_PATH = "/docs/assets"
SWAGGER_PARAMETERS = {"validatorUrl": None}
"""Swagger UI would otherwise send the schema to an online validator for a badge."""
BASE_POLICY = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def assets_directory() -> Path:
    """The folder of the packaged Swagger UI and ReDoc files."""
    return Path(str(files("fastapi_offline") / "static"))


def _with_policy(page: HTMLResponse, policy: str) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = policy
    return page


def _script_hashes(body: bytes) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(body)
    )


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} — API",
        swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )
    return _with_policy(page, f"{BASE_POLICY}; style-src 'self'; script-src 'self' {_script_hashes(page.body)}")


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} — API",
        redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )
    return _with_policy(
        page, f"{BASE_POLICY}; style-src 'self' 'unsafe-inline'; script-src 'self'; worker-src 'self' blob:"
    )
