"""Draw the per-household cost of computing a population as it grows, from the figures
``tests/bench/run.py --json FILE`` wrote: ``python tests/bench/chart.py FILE OUT.png``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("figures", type=Path)
    parser.add_argument("out", type=Path, help="The chart: .png or .svg")
    args = parser.parse_args()
    data = json.loads(args.figures.read_text())

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [m["households"] for m in data["sizes"]]
    compute = [m["compute_s"] / m["households"] * 1e6 for m in data["sizes"]]
    generate = [m["generate_s"] / m["households"] * 1e6 for m in data["sizes"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(sizes, compute, "o-", label=f"compute, every aide, local cluster of {data['workers']} workers")
    ax.plot(sizes, generate, "s--", label="generate as Parquet, one process")
    for x, y in zip(sizes, compute):
        ax.annotate(f"{y:.0f} µs", (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    ax.set_xscale("log")
    ax.set_xlabel("households")
    ax.set_ylabel("µs per household")
    ax.set_ylim(0, 1.15 * max(compute))  # room for the first label
    ax.set_title("Cost per household and memory as the population grows")
    if data.get("measured"):  # when and how: the machine's load changes the times
        fig.text(0.5, 0.005, f"measured {data['measured']}", ha="center", va="bottom", fontsize=8, alpha=0.7)
    ax.grid(True, which="both", alpha=0.3)
    # A worker's peak memory: flat once a worker computes whole partitions one after the other.
    memory = ax.twinx()
    memory.plot(sizes, [m["worker_peak_mb"] for m in data["sizes"]], "^:", color="tab:green")
    memory.set_ylabel("peak memory of a worker (MB)", color="tab:green")
    memory.set_ylim(0, 1.1 * max(2048, *(m["worker_peak_mb"] for m in data["sizes"])))
    memory.axhline(2048, color="tab:green", alpha=0.3, linestyle="--")
    lines, labels = ax.get_legend_handles_labels()
    ax.legend(
        [*lines, memory.get_lines()[0]], [*labels, "peak memory of a worker (right; 2 GB dashed)"], loc="upper right"
    )
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
