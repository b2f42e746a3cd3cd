"""Who may act in the registry: roles, the permissions each role has, and the actor of an action.

The convention's parties act under their own identity (issue 17): the operator's administrators,
each partner's referents and experts (bound to one partner), and statistics viewers. Every action
of the :class:`~mesaides.registry.registry.Registry` facade takes the :class:`Actor` doing it,
checks it here with :func:`authorize`, and records its :attr:`Actor.label` in the audit log.

This module is the one place that says who may do what. An administrator does not act for a
partner: signing off an aide's reliability (A6a), answering a notification (A7) or asking the
operator a question (O4) is the partner's own act.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mesaides.registry.errors import RegistryError


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    """The operator's administrators: decisions, quality sign-offs, the Parameter catalogue."""
    REFERENT = "referent"
    """A partner's referent (Pa2), bound to one partner; a partner may have several."""
    EXPERT = "expert"
    """An expert of a partner's aides (A5, G4), bound to one partner: writes its test cases."""
    STATISTICS = "statistics"
    """Sees figures, never the content of a situation or of a message."""
    SYSTEM = "system"
    """The registry itself, acting on a deadline (scheduler, ``registry tick``): no account."""

    @property
    def bound_to_partner(self) -> bool:
        return self in (Role.REFERENT, Role.EXPERT)


class Permission(StrEnum):
    # the operator's acts
    SYNC = "sync"
    DECIDE = "decide"
    """A1, A2: decide whether a suggested aide is feasible."""
    OPERATOR_SIGN_OFF = "operator_sign_off"
    """A6b: the operator checked the code's quality and side effects."""
    PUBLISH = "publish"
    """A6, G2, G4: publish or preview an aide once its checks and sign-offs pass."""
    REMOVE_AIDE = "remove_aide"
    """A9: the operator removes an aide whose defects were not corrected in time."""
    MANAGE_PARAMETERS = "manage_parameters"
    """P3, P4: deprecate and remove Parameters."""
    MANAGE_DEFECTS = "manage_defects"
    """A9: notify a defect, renew or close its correction period."""
    ASK_PARTNER = "ask_partner"
    """Pa2: ask a partner's referent a question."""
    ANSWER_PARTNER = "answer_partner"
    """O4: answer a partner's question."""
    SEND_EMAILS = "send_emails"
    MANAGE_ACCOUNTS = "manage_accounts"
    """Create and deactivate any account."""
    AMEND_CONVENTION = "amend_convention"
    """C1."""
    READ_ALL = "read_all"
    """Read every partner's notifications, questions and defects."""
    RUN_DEADLINES = "run_deadlines"
    """A9, O4, Pa2, P4: what falls due acts on time."""
    # a partner's acts (for the partner the actor is bound to)
    PARTNER_SIGN_OFF = "partner_sign_off"
    """A6a: the partner deems the calculation reliable."""
    ACKNOWLEDGE = "acknowledge"
    """A7: no interaction, or we will update our aides."""
    ASK_OPERATOR = "ask_operator"
    """O4: ask the operator a question."""
    ANSWER_OPERATOR = "answer_operator"
    """Pa2: answer the operator within two weeks."""
    WITHDRAW_AIDE = "withdraw_aide"
    """A9: a partner removes an aide that is no longer granted."""
    ADD_EXPERT_CASE = "add_expert_case"
    """A5, G4: experts add test cases for the partner's aides."""
    MANAGE_PARTNER_ACCOUNTS = "manage_partner_accounts"
    """A referent creates and deactivates its own partner's referents and experts."""
    MANAGE_TOKENS = "manage_tokens"
    """Create and revoke the API tokens of the partner's CI."""
    READ_PARTNER = "read_partner"
    """Read what is addressed to the partner: notifications, defects, questions."""
    # everyone's
    SUGGEST = "suggest"
    """A1: anyone may suggest an aide."""
    READ_STATISTICS = "read_statistics"


PARTNER_PERMISSIONS = frozenset(
    {
        Permission.PARTNER_SIGN_OFF,
        Permission.ACKNOWLEDGE,
        Permission.ASK_OPERATOR,
        Permission.ANSWER_OPERATOR,
        Permission.WITHDRAW_AIDE,
        Permission.ADD_EXPERT_CASE,
        Permission.MANAGE_PARTNER_ACCOUNTS,
        Permission.MANAGE_TOKENS,
        Permission.READ_PARTNER,
    }
)
"""Permissions that hold only for the partner the actor is bound to."""

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.SYNC,
            Permission.DECIDE,
            Permission.OPERATOR_SIGN_OFF,
            Permission.PUBLISH,
            Permission.REMOVE_AIDE,
            Permission.MANAGE_PARAMETERS,
            Permission.MANAGE_DEFECTS,
            Permission.ASK_PARTNER,
            Permission.ANSWER_PARTNER,
            Permission.SEND_EMAILS,
            Permission.MANAGE_ACCOUNTS,
            Permission.AMEND_CONVENTION,
            Permission.READ_ALL,
            Permission.RUN_DEADLINES,
            Permission.SUGGEST,
            Permission.READ_STATISTICS,
        }
    ),
    Role.REFERENT: PARTNER_PERMISSIONS | {Permission.SUGGEST, Permission.READ_STATISTICS},
    Role.EXPERT: frozenset(
        {Permission.ADD_EXPERT_CASE, Permission.READ_PARTNER, Permission.SUGGEST, Permission.READ_STATISTICS}
    ),
    Role.STATISTICS: frozenset({Permission.READ_STATISTICS}),
    Role.SYSTEM: frozenset(
        {
            Permission.SYNC,
            Permission.RUN_DEADLINES,
            Permission.SEND_EMAILS,
            Permission.MANAGE_PARAMETERS,
            Permission.MANAGE_DEFECTS,
            Permission.READ_ALL,
        }
    ),
}


class AccessDenied(RegistryError):
    """An actor tried something its role or its partner does not allow; the message says what."""


@dataclass(frozen=True)
class Actor:
    """The account doing an action, as the sign-in, an API token or the command line found it."""

    account_id: int | None
    """``None`` only for :data:`SYSTEM_ACTOR`."""
    email: str
    role: Role
    partner: str | None = None
    """The partner a referent or an expert is bound to."""
    via: str = "web"
    """How it acts: ``web``, ``api`` (a token), ``cli`` or ``scheduler``: recorded in the audit log."""

    def __post_init__(self) -> None:
        if self.role.bound_to_partner and not self.partner:
            raise ValueError(f"a {self.role} account is bound to a partner")
        if not self.role.bound_to_partner and self.partner:
            raise ValueError(f"a {self.role} account is not bound to a partner")

    @property
    def label(self) -> str:
        """Who did it, as the audit log and the ``by`` columns record it."""
        who = f"{self.role}:{self.partner}" if self.partner else str(self.role)
        return f"{self.email} ({who}, {self.via})"

    def may(self, permission: Permission, partner: str | None = None) -> bool:
        if permission not in ROLE_PERMISSIONS[self.role]:
            return False
        if permission in PARTNER_PERMISSIONS:
            return partner is not None and partner == self.partner
        return True


SYSTEM_ACTOR = Actor(None, "registry", Role.SYSTEM, via="scheduler")
"""The registry acting on its own when a deadline comes (A9, O4, Pa2, P4)."""


_WHAT = {
    Permission.PARTNER_SIGN_OFF: "signer la fiabilité d'une aide (A6a)",
    Permission.ACKNOWLEDGE: "répondre à une notification (A7)",
    Permission.ASK_OPERATOR: "poser une question à l'opérateur (O4)",
    Permission.ANSWER_OPERATOR: "répondre à l'opérateur (Pa2)",
    Permission.WITHDRAW_AIDE: "retirer une aide (A9)",
    Permission.ADD_EXPERT_CASE: "ajouter des cas de test (A5)",
    Permission.MANAGE_PARTNER_ACCOUNTS: "gérer les comptes",
    Permission.MANAGE_TOKENS: "gérer les jetons d'API",
    Permission.READ_PARTNER: "consulter l'espace",
}


def authorize(actor: Actor, permission: Permission, partner: str | None = None) -> None:
    """Refuse, with a message naming the account and the act, what ``actor`` may not do (for
    ``partner``, when the act is a partner's own)."""
    if actor.may(permission, partner):
        return
    if permission in PARTNER_PERMISSIONS and permission in ROLE_PERMISSIONS[actor.role]:
        what = _WHAT.get(permission, str(permission))
        raise AccessDenied(
            f"{actor.email} ({actor.role}) may not act for partner {partner!r}: "
            f"only its own referents may {permission} ({what})"
        )
    if permission in PARTNER_PERMISSIONS and actor.role is Role.ADMINISTRATOR:
        raise AccessDenied(
            f"{actor.email} is an administrator: {permission} is the partner's own act "
            f"({_WHAT.get(permission, permission)}); partners act in their space or through the API"
        )
    raise AccessDenied(f"{actor.email} ({actor.role}) may not {permission}")
