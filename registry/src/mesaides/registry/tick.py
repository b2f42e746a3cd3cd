"""What must happen when a deadline comes, whether or not anyone types a command: one function,
:func:`tick`, that the web server's scheduler calls every few minutes and ``mesaides registry
tick`` runs from cron.

In order:

1. A9: the aides whose correction period ran out are suspended (:func:`defects.expire_defects`).
2. P4: a deprecated Parameter whose removal date has come is removed when nothing reads it;
   otherwise the operator is warned, once per removal date.
3. Reminders of every deadline (Pa2 answers and questions, O4 questions and suggestions, A9
   correction periods, P4 removal dates) :data:`REMIND_BEFORE` before it, and for the answers
   (O4, Pa2) on the day it falls due, each sent once.
4. The outbox: what is due is sent, what failed is retried (:func:`mailer.flush_outbox`).
5. Retention: the registry's own expired rows, then each distribution's purge declared under
   the entry-point group :data:`TASKS_GROUP` (the web simulator's saved situations and
   statistics salts).

Idempotent and safe with several processes: a tick first takes the lease row of
``scheduler_leases`` by a conditional update (another process ticking at that moment skips its
turn), each reminder is recorded under a unique key in the same transaction as its email, a
suspension is a status transition, and each email is claimed by a conditional update before it
is sent. Running it twice does nothing more the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mesaides.registry import audit, parameter_catalogue
from mesaides.registry.accounts import SYSTEM_ACTOR, Actor, Role
from mesaides.registry.database import rows_matched
from mesaides.registry.models import (
    Account,
    AccountSession,
    DeadlineReminder,
    OutboxMessage,
    Parameter,
    Partner,
    SchedulerLease,
    SignInLink,
)
from mesaides.registry.overdue import Deadline, deadlines
from mesaides.registry.statuses import ParameterStatus

if TYPE_CHECKING:
    from mesaides.core import RuleSet
    from mesaides.registry.database import Database
    from mesaides.registry.registry import Registry

log = logging.getLogger(__name__)

LEASE = "tick"
LEASE_FOR = dt.timedelta(minutes=15)
"""A tick that has not released its lease by then is taken to have died."""
REMIND_BEFORE = dt.timedelta(days=3)
SIGN_IN_KEPT = dt.timedelta(days=1)
"""Sign-in links and sessions, once used, expired or closed, are deleted after this (a day lets
the sign-in's rate limit and an incident's first look still see them)."""
TASKS_GROUP = "mesaides.tick"
"""Entry points ``name = "module:function"``: ``function(database_url, now) -> {what: count}``."""
OPERATOR = "operator"

RULE_TEXT = {
    "Pa2": "le référent d'un partenaire répond à l'opérateur sous deux semaines",
    "O4": "l'opérateur répond aux questions des partenaires et aux demandes des usagers sous deux semaines",
    "A9": "un défaut notifié est corrigé sous 15 jours, faute de quoi l'aide est suspendue",
    "P4": "l'opérateur retire un Parameter dès qu'aucune aide n'en dépend, et jamais avant",
}


class Stage(StrEnum):
    """When a deadline is reminded: a few days before, on the day, or (P4) when its removal is
    refused because something still reads the Parameter."""

    BEFORE = "before"
    DUE = "due"
    IN_USE = "in_use"


REMINDED_ON_THE_DAY = frozenset({"Pa2", "O4"})
"""The deadlines reminded again when they fall due; at A9's and P4's the registry acts itself."""


@dataclass
class TickReport:
    ran: bool = True
    """False: another process held the lease, this one did nothing."""
    suspended: list[int] = field(default_factory=list)
    """The defects whose correction period ran out (their aides suspended)."""
    parameters_removed: list[str] = field(default_factory=list)
    parameters_in_use: list[str] = field(default_factory=list)
    """Removal date reached but still read: the operator was warned (now or before)."""
    reminders: list[str] = field(default_factory=list)
    emails_sent: list[int] = field(default_factory=list)
    emails_failed: dict[int, str] = field(default_factory=dict)
    purged: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """A step that failed (the others still ran), with the error."""

    def lines(self) -> list[str]:
        if not self.ran:
            return ["another tick is running (lease held): nothing done"]
        out = [
            f"A9 suspensions: {', '.join(f'defect #{d}' for d in self.suspended) or 'none'}",
            f"P4 removed: {', '.join(self.parameters_removed) or 'none'}",
            f"P4 still read on their removal date: {', '.join(self.parameters_in_use) or 'none'}",
            f"reminders sent: {len(self.reminders)}",
            *(f"  {key}" for key in self.reminders),
            f"emails sent: {len(self.emails_sent)}, failed: {len(self.emails_failed)}",
            *(f"  email #{i}: {error}" for i, error in self.emails_failed.items()),
            "purged: " + (", ".join(f"{k} {v}" for k, v in sorted(self.purged.items()) if v) or "nothing"),
        ]
        out += [f"step {step} failed: {error}" for step, error in self.errors.items()]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "ran": self.ran,
            "suspended": self.suspended,
            "parameters_removed": self.parameters_removed,
            "parameters_in_use": self.parameters_in_use,
            "reminders": self.reminders,
            "emails_sent": self.emails_sent,
            "emails_failed": {str(k): v for k, v in self.emails_failed.items()},
            "purged": self.purged,
            "errors": self.errors,
        }


def tick(registry: Registry, *, by: Actor = SYSTEM_ACTOR, rules: Callable[[], RuleSet] | None = None) -> TickReport:
    """Do what is due now (see the module). ``rules`` gives the installed rule set when a P4
    removal needs it (default: :func:`mesaides.core.load_rules`, loaded only then)."""
    report = TickReport()
    with _lease(registry.database, registry.now) as held:
        if not held:
            report.ran = False
            return report
        steps: list[tuple[str, Callable[[], None]]] = [
            ("A9", lambda: report.suspended.extend(registry.apply_deadlines(by=by))),
            ("P4", lambda: _remove_parameters(registry, by, rules, report)),
            ("reminders", lambda: report.reminders.extend(_remind(registry, by))),
            ("outbox", lambda: _send(registry, by, report)),
            ("retention", lambda: report.purged.update(_purge(registry, by))),
        ]
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # one failing step (an SMTP outage, a bad plugin) leaves the others to run
                log.exception("scheduled step %s failed", name)
                report.errors[name] = f"{type(exc).__name__}: {exc}"
    return report


# ---- the lease ------------------------------------------------------------------------------------


@contextmanager
def _lease(database: Database, now: dt.datetime) -> Iterator[bool]:
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    held = acquire_lease(database, now, holder)
    try:
        yield held
    finally:
        if held:
            release_lease(database, holder)


def acquire_lease(database: Database, now: dt.datetime, holder: str, name: str = LEASE) -> bool:
    """Take the lease ``name`` if it is free or its holder's time ran out: one conditional update
    (or the insert of its row, the first time), which one process at a time wins."""
    values = {"holder": holder, "acquired_at": now, "expires_at": now + LEASE_FOR}
    with database.transaction() as session:
        taken = rows_matched(
            session,
            update(SchedulerLease)
            .where(
                SchedulerLease.name == name,
                or_(SchedulerLease.expires_at.is_(None), SchedulerLease.expires_at <= now),
            )
            .values(**values),
        )
    if taken:
        return True
    try:
        with database.transaction() as session:
            if session.get(SchedulerLease, name) is not None:
                return False
            session.add(SchedulerLease(name=name, **values))
    except IntegrityError:  # another process inserted it first
        return False
    return True


def release_lease(database: Database, holder: str, name: str = LEASE) -> None:
    with database.transaction() as session:
        session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
            .values(expires_at=None)
        )


# ---- P4 -----------------------------------------------------------------------------------------


def _remove_parameters(registry: Registry, by: Actor, rules: Callable[[], RuleSet] | None, report: TickReport) -> None:
    """P4 on its removal date: removed when nothing depends on it, never before; while something
    still reads it, the operator is warned (once per removal date) with who reads it."""
    now = registry.now
    with registry.database.reading() as session:
        due = [
            (name, removal_date)
            for name, removal_date in session.execute(
                select(Parameter.name, Parameter.removal_date).where(
                    Parameter.status == ParameterStatus.DEPRECATED,
                    Parameter.removal_date.is_not(None),
                    Parameter.removal_date <= now.date(),
                )
            )
            if removal_date is not None
        ]
    if not due:
        return
    if rules is None:
        from mesaides.core import load_rules

        rules = load_rules
    rule_set = rules()
    for name, removal_date in due:
        reason = f"P4: removal date {removal_date} reached and nothing reads it any more"
        try:
            with registry.database.transaction() as session:
                parameter_catalogue.remove(session, now, name, by=by.label, reason=reason, rules=rule_set)
        except parameter_catalogue.ParameterInUse as in_use:
            report.parameters_in_use.append(name)
            _warn_in_use(registry, by, name, removal_date, in_use)
        else:
            report.parameters_removed.append(name)


def _warn_in_use(
    registry: Registry, by: Actor, name: str, removal_date: dt.date, in_use: parameter_catalogue.ParameterInUse
) -> None:
    now = registry.now
    due = dt.datetime.combine(removal_date, dt.time())
    readers = [*in_use.aides, *in_use.quantities]
    what = f"the Parameter {name} reached its removal date {removal_date} but is still read by {', '.join(readers)}"
    deadline = Deadline("P4", OPERATOR, what, due, due, f"parameter:{name}:{removal_date}", "")
    with registry.database.transaction() as session:
        body = (
            f"Le Parameter {name} devait être retiré le {removal_date:%d/%m/%Y}, mais il est encore lu par : "
            f"{', '.join(readers)}. Il reste au catalogue tant qu'une aide ou une quantité en dépend (P4) : "
            "demandez aux partenaires concernés de mettre leurs aides à jour, ou reportez la date de retrait."
        )
        subject = f"Retrait du Parameter {name} impossible : il est encore lu"
        if _record_reminder(session, registry, deadline, Stage.IN_USE, by):
            _queue(session, registry, OPERATOR, "P4", subject, body)
            audit.record(
                session,
                now,
                by.label,
                "parameter_removal_refused",
                name,
                f"P4: removal date {removal_date} reached, still read",
                readers=in_use.aides,
                quantities=in_use.quantities,
            )


# ---- reminders -------------------------------------------------------------------------------------


def _stage(deadline: Deadline, now: dt.datetime) -> Stage | None:
    if now >= deadline.due:
        return Stage.DUE if deadline.rule in REMINDED_ON_THE_DAY else None
    if now >= deadline.due - REMIND_BEFORE:
        return Stage.BEFORE
    return None


def _remind(registry: Registry, by: Actor) -> list[str]:
    """Record each deadline's reminder at its stage once, and write to each recipient one email
    listing its deadlines (not one per notification)."""
    now = registry.now
    recorded: dict[str, list[tuple[Deadline, Stage]]] = {}
    with registry.database.transaction() as session:
        for deadline in deadlines(session):
            stage = _stage(deadline, now)
            if stage is not None and _record_reminder(session, registry, deadline, stage, by):
                recorded.setdefault(deadline.who, []).append((deadline, stage))
        for who, items in recorded.items():
            subject, body = _reminder_text(items, now)
            _queue(session, registry, who, items[0][0].rule if len(items) == 1 else _rules(items), subject, body)
    return [f"{stage}:{d.key}" for items in recorded.values() for d, stage in items]


def _rules(items: list[tuple[Deadline, Stage]]) -> str:
    return ", ".join(sorted({d.rule for d, _ in items}))


def _reminder_line(deadline: Deadline, stage: Stage, now: dt.datetime) -> str:
    when = f"{deadline.due:%d/%m/%Y à %H:%M} UTC"
    rule = f"{deadline.rule} : {RULE_TEXT[deadline.rule]}"
    if stage == Stage.BEFORE:
        days = max((deadline.due - now).days, 0)
        left = "moins d'un jour" if days == 0 else f"{days} jour{'s' if days > 1 else ''}"
        return f"Le registre mesaides attend {deadline.expected} au plus tard le {when}, dans {left} ({rule})."
    return f"L'échéance du {when} est atteinte : le registre attend toujours {deadline.expected} ({rule})."


def _reminder_text(items: list[tuple[Deadline, Stage]], now: dt.datetime) -> tuple[str, str]:
    first = min(d.due for d, _ in items)
    if len(items) == 1:
        deadline, stage = items[0]
        word = "Rappel : échéance le" if stage == Stage.BEFORE else "Échéance atteinte le"
        return f"{word} {deadline.due:%d/%m/%Y}", _reminder_line(deadline, stage, now)
    lines = [f"- {_reminder_line(d, stage, now)}" for d, stage in sorted(items, key=lambda i: i[0].due)]
    subject = f"Rappel : {len(items)} échéances, la première le {first:%d/%m/%Y}"
    return subject, "Le registre mesaides attend de vous :\n\n" + "\n".join(lines)


def _record_reminder(session: Session, registry: Registry, deadline: Deadline, stage: Stage, by: Actor) -> bool:
    """Record the reminder of ``deadline`` at ``stage``, once: False when it was already recorded
    (by this process or another: the unique key decides). Its email is :func:`_queue`'s."""
    key = f"{stage}:{deadline.key}"
    if session.scalar(select(DeadlineReminder.id).where(DeadlineReminder.key == key)) is not None:
        return False
    now = registry.now
    to = ", ".join(_addresses(session, registry, deadline.who))
    try:
        with session.begin_nested():
            session.add(
                DeadlineReminder(
                    key=key,
                    rule=deadline.rule,
                    who=deadline.who,
                    due=deadline.due,
                    at=now,
                    to_address=to[:300] or None,
                )
            )
    except IntegrityError:
        return False
    audit.record(
        session,
        now,
        by.label,
        "reminder" if to else "reminder_skipped",
        deadline.who,
        f"{deadline.rule} {stage}: {deadline.what or deadline.expected}",
        key=key,
        to=to or None,
        due=deadline.due,
    )
    return True


def _queue(session: Session, registry: Registry, who: str, rule: str, subject: str, body: str) -> None:
    """One email to each of ``who``'s addresses (none: the audit log says it was skipped)."""
    now = registry.now
    for address in _addresses(session, registry, who):
        session.add(
            OutboxMessage(
                partner_id=None if who == OPERATOR else who,
                to_address=address,
                subject=f"[mesaides] [{rule}] {subject}",
                body=f"{body}\n\nRappel automatique du registre mesaides ({now:%Y-%m-%d %H:%M} UTC).\n",
                message_id=f"<mesaides.reminder.{uuid.uuid4().hex}@registry.mesaides>",
                created_at=now,
                next_attempt_at=now,
            )
        )


def _addresses(session: Session, registry: Registry, who: str) -> list[str]:
    """Who is reminded: a partner's referent (Pa2, the address its distribution names); the
    operator's address (``MESAIDES_OPERATOR_EMAIL``), else every active administrator's."""
    if who == OPERATOR:
        if registry.smtp.operator_address:
            return [registry.smtp.operator_address]
        administrators = select(Account.email).where(Account.role == Role.ADMINISTRATOR, Account.active.is_(True))
        return list(session.scalars(administrators.order_by(Account.email)))
    partner = session.get(Partner, who)
    return [partner.referent_email] if partner is not None and partner.referent_email else []


# ---- outbox and retention --------------------------------------------------------------------------


def _send(registry: Registry, by: Actor, report: TickReport) -> None:
    sent = registry.send(by=by)
    report.emails_sent.extend(sent.sent)
    report.emails_failed.update(sent.failed)


def _purge(registry: Registry, by: Actor) -> dict[str, int]:
    """The registry's own retention, then each installed distribution's (``mesaides.tick``)."""
    before = registry.now - SIGN_IN_KEPT
    with registry.database.transaction() as session:
        links = rows_matched(session, delete(SignInLink).where(SignInLink.expires_at <= before))
        sessions = rows_matched(
            session,
            delete(AccountSession).where(or_(AccountSession.expires_at <= before, AccountSession.closed_at <= before)),
        )
        if links or sessions:
            audit.record(
                session, registry.now, by.label, "purged", "sign-in", "retention", links=links, sessions=sessions
            )
    purged: dict[str, int] = {"sign_in_links": links, "sessions": sessions}
    for task in entry_points(group=TASKS_GROUP):
        counts: Mapping[str, int] = task.load()(registry.database.url, registry.now) or {}
        purged.update({f"{task.name}.{what}": count for what, count in counts.items()})
    return purged
