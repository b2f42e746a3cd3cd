"""Cross-site request forgery: a form is accepted only when posted from this instance's pages.

Every form POST of the pages passes two checks (:func:`mesaides.web.dependencies.form_from_this_site`,
a dependency of the pages' routers), and fails with a 403 page saying so:

1. **The browser's word.** ``Sec-Fetch-Site`` must be ``same-origin`` when the browser sends it;
   otherwise ``Origin``, when sent, must be this server's own (scheme aside: the host and port
   the request was addressed to, ``Host``, or ``X-Forwarded-Host`` behind a proxy that rewrites
   ``Host``; a browser's form cannot set either). A cross-site form, ``Origin: null`` included,
   is refused.
2. **A token in the form** (field ``csrf``): ``<day>.<HMAC-SHA256(secret, day | action path)>``,
   where ``day`` is the day it was issued and the action path the address the form posts to
   (so a token for one saved situation's deletion is worth nothing for another's). Stateless:
   no session and no cookie; a token is accepted for :data:`VALIDITY_DAYS` days, so that a page
   left open overnight can still be saved.

The secret is 32 random bytes drawn once per instance and kept in the database
(``web_instance_secret``), so that every worker process, and the server after a restart,
accept the tokens any of them issued. Rotating it (deleting the row) invalidates every form
open at that moment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import Request
from markupsafe import Markup, escape
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from mesaides.web.db import instance_secrets

FIELD = "csrf"
SECRET_NAME = "csrf"
VALIDITY_DAYS = 2
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})
"""``Sec-Fetch-Site`` values of a request this site's own page made (``none``: typed by the user)."""


class CrossSiteRequest(HTTPException):
    """A form that does not come from this site's pages: 403, with the reason."""

    def __init__(self, reason: str):
        super().__init__(403, reason)


def instance_secret(engine: Engine) -> bytes:
    """The instance's CSRF key: read from the database, drawn there the first time (the first
    worker to insert it wins; the others read the winner's)."""
    query = sa.select(instance_secrets.c.value).where(instance_secrets.c.name == SECRET_NAME)
    with engine.begin() as conn:
        value = conn.execute(query).scalar()
        if value is None:
            try:
                with conn.begin_nested():
                    conn.execute(instance_secrets.insert().values(name=SECRET_NAME, value=secrets.token_hex(32)))
            except IntegrityError:
                pass
            value = conn.execute(query).scalar_one()
    return bytes.fromhex(value)


class FormTokens:
    """Issues and checks the forms' tokens with the instance's secret."""

    def __init__(self, secret: bytes, today=lambda: dt.datetime.now(dt.UTC).date()):
        self._secret = secret
        self._today = today

    def issue(self, action: str) -> str:
        day = self._today().toordinal()
        return f"{day}.{self._mac(day, action)}"

    def valid(self, token: str, action: str) -> bool:
        day_text, _, mac = token.partition(".")
        if not day_text.isdigit() or len(day_text) > 8:
            return False
        day = int(day_text)
        if not 0 <= self._today().toordinal() - day < VALIDITY_DAYS:
            return False
        return hmac.compare_digest(mac, self._mac(day, action))

    def field(self, action: str) -> Markup:
        """The hidden input carrying the token of a form posted to ``action`` (for templates)."""
        return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(self.issue(action))}">')

    def _mac(self, day: int, action: str) -> str:
        return hmac.new(self._secret, f"{day}|{action}".encode(), hashlib.sha256).hexdigest()


def check_origin(request: Request) -> None:
    """Refuse a request the browser says comes from another site.

    :raises CrossSiteRequest: ``Sec-Fetch-Site`` or ``Origin`` names another site.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site.lower() not in SAME_ORIGIN_FETCH:
            raise CrossSiteRequest(f"request sent from another site (Sec-Fetch-Site: {fetch_site[:40]}): refused")
        return
    origin = request.headers.get("origin")
    if origin is None:
        return  # not a browser that says; the token decides
    hosts = {
        h.strip().lower() for name in ("host", "x-forwarded-host") for h in request.headers.get(name, "").split(",")
    }
    if origin == "null" or urlsplit(origin).netloc.lower() not in hosts - {""}:
        raise CrossSiteRequest(f"request sent from another site (Origin: {origin[:100]}): refused")
