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
