"""``mesaides population``: generate a population as Parquet, compute aides on it with Dask,
compare two rule sets on it (``core/docs/populations.md``)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from distributed import Client

    from mesaides.core.periods import Period
    from mesaides.core.populations.compute import Run
    from mesaides.core.populations.sources import RuleSource
    from mesaides.core.ruleset import RuleSet

INTERRUPTED = 130


@click.group()
def population() -> None:
    """Whole populations: generate, compute, compare (Parquet files, computed on Dask)."""


@population.command("generate")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--households", type=click.IntRange(min=1), required=True, help="How many households.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same households.")
@click.option(
    "--per-partition",
    type=click.IntRange(min=1),
    default=None,
    help="Households per partition (default 50,000: one part the engine computes at once, about 1.4 GB a worker).",
)
def generate_command(out: Path, households: int, seed: int, per_partition: int | None) -> None:
    """Write a synthetic population of France's households into the new folder OUT, covering
    every territory of the installed partners."""
    from mesaides.core.populations.generator import HOUSEHOLDS_PER_PARTITION, generate
    from mesaides.core.ruleset import load_rules

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\rpartition {done}/{total}", err=True, nl=done == total)

    try:
        generated = generate(
            out,
            households,
            load_rules(),
            seed=seed,
            per_partition=per_partition or HOUSEHOLDS_PER_PARTITION,
            progress=progress,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"wrote {generated.households:,} households ({generated.persons:,} persons) in {generated.partitions} "
        f"partitions into {out}"
    )
    for territory in generated.territories:
        click.echo(f"  covers {territory.partner}: {territory.level} {territory.code}")


def _cluster_options(function: Any) -> Any:
    function = click.option(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="The address of a Dask scheduler (default: a local cluster of one worker process per core).",
    )(function)
    function = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes of the local cluster (default: one per core).",
    )(function)
    function = click.option(
        "--memory-limit", default="2GiB", show_default=True, help="Memory of each local worker process."
    )(function)
    return click.option("--aides", default="", help="Comma-separated aides (default: every available aide).")(function)


@population.command("compute")
@click.argument("pop", type=click.Path(path_type=Path))
@click.option("--period", required=True, help="The month computed, e.g. 2026-11 (yearly aides: its year).")
@click.option("--name", default="base", show_default=True, help="The run's name: results/NAME/ beside the inputs.")
@_cluster_options
def compute_command(
    pop: Path, period: str, name: str, aides: str, scheduler: str | None, workers: int | None, memory_limit: str
) -> None:
    """Compute aides on every household of the population POP, one Dask task per partition."""
    from mesaides.core.populations.schema import open_dataset
    from mesaides.core.populations.sources import RuleSource
    from mesaides.core.ruleset import load_rules

    when = _period(period)
    with _handled():
        open_dataset(pop)  # a wrong folder is said before a cluster starts
        rules = load_rules()
        wanted = _aides(rules, aides)
        with _client(scheduler, workers, memory_limit) as client:
            done = _run(client, pop, wanted, when, name, RuleSource())
    click.echo(f"results: {done.folder}")
    summary = done.summary
    click.echo(f"{summary.households:,} households standing for {summary.weighted_households:,.0f}")
    click.echo(f"{'aide':<40} {'beneficiary households':>24} {'total (euros)':>18}")
    for aide in sorted(summary.totals):
        click.echo(f"{aide:<40} {summary.beneficiaries[aide]:>24,.0f} {summary.totals[aide]:>18,.0f}")
    for aide, why in sorted(summary.errors.items()):
        click.echo(f"not computed: {aide}: {why}", err=True)


@population.command("compare")
@click.argument("pop", type=click.Path(path_type=Path))
@click.option("--period", required=True, help="The month computed, e.g. 2026-11.")
@click.option(
    "--base",
    default="installed",
    show_default=True,
    help="The rules of reference: 'installed' (the installed partners) or a partner's wheel or folder.",
)
@click.option(
    "--candidate", required=True, help="A partner's wheel or distribution folder, in place of the installed one."
)
@click.option(
    "--candidate-scheduler",
    default=None,
    metavar="tcp://HOST:PORT",
    help="With --scheduler: a scheduler whose workers run in the candidate's environment (default: a local cluster).",
)
@click.option(
    "--charts",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the charts (default: POP/results/comparison).",
)
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default="png", show_default=True)
@_cluster_options
def compare_command(
    pop: Path,
    period: str,
    base: str,
    candidate: str,
    candidate_scheduler: str | None,
    charts: Path | None,
    fmt: str,
    aides: str,
    scheduler: str | None,
    workers: int | None,
    memory_limit: str,
) -> None:
    """Compare two rule sets on the population POP: beneficiaries, cost by aide and by
    territory, households gaining and losing, as a table and charts."""
    from mesaides.core.populations.compare import ChartsUnavailable, compare, summary_lines, write_charts
    from mesaides.core.populations.schema import open_dataset
    from mesaides.core.populations.sources import CandidateError, RuleSource, read_candidate
    from mesaides.core.ruleset import load_rules

    when = _period(period)
    sources = {"base": RuleSource(None if base == "installed" else base), "candidate": RuleSource(candidate)}
    for source in sources.values():
        if source.candidate is not None:
            try:
                read_candidate(Path(source.candidate), Path(_scratch()))
            except CandidateError as exc:
                raise click.ClickException(str(exc)) from None
    with _handled():
        open_dataset(pop)
        rules = load_rules()
        wanted = _aides(rules, aides)
        ignored = sorted(rules.parameters)  # the installed rules' Parameters: a candidate may lack some
        # Each rule set on workers of its own: a process loads one version of a partner.
        with _client(scheduler, workers, memory_limit) as client:
            runs = [_run(client, pop, wanted, when, "base", sources["base"], ignored)]
        with _client(candidate_scheduler if scheduler else None, workers, memory_limit) as client:
            runs.append(_run(client, pop, wanted, when, "candidate", sources["candidate"], ignored))
        comparison = compare(pop)
    # An aide a run could not compute is compared as 0 there (a removed aide): say which and why.
    for run, done in zip(("base", "candidate"), runs):
        for aide, why in sorted(done.summary.errors.items()):
            click.echo(f"not computed in the {run}: {aide}: {why}", err=True)
    for line in summary_lines(comparison):
        click.echo(line)
    folder = charts or pop / "results" / "comparison"
    try:
        written = write_charts(comparison, folder, fmt)
    except ChartsUnavailable as exc:
        click.echo(f"no charts: {exc}", err=True)
        return
    for path in written:
        click.echo(f"wrote {path}")


def _period(text: str) -> Period:
    from mesaides.core.periods import Period, PeriodError

    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None


def _aides(rules: RuleSet, text: str) -> list[str]:
    from mesaides.core.values import did_you_mean

    available = [a for a in rules.aides if a not in rules.unavailable]
    if not text.strip():
        return available
    wanted = [a.strip() for a in text.split(",") if a.strip()]
    for name in wanted:
        if name not in rules.aides:
            raise click.BadParameter(f"unknown aide {name!r}{did_you_mean(name, rules.aides)}", param_hint="--aides")
    return wanted


def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="mesaides-candidate-check-")


@contextmanager
def _client(scheduler: str | None, workers: int | None, memory_limit: str) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster closed on exit."""
    from distributed import Client

    from mesaides.core.populations.compute import local_cluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise click.ClickException(f"--scheduler {scheduler}: cannot connect: {exc}") from None
        with client:
            yield client
        return
    click.echo(f"starting a local Dask cluster of {workers or os.cpu_count() or 1} workers", err=True)
    # Ctrl-C reaches the whole process group. While the cluster starts, it is ignored (the
    # worker processes, spawned then, inherit that and cannot die half-started); once started,
    # the workers still ignore it (quiet_worker) and this process stops the computation and
    # closes the cluster, which stops them.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cluster = local_cluster(workers, memory_limit=memory_limit)
    finally:
        signal.signal(signal.SIGINT, previous)
    with cluster, Client(cluster) as client:
        yield client


def _run(
    client: Client,
    pop: Path,
    aides: list[str],
    period: Period,
    name: str,
    source: RuleSource,
    ignored: list[str] | None = None,
) -> Run:
    from mesaides.core.populations.compute import run

    click.echo(f"computing {len(aides)} aides for {period} with the {source.label} ({name})", err=True)
    return run(
        pop, aides, period, client, name=name, source=source, ignored=ignored or [], progress=sys.stdout.isatty()
    )


@contextmanager
def _handled() -> Iterator[None]:
    """Bad files and candidates as clear errors, Ctrl-C as a clean stop."""
    from mesaides.core.populations.schema import PopulationFileError
    from mesaides.core.populations.sources import CandidateError
    from mesaides.core.simulation import ComputationError

    try:
        yield
    except KeyboardInterrupt:
        click.echo("\ninterrupted: the cluster stopped; the results of this run are incomplete", err=True)
        sys.exit(INTERRUPTED)
    except (PopulationFileError, CandidateError, ComputationError) as exc:
        raise click.ClickException(str(exc)) from None
