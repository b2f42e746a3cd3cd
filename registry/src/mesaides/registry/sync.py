"""The sync: compare what the installed distributions register with the registry, record it,
measure what changed on the reference population, and notify the partners concerned.

One sync is one transaction. The very first sync of an empty registry is the baseline: it records
everything, and only G3 applies (national partners assess the territorial aides); A3 and P3 are
about additions to an existing catalogue.

A distribution whose plugin failed to load is left as it was: a broken release does not remove
its partner's aides.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mesaides.core import Engine, RuleSet
from mesaides.registry import audit, defects, lifecycle
from mesaides.registry.checks import registered_cases
from mesaides.registry.defects import removed_under_a9
from mesaides.registry.expert_cases import run_cases
from mesaides.registry.impacts import (
    COMMON_PARAMETER_OWNERS,
    AideChange,
    AideView,
    ChangeSet,
    announce_change_set,
    announce_territorial_aide,
    first_per_aide,
    impacted_by_aide,
    impacted_by_parameter,
    store_measures,
)
from mesaides.registry.measure import Movement, ReferenceRun, compare, compress, decompress, run_reference
from mesaides.registry.models import (
    DEVELOPMENT,
    FEASIBLE,
    LIVE_STATUSES,
    REFUSED,
    REMOVED,
    SUGGESTED,
    Acknowledgement,
    Aide,
    AideVersion,
    Distribution,
    DistributionVersion,
    ExpertCase,
    Notification,
    Parameter,
    Partner,
    ReferenceResult,
    Sync,
)
from mesaides.registry.notifications import UPDATED, close_if_answered, notify
from mesaides.registry.population import reference_population
from mesaides.registry.snapshot import AideSnapshot, Snapshot, take_snapshot
from mesaides.registry.statuses import ParameterStatus
from mesaides.registry.sync_report import SyncReport


@dataclass(frozen=True)
class Measuring:
    households: int
    seed: int
    scheduler: str | None = None
    """A Dask scheduler's address to compute the reference population on (its workers run the
    installed partners: the registry's own rules, checked); None: in the registry's process."""


@dataclass(frozen=True)
class _Before:
    status: str
    owner: str | None
    version: str | None
    fingerprint: str | None
    view: AideView | None


@contextmanager
def _cluster(scheduler: str | None) -> Iterator[Any]:
    """A Dask client of the scheduler at ``scheduler``, or None to measure in this process."""
    if scheduler is None:
        yield None
        return
    from distributed import Client

    with Client(scheduler, timeout="30s") as client:
        yield client


def run_sync(
    session: Session, rules: RuleSet, now: dt.datetime, *, actor: str, reason: str = "", measuring: Measuring | None
) -> SyncReport:
    return _Sync(session, rules, now, actor, reason, measuring).run()


class _Sync:
    def __init__(
        self, session: Session, rules: RuleSet, now: dt.datetime, actor: str, reason: str, measuring: Measuring | None
    ):
        self.session = session
        self.rules = rules
        self.now = now
        self.actor = actor
        self.reason = reason
        self.measuring = measuring
        self.snapshot: Snapshot = take_snapshot(rules)
        self.report = SyncReport(at=now)
        self.changes: list[AideChange] = []
        self.version_only: list[AideChange] = []
        self.movements: dict[str, Movement] | None = None
        self.measure_errors: dict[str, str] = {}
        self.failed = {d.name for d in self.snapshot.distributions.values() if d.failed}

    @functools.cached_property
    def engine(self) -> Engine:
        """The rules compiled once for the measurements of this sync."""
        return Engine(self.rules)

    def run(self) -> SyncReport:
        s = self.session
        self.report.baseline = not s.scalar(select(func.count(Sync.id)))
        self.sync = Sync(at=self.now, by=self.actor, reason=self.reason)
        s.add(self.sync)
        s.flush()
        self.report.sync_id = self.sync.id
        self.before = self._before()
        self.partners()
        self.distributions()
        param_changes = self.parameters()
        self.aides()
        s.flush()
        self.measure()
        self.settle_version_changes()
        self.announce(param_changes)
        self.acknowledge_updates()
        self.note_defects()
        self.sync.summary = audit.plain(self.report.to_json())
        audit.record(
            s,
            self.now,
            self.actor,
            "sync",
            f"sync #{self.sync.id}",
            self.reason,
            added=self.report.added,
            changed=self.report.changed,
            removed=self.report.removed,
            notifications=self.report.notifications,
        )
        return self.report

    # ---- partners and distributions ---------------------------------------------------------

    def _before(self) -> dict[str, _Before]:
        out = {}
        for a in self.session.scalars(select(Aide)):
            view = _view(a) if a.owner else None
            out[a.name] = _Before(a.status, a.owner, a.version, a.fingerprint, view)
        return out

    def partners(self) -> None:
        for p in self.snapshot.partners.values():
            if p.distribution in self.failed:
                continue
            row = self.session.get(Partner, p.id)
            if row is None:
                clash = self.session.scalar(select(Partner).where(Partner.distribution == p.distribution))
                if clash is not None:
                    self.report.problems.append(f"{p.distribution} now declares partner {p.id!r}, was {clash.id!r}")
                    clash.distribution = None
                row = Partner(
                    id=p.id,
                    name=p.name,
                    scope=p.scope,
                    referent_email=p.referent_email,
                    distribution=p.distribution,
                    first_seen=self.now,
                    last_seen=self.now,
                )
                self.session.add(row)
                audit.record(
                    self.session,
                    self.now,
                    self.actor,
                    "partner_added",
                    p.id,
                    "",
                    scope=p.scope,
                    distribution=p.distribution,
                )
                continue
            if row.distribution not in (None, p.distribution):
                self.report.problems.append(
                    f"partner id {p.id!r} is declared by {p.distribution} and by {row.distribution}"
                )
                continue
            changed = {
                k: v
                for k, v in (("name", p.name), ("scope", p.scope), ("referent_email", p.referent_email))
                if getattr(row, k) != v
            }
            for key, value in changed.items():
                setattr(row, key, value)
            row.distribution = p.distribution
            row.last_seen = self.now
            if changed:
                audit.record(self.session, self.now, self.actor, "partner_updated", p.id, "", **changed)
        self.session.flush()

    def distributions(self) -> None:
        s = self.session
        present = set(self.snapshot.distributions)
        for d in self.snapshot.distributions.values():
            if d.failed:
                self.report.problems += [f"{d.name} {d.version} not synced: {p}" for p in d.problems]
                audit.record(
                    s, self.now, self.actor, "distribution_failed", d.name, "; ".join(d.problems), version=d.version
                )
                continue
            row = s.get(Distribution, d.name)
            if row is None:
                row = Distribution(
                    name=d.name,
                    partner_id=d.partner_id,
                    version=d.version,
                    installed=True,
                    first_seen=self.now,
                    last_seen=self.now,
                )
                s.add(row)
            row.partner_id, row.version, row.installed, row.last_seen = d.partner_id, d.version, True, self.now
            s.flush()
            known = s.scalar(
                select(DistributionVersion).where(
                    DistributionVersion.distribution == d.name,
                    DistributionVersion.version == d.version,
                    DistributionVersion.digest == d.digest,
                )
            )
            if known is None:
                s.add(
                    DistributionVersion(
                        distribution=d.name,
                        version=d.version,
                        digest=d.digest,
                        quantities=d.quantities,
                        sync_id=self.sync.id,
                        synced_at=self.now,
                    )
                )
                self.report.distributions.append(f"{d.name} {d.version}")
                audit.record(
                    s, self.now, self.actor, "distribution_version", d.name, "", version=d.version, digest=d.digest
                )
        for row in s.scalars(select(Distribution).where(Distribution.installed.is_(True))):
            if row.name not in present:
                row.installed = False
                audit.record(
                    s,
                    self.now,
                    self.actor,
                    "distribution_uninstalled",
                    row.name,
                    "no longer installed",
                    version=row.version,
                )

    # ---- Parameters (P3, P4) ---------------------------------------------------------------

    def parameters(self) -> list[tuple[str, str]]:
        s = self.session
        changes: list[tuple[str, str]] = []
        for p in self.snapshot.parameters.values():
            if p.owner in self.failed:
                continue
            row = s.get(Parameter, p.name)
            if row is None:
                s.add(
                    Parameter(
                        name=p.name,
                        owner=p.owner,
                        status=ParameterStatus.ACTIVE,
                        label=p.label,
                        definition=p.definition,
                        fingerprint=p.fingerprint,
                        declared=True,
                        first_seen=self.now,
                        last_seen=self.now,
                    )
                )
                self.report.parameters_added.append(p.name)
                changes.append((p.name, "added"))
                audit.record(s, self.now, self.actor, "parameter_added", p.name, "", owner=p.owner)
                continue
            if row.fingerprint != p.fingerprint:
                self.report.parameters_changed.append(p.name)
                changes.append((p.name, "changed"))
                audit.record(
                    s, self.now, self.actor, "parameter_changed", p.name, "", before=row.definition, after=p.definition
                )
            if row.status == ParameterStatus.REMOVED:
                self.report.problems.append(f"P4: Parameter {p.name} was removed, but {p.owner} still declares it")
            row.owner, row.label, row.definition, row.fingerprint = p.owner, p.label, p.definition, p.fingerprint
            row.declared, row.last_seen = True, self.now
        for row in s.scalars(select(Parameter).where(Parameter.declared.is_(True))):
            if row.name not in self.snapshot.parameters and row.owner not in self.failed:
                row.declared = False
                audit.record(
                    s, self.now, self.actor, "parameter_undeclared", row.name, f"{row.owner} no longer declares it"
                )
        return changes

    # ---- aides (A1, A2, A8, A9) ------------------------------------------------------------

    def aides(self) -> None:
        s = self.session
        for a in self.snapshot.aides.values():
            if a.owner in self.failed:
                continue
            row = s.get(Aide, a.name)
            partner_id = self.snapshot.partner_of(a.owner)
            if row is None:
                row = Aide(
                    name=a.name,
                    status=DEVELOPMENT,
                    status_changed_at=self.now,
                    status_changed_by=self.actor,
                    first_seen=self.now,
                )
                s.add(row)
                self._added(row, a, "new aide")
            elif row.owner is None or row.status in (SUGGESTED, FEASIBLE):
                self._added(
                    row,
                    a,
                    f"implements the suggestion of {row.suggested_at:%Y-%m-%d}" if row.suggested_at else "new aide",
                )
            elif row.status == REFUSED:
                self.report.problems.append(f"A1/A2: aide {a.name} was refused: {row.status_reason}")
            elif removed_under_a9(row.status, row.status_reason):
                self.report.problems.append(f"A9: aide {a.name} was removed by the operator: {row.status_reason}")
            elif row.status == REMOVED:
                self._added(row, a, "registered again")
            else:
                before = self.before[a.name]
                if before.fingerprint != a.fingerprint:
                    self._changed(
                        row, a, "ses règles ont changé (formules, lectures déclarées ou valeurs de la législation)"
                    )
                elif before.version != a.version:
                    self.version_only.append(
                        AideChange(
                            a.name, "changed", _snapshot_view(a, partner_id), "", a.version, before.version or ""
                        )
                    )
            old_page = (row.info or {}).get("public_page")
            if row.owner and old_page and old_page != a.info.get("public_page"):
                self.report.notes.append(
                    f"A11: the public page of {a.name} moved from {old_page} to {a.info.get('public_page')}"
                )
                audit.record(
                    s,
                    self.now,
                    self.actor,
                    "public_page_changed",
                    a.name,
                    "A11",
                    before=old_page,
                    after=a.info.get("public_page"),
                )
            if a.refusal and row.status != REFUSED:
                self._set_status(row, REFUSED, "; ".join(a.refusal))
            row.owner, row.partner_id, row.version, row.fingerprint = a.owner, partner_id, a.version, a.fingerprint
            row.label, row.institution, row.info = a.label, a.institution, a.info
            row.reads, row.parameters, row.law = list(a.reads), list(a.parameters), list(a.law)
            row.unavailable_reason, row.last_synced_at = a.unavailable, self.now
        for row in s.scalars(select(Aide).where(Aide.status.in_(LIVE_STATUSES))):
            if row.name in self.snapshot.aides or row.owner in self.failed:
                continue
            installed = row.owner in self.snapshot.distributions
            why = f"no longer registered by {row.owner}" if installed else f"{row.owner} is no longer installed"
            detail = f"{row.owner} ne l'enregistre plus" if installed else f"{row.owner} n'est plus installée"
            self._set_status(row, REMOVED, why)
            self._record_version(row.name, row.owner or "", row.version or "", row.fingerprint, "removed")
            self.changes.append(
                AideChange(row.name, "removed", self.before[row.name].view or _view(row), detail, row.version or "")
            )
            self.report.removed.append(row.name)

    def _record_version(self, aide: str, distribution: str, version: str, fingerprint: str | None, change: str) -> None:
        """One line of an aide's history (added, rules, version, removed), made by this sync."""
        self.session.add(
            AideVersion(
                aide=aide,
                distribution=distribution,
                version=version,
                fingerprint=fingerprint,
                change=change,
                sync_id=self.sync.id,
                at=self.now,
            )
        )

    def _added(self, row: Aide, a: AideSnapshot, why: str) -> None:
        if row.status != DEVELOPMENT or row.owner is None:
            self._set_status(row, DEVELOPMENT, why)
        self._record_version(a.name, a.owner, a.version, a.fingerprint, "added")
        self.changes.append(
            AideChange(a.name, "added", _snapshot_view(a, self.snapshot.partner_of(a.owner)), "", a.version)
        )
        self.report.added.append(a.name)

    def _changed(self, row: Aide, a: AideSnapshot, detail: str) -> None:
        before = self.before[a.name]
        self._record_version(a.name, a.owner, a.version, a.fingerprint, "rules")
        view = _snapshot_view(a, self.snapshot.partner_of(a.owner))
        self.changes.append(AideChange(a.name, "changed", view, detail, a.version, before.version or ""))
        self.report.changed.append(a.name)

    def _set_status(self, row: Aide, status: str, reason: str) -> None:
        lifecycle.set_status(self.session, row, status, self.now, self.actor, reason)

    # ---- measuring on the reference population ---------------------------------------------

    def measure(self) -> None:
        if self.measuring is None:
            return
        s = self.session
        period = f"{self.now.year:04d}-{self.now.month:02d}"
        live = [n for n, a in self.snapshot.aides.items() if a.owner not in self.failed]
        with (
            _cluster(self.measuring.scheduler) as client,
            reference_population(self.rules, period, self.measuring.households, self.measuring.seed) as population,
        ):
            current = run_reference(self.engine, population, live, client=client)
        self.sync.period, self.sync.population_version, self.sync.households = (
            period,
            population.version,
            population.households,
        )
        self.report.period, self.report.households = period, population.households
        previous = s.scalar(
            select(Sync).where(Sync.id != self.sync.id, Sync.population_version.is_not(None)).order_by(Sync.id.desc())
        )
        if previous is not None:
            comparable: ReferenceRun | None = current
            if previous.population_version != population.version:
                # A sync records its period with its population's version: a previous one without
                # a period has no population to rebuild.
                if previous.period is not None and (
                    previous.period != period or previous.households != population.households
                ):
                    with (
                        _cluster(self.measuring.scheduler) as client,
                        reference_population(
                            self.rules, previous.period, previous.households, self.measuring.seed
                        ) as older,
                    ):
                        comparable = (
                            run_reference(self.engine, older, live, client=client)
                            if older.version == previous.population_version
                            else None
                        )
                else:
                    comparable = None
            if comparable is not None:
                self._compare(previous, comparable)
        self._store(current)

    def _compare(self, previous: Sync, run: ReferenceRun) -> None:
        old: dict[str, np.ndarray] = {}
        for r in self.session.scalars(select(ReferenceResult).where(ReferenceResult.sync_id == previous.id)):
            if r.data is not None:
                old[r.aide] = decompress(r.data)
            else:
                self.measure_errors[r.aide] = f"not measured at sync #{previous.id}: {r.error}"
        self.measure_errors.update(run.errors)
        self.movements = {
            name: compare(old.get(name), run.values.get(name), run.households)
            for name in set(old) | set(run.values)
            if name not in self.measure_errors
        }

    def _store(self, run: ReferenceRun) -> None:
        for name, values in run.values.items():
            owner = self.snapshot.aides[name].owner
            self.session.add(
                ReferenceResult(
                    sync_id=self.sync.id,
                    aide=name,
                    owner=owner,
                    period=run.period,
                    population_version=run.population_version,
                    data=compress(values),
                )
            )
        for name, error in run.errors.items():
            owner = self.snapshot.aides[name].owner
            self.session.add(
                ReferenceResult(
                    sync_id=self.sync.id,
                    aide=name,
                    owner=owner,
                    period=run.period,
                    population_version=run.population_version,
                    error=error,
                )
            )

    def settle_version_changes(self) -> None:
        """A new version whose declared rules did not change is a change only when its results
        differ on the reference population (a data file may have changed), or cannot be measured."""
        for change in self.version_only:
            m = None if self.movements is None else self.movements.get(change.name)
            if m is None or m.any:
                detail = (
                    "nouvelle version, dont l'impact n'a pas pu être mesuré"
                    if m is None
                    else "nouvelle version dont les résultats diffèrent sur la population de référence, bien que ses "
                    "règles déclarées n'aient pas changé"
                )
                change = AideChange(
                    change.name, "changed", change.aide, detail, change.version, change.previous_version
                )
                self.changes.append(change)
                self.report.changed.append(change.name)
                kind = "version"
            else:
                self.report.versions_only.append(change.name)
                kind = "version-same-results"
            self._record_version(
                change.name, change.aide.owner, change.version, self.snapshot.aides[change.name].fingerprint, kind
            )

    # ---- notifications (A3, A7, A8, A10, G3, P3) -------------------------------------------

    def announce(self, param_changes: list[tuple[str, str]]) -> None:
        s = self.session
        partners = {p.id: p for p in s.scalars(select(Partner))}
        names = {p.id: p.name for p in partners.values()}
        existing = {n: b.view for n, b in self.before.items() if b.status in LIVE_STATUSES and b.view is not None}
        current = {a.name: _view(a) for a in s.scalars(select(Aide).where(Aide.status.in_(LIVE_STATUSES)))}
        still_there = [v for n, v in current.items() if n in existing]
        specific = set(s.scalars(select(Parameter.name).where(Parameter.owner.not_in(COMMON_PARAMETER_OWNERS))))
        period = self.sync.period or ""
        refused = set(s.scalars(select(Aide.name).where(Aide.status == REFUSED)))
        change_sets: dict[str, ChangeSet] = {}
        for change in self.changes:
            pool = list(existing.values()) if change.kind == "removed" else list(current.values())
            measured_aides = [change.aide] + [pool_view for pool_view in pool if change.name in pool_view.reads]
            measures = store_measures(
                s,
                self.sync.id,
                change.name,
                change.kind,
                measured_aides,
                self.movements or {},
                self.measure_errors if self.movements is not None else {},
                period,
            )
            self.report.impact += measures
            if self.report.baseline or change.name in refused:
                continue  # A3 is about additions to an existing catalogue; a refused aide is not shown
            # A removed aide's partners are compared with what the others read before the change.
            others = [existing[v.name] for v in still_there] if change.kind == "removed" else still_there
            impact = impacted_by_aide(change.aide, others, specific, kind=change.kind)
            change_sets.setdefault(change.kind, ChangeSet(change.kind)).add(change, impact, measures)
        if "changed" in change_sets:
            self.expectations(change_sets["changed"])
        for change_set in change_sets.values():
            n = announce_change_set(s, self.now, self.actor, change_set, names, self.sync.id)
            if n is not None:
                self.report.notifications.append(n.id)
        national = sorted(p.id for p in partners.values() if p.scope == "national" and p.distribution)
        for change in self.changes:
            if change.kind != "added" or change.aide.partner_id is None or change.name in refused:
                continue
            partner = partners.get(change.aide.partner_id)
            if partner is not None and partner.scope == "territorial":
                n = announce_territorial_aide(s, self.now, self.actor, change.aide, national, names, self.sync.id)
                if n is not None:
                    self.report.notifications.append(n.id)
        if not self.report.baseline:
            for kind in ("added", "changed"):
                changed = [name for name, k in param_changes if k == kind]
                if changed:
                    self._announce_parameters(kind, changed, partners, list(current.values()))

    def _announce_parameters(
        self, kind: str, names: list[str], partners: dict[str, Partner], aides: list[AideView]
    ) -> None:
        """P3: the Parameters a sync added, or changed, in one notification: one email per partner."""
        who: dict[str, str] = {}
        owner_partner: dict[str, str | None] = {}
        for name in names:
            p = self.snapshot.parameters[name]
            owner = owner_partner[name] = self.snapshot.partner_of(p.owner)
            partner = partners.get(owner) if owner is not None else None
            who[name] = partner.name if partner is not None else p.owner
        measures: list[dict] = []
        if kind == "added":
            owners = set(owner_partner.values())
            # Every partner, except the one that added them all.
            recipients: dict[str, list[str]] = {
                pid: [] for pid, row in partners.items() if row.distribution and (pid not in owners or len(owners) > 1)
            }
            lines = [f"{who[n]} a ajouté le Parameter {n} ({self.snapshot.parameters[n].label})." for n in names]
            ending = "Vous pouvez les utiliser pour mettre à jour les règles de vos aides (P3)."
        else:
            recipients = {}
            for name in names:
                impact = impacted_by_parameter(name, aides, owner_partner[name])
                for pid, theirs in impact.by_partner.items():
                    recipients.setdefault(pid, []).extend(a for a in theirs if a not in recipients[pid])
                readers = [a for a in aides if name in a.parameters]
                measures += store_measures(
                    self.session,
                    self.sync.id,
                    name,
                    "parameter_changed",
                    readers,
                    self.movements or {},
                    self.measure_errors if self.movements is not None else {},
                    self.sync.period or "",
                )
            self.report.impact += measures
            lines = [f"{who[n]} a modifié la définition du Parameter {n}." for n in names]
            ending = "Vos aides concernées le lisent (P3)."
        if len(names) == 1:
            p = self.snapshot.parameters[names[0]]
            title = f"Nouveau Parameter {p.name} ({p.label})" if kind == "added" else f"Le Parameter {p.name} a changé"
        else:
            title = f"{len(names)} {'nouveaux Parameters' if kind == 'added' else 'Parameters modifiés'} : {', '.join(names)}"
        n = notify(
            self.session,
            self.now,
            actor=self.actor,
            kind=f"parameter_{kind}",
            rule="P3",
            subject=", ".join(names)[:200],
            subject_kind="parameter",
            title=title[:500],
            body="\n".join([*lines, "", ending]),
            recipients=recipients,
            details={
                "parameters": {n: self.snapshot.parameters[n].definition for n in names},
                "impact": first_per_aide(measures),
            },
            sync_id=self.sync.id,
        )
        if n is not None:
            self.report.notifications.append(n.id)

    def expectations(self, change_set: ChangeSet) -> None:
        """A8: other partners' expert cases (registered with the registry) on the changed aides,
        run on the new rules; each partner whose expectations no longer hold is told in the same
        notification, and its aides show the A7 notice until it answers."""
        changed = {c.name: c.aide.owner for c in change_set.changes}
        owners = {name: owner for name, owner in self.session.execute(select(Aide.name, Aide.owner))}
        cases = [
            case
            for case in registered_cases(self.session.scalars(select(ExpertCase)), owners)
            if case.owner and any(case.owner != changed[a] for a in case.aides & set(changed))
        ]
        for outcome in run_cases(cases, self.engine):
            partner = self.snapshot.partner_of(outcome.case.owner or "")
            if outcome.ok or partner is None:
                continue
            theirs = {a for a in outcome.case.aides if owners.get(a) == outcome.case.owner}
            change_set.expect(partner, theirs, f"« {outcome.case.name} » ({outcome.case.source}) : {outcome.message}")

    def acknowledge_updates(self) -> None:
        """A7: a partner that updates an impacted aide has answered for it."""
        updated = {c.name for c in self.changes if c.kind == "changed"}
        if not updated:
            return
        s = self.session
        pending = s.execute(
            select(Acknowledgement, Notification)
            .join(Notification, Notification.id == Acknowledgement.notification_id)
            .where(
                Acknowledgement.acknowledged_at.is_(None),
                Notification.requires_ack.is_(True),
                Notification.sync_id != self.sync.id,
            )
        ).all()
        for ack, notification in pending:
            mine = set(ack.impacted_aides)
            if mine and mine <= updated:
                ack.acknowledged_at, ack.answer, ack.by = self.now, UPDATED, f"sync #{self.sync.id}"
                ack.comment = f"updated: {', '.join(sorted(mine))}"
                audit.record(
                    s,
                    self.now,
                    self.actor,
                    "acknowledge",
                    notification.subject,
                    ack.comment,
                    notification=notification.id,
                    partner=ack.partner_id,
                    answer=UPDATED,
                )
                close_if_answered(s, notification, self.now, self.actor)

    def note_defects(self) -> None:
        updated = {c.name for c in self.changes if c.kind == "changed"}
        for defect in defects.unresolved(self.session):
            if defect.aide not in updated:
                continue
            self.report.notes.append(
                f"A9: defect #{defect.id} on {defect.aide} is {defect.status} and the partner shipped new rules: "
                "check them and resolve the defect"
            )


def _view(row: Aide) -> AideView:
    return AideView(
        row.name,
        row.label,
        row.owner or "",
        row.partner_id,
        frozenset(row.reads or ()),
        frozenset(row.parameters or ()),
    )


def _snapshot_view(a: AideSnapshot, partner_id: str | None) -> AideView:
    return AideView(a.name, a.label, a.owner, partner_id, frozenset(a.reads), frozenset(a.parameters))
