"""Deadlines act on time: ``registry.tick()`` (the web server's scheduler and ``mesaides registry
tick`` for cron) suspends under A9, removes Parameters on their P4 date, reminds before and at the
O4/Pa2 deadlines, sends the outbox: each thing once, with a controlled clock, a real SQLite file
and a real SMTP server; several ticks at once (threads, processes) still do each thing once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from dataclasses import replace
from email.header import decode_header, make_header

import pytest
from click.testing import CliRunner
from registry_test_partners import NAT_ANCIEN, NAT_STATUT_SPECIAL, departement, info, metropole, national, ville
from registry_test_partners import ville_ancienne as ville_ancienne_aide
from sqlalchemy import func, select

from mesaides.registry import open_registry
from mesaides.registry.cli import registry as registry_cli
from mesaides.registry.models import AuditEvent, DeadlineReminder
from mesaides.registry.testing import OPERATOR, referent
from mesaides.registry.tick import LEASE_FOR, acquire_lease, release_lease

OPERATOR_EMAIL = "operateur@mesaides.test"


@pytest.fixture
def ticking(db_url, clock, deployment, smtp_server):
    """A published aide, the first sync's G3 notifications to answer (Pa2), a real SMTP server."""
    smtp = replace(smtp_server.settings, operator_address=OPERATOR_EMAIL)
    registry = open_registry(db_url, clock, smtp=smtp, households=100)
    rules = deployment.rules(national(), departement(), metropole())
    registry.sync(rules, by=OPERATOR, measure=False)
    registry.sign_off("minimum_test", "reliability", by=referent("nat"))
    registry.sign_off("minimum_test", "quality", by=OPERATOR)
    dirs = deployment.case_dirs()["mesaides-test-national"]
    assert registry.publish("minimum_test", by=OPERATOR, rules=rules, case_dirs=dirs) == "published"
    first = registry.tick()  # sends what the sync wrote; nothing is due yet
    assert first.ran and first.emails_sent and not first.reminders and not first.errors
    yield registry, smtp_server
    registry.close()


def _reminders(registry) -> int:
    with registry.database.reading() as session:
        return session.scalar(select(func.count()).select_from(DeadlineReminder))


def _subject(message) -> str:
    return " ".join(str(make_header(decode_header(message["Subject"]))).split())


def _body(message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def _subjects(inbox, start=0):
    return [(m["To"], _subject(m)) for m in inbox.messages[start:]]


def test_tick_reminds_before_and_on_the_day_then_suspends_each_once(ticking, clock):
    registry, inbox = ticking
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="ignore le forfait logement")
    question = registry.ask("nat", "Quand la revalorisation d'avril ?", by=referent("nat"), to_operator=True)
    registry.tick()  # the defect's notification goes out
    sent = len(inbox.messages)

    clock.advance(days=12)  # 2026-11-28 09:00: the answers are due on the 30th, the correction on 1 December
    report = registry.tick()
    assert report.ran and not report.errors and not report.suspended
    assert f"before:question:{question}" in report.reminders
    assert f"before:defect:{defect}:2026-12-01T09:00" in report.reminders
    acks = [k for k in report.reminders if k.startswith("before:ack:")]
    assert acks  # the first sync's G3 notifications, not answered (Pa2)
    assert len(report.reminders) == 2 + len(acks)
    mails = _subjects(inbox, sent)
    # One email per recipient, listing its deadlines: the operator's question, the partner's
    # correction period and its answers to the first sync's notifications.
    assert (OPERATOR_EMAIL, "[mesaides] [O4] Rappel : échéance le 30/11/2026") in mails
    nat_acks = [k for k in acks if k.endswith(":nat")]
    subject = f"[mesaides] [A9, Pa2] Rappel : {1 + len(nat_acks)} échéances, la première le 30/11/2026"
    assert ("referent@nat.example.org", subject) in mails
    recipients = {"nat", "operator", *(k.rsplit(":", 1)[1] for k in acks)}
    assert len(mails) == len(recipients) == len(report.emails_sent)
    to_nat = next(m for m in inbox.messages[sent:] if m["To"] == "referent@nat.example.org")
    text = _body(to_nat)
    assert f"la correction du défaut n° {defect} sur l'aide minimum_test (ignore le forfait logement)" in text
    assert "au plus tard le 01/12/2026 à 09:00 UTC, dans 3 jours" in text
    assert text.count("- Le registre mesaides attend votre réponse à la notification n°") == len(nat_acks)

    again = registry.tick()  # nothing more the second time
    assert again.ran and not again.reminders and not again.emails_sent and not again.suspended
    assert len(inbox.messages) == sent + len(mails)
    sent = len(inbox.messages)

    clock.set("2026-11-30T09:30:00")  # the answers fall due: reminded on the day (O4, Pa2)
    report = registry.tick()
    assert f"due:question:{question}" in report.reminders
    assert {k.split(":", 1)[1] for k in report.reminders} == {
        f"question:{question}",
        *(k.split(":", 1)[1] for k in acks),
    }
    assert (OPERATOR_EMAIL, "[mesaides] [O4] Échéance atteinte le 30/11/2026") in _subjects(inbox, sent)
    assert not registry.tick().reminders
    sent = len(inbox.messages)

    clock.set("2026-12-01T09:05:00")  # the correction period ran out: suspended, without any command
    report = registry.tick()
    assert report.suspended == [defect] and not report.reminders
    assert registry.public_state().aides["minimum_test"].status == "suspended"
    assert ("referent@nat.example.org", f"[mesaides] [A9] Aide minimum_test suspendue (défaut n° {defect})") in (
        _subjects(inbox, sent)
    )
    sent = len(inbox.messages)
    total = _reminders(registry)
    again = registry.tick()
    assert not again.suspended and not again.reminders and not again.emails_sent
    assert len(inbox.messages) == sent and _reminders(registry) == total


def test_the_operators_reminders_go_to_its_administrators_without_an_operator_address(
    db_url, clock, deployment, smtp_server
):
    registry = open_registry(db_url, clock, smtp=smtp_server.settings, households=100)  # no operator address
    registry.sync(deployment.rules(national(), departement()), by=OPERATOR, measure=False)
    registry.ask("nat", "Une question", by=referent("nat"), to_operator=True)
    clock.advance(days=13)
    report = registry.tick()  # nobody to write to: recorded in the audit log, once
    [key] = [k for k in report.reminders if ":question:" in k]
    assert not any(m["To"] == OPERATOR_EMAIL for m in smtp_server.messages)
    skipped = registry.audit_log(limit=100)
    assert any(e.action == "reminder_skipped" and e.details["key"] == key for e in skipped)
    assert not registry.tick().reminders

    registry.create_first_administrator("claire@operateur.test")
    admin = registry.actor_for_email("claire@operateur.test", via="test")
    registry.create_account("paul@operateur.test", role="administrator", by=admin)
    registry.ask("nat", "Une autre question", by=referent("nat"), to_operator=True)
    clock.advance(days=12)
    sent = len(smtp_server.messages)
    report = registry.tick()
    assert sorted(k for k in report.reminders if ":question:" in k) == ["before:question:2", "due:question:1"]
    reminded = sorted((m["To"], _subject(m)) for m in smtp_server.messages[sent:] if "[O4]" in _subject(m))
    subject = "[mesaides] [O4] Rappel : 2 échéances, la première le 30/11/2026"
    assert reminded == [("claire@operateur.test", subject), ("paul@operateur.test", subject)]
    registry.close()


def _nat_with_old_parameter():
    return national(parameters=(NAT_STATUT_SPECIAL, NAT_ANCIEN))


def test_p4_removal_date_removes_what_nothing_reads_and_warns_the_operator_once_otherwise(
    db_url, clock, deployment, smtp_server
):
    smtp = replace(smtp_server.settings, operator_address=OPERATOR_EMAIL)
    registry = open_registry(db_url, clock, smtp=smtp, households=100)
    ville_reading = ville(aides=((ville_ancienne_aide, info("Aide ancienne", "ville")),), cases=())
    read = deployment.rules(_nat_with_old_parameter(), departement(), ville_reading)
    registry.sync(read, by=OPERATOR, measure=False)
    registry.deprecate_parameter(
        "nat_ancien_parametre", by=OPERATOR, reason="remplacé", removal_date=dt.date(2026, 11, 20)
    )
    registry.tick()
    clock.set("2026-11-17T09:00:00")  # three days before: the operator is reminded
    report = registry.tick()
    assert report.reminders == ["before:parameter:nat_ancien_parametre:2026-11-20"]
    assert not report.parameters_removed and not report.parameters_in_use

    clock.set("2026-11-20T06:00:00")  # the date has come, but the city's aide still reads it
    sent = len(smtp_server.messages)
    report = registry.tick(rules=lambda: read)
    assert report.parameters_in_use == ["nat_ancien_parametre"] and not report.parameters_removed
    [warning] = smtp_server.messages[sent:]
    assert warning["To"] == OPERATOR_EMAIL
    assert (
        _subject(warning) == "[mesaides] [P4] Retrait du Parameter nat_ancien_parametre impossible : il est encore lu"
    )
    assert "encore lu par : ville_ancienne" in _body(warning)
    assert {p.name: p.status for p in registry.parameters()}["nat_ancien_parametre"] == "deprecated"

    def refusals():
        with registry.database.reading() as session:
            return session.scalar(select(func.count()).where(AuditEvent.action == "parameter_removal_refused"))

    assert refusals() == 1
    again = registry.tick(rules=lambda: read)  # warned once: tried again, nothing new said
    assert again.parameters_in_use == ["nat_ancien_parametre"]
    assert len(smtp_server.messages) == sent + 1 and refusals() == 1

    # The city no longer reads it (its distribution uninstalled): the next tick removes it.
    unread = deployment.rules(_nat_with_old_parameter(), departement())
    registry.sync(unread, by=OPERATOR, measure=False)
    report = registry.tick(rules=lambda: unread)
    assert report.parameters_removed == ["nat_ancien_parametre"]
    assert {p.name: p.status for p in registry.parameters()}["nat_ancien_parametre"] == "removed"
    assert not registry.tick(rules=lambda: unread).parameters_removed
    registry.close()


def test_the_lease_is_held_by_one_process_at_a_time(registry, clock):
    now = clock.now()
    assert acquire_lease(registry.database, now, "server-a")
    assert not acquire_lease(registry.database, now, "server-b")
    release_lease(registry.database, "server-b")  # not its lease: nothing changes
    assert not acquire_lease(registry.database, now, "server-b")
    release_lease(registry.database, "server-a")
    assert acquire_lease(registry.database, now, "server-b")
    # A holder that died: its lease is taken over once its time ran out.
    assert not acquire_lease(registry.database, now + LEASE_FOR - dt.timedelta(seconds=1), "server-c")
    assert acquire_lease(registry.database, now + LEASE_FOR, "server-c")


def _due_state(ticking, clock):
    registry, inbox = ticking
    defect = registry.notify_defect("minimum_test", by=OPERATOR, description="montant faux")
    registry.ask("nat", "Une question", by=referent("nat"), to_operator=True)
    assert registry.tick().emails_sent  # the defect's notification
    clock.advance(days=12)
    return registry, inbox, defect


def test_ticks_in_several_threads_at_once_do_each_thing_once(ticking, clock, db_url):
    registry, inbox, _ = _due_state(ticking, clock)
    sent = len(inbox.messages)
    registries = [open_registry(db_url, clock, smtp=registry.smtp, households=100) for _ in range(4)]
    start = threading.Barrier(len(registries))
    reports = [None] * len(registries)

    def run(i):
        start.wait()
        reports[i] = registries[i].tick()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(registries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in registries:
        r.close()
    assert all(not r.errors for r in reports)
    keys = [k for r in reports for k in r.reminders]
    assert keys and len(keys) == len(set(keys)) == _reminders(registry)
    emails = [i for r in reports for i in r.emails_sent]
    with registry.database.reading() as session:
        recipients = set(session.scalars(select(DeadlineReminder.who)))
    assert len(emails) == len(set(emails)) == len(recipients)  # one email per recipient, once
    ids = [m["Message-ID"] for m in inbox.messages[sent:]]
    assert len(ids) == len(set(ids)) == len(emails)
    assert not registry.tick().reminders


def test_cron_ticks_in_two_processes_at_once_do_each_thing_once(ticking, clock, db_url):
    registry, inbox, defect = _due_state(ticking, clock)
    clock.advance(days=4)  # 2026-12-02: the period ran out, the answers are due
    sent = len(inbox.messages)
    env = {
        **os.environ,
        "MESAIDES_NOW": clock.now().isoformat(),
        "MESAIDES_SMTP_HOST": registry.smtp.host,
        "MESAIDES_SMTP_PORT": str(registry.smtp.port),
        "MESAIDES_OPERATOR_EMAIL": OPERATOR_EMAIL,
    }
    command = [
        sys.executable,
        "-c",
        "from mesaides.core.cli import main; main()",
        "registry",
        "--database",
        db_url,
        "tick",
        "--json",
    ]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    reports = [json.loads(out) for out, _ in outputs]
    assert sum(r["suspended"] == [defect] for r in reports) == 1
    keys = [k for r in reports for k in r["reminders"]]
    assert keys and len(keys) == len(set(keys)) == _reminders(registry)
    ids = [m["Message-ID"] for m in inbox.messages[sent:]]
    assert len(ids) == len(set(ids))
    assert sum(len(r["emails_sent"]) for r in reports) == len(ids)
    assert registry.public_state().aides["minimum_test"].status == "suspended"


def test_registry_tick_command(ticking, clock, db_url):
    registry, _ = ticking
    registry.notify_defect("minimum_test", by=OPERATOR, description="montant faux")
    clock.advance(days=16)
    env = {"MESAIDES_NOW": clock.now().isoformat()}
    result = CliRunner().invoke(registry_cli, ["--database", db_url, "tick"], env=env)
    assert result.exit_code == 0, result.output
    assert "A9 suspensions: defect #1" in result.output
    result = CliRunner().invoke(registry_cli, ["--database", db_url, "tick"], env=env)
    assert "A9 suspensions: none" in result.output and "reminders sent: 0" in result.output


def test_tick_purges_sign_in_links_and_sessions_a_day_after_they_ended(registry, clock):
    registry.create_first_administrator("admin@mesaides.test")
    used = registry.issue_sign_in_link("admin@mesaides.test")
    _, closed = registry.redeem_sign_in_link(used)
    registry.close_session(closed)
    clock.advance(hours=1)
    registry.issue_sign_in_link("admin@mesaides.test")  # expired unused 15 minutes later
    _, running = registry.redeem_sign_in_link(registry.issue_sign_in_link("admin@mesaides.test"))

    report = registry.tick()  # an hour later: kept (the rate limit and a first look still see them)
    assert not any(report.purged.get(k) for k in ("sign_in_links", "sessions"))
    clock.advance(hours=23, minutes=30)  # a day after the first ones ended
    report = registry.tick()
    assert (report.purged["sign_in_links"], report.purged["sessions"]) == (1, 1)  # the first link, the closed session
    clock.advance(hours=1)
    report = registry.tick()
    assert (report.purged["sign_in_links"], report.purged["sessions"]) == (2, 0)  # the later two links
    assert not registry.tick().purged["sign_in_links"]
    clock.advance(hours=12)  # the other session expired 12 h after it opened, a day ago now
    assert registry.tick().purged["sessions"] == 1
    assert registry.actor_for_session(running) is None
