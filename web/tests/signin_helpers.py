"""What the sign-in and account tests share: a registry with real accounts on the web's database,
and signing in through the pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from web_scenarios import form_token

ADMIN = "admin@operateur.test"
CAF_REFERENT = "referente@caf.test"
CAF_EXPERT = "expert@caf.test"
NORD_REFERENT = "referent@nord.test"
NORD = "departement_nord"
LINK = re.compile(r"(https?://[^\s/]+)?(/connexion/lien/[A-Za-z0-9_-]+)")


@dataclass
class Accounts:
    url: str
    admin: str = ADMIN
    caf_referent: str = CAF_REFERENT
    caf_expert: str = CAF_EXPERT
    nord_referent: str = NORD_REFERENT


def create_registry_accounts(database_url: str) -> Accounts:
    """Sync the installed partners into the registry (no measure) and create an administrator
    (the command line's first one), two referents of two partners and an expert."""
    from mesaides.registry import SmtpSettings, open_registry
    from mesaides.registry.accounts import SYSTEM_ACTOR

    with open_registry(database_url, smtp=SmtpSettings()) as registry:
        registry.sync(by=SYSTEM_ACTOR, measure=False)
        registry.create_first_administrator(ADMIN, name="Claire Martin")
        admin = registry.actor_for_email(ADMIN, via="test")
        registry.create_account(CAF_REFERENT, name="Inès Caf", role="referent", partner="caf", by=admin)
        registry.create_account(CAF_EXPERT, name="Paul Expert", role="expert", partner="caf", by=admin)
        registry.create_account(NORD_REFERENT, name="Noé Nord", role="referent", partner="departement_nord", by=admin)
    return Accounts(database_url)


def link_in(message) -> str:
    """The path of the sign-in link in an email."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = LINK.search(body)
    assert found is not None, body
    return found.group(2)


def redeem(client, path: str):
    """Open the link's page, then press its button (what a person does)."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return client.post(path, data={"csrf": form_token(page.text, path)}, follow_redirects=False)


def sign_in_directly(client, database_url: str, email: str) -> None:
    """Sign ``client`` in with a link the registry issues (no email, no rate limit): for tests
    about what a signed-in account may do, not about signing in."""
    from mesaides.registry import SmtpSettings, open_registry

    with open_registry(database_url, smtp=SmtpSettings()) as registry:
        secret = registry.issue_sign_in_link(email)
    assert secret is not None
    answer = redeem(client, f"/connexion/lien/{secret}")
    assert answer.status_code == 303, answer.text[:300]


def sign_out(client) -> None:
    page = client.get("/espace/compte")
    answer = client.post("/deconnexion", data={"csrf": form_token(page.text, "/deconnexion")}, follow_redirects=False)
    assert answer.status_code == 303


def database_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'mesaides.sqlite3'}"
