"""The registry's refusals: one base class, so that every caller (command line, web, API) can
answer any of them with its message instead of a traceback."""

from __future__ import annotations


class RegistryError(ValueError):
    """An operation the convention does not allow, with the reason."""
