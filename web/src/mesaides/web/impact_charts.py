"""The registry's measured impact of its latest change, drawn for the ``/stats`` page (issue 18).

The registry measures each change of an aide or a Parameter on its reference population (A3,
A8, A10; ``mesaides-registry impact``): per aide, the households that gain or lose it and the
aide's total before and after. This draws, per changed subject, the total cost by aide before and
after, and the households gaining and losing each aide, as inline SVG (no script, no
matplotlib: the charts of ``mesaides population compare`` are files, these are part of the page).
Each chart has a text alternative (``<title>`` and ``<desc>`` listing every figure); the page
also gives the figures as a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

BEFORE_COLOUR, AFTER_COLOUR = "#6a6af4", "#000091"
GAINED_COLOUR, LOST_COLOUR = "#18753c", "#c9191e"
LABEL_WIDTH, VALUE_WIDTH, WIDTH = 250, 100, 720


@dataclass(frozen=True)
class ImpactRow:
    """One aide's measured movement, as the page shows it."""

    aide: str
    label: str
    households: int
    gained: int
    lost: int
    changed: int
    mean_change: float
    total_before: float | None
    total_after: float | None
    error: str | None

    @property
    def cells(self) -> tuple[str, ...]:
        """The table's figures: gained, lost, changed, mean change, totals before and after."""
        return (
            count(self.gained),
            count(self.lost),
            count(self.changed),
            euros(self.mean_change) if self.changed else "—",
            "—" if self.total_before is None else euros(self.total_before),
            "—" if self.total_after is None else euros(self.total_after),
        )


@dataclass(frozen=True)
class SubjectImpact:
    """The impact of the change of one aide or Parameter at one sync, with its two charts."""

    subject: str
    label: str
    change: str
    sync: int
    period: str
    households: int
    rows: list[ImpactRow]
    cost_chart: Markup | None
    """None when the totals before and after are not known (see the registry's ``reference_totals``)."""
    households_chart: Markup

    @property
    def households_text(self) -> str:
        return count(self.households)


CHANGE_FR = {"added": "ajout", "changed": "modification", "removed": "retrait", "suspended": "suspension"}


def euros(value: float) -> str:
    """``1 234 567 €``: whole euros, French grouping (narrow no-break spaces)."""
    return f"{value:,.0f}".replace(",", "\u202f").replace("-", "−") + "\u00a0€"


def count(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def impact_by_subject(measures: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> list[SubjectImpact]:
    """The registry's impact rows (``Registry.impact()``: one per subject and aide, one sync)
    grouped by subject, each with its charts. ``labels`` gives the aides' names for people."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for m in measures:
        grouped.setdefault(str(m["subject"]), []).append(m)
    out = []
    for k, (subject, found) in enumerate(grouped.items()):
        rows = [
            ImpactRow(
                aide=str(m["aide"]),
                label=labels.get(str(m["aide"]), str(m["aide"])),
                households=int(m.get("households") or 0),
                gained=int(m.get("gained") or 0),
                lost=int(m.get("lost") or 0),
                changed=int(m.get("changed") or 0),
                mean_change=float(m.get("mean_change") or 0.0),
                total_before=_number(m.get("total_before")),
                total_after=_number(m.get("total_after")),
                error=m.get("error"),
            )
            for m in found
        ]
        measured = [r for r in rows if r.error is None]
        first = found[0]
        change = CHANGE_FR.get(str(first.get("change")), "changement")
        label = labels.get(subject, subject)
        what = f"{change} de « {label} »"
        households = max((r.households for r in rows), default=0)
        with_totals = [r for r in measured if r.total_before is not None and r.total_after is not None]
        out.append(
            SubjectImpact(
                subject=subject,
                label=label,
                change=change,
                sync=int(first.get("sync") or 0),
                period=str(first.get("period") or ""),
                households=households,
                rows=rows,
                cost_chart=cost_chart(f"impact-{k}-cout", what, households, with_totals) if with_totals else None,
                households_chart=households_chart(f"impact-{k}-menages", what, households, measured),
            )
        )
    return out


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _svg(uid: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="graphique" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
    ]


def _short(name: str) -> str:
    return name if len(name) <= 30 else name[:29] + "…"


def _legend(y: int, items: Sequence[tuple[str, str]]) -> str:
    parts, x = [], LABEL_WIDTH
    for text, colour in items:
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y + 10}" class="legende">{escape(text)}</text>'
        )
        x += 28 + 7 * len(text)
    return "".join(parts)


def cost_chart(uid: str, subject: str, households: int, rows: Sequence[ImpactRow]) -> Markup:
    """Per aide, two bars: its total on the reference population before the change and after."""
    bar, gap, legend = 14, 12, 24
    height = len(rows) * (2 * bar + gap) + gap + legend
    peak = max((max(abs(r.total_before or 0.0), abs(r.total_after or 0.0)) for r in rows), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    title = f"Montant total de chaque aide avant et après : {subject}, sur {count(households)} ménages"
    desc = "; ".join(
        f"{r.label} : {euros(r.total_before or 0.0)} avant, {euros(r.total_after or 0.0)} après" for r in rows
    )
    parts = _svg(uid, height, title, desc + ".")
    for i, r in enumerate(rows):
        top = gap + i * (2 * bar + gap)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + bar + 4}" text-anchor="end" class="etiquette">'
            f"{escape(_short(r.label))}</text>"
        )
        for k, (value, colour) in enumerate(((r.total_before, BEFORE_COLOUR), (r.total_after, AFTER_COLOUR))):
            length = span * abs(value or 0.0) / peak
            y = top + k * bar
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1):.1f}" height="{bar - 2}" fill="{colour}"/>'
                f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + bar - 3}" class="valeur">{euros(value or 0.0)}</text>'
            )
    parts.append(_legend(height - legend + 6, (("avant", BEFORE_COLOUR), ("après", AFTER_COLOUR))))
    parts.append("</svg>")
    return Markup("".join(parts))


def households_chart(uid: str, subject: str, households: int, rows: Sequence[ImpactRow]) -> Markup:
    """Per aide, the households that lose it (to the left) and those that gain it (to the right)."""
    bar, gap, legend = 18, 10, 24
    height = max(1, len(rows)) * (bar + gap) + gap + legend
    peak = max((max(r.gained, r.lost) for r in rows), default=0) or 1
    half = (WIDTH - LABEL_WIDTH - 2 * 60) / 2
    middle = LABEL_WIDTH + 60 + half
    title = f"Ménages qui obtiennent ou perdent chaque aide : {subject}, sur {count(households)}"
    desc = "; ".join(f"{r.label} : {count(r.gained)} l'obtiennent, {count(r.lost)} la perdent" for r in rows)
    parts = _svg(uid, height, title, (desc or "Aucune aide mesurée") + ".")
    parts.append(f'<line x1="{middle:.1f}" x2="{middle:.1f}" y1="{gap / 2}" y2="{height - legend}" class="grille"/>')
    for i, r in enumerate(rows):
        top = gap + i * (bar + gap)
        lost, gained = half * r.lost / peak, half * r.gained / peak
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + bar / 2 + 5}" text-anchor="end" class="etiquette">'
            f"{escape(_short(r.label))}</text>"
            f'<rect x="{middle - lost:.1f}" y="{top}" width="{lost:.1f}" height="{bar}" fill="{LOST_COLOUR}"/>'
            f'<text x="{middle - lost - 6:.1f}" y="{top + bar / 2 + 5}" text-anchor="end" class="valeur">'
            f"−{count(r.lost)}</text>"
            f'<rect x="{middle:.1f}" y="{top}" width="{gained:.1f}" height="{bar}" fill="{GAINED_COLOUR}"/>'
            f'<text x="{middle + gained + 6:.1f}" y="{top + bar / 2 + 5}" class="valeur">+{count(r.gained)}</text>'
        )
    parts.append(_legend(height - legend + 6, (("la perdent", LOST_COLOUR), ("l'obtiennent", GAINED_COLOUR))))
    parts.append("</svg>")
    return Markup("".join(parts))
