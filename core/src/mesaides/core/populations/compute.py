"""Computing aides on a Parquet population as a Dask task graph: one task per partition.

Each task reads its partition, computes the aides with the in-process engine
(:meth:`mesaides.core.api.Engine.compute_arrays`, whole parts of cache size) and writes each
household's amounts next to the inputs, in ``results/<run>/part-*.parquet``; it gives back a
small summary (totals, beneficiaries) that the graph's last task adds up.

Workers load the rule set once each, through the worker plugin :class:`LoadRules`, on a
``LocalCluster`` by default (one worker process per core) or on the cluster at a scheduler's
address. :func:`compute_partition` is the same work without Dask, for one process.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mesaides.core.periods import Period
from mesaides.core.populations.schema import HOUSEHOLD, WEIGHT, Dataset, open_dataset, read_partition
from mesaides.core.populations.sources import RuleSource

if TYPE_CHECKING:
    from distributed import Client

    from mesaides.core.api import Engine
    from mesaides.core.ruleset import RuleSet

PLUGIN_NAME = "mesaides-rules"
EPSILON = 0.005
"""Amounts closer than half a cent are equal; a household obtains an aide above it."""
NO_PROFILER = "distributed.worker.profile.enabled"
"""Dask's statistical profiler on workers: off (see :func:`mesaides.core.populations.workers.stop_profiling`)."""
DEPCOM = "depcom"
RESULTS = "results"


@dataclass
class Summary:
    """What a run gives back: per aide, the weighted total and beneficiary households, and the
    aides that could not be computed with why."""

    households: int = 0
    weighted_households: float = 0.0
    totals: dict[str, float] = field(default_factory=dict)
    beneficiaries: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    """The distributions (and their versions) of the rules the workers computed with."""

    def add(self, other: Summary) -> Summary:
        out = Summary(self.households + other.households, self.weighted_households + other.weighted_households)
        out.rules = {**self.rules, **other.rules}
        for name in {*self.totals, *other.totals}:
            out.totals[name] = self.totals.get(name, 0.0) + other.totals.get(name, 0.0)
            out.beneficiaries[name] = self.beneficiaries.get(name, 0.0) + other.beneficiaries.get(name, 0.0)
        out.errors = {**self.errors, **other.errors}
        return out


def compute_partition(
    engine: Engine,
    folder: Path,
    out: Path,
    aides: Sequence[str],
    period: Period,
    months: int,
    ignored: Sequence[str] = (),
) -> Summary:
    """Compute ``aides`` for ``period`` on the partition ``folder`` and write each household's
    amounts (an aide's values added up over its members or groups) into the file ``out``.

    An aide the rules lack, or that fails, is left out of the file and reported in the summary.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mesaides.core.api import finite

    rules = engine.rules
    partition = read_partition(folder, rules, period, months, ignored=ignored)
    summary = Summary(int(partition.households.size), float(partition.weight.sum()))
    summary.rules = rule_versions(rules)
    columns: dict[str, Any] = {
        HOUSEHOLD: pa.array(partition.households, pa.int64()),
        WEIGHT: pa.array(partition.weight, pa.float64()),
    }
    if partition.depcom is not None:
        columns[DEPCOM] = pa.array(partition.depcom.astype(str))
    wanted = []
    for name in aides:
        if name not in rules.aides:
            summary.errors[name] = "not an aide of these rules"
        elif name in rules.unavailable:
            summary.errors[name] = f"unavailable: {rules.unavailable[name]}"
        elif rules.aides[name].value_type not in ("float", "int", "bool"):
            summary.errors[name] = f"not a number ({rules.aides[name].value_type}): not measured"
        else:
            wanted.append(name)
    values = _compute(engine, partition.population, wanted, period, summary)
    for name, array in values.items():
        entity = rules.aides[name].entity.key
        array = finite(name, period, array)
        per_household = np.bincount(
            partition.household_of[entity], weights=array.astype(np.float64), minlength=partition.households.size
        ).round(2)
        columns[name] = pa.array(per_household, pa.float64())
        # Not np.dot: BLAS's threads took 1 ms a call (0.1 s a partition) on a busy machine.
        summary.totals[name] = float((per_household * partition.weight).sum())
        summary.beneficiaries[name] = float(partition.weight[np.abs(per_household) > EPSILON].sum())
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_suffix(".tmp")
    pq.write_table(pa.table(columns), temporary, compression="zstd")
    temporary.replace(out)  # a run interrupted mid-write leaves no half file under the final name
    return summary


def rule_versions(rules: RuleSet) -> dict[str, str]:
    """The distributions of the plugins ``rules`` loaded, with their versions."""
    return {r.distribution: r.version for r in rules.plugins.values() if r.loaded}


def _compute(
    engine: Engine, population: Any, aides: list[str], period: Period, summary: Summary
) -> dict[str, np.ndarray]:
    """Every aide at once (they share their intermediate values); on an error, each alone so
    that one aide's bug does not stop the others."""
    try:
        return engine.compute_arrays(population, aides, period)
    except Exception:  # isolated below, aide by aide
        pass
    values = {}
    for name in aides:
        try:
            values[name] = engine.compute_arrays(population, [name], period)[name]
        except Exception as exc:  # one aide's bug must not stop the measurement of the others
            summary.errors[name] = f"{type(exc).__name__}: {exc}"
    return values


def _total(*summaries: Summary) -> Summary:
    total = Summary()
    for s in summaries:
        total = total.add(s)
    return total


@dataclass(frozen=True)
class Run:
    """Where a run wrote its results and what it found."""

    dataset: Dataset
    name: str
    summary: Summary

    @property
    def folder(self) -> Path:
        return self.dataset.path / RESULTS / self.name


def run(
    path: Path,
    aides: Sequence[str],
    period: Period,
    client: Client | None,
    *,
    name: str = "base",
    source: RuleSource | None = None,
    engine: Engine | None = None,
    ignored: Sequence[str] = (),
    progress: bool = False,
) -> Run:
    """Compute ``aides`` on every partition of the population ``path`` as a Dask graph (one
    task per partition and a last one adding up their summaries), into ``results/<name>/``.

    On the cluster of ``client``, whose workers load the rules of ``source`` once each; or,
    without a client, in this process with ``engine`` (Dask's synchronous scheduler: the
    registry's measurement of a small population).

    :raises PopulationFileError: a bad population (its file, column and problem).
    """
    import dask

    dataset = open_dataset(path)
    folder = dataset.path / RESULTS / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    arguments = [
        (
            str(dataset.path / part),
            str(folder / f"{part}.parquet"),
            list(aides),
            str(period),
            dataset.months,
            list(ignored),
        )
        for part in dataset.partitions
    ]
    if client is None:
        if engine is None:
            raise ValueError("run: give a Dask client, or an engine to compute in this process")
        here = [
            dask.delayed(_partition_here, pure=False, name=f"mesaides-{name}-{part}")(engine, *args)
            for part, args in zip(dataset.partitions, arguments)
        ]
        total = dask.delayed(_total, pure=False, name=f"mesaides-{name}-total")(*here)
        summary: Summary = total.compute(scheduler="synchronous")
        return Run(dataset, name, summary)

    from distributed import progress as show_progress

    from mesaides.core.populations.workers import partition_task

    plugin = load_rules_on(client, source or RuleSource())
    tasks = [
        dask.delayed(partition_task, pure=False, name=f"mesaides-{name}-{part}")(plugin, *args)
        for part, args in zip(dataset.partitions, arguments)
    ]
    future = client.compute(dask.delayed(_total, pure=False, name=f"mesaides-{name}-total")(*tasks))
    try:
        if progress:
            show_progress(future)
        summary = future.result()
    except BaseException:
        client.cancel(future)  # Ctrl-C or an error: nothing keeps computing on the cluster
        raise
    return Run(dataset, name, summary)


def load_rules_on(client: Client, source: RuleSource) -> str:
    """Have every worker of ``client``'s cluster (and every one joining later) load the rules
    of ``source`` once; the name of the worker plugin holding them. Registering the same
    source again keeps what the workers loaded."""
    from mesaides.core.populations.workers import LoadRules

    name = f"{PLUGIN_NAME}:{source.candidate or 'installed'}"
    client.register_plugin(LoadRules(source), name=name)
    return name


def _partition_here(
    engine: Engine, folder: str, out: str, aides: Sequence[str], period: str, months: int, ignored: Sequence[str]
) -> Summary:
    return compute_partition(engine, Path(folder), Path(out), aides, Period.parse(period), months, ignored)


def local_cluster(workers: int | None = None, *, memory_limit: str = "2GiB", env: dict[str, str] | None = None) -> Any:
    """A ``LocalCluster`` of one single-threaded worker process per core (or ``workers``)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({NO_PROFILER: False}):
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",  # any free port: several clusters may run on one machine
            env=env or {},
            silence_logs=logging.ERROR,
            preload=["mesaides.core.populations.quiet_worker"],
        )
