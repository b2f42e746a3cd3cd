"""The repository's example ``deployment.toml`` (a preview of every partner package) is accepted
by ``mesaides deployment check`` once the registry has synced, as the README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import importlib_metadata
import pytest

from mesaides.registry.deployment import load_deployment
from mesaides.registry.lock import read_lock

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_deployment_is_accepted(tmp_path):
    deployment = load_deployment(ROOT / "deployment.toml")
    for dist in deployment.distributions:
        try:
            importlib_metadata.distribution(dist)
        except importlib_metadata.PackageNotFoundError:
            pytest.skip(f"{dist} is not installed")
    env = {**os.environ, "MESAIDES_INSTANCE": str(tmp_path), "MESAIDES_NOW": "2026-11-16T09:00"}
    env.pop("MESAIDES_DATABASE_URL", None)
    cli = [sys.executable, "-m", "mesaides.core.cli_main"]
    subprocess.run([*cli, "registry", "sync", "--no-measure"], env=env, check=True, capture_output=True)
    lock = tmp_path / "deployment.lock"
    done = subprocess.run([*cli, "deployment", "check", str(ROOT / "deployment.toml"), "--lock", str(lock)],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    served = read_lock(lock)
    assert served.preview and set(served.shown().values()) == {"preview"}
    assert {d for d, v in served.distributions.items() if v.role == "partner"} == set(deployment.distributions)
