"""The registry's measured impact of its latest change on ``/stats``: the total of each aide
before and after, and the households gaining and losing it, as charts with their figures
(issue 18), on a real server reading a real registry."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import httpx
import pytest


def _euros(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") + "\u00a0€"


def test_the_stats_page_draws_the_registry_s_measured_impact(tmp_path, start_server, engine):
    registry_module = pytest.importorskip("mesaides.registry")
    from mesaides.core.plugins import get_plugin_manager
    from mesaides.core.ruleset import load_rules
    from mesaides.registry.testing import OPERATOR

    removed = "nord_activ_emploi_maximum"
    if removed not in engine.rules.aides:
        pytest.skip(f"{removed} is not installed")
    instance = tmp_path / "instance"
    instance.mkdir()
    registry = registry_module.open_registry(
        f"sqlite:///{instance / 'mesaides.sqlite3'}",
        registry_module.FixedClock(dt.datetime(2026, 11, 5, 10)),
        households=300,
    )
    try:
        registry.sync(load_rules(), by=OPERATOR)
        # The Nord's partner withdrawn: its aide is removed (A10) and measured on 300 households.
        registry.sync(load_rules(get_plugin_manager(blocked=("partner_nord",))), by=OPERATOR)
        measured = {m["aide"]: m for m in registry.impact(subject=removed)}
    finally:
        registry.close()
    mine = measured[removed]
    # The reference population has Nord households who had the aide: all of them lose it.
    assert mine["lost"] >= 1 and mine["gained"] == 0
    assert mine["total_before"] > 0 and mine["total_after"] == 0
    assert mine["total_before"] == pytest.approx(-mine["mean_change"] * mine["changed"], abs=0.01 * mine["changed"])

    server = start_server(instance)
    page = unescape(httpx.get(server.url + "/stats", timeout=30).text)
    label = engine.rules.aides[removed].info.label
    assert "Impact mesuré du dernier changement" in page
    assert f"Retrait de « {label} »" in page
    descriptions = re.findall(r"<desc id=\"impact-\d+-(\w+)-d\">(.*?)</desc>", page)
    cost = next(text for kind, text in descriptions if kind == "cout")
    movers = next(text for kind, text in descriptions if kind == "menages")
    assert f"{label} : {_euros(mine['total_before'])} avant, {_euros(0)} après" in cost
    assert f"{label} : 0 l'obtiennent, {mine['lost']} la perdent" in movers
    # Each chart is an image with its title and description, and the table gives the figures.
    assert len(re.findall(r'<svg class="graphique"[^>]*role="img"[^>]*aria-labelledby="impact-', page)) == 2
    impact_section = page[page.index("Impact mesuré du dernier changement") :]
    row = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>\s*((?:<td>[^<]*</td>)+)", impact_section)
    assert row is not None
    assert re.findall(r"<td>([^<]*)</td>", row.group(1)) == [
        "0",
        str(mine["lost"]),
        str(mine["changed"]),
        _euros(mine["mean_change"]).replace("-", "−"),
        _euros(mine["total_before"]),
        _euros(0),
    ]
