"""mesaides web: the simulator on the web (questionnaire, results, JSON API, open statistics).

Start it with ``mesaides serve``; embed it with :func:`create_app`. Nothing heavy is imported
here: the ``mesaides`` entry point loads :mod:`mesaides.web.plugin` with every rule set.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mesaides.web.app import create_app

        return create_app
    if name == "Settings":
        from mesaides.web.settings import Settings

        return Settings
    raise AttributeError(name)
