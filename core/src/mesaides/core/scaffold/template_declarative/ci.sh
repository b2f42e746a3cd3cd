#!/usr/bin/env bash
# The partner's CI: its tests, then the checks the operator's registry applies before publishing.
set -euo pipefail
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
.venv/bin/pytest -q
.venv/bin/mesaides registry check --distribution __DISTRIBUTION__
