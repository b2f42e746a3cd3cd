"""Charts drawn on the server as SVG: they need no script, scale with the page, and each comes
with a text alternative (its ``<title>``/``<desc>``; the page also shows the figures as tables).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from itertools import count

from markupsafe import Markup

PALETTE = ("#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4", "#716043")
_ids = count(1)


TICKS = 4


def _nice_max(value: float) -> int:
    """The top of a count axis: ``TICKS`` whole steps of 1, 2 or 5 × 10ⁿ covering ``value``."""
    if value <= 0:
        return TICKS
    step_wanted = value / TICKS
    exponent = 10 ** max(0, math.floor(math.log10(step_wanted)))
    for multiple in (1, 2, 5, 10):
        step = multiple * exponent
        if step >= step_wanted:
            return int(step * TICKS)
    return int(10 * exponent * TICKS)


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def line_chart(
    title: str,
    days: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Daily values of one or more series over the same days."""
    uid = next(_ids)
    left, right, top, bottom = 44, 24, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((max(v) if v else 0) for _, v in series) if series else 0)
    n = max(len(days) - 1, 1)

    def x(i: int) -> float:
        return left + plot_w * i / n

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    totals = ", ".join(f"{name} : {sum(values)} au total" for name, values in series)
    desc = f"Du {days[0]:%d/%m/%Y} au {days[-1]:%d/%m/%Y}. {totals}." if days else ""
    parts = [
        f'<svg class="graphique" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="g{uid}-t g{uid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="g{uid}-t">{escape(title)}</title><desc id="g{uid}-d">{escape(desc)}</desc>',
    ]
    for k in range(TICKS + 1):
        value = peak * k / TICKS
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grille"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="axe">{_fmt(value)}</text>'
        )
    step = max(1, len(days) // 6)
    for i, day in enumerate(days):
        if i % step == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" class="axe">{day:%d/%m}</text>'
            )
    for (name, values), color in zip(series, PALETTE):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
        for i, v in enumerate(values):
            if v:
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}"><title>{day_label(days[i])} : '
                    f"{v} {escape(name)}</title></circle>"
                )
    if len(series) > 1:
        lx = left
        for (name, _), color in zip(series, PALETTE):
            parts.append(
                f'<rect x="{lx}" y="{height - 14}" width="12" height="12" fill="{color}"/>'
                f'<text x="{lx + 16}" y="{height - 4}" class="legende">{escape(name)}</text>'
            )
            lx += 24 + 8 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, width: int = 640, bar: int = 22) -> Markup:
    """Horizontal bars, one per item, largest first."""
    uid = next(_ids)
    label_w, right, gap = 200, 56, 8
    height = max(1, len(items)) * (bar + gap) + gap
    peak = max((v for _, v in items), default=0) or 1
    desc = "; ".join(f"{name} : {value}" for name, value in items) or "Aucune donnée pour l'instant."
    parts = [
        f'<svg class="graphique" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="g{uid}-t g{uid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="g{uid}-t">{escape(title)}</title><desc id="g{uid}-d">{escape(desc)}</desc>',
    ]
    if not items:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" class="axe">Aucune donnée pour l\'instant</text>'
        )
    for i, (name, value) in enumerate(items):
        top = gap + i * (bar + gap)
        length = (width - label_w - right) * value / peak
        short = name if len(name) <= 30 else name[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{top + bar / 2 + 5}" text-anchor="end" class="etiquette">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{top}" width="{max(length, 1):.1f}" height="{bar}" rx="2" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{top + bar / 2 + 5}" class="valeur">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def day_label(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"
