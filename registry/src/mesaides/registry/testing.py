"""Actors for tests of the registry and of what uses it (partners' and the web's tests).

The facade authorizes an :class:`~mesaides.registry.accounts.Actor`, whatever proved it: tests of
rules other than sign-in use these directly; tests of sign-in and tokens create real accounts.
"""

from __future__ import annotations

from mesaides.registry.accounts import Actor, Role

OPERATOR = Actor(None, "operateur@mesaides.test", Role.ADMINISTRATOR, via="test")
"""An administrator of the operator."""

STATISTICS = Actor(None, "statistiques@mesaides.test", Role.STATISTICS, via="test")


def referent(partner: str) -> Actor:
    """A referent of ``partner`` (Pa2): its sign-offs, answers and questions."""
    return Actor(None, f"referent@{partner}.test", Role.REFERENT, partner, via="test")


def expert(partner: str) -> Actor:
    """An expert of ``partner``'s aides (A5): its test cases."""
    return Actor(None, f"expert@{partner}.test", Role.EXPERT, partner, via="test")


def operator_account(database_url: str) -> dict[str, str]:
    """Create the test administrator's account in the registry at ``database_url`` (once) and
    return the environment under which ``mesaides registry`` commands act as it."""
    from mesaides.registry.registry import open_registry

    with open_registry(database_url) as registry:
        if not any(a.email == OPERATOR.email for a in registry.accounts()):
            registry.create_first_administrator(OPERATOR.email, name="Opérateur de test")
    return {"MESAIDES_ACCOUNT": OPERATOR.email}
