"""Activ'Emploi reads the CAF's ``rsa``: without a suitable ``mesaides-partner-caf`` it is
reported unavailable, with the reason, and the other partners keep working."""

import struct
from importlib.resources import files

from mesaides.core import Engine, SituationError, get_plugin_manager, load_rules

AIDE = "nord_activ_emploi_maximum"
CAF = "mesaides-partner-caf"

SITUATION = {
    "individus": {"adulte": {"date_naissance": {"ETERNITY": "1991-03-15"}}},
    "familles": {"famille": {"parents": ["adulte"], "rsa": {"2026-11": 600.0}}},
    "foyers_fiscaux": {"foyer": {"declarants": ["adulte"]}},
    "menages": {"menage": {"personne_de_reference": ["adulte"], "depcom": {"2026-11": "59350"}}},
}


def test_declares_the_caf_versions_it_supports():
    rules = load_rules(get_plugin_manager())
    assert rules.partners["mesaides-partner-nord"].requires == {CAF: ">=1.0,<2"}
    assert AIDE in rules.aides and AIDE not in rules.unavailable, rules.unavailable.get(AIDE)
    assert Engine(rules).compute(SITUATION, [AIDE], "2026-11") == {AIDE: {"adulte": 150.0}}


def test_unavailable_without_the_caf_package():
    rules = load_rules(get_plugin_manager(blocked=("partner_caf",)))
    assert CAF not in rules.partners
    assert AIDE in rules.aides
    assert "rsa" in rules.unavailable[AIDE]
    assert "no installed distribution provides" in rules.unavailable[AIDE]
    try:
        Engine(rules).compute(SITUATION, [AIDE], "2026-11")
    except SituationError as exc:
        assert "unavailable" in str(exc)
    else:
        raise AssertionError("an unavailable aide must not be computed")


def test_unavailable_with_a_caf_version_out_of_range():
    pm = get_plugin_manager()
    caf = next(r for r in pm.records.values() if r.distribution == CAF)
    caf.version = "2.0.0"
    rules = load_rules(pm)
    assert rules.unavailable[AIDE].endswith(f"requires {CAF}>=1.0,<2, but 2.0.0 is installed")
    # The CAF's own aides are not affected.
    assert "rsa" in rules.aides and "rsa" not in rules.unavailable


def test_partner_card_and_logo():
    rules = load_rules(get_plugin_manager())
    partner = rules.partners["mesaides-partner-nord"]
    assert partner.scope == "territorial"
    assert [i.id for i in partner.institutions] == ["departement_nord"]
    assert rules.aides[AIDE].info.institution == "departement_nord"
    png = (files("mesaides.partner_nord") / "logo_departement_nord.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (120, 120)
