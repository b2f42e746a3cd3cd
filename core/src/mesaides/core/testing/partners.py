"""Checks every partner package runs on itself, with only its own requirements installed.

- :func:`partners_except`: the partners to block for a deployment of some partners alone.
- :func:`check_aides_load` and :func:`check_granted_and_refused`: a partner's aide files load
  without a problem, and each aide has expert cases that grant it and refuse it (A5).
- :func:`check_card_and_logo`: the partner card and the institutions' logos (convention A4:
  ``logo_<institution>.png``, a square PNG of 120 px).
- :func:`check_unavailable_without` and :func:`check_unavailable_out_of_range`: a partner whose
  aides read another partner's says which versions it supports (``Partner.requires``); without
  that partner, or with a version out of range, its aides are reported unavailable with the
  reason, and the other partners keep working.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mesaides.core.api import Engine
from mesaides.core.plugins import get_plugin_manager
from mesaides.core.ruleset import RuleSet, load_rules
from mesaides.core.situation import SituationError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def partners_except(*kept: str) -> tuple[str, ...]:
    """The entry-point names of every installed partner but ``kept``: what to block for a
    deployment of those partners alone, whatever else is installed beside them."""
    import importlib_metadata

    from mesaides.core.plugins import ENTRY_POINT_GROUP

    return tuple(
        sorted(
            ep.name
            for ep in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
            if ep.name.startswith("partner_") and ep.name not in kept
        )
    )


def check_card_and_logo(rules: RuleSet, distribution: str, scope: str, institutions: Iterable[str]) -> None:
    """The partner's card, and a 120 px square PNG logo named after each of its institutions,
    which are the ones its aides name."""
    partner = rules.partners[distribution]
    assert partner.scope == scope, partner.scope
    institutions = list(institutions)
    assert [i.id for i in partner.institutions] == institutions
    for institution in partner.institutions:
        assert institution.logo is not None, f"{institution.id}: no logo"
        assert institution.logo.name == f"logo_{institution.id}.png"
        data = institution.logo.read_bytes()
        assert data[:8] == PNG_SIGNATURE, f"{institution.logo.name} is not a PNG"
        assert struct.unpack(">II", data[16:24]) == (120, 120), f"{institution.logo.name} is not 120 px square"
    named = {a.info.institution for a in rules.aides.values() if a.owner == distribution}
    assert named <= set(institutions), named - set(institutions)


def check_unavailable_without(
    blocked: str, required: str, aide: str, reads: Iterable[str], situation: dict[str, Any], period: str
) -> None:
    """Without the entry point ``blocked`` (the distribution ``required``), ``aide`` is
    unavailable, the reason names what it reads from it, and computing it is refused."""
    rules = load_rules(get_plugin_manager(blocked=(blocked,)))
    assert required not in rules.partners
    assert aide in rules.aides
    reason = rules.unavailable[aide]
    assert "no installed distribution provides" in reason, reason
    for name in reads:
        assert name in reason, f"{name} not in {reason!r}"
    try:
        Engine(rules).compute(situation, [aide], period)
    except SituationError as exc:
        assert "unavailable" in str(exc)
    else:
        raise AssertionError("an unavailable aide must not be computed")


def check_unavailable_out_of_range(required: str, spec: str, aide: str, own: Iterable[str]) -> None:
    """With ``required`` at a version out of ``spec``, ``aide`` is unavailable and says why;
    the required partner's own aides ``own`` are not affected."""
    pm = get_plugin_manager()
    record = next(r for r in pm.records.values() if r.distribution == required)
    record.version = "2.0.0"
    rules = load_rules(pm)
    assert rules.unavailable[aide].endswith(f"requires {required}{spec}, but 2.0.0 is installed")
    for name in own:
        assert name in rules.aides and name not in rules.unavailable


def check_aides_load(rules: RuleSet, distribution: str, aides: Iterable[str]) -> None:
    """No load problem names ``distribution``, and each of ``aides`` is its and available."""
    problems = [p for p in rules.problems if distribution in p]
    assert not problems, problems
    for aide in aides:
        assert rules.aides[aide].owner == distribution, aide
        assert aide not in rules.unavailable, rules.unavailable.get(aide)


def check_granted_and_refused(cases: Path, aide: str) -> None:
    """``aide``'s expert cases (``cases/<aide>.yaml``): at least two, one where it is granted to
    someone and one where it is refused (A5)."""
    from mesaides.core.testing.yaml_cases import load_cases

    outputs = [case["output"][aide] for case in load_cases(cases / f"{aide}.yaml")]
    values = [v for output in outputs for v in (output if isinstance(output, list) else [output])]
    assert len(outputs) >= 2, aide
    assert any(v not in (0, False) for v in values), f"{aide}: no case where it is granted"
    assert any(v in (0, False) for v in values), f"{aide}: no case where it is refused"
