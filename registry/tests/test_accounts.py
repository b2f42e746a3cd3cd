"""Accounts, roles and proofs of identity (issue 17): nobody acts for a partner they are not bound
to; sign-in links are personal, single-use and short-lived; only digests are stored."""

from __future__ import annotations

import pytest
from registry_test_partners import departement, national
from sqlalchemy import text

from mesaides.registry import RegistryError
from mesaides.registry.accounts import AccessDenied, Actor, Permission, Role, authorize
from mesaides.registry.testing import OPERATOR, STATISTICS, expert, referent


@pytest.fixture
def synced(registry, deployment):
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    return registry


def test_an_administrator_does_not_act_for_a_partner_and_a_referent_only_for_its_own():
    with pytest.raises(AccessDenied, match="is the partner's own act"):
        authorize(OPERATOR, Permission.ACKNOWLEDGE, "nat")
    with pytest.raises(AccessDenied, match="may not act for partner 'nat'"):
        authorize(referent("dep"), Permission.PARTNER_SIGN_OFF, "nat")
    authorize(referent("nat"), Permission.PARTNER_SIGN_OFF, "nat")
    authorize(expert("nat"), Permission.ADD_EXPERT_CASE, "nat")
    with pytest.raises(AccessDenied):
        authorize(expert("nat"), Permission.ACKNOWLEDGE, "nat")  # an expert writes cases, not answers
    with pytest.raises(AccessDenied):
        authorize(referent("nat"), Permission.DECIDE)
    for permission in Permission:
        if permission is not Permission.READ_STATISTICS:
            assert not STATISTICS.may(permission, "nat"), permission
    with pytest.raises(ValueError, match="bound to a partner"):
        Actor(1, "x@example.org", Role.REFERENT)


def test_the_facade_refuses_a_partner_act_by_another_partner(synced):
    with pytest.raises(AccessDenied, match="may not act for partner 'nat'"):
        synced.sign_off("minimum_test", "reliability", by=referent("dep"))
    with pytest.raises(RegistryError, match="is an administrator"):
        synced.sign_off("minimum_test", "reliability", by=OPERATOR)
    synced.sign_off("minimum_test", "reliability", by=referent("nat"))
    [event] = [e for e in synced.audit_log(subject="minimum_test") if e.action == "sign_off"]
    assert event.actor == "referent@nat.test (referent:nat, test)"


def test_accounts_are_created_by_an_administrator_or_a_referent_for_its_own_partner(synced):
    first = synced.create_first_administrator("Claire@Operateur.example", name="Claire")
    assert (first.email, first.role) == ("claire@operateur.example", Role.ADMINISTRATOR)
    with pytest.raises(RegistryError, match="an administrator exists already"):
        synced.create_first_administrator("mallory@example.org")
    admin = synced.actor_for_email("claire@operateur.example", via="cli")
    ref = synced.create_account("ref@nat.example", role="referent", partner="nat", by=admin)
    ref_actor = synced.actor_for_email(ref.email, via="web")
    assert (ref_actor.role, ref_actor.partner) == (Role.REFERENT, "nat")
    synced.create_account("expert@nat.example", role="expert", partner="nat", by=ref_actor)
    with pytest.raises(AccessDenied):
        synced.create_account("expert@dep.example", role="expert", partner="dep", by=ref_actor)
    with pytest.raises(AccessDenied):
        synced.create_account("boss@nat.example", role="administrator", by=ref_actor)
    with pytest.raises(RegistryError, match="partner: a referent account is bound to a partner"):
        synced.create_account("x@example.org", role="referent", by=admin)
    with pytest.raises(RegistryError, match="partner: no partner 'nowhere'"):
        synced.create_account("x@example.org", role="referent", partner="nowhere", by=admin)
    with pytest.raises(RegistryError, match="email: 'not an email' is not an email address"):
        synced.create_account("not an email", role="statistics", by=admin)
    with pytest.raises(RegistryError, match=r"email: an account ref@nat\.example exists already"):
        synced.create_account("REF@nat.example", role="referent", partner="nat", by=admin)
    assert [a.email for a in synced.accounts(partner="nat")] == ["expert@nat.example", "ref@nat.example"]


def test_a_sign_in_link_is_personal_single_use_and_short_lived(synced, clock):
    admin = synced.actor_for_email(synced.create_first_administrator("admin@op.example").email, via="cli")
    synced.create_account("ref@nat.example", role="referent", partner="nat", by=admin)
    assert synced.issue_sign_in_link("nobody@example.org") is None  # same answer page either way
    secret = synced.issue_sign_in_link("ref@nat.example", ip="127.0.0.1")
    assert secret and len(secret) >= 40
    actor, session_secret = synced.redeem_sign_in_link(secret)
    assert actor.email == "ref@nat.example" and synced.actor_for_session(session_secret) == actor
    with pytest.raises(AccessDenied, match="déjà servi"):
        synced.redeem_sign_in_link(secret)
    late = synced.issue_sign_in_link("ref@nat.example")
    clock.advance(minutes=16)
    with pytest.raises(AccessDenied, match="expiré"):
        synced.redeem_sign_in_link(late)
    # Only digests are stored: the database signs nobody in.
    with synced.database.reading() as session:
        stored = {row[0] for row in session.execute(text("SELECT token_hash FROM sign_in_links"))}
        stored |= {row[0] for row in session.execute(text("SELECT token_hash FROM account_sessions"))}
    assert secret not in stored and session_secret not in stored
    # Sessions end after 12 hours, at sign-out, and when the account is deactivated.
    clock.advance(hours=12)
    assert synced.actor_for_session(session_secret) is None
    _, again = synced.redeem_sign_in_link(synced.issue_sign_in_link("ref@nat.example"))
    synced.close_session(again)
    assert synced.actor_for_session(again) is None
    _, third = synced.redeem_sign_in_link(synced.issue_sign_in_link("ref@nat.example"))
    synced.deactivate_account("ref@nat.example", by=admin)
    assert synced.actor_for_session(third) is None
    assert synced.issue_sign_in_link("ref@nat.example") is None


def test_a_partner_token_acts_for_its_partner_only_until_revoked(synced):
    admin = synced.actor_for_email(synced.create_first_administrator("admin@op.example").email, via="cli")
    synced.create_account("ref@nat.example", role="referent", partner="nat", by=admin)
    ref = synced.actor_for_email("ref@nat.example", via="web")
    with pytest.raises(AccessDenied):
        synced.create_api_token("dep", "CI", by=ref)
    with pytest.raises(AccessDenied):
        synced.create_api_token("nat", "CI", by=admin)  # the partner's own tokens
    secret = synced.create_api_token("nat", "CI GitLab", by=ref)
    assert secret.startswith("mat_")
    actor = synced.actor_for_api_token(secret)
    assert (actor.partner, actor.via, actor.email) == ("nat", "api:CI GitLab", "ref@nat.example")
    assert synced.actor_for_api_token(secret + "x") is None
    [token] = synced.api_tokens("nat")
    assert token.prefix == secret[:10] and token.last_used_at is not None
    synced.revoke_api_token(token.id, by=ref)
    assert synced.actor_for_api_token(secret) is None
