"""Accounts and the proofs of who someone is: emailed sign-in links, sessions, API tokens.

Passwordless, as Administration+ does it: an account receives a personal sign-in link by email,
valid :data:`LINK_LIFETIME` and once; redeeming it opens a session. A partner's CI uses a token
scoped to that partner. Only SHA-256 digests of links, sessions and tokens are stored: a copy of
the database signs nobody in.

Functions take a SQLAlchemy session and the current time (the facade's transaction and clock);
who may create or deactivate whom is :mod:`mesaides.registry.accounts`'s to say.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mesaides.registry import audit
from mesaides.registry.accounts import AccessDenied, Actor, Permission, Role, authorize
from mesaides.registry.database import rows_matched
from mesaides.registry.errors import RegistryError
from mesaides.registry.models import Account, AccountSession, ApiToken, Partner, SignInLink

LINK_LIFETIME = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=12)
TOKEN_PREFIX = "mat_"
"""API tokens start with it (mesaides API token), so that secret scanners can recognise them."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(RegistryError):
    """A bad account request (unknown partner, bad email, duplicate…), naming the field."""


@dataclass(frozen=True)
class AccountView:
    """An account as pages and commands list it."""

    id: int
    email: str
    name: str
    role: Role
    partner: str | None
    active: bool
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True)
class TokenView:
    id: int
    partner: str
    name: str
    prefix: str
    created_at: dt.datetime
    created_by: str
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"email: {email!r} is not an email address")
    return email


def _view(account: Account) -> AccountView:
    return AccountView(
        account.id,
        account.email,
        account.name,
        Role(account.role),
        account.partner_id,
        account.active,
        account.created_at,
        account.created_by,
    )


def actor_of(account: Account, via: str) -> Actor:
    return Actor(account.id, account.email, Role(account.role), account.partner_id, via=via)


# ---- accounts ------------------------------------------------------------------------------------


def _authorize_management(by: Actor, role: Role, partner: str | None) -> None:
    """Administrators manage every account; a referent its own partner's referents and experts."""
    if by.may(Permission.MANAGE_ACCOUNTS):
        return
    if role.bound_to_partner:
        authorize(by, Permission.MANAGE_PARTNER_ACCOUNTS, partner)
        return
    authorize(by, Permission.MANAGE_ACCOUNTS)


def create_account(
    session: Session, now: dt.datetime, email: str, name: str, role: Role | str, partner: str | None, by: Actor
) -> AccountView:
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(r for r in Role if r is not Role.SYSTEM)
        raise AccountError(f"role: {role!r} is not a role; expected one of {choices}") from None
    if role is Role.SYSTEM:
        raise AccountError("role: the system role has no account")
    email = normalise_email(email)
    partner = partner or None
    if role.bound_to_partner and partner is None:
        raise AccountError(f"partner: a {role} account is bound to a partner; give its id")
    if not role.bound_to_partner and partner is not None:
        raise AccountError(f"partner: a {role} account is not bound to a partner")
    if partner is not None and session.get(Partner, partner) is None:
        raise AccountError(f"partner: no partner {partner!r} in the registry (run a sync first)")
    _authorize_management(by, role, partner)
    if session.scalar(select(Account).where(Account.email == email)) is not None:
        raise AccountError(f"email: an account {email} exists already")
    account = Account(
        email=email,
        name=(name or "").strip(),
        role=role,
        partner_id=partner,
        active=True,
        created_at=now,
        created_by=by.label,
    )
    session.add(account)
    session.flush()
    audit.record(session, now, by.label, "account_created", email, "", role=role, partner=partner)
    return _view(account)


def _account(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == normalise_email(email)))
    if account is None:
        raise AccountError(f"email: no account {email}")
    return account


def deactivate_account(session: Session, now: dt.datetime, email: str, by: Actor) -> AccountView:
    """Deactivate an account; its links, sessions and tokens stop working at once."""
    account = _account(session, email)
    _authorize_management(by, Role(account.role), account.partner_id)
    if account.id == by.account_id:
        raise AccountError("email: one does not deactivate one's own account")
    if account.active:
        account.active = False
        account.deactivated_at = now
        account.deactivated_by = by.label
        session.execute(
            update(AccountSession)
            .where(AccountSession.account_id == account.id, AccountSession.closed_at.is_(None))
            .values(closed_at=now)
        )
        session.execute(
            update(SignInLink)
            .where(SignInLink.account_id == account.id, SignInLink.used_at.is_(None))
            .values(used_at=now)
        )
        session.execute(
            update(ApiToken)
            .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=by.label)
        )
        audit.record(session, now, by.label, "account_deactivated", account.email, "")
    return _view(account)


def accounts(session: Session, *, partner: str | None = None) -> list[AccountView]:
    query = select(Account).order_by(Account.partner_id, Account.email)
    if partner is not None:
        query = query.where(Account.partner_id == partner)
    return [_view(a) for a in session.scalars(query)]


def has_active_administrator(session: Session) -> bool:
    query = select(Account.id).where(Account.role == Role.ADMINISTRATOR, Account.active.is_(True)).limit(1)
    return session.scalar(query) is not None


def actor_for_email(session: Session, email: str, *, via: str) -> Actor:
    """The actor of an active account (the command line's ``--as``)."""
    account = session.scalar(select(Account).where(Account.email == normalise_email(email)))
    if account is None or not account.active:
        raise AccessDenied(f"no active account {email.strip().lower()}")
    return actor_of(account, via)


# ---- sign-in links and sessions ------------------------------------------------------------------


def issue_sign_in_link(session: Session, now: dt.datetime, email: str, *, ip: str = "") -> str | None:
    """A new sign-in link's secret for the active account ``email``, or None when there is no such
    account (callers say the same thing either way, so the answer reveals no account)."""
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    account = session.scalar(select(Account).where(Account.email == email, Account.active.is_(True)))
    if account is None:
        return None
    secret = secrets.token_urlsafe(32)
    session.add(
        SignInLink(
            account_id=account.id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
            requested_ip=ip[:64],
        )
    )
    return secret


def redeem_sign_in_link(session: Session, now: dt.datetime, secret: str) -> Actor:
    """The account a sign-in link opens; the link is used up. Refused when unknown, used, expired
    or its account deactivated."""
    link = session.scalar(select(SignInLink).where(SignInLink.token_hash == digest(secret or "")))
    if link is None:
        raise AccessDenied("ce lien de connexion n'existe pas")
    if link.used_at is not None:
        raise AccessDenied("ce lien de connexion a déjà servi")
    if link.expires_at <= now:
        raise AccessDenied("ce lien de connexion a expiré")
    # the conditional update makes two simultaneous redemptions open one session only
    unused = SignInLink.id == link.id, SignInLink.used_at.is_(None)
    if rows_matched(session, update(SignInLink).where(*unused).values(used_at=now)) != 1:
        raise AccessDenied("ce lien de connexion a déjà servi")
    account = session.get(Account, link.account_id)
    if account is None or not account.active:
        raise AccessDenied("ce compte est désactivé")
    actor = actor_of(account, "web")
    audit.record(session, now, actor.label, "signed_in", account.email, "")
    return actor


def open_session(session: Session, now: dt.datetime, actor: Actor) -> str:
    """A new session's secret (for the cookie) for ``actor``'s account."""
    if actor.account_id is None:
        raise AccessDenied("the system actor has no session")
    secret = secrets.token_urlsafe(32)
    session.add(
        AccountSession(
            account_id=actor.account_id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            last_seen_at=now,
        )
    )
    return secret


def actor_for_session(session: Session, now: dt.datetime, secret: str) -> Actor | None:
    row = session.scalar(select(AccountSession).where(AccountSession.token_hash == digest(secret or "")))
    if row is None or row.closed_at is not None or row.expires_at <= now:
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    return actor_of(account, "web")


def close_session(session: Session, now: dt.datetime, secret: str) -> None:
    session.execute(
        update(AccountSession)
        .where(AccountSession.token_hash == digest(secret or ""), AccountSession.closed_at.is_(None))
        .values(closed_at=now)
    )


# ---- API tokens ----------------------------------------------------------------------------------


def create_api_token(session: Session, now: dt.datetime, partner: str, name: str, by: Actor) -> str:
    """A new token for ``partner``'s CI, created by one of its referents; the secret is returned
    once and never stored."""
    authorize(by, Permission.MANAGE_TOKENS, partner)
    name = (name or "").strip()
    if not name:
        raise AccountError("name: give the token a name (for example « CI GitLab »)")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert by.account_id is not None  # a referent has an account
    session.add(
        ApiToken(
            partner_id=partner,
            account_id=by.account_id,
            name=name[:200],
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_hash=digest(secret),
            created_at=now,
        )
    )
    audit.record(session, now, by.label, "api_token_created", partner, "", name=name)
    return secret


def revoke_api_token(session: Session, now: dt.datetime, token_id: int, by: Actor) -> None:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError(f"token: no token #{token_id}")
    authorize(by, Permission.MANAGE_TOKENS, token.partner_id)
    if token.revoked_at is None:
        token.revoked_at = now
        token.revoked_by = by.label
        audit.record(session, now, by.label, "api_token_revoked", token.partner_id, "", name=token.name)


def api_tokens(session: Session, partner: str) -> list[TokenView]:
    rows = session.execute(
        select(ApiToken, Account.email)
        .join(Account, Account.id == ApiToken.account_id)
        .where(ApiToken.partner_id == partner)
        .order_by(ApiToken.id)
    )
    return [
        TokenView(t.id, t.partner_id, t.name, t.prefix, t.created_at, email, t.last_used_at, t.revoked_at)
        for t, email in rows
    ]


def actor_for_api_token(session: Session, now: dt.datetime, secret: str) -> Actor | None:
    """The referent who created a valid token, acting through the API for the token's partner."""
    if not (secret or "").startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    account = session.get(Account, token.account_id)
    if account is None or not account.active or account.partner_id != token.partner_id:
        return None
    token.last_used_at = now
    return Actor(account.id, account.email, Role(account.role), token.partner_id, via=f"api:{token.name}")
