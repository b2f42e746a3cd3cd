"""Statuses are types with transition tables (an aide's, a Parameter's, a defect's), and each rule
that reads a status or a reason lives in one module: no module compares a status with a bare
string, and the A2 and A9 reasons are recognised only where those rules live."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mesaides.registry.checks import Catalogue
from mesaides.registry.statuses import AideStatus, DefectStatus, ParameterStatus

SOURCES = Path(__file__).parents[1] / "src" / "mesaides" / "registry"


def test_each_status_type_has_its_own_transitions():
    assert ParameterStatus.ACTIVE.can_become(ParameterStatus.DEPRECATED)
    assert ParameterStatus.DEPRECATED.can_become(ParameterStatus.REMOVED)
    assert not ParameterStatus.REMOVED.can_become(ParameterStatus.ACTIVE)  # P4: removed for good
    assert not ParameterStatus.DEPRECATED.can_become(ParameterStatus.ACTIVE)
    assert DefectStatus.EXPIRED.can_become(DefectStatus.RESOLVED)  # corrected after the suspension (A9)
    assert not DefectStatus.RESOLVED.can_become(DefectStatus.OPEN)
    assert not DefectStatus.EXPIRED.can_become(DefectStatus.OPEN)
    assert AideStatus.REMOVED.can_become(AideStatus.DEVELOPMENT)
    # An aide's "removed" and a Parameter's are different types with different moves.
    assert AideStatus.REMOVED != ParameterStatus.REMOVED
    assert AideStatus.REMOVED == "removed" and "removed" == ParameterStatus.REMOVED  # stored as strings
    with pytest.raises(ValueError):
        ParameterStatus("suspended")


def test_the_catalogue_reads_statuses_as_types():
    catalogue = Catalogue.from_json(
        {
            "parameters": [{"name": "p", "status": "removed", "removed_at": "2026-11-01T00:00:00"}],
            "aides": [{"name": "a", "status": "refused", "reason": "A2(a): it aims to erase a debt"}],
        }
    )
    assert catalogue.parameters["p"].status is ParameterStatus.REMOVED
    assert catalogue.aides["a"].status is AideStatus.REFUSED
    with pytest.raises(ValueError, match="'gone' is not a valid ParameterStatus"):
        Catalogue.from_json({"parameters": [{"name": "p", "status": "gone"}]})


def _sources() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in SOURCES.glob("*.py")}


def test_no_status_is_compared_with_a_bare_string():
    bare = re.compile(r"""status\s*(==|!=)\s*["']|status\s+(not\s+)?in\s+\(\s*["']""")
    found = [f"{name}: {m.group(0)}" for name, text in _sources().items() for m in bare.finditer(text)]
    assert found == []


@pytest.mark.parametrize(("rule", "home"), [("A2", "lifecycle.py"), ("A9", "defects.py")])
def test_a_rule_recognised_from_a_reason_lives_in_one_module(rule, home):
    reading = re.compile(rf"""startswith\(\s*["']{rule}""")
    places = {name for name, text in _sources().items() if reading.search(text)}
    assert places <= {home}
