"""``mesaides registry outbox`` lists the emails the registry wrote (sent, pending, failing), and
every email a partner receives is in French, whatever the change (A3, A8, A9, A10, G3, P3)."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from registry_test_partners import NAT_ANCIEN, NAT_STATUT_SPECIAL, departement, metropole, national
from sqlalchemy import select

from mesaides.registry import open_registry
from mesaides.registry.cli import registry as registry_cli
from mesaides.registry.models import OutboxMessage
from mesaides.registry.testing import OPERATOR, operator_account

ENGLISH = re.compile(
    r"\b(the|its|it|is|are|was|reads?|directly|through|changed|rules|removed|no longer|not|corrected|"
    r"registered|installed|measured|defect|new|version whose|partner|request|by|on)\b",
    re.IGNORECASE,
)
"""Words of the registry's English (its log and errors) that French emails never contain."""


def _cli(db_url, clock, *args):
    env = {"MESAIDES_NOW": clock.now().isoformat(), **operator_account(db_url)}
    return CliRunner().invoke(registry_cli, ["--database", db_url, *args], env=env)


def test_registry_outbox_lists_sent_and_pending_emails(db_url, clock, deployment, smtp_server):
    registry = open_registry(db_url, clock, smtp=smtp_server.settings, households=100)
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    assert len(registry.send().sent) == 1  # G3 to the national partner
    registry.sync(deployment.rules(national("1.1.0", montant=600.0), departement()), by=OPERATOR, measure=False)
    registry.close()

    listed = _cli(db_url, clock, "outbox")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#1 sent    to referent@nat.example.org [nat] (notification #1): [mesaides] [G3]")
    assert lines[1].startswith("#2 pending to referent@dep.example.org [dep] (notification #2): [mesaides] [A8]")

    pending = _cli(db_url, clock, "outbox", "--pending", "--json")
    [entry] = json.loads(pending.output)
    assert entry["state"] == "pending" and entry["partner"] == "dep" and entry["notification"] == 2
    assert _cli(db_url, clock, "outbox", "--partner", "metro").output == "no email\n"


def test_every_email_to_partners_is_in_french(registry, clock, deployment):
    registry.sync(deployment.rules(national(), departement(), metropole()), by=OPERATOR)
    # A8 (a legislation value) and P3 (a new Parameter) in one release.
    registry.sync(
        deployment.rules(
            national("1.1.0", montant=650.0, parameters=(NAT_STATUT_SPECIAL, NAT_ANCIEN)), departement(), metropole()
        ),
        by=OPERATOR,
    )
    # A9: a defect, its renewal, the suspension when it runs out (A10 to the readers), the removal.
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="le forfait logement est ignoré")
    registry.renew_defect(defect, by=OPERATOR, reason="le partenaire corrige")
    clock.advance(days=31)
    registry.apply_deadlines()
    registry.remove_aide("minimum_test", by=OPERATOR, reason="règles périmées")
    # A10: an aide no longer registered.
    registry.sync(deployment.rules(national("1.2.0", montant=650.0), metropole()), by=OPERATOR)

    with registry.database.reading() as session:
        emails = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    rules = {m.subject.split("]")[1].strip(" [") for m in emails}
    assert {"G3", "A8", "P3", "A9", "A10"} <= rules
    for email in emails:
        text = email.subject + "\n" + email.body
        # Command lines and identifiers aside (``mesaides registry ...``, aide names).
        prose = re.sub(r"`[^`]*`|mesaides registry \S+.*|\b\w+_\w+\b", "", text)
        assert ENGLISH.findall(prose) == [], f"email #{email.id}:\n{text}"
