"""An aide's place in the dependency graph, drawn as SVG: Parameters, aides it reads, the aide,
aides that read it."""

from __future__ import annotations

import html

from mesaides.core.ruleset import RuleSet

_ROW = 26
_WIDTH = 250


def dependency_svg(name: str, parameters: list[str], upstream: list[str], downstream: list[str], rules: RuleSet) -> str:
    columns = [
        ("Paramètres", parameters, "../parameters/{}.html", "#eef"),
        ("Aides lues", upstream, "{}.html", "#efe"),
        ("Aide", [name], "{}.html", "#fde"),
        ("Aides qui la lisent", downstream, "{}.html", "#efe"),
    ]
    height = max(len(items) for _, items, _, _ in columns) * _ROW + 50
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {len(columns) * _WIDTH} {height}' "
        f"role='img' aria-label='Graphe des dépendances de {html.escape(name)}' font-family='sans-serif' font-size='12'>"
    ]
    centres: dict[str, tuple[float, float]] = {}
    for col, (title, items, href, fill) in enumerate(columns):
        x: float = col * _WIDTH + 10
        parts.append(f"<text x='{x}' y='16' font-weight='bold'>{html.escape(title)}</text>")
        top = 30 + (height - 40 - len(items) * _ROW) / 2
        for row, item in enumerate(items):
            y = top + row * _ROW
            centres[f"{col}:{item}"] = (x, y + 10)
            link = href.format(item)
            parts.append(
                f"<a href='{link}'><rect x='{x}' y='{y}' width='{_WIDTH - 40}' height='20' rx='4' fill='{fill}' stroke='#99a'/>"
                f"<text x='{x + 6}' y='{y + 14}'>{html.escape(item)}</text></a>"
            )
    target = centres[f"2:{name}"]
    for col in (0, 1):
        for item in columns[col][1]:
            x, y = centres[f"{col}:{item}"]
            parts.append(_edge(x + _WIDTH - 40, y, target[0], target[1]))
    for item in downstream:
        x, y = centres[f"3:{item}"]
        parts.append(_edge(target[0] + _WIDTH - 40, target[1], x, y))
    parts.append("</svg>")
    return "".join(parts)


def _edge(x1: float, y1: float, x2: float, y2: float) -> str:
    mid = (x1 + x2) / 2
    return f"<path d='M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}' fill='none' stroke='#889' stroke-width='1'/>"
