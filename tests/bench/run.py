"""The benchmark behind the README's performance section (``nox -s bench``).

Prints: start-up (import, plugin discovery, rule set and graph), the 600 public oracle cases
in one ``mesaides calculate`` call, one household warm, throughput on generated households for
every installed aide, peak memory, and the web server's load run when ``mesaides-web`` is
installed. Each measure runs in a fresh process so that its time and memory are its own.
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

from mesaides.core.api import PART_SIZE

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

THROUGHPUT = """
import json, os, resource, time
from mesaides.core import Engine, Period
from mesaides.core.testing.households import generate
engine = Engine()
period = Period.parse("2026-11")
aides = [a for a in engine.rules.aides if a not in engine.rules.unavailable]
population = generate({n}, period)
t0 = time.perf_counter()
engine.compute_arrays(population, aides, period, workers=os.cpu_count() or 1)
elapsed = time.perf_counter() - t0
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"households": {n}, "seconds": elapsed, "aides": len(aides),
                  "peak_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children) / 1024}}))
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--no-web", action="store_true")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
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

    for n in (int(x) for x in args.sizes.split(",")):
        r = child(THROUGHPUT.format(n=n))
        print(
            f"throughput: {n:>9,} households, {r['aides']} aides, parts of {PART_SIZE:,} persons on "
            f"{os.cpu_count()} processes: {r['seconds']:.2f} s ({n / r['seconds']:,.0f} households/s), "
            f"peak memory of one process {r['peak_mb']:,.0f} MB"
        )

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
