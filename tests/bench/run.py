"""The benchmark behind the README's performance section (``nox -s bench``).

Prints: start-up (import, plugin discovery, rule set and graph), the 600 public oracle cases
in one ``mesaides calculate`` call, one household warm, throughput on generated households for
every installed aide, peak memory, and the web server's load run when ``mesaides-web`` is
installed. Each measure runs in a fresh process so that its time and memory are its own.

Populations are generated as Parquet (``mesaides population generate``) and computed on a
local Dask cluster of one worker per core (``mesaides population compute``): the generation,
the cluster's start with the rules loaded on each worker, and the computation are timed apart,
with the peak memory of a worker. ``--population-sizes`` chooses the sizes (default
``10k,100k,1M``; ``10M``, ten million households, is opt-in: about ten minutes on 2 cores, at most
2 GB a worker); ``--json`` writes the figures that ``tests/bench/chart.py`` draws.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "plugins/partner_caf/tests/oracle/cases-public.jsonl.gz"


def child(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


STARTUP = """
import json, time
t0 = time.perf_counter()
import mesaides.core
from mesaides.core import get_plugin_manager, load_rules
t1 = time.perf_counter()
pm = get_plugin_manager()
t2 = time.perf_counter()
rules = load_rules(pm)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "discovery": t2 - t1, "rules": t3 - t2, "aides": len(rules.aides),
                  "quantities": len(rules.quantities)}))
"""

POPULATION = """
import json, resource, shutil, tempfile, time
from pathlib import Path
from distributed import Client
from mesaides.core import Period
from mesaides.core.ruleset import load_rules
from mesaides.core.populations.compute import load_rules_on, local_cluster, run
from mesaides.core.populations.generator import generate
from mesaides.core.populations.sources import RuleSource
n, workers = {n}, {workers}
rules = load_rules()
aides = {aides!r} or [a for a in rules.aides if a not in rules.unavailable]
folder = Path(tempfile.mkdtemp(prefix="mesaides-bench-")) / "pop"
try:
    t0 = time.perf_counter()
    generate(folder, n, rules, seed=1)
    generated = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in folder.rglob("*.parquet"))
    t0 = time.perf_counter()
    with local_cluster(workers, memory_limit={memory!r}) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        load_rules_on(client, RuleSource())
        started = time.perf_counter() - t0
        t0 = time.perf_counter()
        done = run(folder, aides, Period.parse("2026-11"), client)
        computed = time.perf_counter() - t0
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
finally:
    shutil.rmtree(folder.parent, ignore_errors=True)
print(json.dumps({{"households": n, "aides": len(aides), "generate_s": generated, "parquet_mb": size / 2**20,
                  "start_s": started, "compute_s": computed, "errors": done.summary.errors,
                  "worker_peak_mb": max(peaks.values()) / 1024, "generator_peak_mb":
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

WARM = """
import json, time, gzip, statistics
from mesaides.core import Engine
from mesaides.core.testing.oracle import merge, read_cases
engine = Engine()
case = read_cases({cases!r})[0]
situation, _ = merge([case], None, engine.rules)
engine.calculate(situation)
times = []
for _ in range(30):
    t = time.perf_counter(); engine.calculate(situation); times.append(time.perf_counter() - t)
population = engine.population(situation)
simulation = engine.simulation(population)
engine._run_requests(simulation, population, None)
each = []
for other in read_cases({cases!r}):
    situation, _ = merge([other], None, engine.rules)
    t = time.perf_counter(); engine.calculate(situation); each.append((time.perf_counter() - t) * 1000)
# Every installed aide for every member (what a page computes, without the explanations):
# the territorial aides of other territories stop at their territory.
aides = [a for a in engine.rules.aides if a not in engine.rules.unavailable]
every = []
for other in read_cases({cases!r}):
    situation, _ = merge([other], None, engine.rules)
    t = time.perf_counter(); engine.compute(situation, aides, "2026-11"); every.append((time.perf_counter() - t) * 1000)
print(json.dumps({{"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
                  "runs": simulation.runs, "reused": simulation.reused, "each_ms": each,
                  "every_ms": every, "aides": len(aides)}}))
"""


def histogram(values: list[float], width: int = 40, step: float = 2.0) -> list[str]:
    """Lines of a text histogram of ``values`` in bins of ``step`` (the last one open)."""
    bins = [0] * 12
    for v in values:
        bins[min(int(v // step), len(bins) - 1)] += 1
    top = max(bins) or 1
    lines = []
    for i, n in enumerate(bins):
        label = f"{i * step:4.0f}-{(i + 1) * step:<4.0f} ms" if i < len(bins) - 1 else f"{i * step:4.0f}+      ms"
        lines.append(f"  {label} {'#' * round(n / top * width):<{width}} {n}")
    return lines


def batch_file() -> Path:
    code = f"""
import json
from mesaides.core import Engine
from mesaides.core.testing.oracle import merge, read_cases
engine = Engine()
situation, checks = merge(read_cases({str(CASES)!r}), None, engine.rules)
open({{path!r}}, "w").write(json.dumps(situation))
print(json.dumps({{"outputs": len(checks)}}))
"""
    path = Path(tempfile.mkdtemp()) / "oracle-batch.json"
    info = child(code.replace("{path!r}", repr(str(path))))
    return path, info["outputs"]


SUFFIXES = {"k": 1_000, "M": 1_000_000}


def population_sizes(text: str) -> list[int]:
    """``10k,100k,1M,10M`` (or plain numbers) as numbers of households."""
    sizes = []
    for item in filter(None, (x.strip() for x in text.split(","))):
        number, factor = (item[:-1], SUFFIXES[item[-1]]) if item[-1] in SUFFIXES else (item, 1)
        try:
            sizes.append(int(float(number) * factor))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r}: a number of households, e.g. 100k, 1M or 250000") from None
    return sizes


ISSUE_13_AIDES = (
    "aah",
    "af",
    "aide_logement",
    "alf",
    "als",
    "apl",
    "ars",
    "asf",
    "cf",
    "hauts_de_france_aide_garde_enfant",
    "hauts_de_france_aide_permis",
    "nord_activ_emploi_maximum",
    "paje_base",
    "ppa",
    "revenu_solidaire_jeune",
    "rsa",
)
"""The 16 aides installed when a million households took 9.1 s in parts in two processes (issues
13 and 14): issue 18's goal for the Dask path is 1.2 times that, on the same aides."""
GOAL_ISSUE_18_S = 1.2 * 9.1


def populations(args: argparse.Namespace) -> None:
    """Generate and compute each population size on a local Dask cluster, one child process each;
    a million households also with the 16 aides of issue 18's goal."""
    sizes = list(args.population_sizes)
    if args.ten_million and 10_000_000 not in sizes:
        sizes.append(10_000_000)
    measured = []
    runs = [(n, ()) for n in sizes]
    if 1_000_000 in sizes:
        runs.insert(sizes.index(1_000_000) + 1, (1_000_000, ISSUE_13_AIDES))
    for n, aides in runs:
        r = child(POPULATION.format(n=n, workers=args.workers, memory=args.memory_limit, aides=list(aides)))
        if aides:
            print(
                f"population: {n:>10,} households, the {len(aides)} aides of issue 13: computed in "
                f"{r['compute_s']:.2f} s (issue 18's goal: {GOAL_ISSUE_18_S:.1f} s); peak memory of a worker "
                f"{r['worker_peak_mb']:,.0f} MB"
            )
            continue
        measured.append(r)
        print(
            f"population: {n:>10,} households, {r['aides']} aides: generated as Parquet in {r['generate_s']:.1f} s "
            f"({r['parquet_mb']:,.0f} MB); local cluster of {args.workers} workers started, rules loaded, in "
            f"{r['start_s']:.1f} s; computed in {r['compute_s']:.2f} s ({r['compute_s'] / n * 1e6:.1f} µs a household, "
            f"{n / r['compute_s']:,.0f} households/s); peak memory of a worker {r['worker_peak_mb']:,.0f} MB"
            + (f"; not computed: {', '.join(r['errors'])}" if r["errors"] else "")
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"workers": args.workers, "sizes": measured}, indent=2) + "\n")
        print(f"figures written to {args.json} (draw them with tests/bench/chart.py)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--population-sizes",
        "--sizes",
        type=population_sizes,
        default="10k,100k,1M",
        help="Households of each population measured, e.g. 10k,100k,1M,10M (10M: about ten minutes).",
    )
    parser.add_argument("--no-web", action="store_true")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Workers of the local Dask cluster.")
    parser.add_argument("--memory-limit", default="2GiB", help="Memory limit of each Dask worker.")
    parser.add_argument(
        "--ten-million", action="store_true", help="Also 10,000,000 households (as 10M in --population-sizes)."
    )
    parser.add_argument("--json", default=None, help="Write the population figures to this JSON file.")
    parser.add_argument("--population-only", action="store_true", help="Only the population measures.")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    if args.population_only:
        populations(args)
        return
    s = child(STARTUP)
    print(
        f"start-up: import {s['import']:.3f} s, discovery {s['discovery']:.3f} s, rules and graph {s['rules']:.3f} s, "
        f"total {s['import'] + s['discovery'] + s['rules']:.3f} s ({s['aides']} aides, {s['quantities']} quantities)"
    )

    path, outputs = batch_file()
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mesaides.core.cli_main", "calculate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    print(f"oracle batch: 600 households, {outputs} outputs, one `mesaides calculate` process: {elapsed:.2f} s")

    w = child(WARM.format(cases=str(CASES)))
    print(
        f"one household, warm (every aide of the oracle): median {w['median_ms']:.1f} ms, best {w['min_ms']:.1f} ms "
        f"({w['runs']} formula evaluations run, {w['reused']} reused from another month)"
    )
    each = sorted(w["each_ms"])
    print(
        f"each of the {len(each)} oracle households once, in the same warm process: median {each[len(each) // 2]:.1f} ms, "
        f"90th percentile {each[int(len(each) * 0.9)]:.1f} ms, slowest {each[-1]:.1f} ms"
    )
    print("\n".join(histogram(each)))
    every = sorted(w["every_ms"])
    print(
        f"each of the {len(every)} oracle households, every installed aide ({w['aides']}) for every member: "
        f"median {every[len(every) // 2]:.1f} ms, 90th percentile {every[int(len(every) * 0.9)]:.1f} ms"
    )

    populations(args)

    if not args.no_web:
        load = ROOT / "web/bench/load.py"
        try:
            import mesaides.web  # noqa: F401
        except ImportError:
            print("web: mesaides-web is not installed, no load run")
        else:
            if load.exists():
                subprocess.run([sys.executable, str(load)], check=True)


if __name__ == "__main__":
    main()
