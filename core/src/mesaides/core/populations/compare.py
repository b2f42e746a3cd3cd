"""Comparing two runs on one population: who gains, who loses, what it costs, where.

Both runs' results (``results/<run>/part-*.parquet``, one row per household) are read side by
side; amounts are weighted by each household's ``weight`` (how many real households it stands
for), so totals are France's when the population is the generator's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mesaides.core.geography import departements
from mesaides.core.populations.compute import DEPCOM, EPSILON, RESULTS
from mesaides.core.populations.schema import HOUSEHOLD, WEIGHT, PopulationFileError


class ChartsUnavailable(RuntimeError):
    """matplotlib is not installed (the ``charts`` extra)."""


@dataclass(frozen=True)
class AideComparison:
    """One aide under the base and the candidate rules (weighted: real households, euros)."""

    aide: str
    beneficiaries_base: float
    beneficiaries_candidate: float
    cost_base: float
    cost_candidate: float
    gaining: float
    """Households whose amount rises (including those newly obtaining it)."""
    losing: float
    """Households whose amount falls (including those no longer obtaining it)."""
    newly: float
    """Households obtaining the aide under the candidate only."""
    no_longer: float
    """Households obtaining it under the base only."""
    mean_gain: float
    mean_loss: float
    largest_gain: float
    largest_loss: float
    sample_changed: int
    """Households of the population (not weighted) whose amount changed."""

    @property
    def cost_change(self) -> float:
        return self.cost_candidate - self.cost_base


@dataclass
class Comparison:
    """What :func:`compare` finds: per aide, per territory, and over all aides."""

    households: int
    weighted_households: float
    aides: list[AideComparison] = field(default_factory=list)
    by_departement: dict[str, dict[str, float]] = field(default_factory=dict)
    """Département -> aide -> cost change (candidate minus base), for the changed aides."""
    gaining: float = 0.0
    """Households better off over every aide together."""
    losing: float = 0.0
    changes: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Each household's change over every aide (candidate minus base), for the charts."""
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def to_json(self) -> dict[str, Any]:
        return {
            "households": self.households,
            "weighted_households": self.weighted_households,
            "gaining": self.gaining,
            "losing": self.losing,
            "aides": [{**asdict(a), "cost_change": a.cost_change} for a in self.aides],
            "by_departement": self.by_departement,
        }


def read_results(path: Path, run: str) -> Any:
    """The results of ``run`` on the population ``path``, one Arrow table (households in order)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = path / RESULTS / run
    files = sorted(folder.glob("part-*.parquet"))
    if not files:
        raise PopulationFileError(str(folder), None, f"no results: run `mesaides population compute` with --name {run}")
    try:
        return pa.concat_tables([pq.read_table(f) for f in files], promote_options="permissive")
    except (pa.ArrowException, OSError) as exc:
        raise PopulationFileError(str(folder), None, f"unreadable results: {exc}") from None


def compare(path: Path, base: str = "base", candidate: str = "candidate") -> Comparison:
    """Compare the runs ``base`` and ``candidate`` of the population ``path``.

    :raises PopulationFileError: a run without results, or runs of different households.
    """
    before, after = read_results(path, base), read_results(path, candidate)
    households = np.asarray(before.column(HOUSEHOLD).to_numpy())
    if not np.array_equal(households, np.asarray(after.column(HOUSEHOLD).to_numpy())):
        raise PopulationFileError(str(path / RESULTS), HOUSEHOLD, f"{base} and {candidate} hold different households")
    weight = np.asarray(before.column(WEIGHT).to_numpy(), dtype=float)
    structural = {HOUSEHOLD, WEIGHT, DEPCOM}
    names = sorted((set(before.column_names) | set(after.column_names)) - structural)
    zeros = np.zeros(households.size)

    def amounts(table: Any, name: str) -> np.ndarray:
        return np.asarray(table.column(name).to_numpy(), dtype=float) if name in table.column_names else zeros

    depcom = before.column(DEPCOM).to_numpy(zero_copy_only=False) if DEPCOM in before.column_names else None
    departement = departements(depcom) if depcom is not None else None
    result = Comparison(int(households.size), float(weight.sum()))
    total_change = np.zeros(households.size)
    for name in names:
        old, new = amounts(before, name), amounts(after, name)
        diff = new - old
        total_change += diff
        up, down = diff > EPSILON, diff < -EPSILON
        had, has = np.abs(old) > EPSILON, np.abs(new) > EPSILON
        result.aides.append(
            AideComparison(
                aide=name,
                beneficiaries_base=float(weight[had].sum()),
                beneficiaries_candidate=float(weight[has].sum()),
                cost_base=float(old @ weight),
                cost_candidate=float(new @ weight),
                gaining=float(weight[up].sum()),
                losing=float(weight[down].sum()),
                newly=float(weight[~had & has].sum()),
                no_longer=float(weight[had & ~has].sum()),
                mean_gain=round(float(np.average(diff[up], weights=weight[up])), 2) if up.any() else 0.0,
                mean_loss=round(float(np.average(diff[down], weights=weight[down])), 2) if down.any() else 0.0,
                largest_gain=round(float(diff.max(initial=0.0)), 2),
                largest_loss=round(float(diff.min(initial=0.0)), 2),
                sample_changed=int(np.count_nonzero(up | down)),
            )
        )
        if departement is not None and (up | down).any():
            moved = up | down
            for code in np.unique(departement[moved]):
                inside = moved & (departement == code)
                result.by_departement.setdefault(str(code) or "?", {})[name] = round(
                    float(diff[inside] @ weight[inside]), 2
                )
    result.gaining = float(weight[total_change > EPSILON].sum())
    result.losing = float(weight[total_change < -EPSILON].sum())
    result.changes, result.weights = total_change, weight
    return result


def summary_lines(comparison: Comparison) -> list[str]:
    """The comparison as a text table, one line per aide, then the households gaining and losing."""
    lines = [
        f"{comparison.households:,} households standing for {comparison.weighted_households:,.0f}",
        f"{'aide':<36} {'beneficiaries base':>18} {'candidate':>12} {'cost base':>16} {'candidate':>16} "
        f"{'change':>14} {'gaining':>10} {'losing':>10}",
    ]
    for a in comparison.aides:
        lines.append(
            f"{a.aide:<36.36} {a.beneficiaries_base:>18,.0f} {a.beneficiaries_candidate:>12,.0f} {a.cost_base:>16,.0f} "
            f"{a.cost_candidate:>16,.0f} {a.cost_change:>+14,.0f} {a.gaining:>10,.0f} {a.losing:>10,.0f}"
        )
    lines.append(f"households better off: {comparison.gaining:,.0f}, worse off: {comparison.losing:,.0f}")
    return lines


def write_charts(comparison: Comparison, folder: Path, fmt: str = "png") -> list[Path]:
    """Charts of the comparison into ``folder``: the cost change by aide, the households' gains
    and losses, the cost change by département; and ``comparison.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "comparison.json"
    data.write_text(json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written = [data]
    try:
        import matplotlib
    except ImportError:
        raise ChartsUnavailable("charts need matplotlib: pip install 'mesaides-core[charts]'") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    changed = [a for a in comparison.aides if abs(a.cost_change) > EPSILON] or comparison.aides
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(changed) + 1.5))
    ax.barh([a.aide for a in changed], [a.cost_change / 1e6 for a in changed], color="#2a6f97")
    ax.set_xlabel("Variation du coût (millions d'euros, candidat - base)")
    ax.set_title("Coût par aide")
    fig.tight_layout()
    written.append(_save(fig, folder / f"cost_by_aide.{fmt}"))

    fig, ax = plt.subplots(figsize=(8, 4))
    moved = np.abs(comparison.changes) > EPSILON
    if moved.any():
        ax.hist(comparison.changes[moved], bins=40, weights=comparison.weights[moved], color="#c1121f")
    ax.set_xlabel("Variation mensuelle par ménage (euros)")
    ax.set_ylabel("Ménages")
    ax.set_title(f"Ménages gagnants : {comparison.gaining:,.0f} ; perdants : {comparison.losing:,.0f}")
    fig.tight_layout()
    written.append(_save(fig, folder / f"households.{fmt}"))

    totals = sorted(
        ((code, sum(v.values())) for code, v in comparison.by_departement.items()), key=lambda t: -abs(t[1])
    )[:20]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(totals) + 1.5))
    ax.barh([code for code, _ in totals], [v / 1e6 for _, v in totals], color="#588157")
    ax.set_xlabel("Variation du coût (millions d'euros)")
    ax.set_title("Coût par département (les 20 plus touchés)")
    fig.tight_layout()
    written.append(_save(fig, folder / f"cost_by_departement.{fmt}"))
    return written


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path)
    plt.close(fig)
    return path
