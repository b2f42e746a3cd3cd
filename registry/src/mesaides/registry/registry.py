"""The registry's Python API: one object per database, every operation one transaction.

from mesaides.registry import open_registry

registry = open_registry()                 # MESAIDES_DATABASE_URL or ./instance/mesaides.sqlite3
report = registry.sync(by=operator)        # an administrator's Actor: record what is installed, notify
registry.public_state()                    # what the web simulator shows
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select

from mesaides.core import RuleSet, load_rules
from mesaides.registry import amendments, audit, defects, identity, lifecycle, parameter_catalogue, questions, spaces
from mesaides.registry.accounts import SYSTEM_ACTOR, Actor, Permission, Role, authorize
from mesaides.registry.checks import (
    AideDecision,
    Catalogue,
    CatalogueParameter,
    CheckReport,
    Finding,
    check_distributions,
    check_publication,
    registered_cases,
)
from mesaides.registry.clock import Clock, clock_from_env
from mesaides.registry.database import Database
from mesaides.registry.errors import RegistryError
from mesaides.registry.expert_cases import parse_cases
from mesaides.registry.feed import partner_feed
from mesaides.registry.impacts import measure_dict, reference_totals
from mesaides.registry.mailer import OutboxEntry, SendReport, flush_outbox, outbox_entries
from mesaides.registry.models import (
    PREVIEW,
    PUBLISHED,
    REFUSED,
    REMOVED,
    Aide,
    Amendment,
    AuditEvent,
    Defect,
    ExpertCase,
    ImpactMeasure,
    Notification,
    Parameter,
    Question,
    Sync,
)
from mesaides.registry.notifications import acknowledge
from mesaides.registry.overdue import DueItem, OverdueItem, due_soon, overdue
from mesaides.registry.parameter_catalogue import ParameterState
from mesaides.registry.population import DEFAULT_HOUSEHOLDS, DEFAULT_SEED
from mesaides.registry.public import PendingNotice, PublicState, pending_notices, public_state
from mesaides.registry.settings import SmtpSettings, database_url
from mesaides.registry.showing import RulesFingerprints, raise_statuses, rules_fingerprints, showing_findings
from mesaides.registry.snapshot import take_snapshot
from mesaides.registry.spaces import Figures, OperatorSpace, PartnerSpace
from mesaides.registry.statuses import AideStatus, ParameterStatus
from mesaides.registry.sync import Measuring, run_sync
from mesaides.registry.sync_report import SyncReport

if TYPE_CHECKING:
    from mesaides.registry.tick import TickReport

HOUSEHOLDS_ENV = "MESAIDES_REFERENCE_HOUSEHOLDS"
SCHEDULER_ENV = "MESAIDES_REFERENCE_SCHEDULER"
"""A Dask scheduler's address (``tcp://host:port``) to compute the reference population on."""


_USER_ERRORS = (
    identity.AccountError,
    lifecycle.LifecycleError,
    parameter_catalogue.ParameterError,
    questions.QuestionError,
    amendments.AmendmentError,
    ValueError,
    KeyError,
)


@dataclass
class ShowingAnswer:
    """The registry's answer to an instance that asks to show aides (:meth:`Registry.may_show`)."""

    findings: list[Finding]
    """What stops an aide from being shown with the status asked for (errors only)."""
    fingerprints: RulesFingerprints
    """The fingerprints of the rules it was asked about."""
    statuses: dict[str, str]
    """The registry's status of every aide it has recorded."""


class Registry:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        smtp: SmtpSettings | None = None,
        households: int = DEFAULT_HOUSEHOLDS,
        seed: int = DEFAULT_SEED,
        scheduler: str | None = None,
    ):
        self.database = database
        self.clock = clock
        self.smtp = smtp if smtp is not None else SmtpSettings.from_env()
        self.households = households
        self.seed = seed
        self._reference_totals: dict[int, dict[str, tuple[float, float]]] = {}
        """Per sync, the totals of :func:`reference_totals`: a sync's stored results never change,
        and the web simulator reads the impact every half minute (large reference populations)."""
        self.scheduler = scheduler
        """The Dask scheduler the reference population is computed on (None: in this process)."""

    # ---- helpers ------------------------------------------------------------------------------

    @property
    def now(self) -> dt.datetime:
        return self.clock.now()

    def _do(self, operation, *args, **kwargs):
        """Run ``operation(session, now, ...)`` in a transaction, turning refusals into RegistryError."""
        try:
            with self.database.transaction() as session:
                return operation(session, self.now, *args, **kwargs)
        except RegistryError:
            raise
        except _USER_ERRORS as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise RegistryError(message) from exc

    def _authorize(self, actor: Actor, permission: Permission, partner: str | None = None) -> None:
        authorize(actor, permission, partner)

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- sync and checks -----------------------------------------------------------------------

    def sync(self, rules: RuleSet | None = None, *, by: Actor, reason: str = "", measure: bool = True) -> SyncReport:
        """Record what the installed distributions register; notify and measure what changed."""
        self._authorize(by, Permission.SYNC)
        rules = rules if rules is not None else load_rules()
        self.apply_deadlines()
        measuring = Measuring(self.households, self.seed, self.scheduler) if measure else None
        with self.database.transaction() as session:
            return run_sync(session, rules, self.now, actor=by.label, reason=reason, measuring=measuring)

    def catalogue(self) -> Catalogue:
        """What checks need from the registry (it can be exported as JSON for partners' CI)."""
        with self.database.reading() as session:
            parameters = {
                p.name: CatalogueParameter(
                    p.name,
                    ParameterStatus(p.status),
                    p.owner,
                    p.deprecated_since,
                    p.replacement,
                    p.removal_date,
                    p.removed_at,
                    p.removal_reason or p.deprecation_reason or "",
                )
                for p in session.scalars(select(Parameter))
            }
            aides = {
                a.name: AideDecision(a.name, AideStatus(a.status), a.status_reason, a.status_changed_at)
                for a in session.scalars(select(Aide).where(Aide.status.in_((REFUSED, REMOVED))))
            }
            owners = {name: owner for name, owner in session.execute(select(Aide.name, Aide.owner))}
            cases = registered_cases(session.scalars(select(ExpertCase)), owners)
        return Catalogue(parameters, aides, cases)

    def check(
        self,
        rules: RuleSet | None = None,
        *,
        distributions: Iterable[str] | None = None,
        case_dirs: Mapping[str, Iterable[Path]] | None = None,
        run_tests: bool = True,
        catalogue: Catalogue | None = None,
    ) -> CheckReport:
        """What ``mesaides registry check`` reports: the rules each distribution would break."""
        rules = rules if rules is not None else load_rules()
        return check_distributions(
            rules,
            catalogue or self.catalogue(),
            today=self.now.date(),
            distributions=distributions,
            case_dirs=case_dirs,
            run_tests=run_tests,
        )

    # ---- showing aides on an instance (the operator's deployment asks) ---------------------------

    def may_show(
        self,
        rules: RuleSet,
        targets: Mapping[str, str],
        *,
        require_synced: bool = True,
        case_dirs: Mapping[str, Iterable[Path] | None] | None = None,
    ) -> ShowingAnswer:
        """Whether each aide of ``targets`` may be shown with its status (``preview``, G4, or
        ``published``, A6): the automatic checks of publication and what the lifecycle says
        (:func:`mesaides.registry.showing.showing_findings`). ``case_dirs`` gives each
        distribution's expert cases (default: its ``tests/yaml``). ``require_synced=False`` skips
        the rule that the registry has synced these rules (a swap checks a version before it
        syncs it). Changes nothing."""
        snapshot = take_snapshot(rules)
        catalogue = self.catalogue()
        today = self.now.date()
        findings: list[Finding] = []
        with self.database.reading() as session:
            for name, target in targets.items():
                owner = rules.aides[name].owner
                findings += showing_findings(session, snapshot, name, target, require_synced)
                dirs = (case_dirs or {}).get(owner)
                findings += check_publication(rules, catalogue, name, today=today, case_dirs=dirs)
            statuses = {name: status for name, status in session.execute(select(Aide.name, Aide.status))}
        return ShowingAnswer(findings, rules_fingerprints(snapshot), statuses)

    def record_shown(
        self,
        targets: Mapping[str, str],
        *,
        by: Actor,
        shown_by: str,
        action: str,
        subject: str,
        reason: str = "",
        details: Mapping[str, Any] | None = None,
        then: Callable[[dict[str, str]], object] | None = None,
    ) -> dict[str, str]:
        """Record that an instance shows the aides of ``targets``: each gets at least its status
        (never lowered), the audit log records ``action`` on ``subject``; ``then`` (such as
        writing a deployment lock) runs with the statuses in the same transaction: if it fails,
        nothing is recorded. The statuses of the aides afterwards."""
        self._authorize(by, Permission.PUBLISH)
        with self.database.transaction() as session:
            now = self.now
            statuses = raise_statuses(session, now, targets, by=by.label, shown_by=shown_by)
            audit.record(session, now, by.label, action, subject, reason, **dict(details or {}))
            if then is not None:
                then(statuses)
        return statuses

    def record_event(self, action: str, subject: str = "", *, by: Actor, reason: str = "", **details: Any) -> None:
        """Write an event of the operator's (a deployment swapped, rolled back) to the audit log."""
        self._authorize(by, Permission.PUBLISH)
        with self.database.transaction() as session:
            audit.record(session, self.now, by.label, action, subject, reason, **details)

    # ---- aides ---------------------------------------------------------------------------------

    def suggest(
        self,
        name: str,
        *,
        by: Actor,
        label: str,
        description: str = "",
        institution: str = "",
        erases_debt: bool = False,
        committee_decision: bool = False,
        quota: bool = False,
    ) -> str:
        self._authorize(by, Permission.SUGGEST)
        aide = self._do(
            lifecycle.suggest,
            name,
            by=by.label,
            label=label,
            description=description,
            institution=institution,
            erases_debt=erases_debt,
            committee_decision=committee_decision,
            quota=quota,
        )
        return aide.status

    def decide(self, name: str, decision: str, *, by: Actor, reason: str) -> str:
        self._authorize(by, Permission.DECIDE)
        return self._do(lifecycle.decide, name, decision, by=by.label, reason=reason).status

    def sign_off(self, name: str, kind: str, *, by: Actor, comment: str = "") -> None:
        """A6: ``reliability`` (a), by a referent of the aide's partner, or ``quality`` (b), by an
        administrator."""

        def sign(session, now):
            if kind == lifecycle.RELIABILITY:
                authorize(by, Permission.PARTNER_SIGN_OFF, _owner(session, name))
            elif kind == lifecycle.QUALITY:
                authorize(by, Permission.OPERATOR_SIGN_OFF)
            return lifecycle.sign_off(session, now, name, kind, by=by.label, comment=comment)

        self._do(sign)

    def publish(
        self,
        name: str,
        *,
        by: Actor,
        preview: bool = False,
        rules: RuleSet | None = None,
        case_dirs: Iterable[Path] | None = None,
    ) -> str:
        """G4 (preview) or A6/G2 (published): only once every automatic check passes."""
        self._authorize(by, Permission.PUBLISH)
        rules = rules if rules is not None else load_rules()
        self.apply_deadlines()  # a correction period that ran out suspends first (A9)
        problems = [
            str(f) for f in check_publication(rules, self.catalogue(), name, today=self.now.date(), case_dirs=case_dirs)
        ]

        def promote(session, now):
            aide = lifecycle.get_aide(session, name)
            return lifecycle.promote(
                session, now, aide, PREVIEW if preview else PUBLISHED, by=by.label, problems=problems
            ).status

        return self._do(promote)

    def adopt(
        self,
        names: Iterable[str] | None = None,
        *,
        by: Actor,
        reason: str,
        rules: RuleSet | None = None,
        case_dirs: Iterable[Path] | None = None,
    ) -> dict[str, bool]:
        """A6, for an instance that starts using the registry: record the aides it already showed
        to the public as published (``lifecycle.adopt``). ``names=None``: every aide of the
        registry's baseline not yet published. All or nothing: every problem of every aide is
        reported at once, and nothing is recorded if there is one. Returns each aide with
        whether it was recorded now (False: already published)."""
        self._authorize(by, Permission.PUBLISH)
        rules = rules if rules is not None else load_rules()
        with self.database.reading() as session:
            _, baseline = lifecycle.baseline_aides(session)
            if names is None:
                names = sorted(
                    a.name
                    for a in session.scalars(select(Aide).where(Aide.name.in_(baseline)))
                    if a.status in lifecycle.ADOPTABLE
                )
        names = list(dict.fromkeys(names))
        if not names:
            raise RegistryError(
                "A6: no aide to record as public: run `mesaides registry sync` first "
                "(the first sync records what the instance runs)"
            )
        catalogue = self.catalogue()
        problems = {
            n: [str(f) for f in check_publication(rules, catalogue, n, today=self.now.date(), case_dirs=case_dirs)]
            for n in names
        }

        def adopt_all(session, now):
            done, refused = {}, []
            for name in names:
                try:
                    done[name] = lifecycle.adopt(
                        session,
                        now,
                        lifecycle.get_aide(session, name),
                        by=by.label,
                        reason=reason,
                        problems=problems[name],
                    )
                except lifecycle.LifecycleError as exc:
                    refused.append(str(exc))
            if refused:
                raise lifecycle.LifecycleError("nothing recorded:\n" + "\n".join(refused))
            return done

        return self._do(adopt_all)

    def remove_aide(self, name: str, *, by: Actor, reason: str, partner_request: bool = False) -> None:
        """A9, A10: :func:`mesaides.registry.defects.remove_aide`; ``partner_request``: the
        partner withdraws its own aide, else the operator removes it."""

        def remove(session, now):
            if partner_request:
                authorize(by, Permission.WITHDRAW_AIDE, _owner(session, name))
            else:
                authorize(by, Permission.REMOVE_AIDE)
            return defects.remove_aide(session, now, name, by=by.label, reason=reason, partner_request=partner_request)

        self._do(remove)

    def add_expert_case(self, aide: str, text: str, *, by: Actor) -> list[int]:
        """A5: register expert test cases (OpenFisca YAML) for an aide."""

        def add(session, now):
            authorize(by, Permission.ADD_EXPERT_CASE, _owner(session, aide))
            cases = parse_cases(text, f"added by {by.label}")
            ids = []
            for case in cases:
                if aide not in case.aides:
                    raise ValueError(f"case {case.name!r} has no expected output for {aide}")
                row = ExpertCase(
                    aide=aide,
                    name=case.name,
                    content=yaml.safe_dump(case.case, allow_unicode=True, sort_keys=False),
                    added_by=by.label,
                    added_at=now,
                )
                session.add(row)
                session.flush()
                ids.append(row.id)
            audit.record(session, now, by.label, "expert_case_added", aide, "", cases=ids)
            return ids

        return self._do(add)

    # ---- Parameters ----------------------------------------------------------------------------

    def parameters(self) -> list[ParameterState]:
        with self.database.reading() as session:
            return parameter_catalogue.catalogue(session)

    def deprecate_parameter(
        self, name: str, *, by: Actor, reason: str, replacement: str | None = None, removal_date: dt.date | None = None
    ) -> None:
        self._authorize(by, Permission.MANAGE_PARAMETERS)
        self._do(
            parameter_catalogue.deprecate,
            name,
            by=by.label,
            reason=reason,
            replacement=replacement,
            removal_date=removal_date,
        )

    def remove_parameter(self, name: str, *, by: Actor, reason: str, rules: RuleSet | None = None) -> None:
        """P4: refused, with who reads it, while any aide or quantity (the core's too) depends on it."""
        self._authorize(by, Permission.MANAGE_PARAMETERS)
        rules = rules if rules is not None else load_rules()
        try:
            self._do(parameter_catalogue.remove, name, by=by.label, reason=reason, rules=rules)
        except RegistryError as exc:
            if isinstance(exc.__cause__, parameter_catalogue.ParameterInUse):
                # record the refusal itself, which the failed transaction rolled back
                with self.database.transaction() as session:
                    in_use = exc.__cause__
                    audit.record(
                        session,
                        self.now,
                        by.label,
                        "parameter_removal_refused",
                        name,
                        reason,
                        readers=in_use.aides,
                        quantities=in_use.quantities,
                    )
            raise

    # ---- notifications -------------------------------------------------------------------------

    def acknowledge(
        self, notification_id: int, partner: str, *, by: Actor, updated: bool = False, comment: str = ""
    ) -> bool:
        """A7: returns whether the notification is now closed (its notice lifted)."""
        self._authorize(by, Permission.ACKNOWLEDGE, partner)
        n = self._do(acknowledge, notification_id, partner, by=by.label, updated=updated, comment=comment)
        return n.closed_at is not None

    def outbox(self, *, pending_only: bool = False, partner: str | None = None) -> list[OutboxEntry]:
        """The emails the registry wrote: sent, waiting, or failing (with the last error)."""
        with self.database.reading() as session:
            return outbox_entries(session, pending_only=pending_only, partner=partner)

    def send(self, *, by: Actor = SYSTEM_ACTOR) -> SendReport:
        """Send the outbox (retrying what failed before, once due)."""
        self._authorize(by, Permission.SEND_EMAILS)
        return flush_outbox(self.database, self.clock, self.smtp, actor=by.label)

    def feed(self, partner: str) -> dict[str, Any]:
        with self.database.reading() as session:
            try:
                return partner_feed(session, partner)
            except KeyError as exc:
                raise RegistryError(exc.args[0]) from None

    def notifications(self, *, partner: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
        from mesaides.registry.models import Acknowledgement

        with self.database.reading() as session:
            query = select(Notification).order_by(Notification.id)
            if open_only:
                query = query.where(Notification.requires_ack.is_(True), Notification.closed_at.is_(None))
            out = []
            for n in session.scalars(query):
                acks = list(session.scalars(select(Acknowledgement).where(Acknowledgement.notification_id == n.id)))
                if partner is not None and partner not in {a.partner_id for a in acks}:
                    continue
                out.append(
                    {
                        "id": n.id,
                        "rule": n.rule,
                        "kind": n.kind,
                        "subject": n.subject,
                        "title": n.title,
                        "created_at": n.created_at,
                        "requires_ack": n.requires_ack,
                        "notice": n.notice,
                        "notice_aides": n.notice_aides,
                        "closed_at": n.closed_at,
                        "details": n.details,
                        "recipients": {
                            a.partner_id: {"aides": a.impacted_aides, "answer": a.answer, "at": a.acknowledged_at}
                            for a in acks
                        },
                    }
                )
            return out

    # ---- defects and deadlines (A9, O4, Pa2) ---------------------------------------------------

    def notify_defect(self, aide: str, *, by: Actor, description: str) -> int:
        self._authorize(by, Permission.MANAGE_DEFECTS)
        return self._do(defects.notify_defect, aide, by=by.label, description=description).id

    def renew_defect(self, defect_id: int, *, by: Actor, reason: str = "") -> dt.datetime:
        self._authorize(by, Permission.MANAGE_DEFECTS)
        return self._do(defects.renew, defect_id, by=by.label, reason=reason).deadline

    def resolve_defect(self, defect_id: int, *, by: Actor, reason: str) -> None:
        self._authorize(by, Permission.MANAGE_DEFECTS)
        self._do(defects.resolve, defect_id, by=by.label, reason=reason)

    def defects(self) -> list[Defect]:
        with self.database.reading() as session:
            return list(session.scalars(select(Defect).order_by(Defect.id)))

    def apply_deadlines(self, *, by: Actor = SYSTEM_ACTOR) -> list[int]:
        """A9: suspend the aides whose correction period ran out; returns the expired defects."""
        self._authorize(by, Permission.RUN_DEADLINES)
        return [d.id for d in self._do(defects.expire_defects, by=by.label)]

    def tick(self, *, by: Actor = SYSTEM_ACTOR, rules: Callable[[], RuleSet] | None = None) -> TickReport:
        """Do what is due now: A9 suspensions, P4 removals, deadline reminders, the outbox,
        retention purges (:mod:`mesaides.registry.tick`). Idempotent, and safe when several
        processes tick at once; the web server's scheduler and ``mesaides registry tick`` call it."""
        from mesaides.registry.tick import tick

        self._authorize(by, Permission.RUN_DEADLINES)
        return tick(self, by=by, rules=rules)

    def overdue(self) -> list[OverdueItem]:
        self.apply_deadlines()
        with self.database.reading() as session:
            return overdue(session, self.now)

    def due_soon(self, *, days: int = 3) -> list[DueItem]:
        """What falls due in the next ``days`` days: the warning before a deadline."""
        if days < 1:
            raise RegistryError(f"--days: a number of days of at least 1, not {days}")
        self.apply_deadlines()
        with self.database.reading() as session:
            return due_soon(session, self.now, dt.timedelta(days=days))

    def ask(self, partner: str, text: str, *, by: Actor, to_operator: bool = False) -> int:
        """O4 (``to_operator``: a partner's referent asks the operator) or Pa2 (an administrator
        asks the partner's referent)."""
        if to_operator:
            self._authorize(by, Permission.ASK_OPERATOR, partner)
        else:
            self._authorize(by, Permission.ASK_PARTNER)
        return self._do(questions.ask, partner, text, by=by.label, to_operator=to_operator).id

    def answer(self, question_id: int, text: str, *, by: Actor) -> None:
        """The operator answers a partner's question (O4), a partner's referent the operator's (Pa2)."""

        def answer_it(session, now):
            question = session.get(Question, question_id)
            if question is not None and question.direction == questions.TO_OPERATOR:
                authorize(by, Permission.ANSWER_PARTNER)
            elif question is not None:
                authorize(by, Permission.ANSWER_OPERATOR, question.partner_id)
            return questions.answer(session, now, question_id, text, by=by.label)

        self._do(answer_it)

    def questions(self) -> list[Question]:
        with self.database.reading() as session:
            return list(session.scalars(select(Question).order_by(Question.id)))

    # ---- accounts and sign-in (issue 17) ---------------------------------------------------------

    def create_account(
        self, email: str, *, name: str = "", role: Role | str, partner: str | None = None, by: Actor
    ) -> identity.AccountView:
        return self._do(identity.create_account, email, name, role, partner, by)

    def create_first_administrator(self, email: str, *, name: str = "", via: str = "cli") -> identity.AccountView:
        """The first administrator, created from the operator's shell (the root of trust: it holds
        the database); refused once an active administrator exists."""

        def bootstrap(session, now):
            if identity.has_active_administrator(session):
                raise identity.AccountError(
                    "--as: an administrator exists already; act as one to create other accounts"
                )
            founder = Actor(None, f"shell:{via}", Role.ADMINISTRATOR, via=via)
            return identity.create_account(session, now, email, name, Role.ADMINISTRATOR, None, founder)

        return self._do(bootstrap)

    def deactivate_account(self, email: str, *, by: Actor) -> identity.AccountView:
        return self._do(identity.deactivate_account, email, by)

    def accounts(self, *, partner: str | None = None) -> list[identity.AccountView]:
        with self.database.reading() as session:
            return identity.accounts(session, partner=partner)

    def actor_for_email(self, email: str, *, via: str) -> Actor:
        """The actor of an active account (the command line acts as one: ``--as``)."""
        with self.database.reading() as session:
            try:
                return identity.actor_for_email(session, email, via=via)
            except identity.AccountError as exc:
                raise RegistryError(str(exc)) from exc

    def issue_sign_in_link(self, email: str, *, ip: str = "") -> str | None:
        return self._do(identity.issue_sign_in_link, email, ip=ip)

    def redeem_sign_in_link(self, secret: str) -> tuple[Actor, str]:
        """The account a sign-in link opens and a new session's secret, in one transaction."""

        def redeem(session, now):
            actor = identity.redeem_sign_in_link(session, now, secret)
            return actor, identity.open_session(session, now, actor)

        return self._do(redeem)

    def open_session(self, actor: Actor) -> str:
        return self._do(identity.open_session, actor)

    def actor_for_session(self, secret: str) -> Actor | None:
        with self.database.reading() as session:
            return identity.actor_for_session(session, self.now, secret)

    def close_session(self, secret: str) -> None:
        self._do(identity.close_session, secret)

    def create_api_token(self, partner: str, name: str, *, by: Actor) -> str:
        return self._do(identity.create_api_token, partner, name, by)

    def revoke_api_token(self, token_id: int, *, by: Actor) -> None:
        self._do(identity.revoke_api_token, token_id, by)

    def api_tokens(self, partner: str) -> list[identity.TokenView]:
        with self.database.reading() as session:
            return identity.api_tokens(session, partner)

    def actor_for_api_token(self, secret: str) -> Actor | None:
        return self._do(identity.actor_for_api_token, secret)

    # ---- reading ---------------------------------------------------------------------------------

    def public_state(self) -> PublicState:
        """What the web simulator shows; empty (``synced`` false) before the first sync."""
        with self.database.reading() as session:
            return public_state(session, self.now)

    def pending_notices(self) -> list[PendingNotice]:
        with self.database.reading() as session:
            return pending_notices(session)

    def aides(self) -> list[Aide]:
        with self.database.reading() as session:
            return list(session.scalars(select(Aide).order_by(Aide.name)))

    def impact(self, *, sync_id: int | None = None, subject: str | None = None) -> list[dict[str, Any]]:
        """The measured impacts of a sync (the latest that measured any, by default): the change
        (``added``, ``changed``, ``removed``, ``suspended``) and each aide's total on the reference population before and after (``total_before``,
        ``total_after``; None when not comparable, see :func:`reference_totals`)."""
        with self.database.reading() as session:
            query = select(ImpactMeasure)
            if subject is not None:
                query = query.where(ImpactMeasure.subject == subject)
            if sync_id is None:
                sync_id = session.scalar(
                    query.with_only_columns(ImpactMeasure.sync_id).order_by(ImpactMeasure.sync_id.desc()).limit(1)
                )
            if sync_id is None:
                return []
            rows = session.scalars(query.where(ImpactMeasure.sync_id == sync_id).order_by(ImpactMeasure.id))
            totals = self._reference_totals.get(sync_id)
            if totals is None:
                totals = self._reference_totals[sync_id] = reference_totals(session, sync_id)
            return [
                {
                    "sync": sync_id,
                    **measure_dict(r),
                    "change": r.change,
                    "total_before": totals[r.aide][0] if r.aide in totals else None,
                    "total_after": totals[r.aide][1] if r.aide in totals else None,
                }
                for r in rows
            ]

    def syncs(self) -> list[Sync]:
        with self.database.reading() as session:
            return list(session.scalars(select(Sync).order_by(Sync.id)))

    def audit_log(self, *, limit: int = 50, subject: str | None = None) -> list[AuditEvent]:
        with self.database.reading() as session:
            query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            if subject:
                query = query.where(AuditEvent.subject == subject)
            return list(session.scalars(query))

    # ---- the portal's spaces and the convention's amendments (C1) ------------------------------

    def partner_space(self, partner: str, *, by: Actor) -> PartnerSpace:
        """What ``partner``'s space shows (``spaces.partner_space``), to its referents and experts."""
        self._authorize(by, Permission.READ_PARTNER, partner)
        with self.database.reading() as session:
            try:
                return spaces.partner_space(session, self.now, partner)
            except KeyError as exc:
                raise RegistryError(exc.args[0]) from None

    def partner_figures(self, partner: str, *, by: Actor) -> Figures:
        """The counts of ``partner``'s space, for statistics viewers: never a message's content."""
        self._authorize(by, Permission.READ_STATISTICS)
        with self.database.reading() as session:
            try:
                return spaces.partner_space(session, self.now, partner).figures()
            except KeyError as exc:
                raise RegistryError(exc.args[0]) from None

    def operator_space(self, *, by: Actor) -> OperatorSpace:
        """What waits on the operator (``spaces.operator_space``)."""
        self._authorize(by, Permission.READ_ALL)
        with self.database.reading() as session:
            return spaces.operator_space(session, self.now)

    def operator_figures(self, *, by: Actor) -> Figures:
        """The counts of the operator's space, for statistics viewers."""
        self._authorize(by, Permission.READ_STATISTICS)
        with self.database.reading() as session:
            return spaces.operator_space(session, self.now).figures()

    def amendments(self, *, by: Actor) -> list[Amendment]:
        self._authorize(by, Permission.READ_ALL)
        with self.database.reading() as session:
            return amendments.amendments(session)

    def convention_version(self) -> int:
        """C1: the convention's version in force today."""
        with self.database.reading() as session:
            return amendments.current_version(session, self.now.date())

    def announce_amendment(self, summary: str, applies_on: dt.date, *, by: Actor) -> int:
        """C1: record an amendment applying at least 30 days from today and inform every partner;
        returns the convention's version it makes."""
        self._authorize(by, Permission.AMEND_CONVENTION)
        return self._do(amendments.announce, summary, applies_on, by=by.label).version


def _owner(session, aide: str) -> str | None:
    """The partner an aide belongs to (None for a suggestion no distribution registers yet)."""
    row = session.get(Aide, aide)
    if row is None:
        raise lifecycle.LifecycleError(f"unknown aide {aide!r}")
    return row.partner_id


def open_registry(
    url: str | None = None,
    clock: Clock | None = None,
    *,
    smtp: SmtpSettings | None = None,
    households: int | None = None,
    seed: int = DEFAULT_SEED,
    scheduler: str | None = None,
    database: Database | None = None,
) -> Registry:
    """Open (and migrate) the registry's database: ``database`` when given (already open, as the
    web simulator's), else ``url``, else ``MESAIDES_DATABASE_URL``, else
    ``sqlite:///<MESAIDES_INSTANCE or ./instance>/mesaides.sqlite3``. Time comes from ``clock``,
    else ``MESAIDES_NOW``, else the system clock. The reference population is computed on the
    Dask scheduler ``scheduler``, else ``MESAIDES_REFERENCE_SCHEDULER``, else in this process."""
    if households is None:
        households = int(os.environ.get(HOUSEHOLDS_ENV) or DEFAULT_HOUSEHOLDS)
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    return Registry(
        database if database is not None else Database(database_url(url)),
        clock or clock_from_env(),
        smtp=smtp,
        households=households,
        seed=seed,
        scheduler=scheduler,
    )
