"""The results list a territorial aide only where the household lives (issue 16), and group the
aides obtained by the partner that grants them."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from web_scenarios import lille_situation

from mesaides.web.dependencies import services_of
from mesaides.web.results import compute

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    from fastapi.testclient import TestClient

    from mesaides.web.app import create_app
    from mesaides.web.settings import Settings

    folder = tmp_path_factory.mktemp("territories")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'db.sqlite3'}"))
    with TestClient(app):
        yield services_of(app).deployment


def _listed(results) -> set[str]:
    return {r.name for r in (*results.obtained, *results.not_obtained)}


def _territorial(deployment) -> dict[str, str]:
    return {e.name: e.aide.info.territory for e in deployment.shown_aides() if e.aide.info.territory}


def test_a_lille_household_sees_the_hauts_de_france_aides_and_no_other_territory(deployment):
    territorial = _territorial(deployment)
    assert "revenu_solidaire_jeune" in territorial and "hauts_de_france_aide_permis" in territorial
    results = compute(deployment, lille_situation(TODAY), TODAY)
    listed = _listed(results)
    assert "hauts_de_france_aide_garde_enfant" in listed  # the Région's, where the family lives
    assert "revenu_solidaire_jeune" not in listed  # the Métropole de Lyon's
    assert "rsa" in listed  # national aides are always listed
    outside = {n for n in territorial if n not in listed}
    assert results.elsewhere == len(outside) > 0


def test_moving_to_lyon_swaps_the_territorial_aides(deployment):
    situation = lille_situation(TODAY)
    menage = situation["menages"]["menage_1"]
    menage["depcom"] = dict.fromkeys(menage["depcom"], "69123")  # Lyon
    listed = _listed(compute(deployment, situation, TODAY))
    assert "revenu_solidaire_jeune" in listed
    assert "hauts_de_france_aide_garde_enfant" not in listed


def test_the_aides_obtained_are_grouped_by_partner(deployment):
    results = compute(deployment, lille_situation(TODAY), TODAY)
    groups = results.by_partner
    assert [a.name for g in groups for a in g.aides] == [
        r.name for r in sorted(results.obtained, key=_group_order(groups))
    ]
    names = [g.name for g in groups]
    assert len(names) == len(set(names)) and "CAF" in " ".join(names)
    for g in groups:
        assert {a.partner for a in g.aides} == {g.name}


def _group_order(groups):
    order = {g.name: i for i, g in enumerate(groups)}
    return lambda r: order[r.partner]
