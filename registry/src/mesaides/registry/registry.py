"""The registry's Python API: one object per database, every operation one transaction.

from mesaides.registry import open_registry

registry = open_registry()                 # MESAIDES_DATABASE_URL or ./instance/mesaides.sqlite3
report = registry.sync(by="operator")      # record the installed distributions, notify
registry.public_state()                    # what the web simulator shows
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from mesaides.core import RuleSet, load_rules
from mesaides.registry import audit, defects, lifecycle, parameter_catalogue, questions
from mesaides.registry.checks import (
    AideDecision,
    Catalogue,
    CatalogueParameter,
    CheckReport,
    check_distributions,
    check_publication,
    registered_cases,
)
from mesaides.registry.clock import Clock, clock_from_env
from mesaides.registry.database import Database
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
from mesaides.registry.statuses import AideStatus, ParameterStatus
from mesaides.registry.sync import Measuring, run_sync
from mesaides.registry.sync_report import SyncReport

HOUSEHOLDS_ENV = "MESAIDES_REFERENCE_HOUSEHOLDS"
SCHEDULER_ENV = "MESAIDES_REFERENCE_SCHEDULER"
"""A Dask scheduler's address (``tcp://host:port``) to compute the reference population on."""


class RegistryError(ValueError):
    """An operation the convention does not allow, with the reason."""


_USER_ERRORS = (
    lifecycle.LifecycleError,
    parameter_catalogue.ParameterError,
    questions.QuestionError,
    ValueError,
    KeyError,
)


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

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- sync and checks -----------------------------------------------------------------------

    def sync(self, rules: RuleSet | None = None, *, by: str, reason: str = "", measure: bool = True) -> SyncReport:
        """Record what the installed distributions register; notify and measure what changed."""
        rules = rules if rules is not None else load_rules()
        self.apply_deadlines(by=by)
        measuring = Measuring(self.households, self.seed, self.scheduler) if measure else None
        with self.database.transaction() as session:
            return run_sync(session, rules, self.now, actor=by, reason=reason, measuring=measuring)

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

    # ---- aides ---------------------------------------------------------------------------------

    def suggest(
        self,
        name: str,
        *,
        by: str,
        label: str,
        description: str = "",
        institution: str = "",
        erases_debt: bool = False,
        committee_decision: bool = False,
        quota: bool = False,
    ) -> str:
        aide = self._do(
            lifecycle.suggest,
            name,
            by=by,
            label=label,
            description=description,
            institution=institution,
            erases_debt=erases_debt,
            committee_decision=committee_decision,
            quota=quota,
        )
        return aide.status

    def decide(self, name: str, decision: str, *, by: str, reason: str) -> str:
        return self._do(lifecycle.decide, name, decision, by=by, reason=reason).status

    def sign_off(self, name: str, kind: str, *, by: str, comment: str = "") -> None:
        self._do(lifecycle.sign_off, name, kind, by=by, comment=comment)

    def publish(
        self,
        name: str,
        *,
        by: str,
        preview: bool = False,
        rules: RuleSet | None = None,
        case_dirs: Iterable[Path] | None = None,
    ) -> str:
        """G4 (preview) or A6/G2 (published): only once every automatic check passes."""
        rules = rules if rules is not None else load_rules()
        self.apply_deadlines(by=by)  # a correction period that ran out suspends first (A9)
        problems = [
            str(f) for f in check_publication(rules, self.catalogue(), name, today=self.now.date(), case_dirs=case_dirs)
        ]

        def promote(session, now):
            aide = lifecycle.get_aide(session, name)
            return lifecycle.promote(
                session, now, aide, PREVIEW if preview else PUBLISHED, by=by, problems=problems
            ).status

        return self._do(promote)

    def adopt(
        self,
        names: Iterable[str] | None = None,
        *,
        by: str,
        reason: str,
        rules: RuleSet | None = None,
        case_dirs: Iterable[Path] | None = None,
    ) -> dict[str, bool]:
        """A6, for an instance that starts using the registry: record the aides it already showed
        to the public as published (``lifecycle.adopt``). ``names=None``: every aide of the
        registry's baseline not yet published. All or nothing: every problem of every aide is
        reported at once, and nothing is recorded if there is one. Returns each aide with
        whether it was recorded now (False: already published)."""
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
                        session, now, lifecycle.get_aide(session, name), by=by, reason=reason, problems=problems[name]
                    )
                except lifecycle.LifecycleError as exc:
                    refused.append(str(exc))
            if refused:
                raise lifecycle.LifecycleError("nothing recorded:\n" + "\n".join(refused))
            return done

        return self._do(adopt_all)

    def remove_aide(self, name: str, *, by: str, reason: str, partner_request: bool = False) -> None:
        """A9, A10: :func:`mesaides.registry.defects.remove_aide`."""

        self._do(defects.remove_aide, name, by=by, reason=reason, partner_request=partner_request)

    def add_expert_case(self, aide: str, text: str, *, by: str) -> list[int]:
        """A5: register expert test cases (OpenFisca YAML) for an aide."""

        def add(session, now):
            cases = parse_cases(text, f"added by {by}")
            ids = []
            for case in cases:
                if aide not in case.aides:
                    raise ValueError(f"case {case.name!r} has no expected output for {aide}")
                row = ExpertCase(
                    aide=aide,
                    name=case.name,
                    content=yaml.safe_dump(case.case, allow_unicode=True, sort_keys=False),
                    added_by=by,
                    added_at=now,
                )
                session.add(row)
                session.flush()
                ids.append(row.id)
            audit.record(session, now, by, "expert_case_added", aide, "", cases=ids)
            return ids

        return self._do(add)

    # ---- Parameters ----------------------------------------------------------------------------

    def parameters(self) -> list[ParameterState]:
        with self.database.reading() as session:
            return parameter_catalogue.catalogue(session)

    def deprecate_parameter(
        self, name: str, *, by: str, reason: str, replacement: str | None = None, removal_date: dt.date | None = None
    ) -> None:
        self._do(
            parameter_catalogue.deprecate,
            name,
            by=by,
            reason=reason,
            replacement=replacement,
            removal_date=removal_date,
        )

    def remove_parameter(self, name: str, *, by: str, reason: str, rules: RuleSet | None = None) -> None:
        """P4: refused, with who reads it, while any aide or quantity (the core's too) depends on it."""
        rules = rules if rules is not None else load_rules()
        try:
            self._do(parameter_catalogue.remove, name, by=by, reason=reason, rules=rules)
        except RegistryError as exc:
            if isinstance(exc.__cause__, parameter_catalogue.ParameterInUse):
                # record the refusal itself, which the failed transaction rolled back
                with self.database.transaction() as session:
                    in_use = exc.__cause__
                    audit.record(
                        session,
                        self.now,
                        by,
                        "parameter_removal_refused",
                        name,
                        reason,
                        readers=in_use.aides,
                        quantities=in_use.quantities,
                    )
            raise

    # ---- notifications -------------------------------------------------------------------------

    def acknowledge(
        self, notification_id: int, partner: str, *, by: str, updated: bool = False, comment: str = ""
    ) -> bool:
        """A7: returns whether the notification is now closed (its notice lifted)."""
        n = self._do(acknowledge, notification_id, partner, by=by, updated=updated, comment=comment)
        return n.closed_at is not None

    def outbox(self, *, pending_only: bool = False, partner: str | None = None) -> list[OutboxEntry]:
        """The emails the registry wrote: sent, waiting, or failing (with the last error)."""
        with self.database.reading() as session:
            return outbox_entries(session, pending_only=pending_only, partner=partner)

    def send(self, *, by: str = "registry") -> SendReport:
        """Send the outbox (retrying what failed before, once due)."""
        return flush_outbox(self.database, self.clock, self.smtp, actor=by)

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

    def notify_defect(self, aide: str, *, by: str, description: str) -> int:
        return self._do(defects.notify_defect, aide, by=by, description=description).id

    def renew_defect(self, defect_id: int, *, by: str, reason: str = "") -> dt.datetime:
        return self._do(defects.renew, defect_id, by=by, reason=reason).deadline

    def resolve_defect(self, defect_id: int, *, by: str, reason: str) -> None:
        self._do(defects.resolve, defect_id, by=by, reason=reason)

    def defects(self) -> list[Defect]:
        with self.database.reading() as session:
            return list(session.scalars(select(Defect).order_by(Defect.id)))

    def apply_deadlines(self, *, by: str = "registry") -> list[int]:
        """A9: suspend the aides whose correction period ran out; returns the expired defects."""
        return [d.id for d in self._do(defects.expire_defects, by=by)]

    def overdue(self, *, by: str = "registry") -> list[OverdueItem]:
        self.apply_deadlines(by=by)
        with self.database.reading() as session:
            return overdue(session, self.now)

    def due_soon(self, *, days: int = 3, by: str = "registry") -> list[DueItem]:
        """What falls due in the next ``days`` days: the warning before a deadline."""
        if days < 1:
            raise RegistryError(f"--days: a number of days of at least 1, not {days}")
        self.apply_deadlines(by=by)
        with self.database.reading() as session:
            return due_soon(session, self.now, dt.timedelta(days=days))

    def ask(self, partner: str, text: str, *, by: str, to_operator: bool = False) -> int:
        return self._do(questions.ask, partner, text, by=by, to_operator=to_operator).id

    def answer(self, question_id: int, text: str, *, by: str) -> None:
        self._do(questions.answer, question_id, text, by=by)

    def questions(self) -> list[Question]:
        with self.database.reading() as session:
            return list(session.scalars(select(Question).order_by(Question.id)))

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


def open_registry(
    url: str | None = None,
    clock: Clock | None = None,
    *,
    smtp: SmtpSettings | None = None,
    households: int | None = None,
    seed: int = DEFAULT_SEED,
    scheduler: str | None = None,
) -> Registry:
    """Open (and migrate) the registry's database: ``url``, else ``MESAIDES_DATABASE_URL``, else
    ``sqlite:///<MESAIDES_INSTANCE or ./instance>/mesaides.sqlite3``. Time comes from ``clock``,
    else ``MESAIDES_NOW``, else the system clock. The reference population is computed on the
    Dask scheduler ``scheduler``, else ``MESAIDES_REFERENCE_SCHEDULER``, else in this process."""
    if households is None:
        households = int(os.environ.get(HOUSEHOLDS_ENV) or DEFAULT_HOUSEHOLDS)
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    return Registry(
        Database(database_url(url)),
        clock or clock_from_env(),
        smtp=smtp,
        households=households,
        seed=seed,
        scheduler=scheduler,
    )
