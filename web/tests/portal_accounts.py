"""Accounts and sessions for the portal's tests: real accounts in the registry, created by its
administrator, and a real session whose secret goes in the cookie the sign-in pages set."""

from __future__ import annotations

from mesaides.registry import Registry
from mesaides.registry.accounts import Actor, Role
from mesaides.registry.testing import OPERATOR
from mesaides.web.auth import SESSION_COOKIE


def administrator(registry: Registry) -> Actor:
    """The operator's first administrator (created once), acting through the web."""
    if not any(a.email == OPERATOR.email for a in registry.accounts()):
        registry.create_first_administrator(OPERATOR.email, name="Opérateur de test")
    return registry.actor_for_email(OPERATOR.email, via="web")


def signed_in_actor(registry: Registry, role: str, partner: str | None = None, email: str | None = None) -> Actor:
    """The actor of an account of ``role`` (bound to ``partner``), created the first time."""
    if Role(role) is Role.ADMINISTRATOR and email is None:
        return administrator(registry)
    email = email or f"{role}.{partner or 'operateur'}@mesaides.test"
    if not any(a.email == email for a in registry.accounts()):
        registry.create_account(email, name=email, role=role, partner=partner, by=administrator(registry))
    return registry.actor_for_email(email, via="web")


def session_cookie(
    registry: Registry, role: str, partner: str | None = None, email: str | None = None
) -> tuple[str, str]:
    """The session cookie (name, secret) of a new session of that account."""
    return SESSION_COOKIE, registry.open_session(signed_in_actor(registry, role, partner, email))


def sign_in(client, registry: Registry, role: str, partner: str | None = None, email: str | None = None) -> None:
    """Put the session cookie of that account in ``client`` (replacing any other)."""
    name, secret = session_cookie(registry, role, partner, email)
    client.cookies.clear()
    client.cookies.set(name, secret)
