from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mesaides.core import Engine, get_plugin_manager, load_rules

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


@pytest.fixture
def pm():
    """A fresh plugin manager with only the core's built-ins."""
    return get_plugin_manager(load_entry_points=False)


@pytest.fixture
def toy_engine(pm):
    import toy_plugin

    pm.register_plugin(toy_plugin, "toy", "mesaides-partner-toy", "0.1.0")
    return Engine(load_rules(pm))


def household(**overrides):
    """A single parent with two children, with wages over 2026-08..2026-10."""
    situation = {
        "individus": {
            "parent": {
                "date_naissance": {"ETERNITY": "1990-05-15"},
                "salaire_net": {"2026-08": 300.0, "2026-09": 300.0, "2026-10": 600.0},
            },
            "enfant1": {"date_naissance": {"ETERNITY": "2015-01-01"}},
            "enfant2": {"date_naissance": {"ETERNITY": "2004-06-01"}},
        },
        "familles": {"famille": {"parents": ["parent"], "enfants": ["enfant1", "enfant2"], "toy_aide": {"2026-11": None}}},
        "foyers_fiscaux": {"foyer": {"declarants": ["parent"], "personnes_a_charge": ["enfant1", "enfant2"]}},
        "menages": {"menage": {"personne_de_reference": ["parent"], "enfants": ["enfant1", "enfant2"]}},
    }
    situation.update(overrides)
    return situation
