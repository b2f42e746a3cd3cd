"""The registry's public state as the web simulator reads it, and the explicit fallback."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mesaides.web.registry_view import FALLBACK_STATUS, RegistryView


def test_an_unreadable_registry_publishes_installed_aides():
    def broken(url, clock):
        raise RuntimeError("database locked")

    state = RegistryView(opener=broken).state()
    assert not state.available and state.problem == "registre illisible : RuntimeError"
    assert state.aide("rsa").status == FALLBACK_STATUS == "published"
    assert not state.aide("rsa").from_registry


def test_statuses_and_notices_from_the_registry():
    aide = SimpleNamespace(status="preview", notice="A7 text", territorial_notice="G3 text")
    public = SimpleNamespace(
        synced=True, aides={"rsa": aide}, partners={"caf": {"id": "caf", "name": "CAF", "distributions": []}}
    )
    registry = SimpleNamespace(public_state=lambda: public, pending_notices=lambda: [{"rule": "A7", "aides": ["rsa"]}])
    state = RegistryView(opener=lambda url, clock: registry).state()
    assert state.available and state.synced
    assert (state.aide("rsa").status, state.aide("rsa").notice, state.aide("rsa").territorial_notice) == (
        "preview",
        "A7 text",
        "G3 text",
    )
    assert state.aide("rsa").from_registry
    assert state.aide("ppa").status == "published" and not state.aide("ppa").from_registry
    assert state.partners == [{"id": "caf", "name": "CAF", "distributions": []}]
    assert state.pending_notices == [{"rule": "A7", "aides": ["rsa"]}]


def test_the_real_registry_before_its_first_sync(database_url):
    pytest.importorskip("mesaides.registry")
    state = RegistryView(url=database_url).state()
    if not state.available:
        pytest.skip(f"the registry cannot be opened here: {state.problem}")
    assert not state.synced and state.aides == {}
    assert state.aide("af").status == "published"
