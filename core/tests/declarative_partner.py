"""Builds a data-only partner package in a folder, for the declarative format's tests: its
card, its aides and its legislation values, loaded through the same ``DataPartner`` plugin an
entry point naming the package gets."""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
from pathlib import Path

from mesaides.core import Engine, get_plugin_manager, load_rules
from mesaides.core.declarative import DataPartner
from mesaides.core.ruleset import RuleSet
from mesaides.core.scaffold.partner import placeholder_png

CARD = """\
id: ville_test
name: Ville de Test
scope: territorial
referent_email: aides@test.example.org
institutions:
  - {id: ville_test, name: Ville de Test, logo: logo_ville_test.png}
parameters:
  # What the core alone does not have, declared here so that every condition kind can be
  # tested with the core's built-ins only (installed partners declare them for real).
  - {name: rsa, entity: famille, period: month, label: Revenu de solidarité active, minimum: 0, maximum: 10000}
  - {name: aah, entity: individu, period: month, label: Allocation aux adultes handicapés, minimum: 0, maximum: 10000}
  - {name: apprenti, entity: individu, period: month, value_type: bool, label: Apprenti}
  - {name: taux_incapacite, entity: individu, period: month, label: Taux d'incapacité, minimum: 0, maximum: 1}
  - {name: quotient_familial, entity: famille, period: month, label: Quotient familial, minimum: 0, maximum: 100000}
"""

LEGISLATION = """\
test.pass.montant:
  label: Montant du pass
  unit: EUR
  history:
    - {from: 2020-01-01, value: 100, ref: "https://test.example.org/deliberation-1"}
test.pass.plafond:
  label: Plafond du pass
  unit: EUR
  history:
    - {from: 2020-01-01, value: 250, ref: "https://test.example.org/deliberation-1"}
test.qf.plafond:
  label: Plafond de quotient familial
  unit: EUR
  history:
    - {from: 2020-01-01, value: 700, ref: "https://test.example.org/deliberation-2"}
test.rfr.plafond:
  label: Plafond de revenu fiscal de référence
  unit: EUR
  history:
    - {from: 2020-01-01, value: 20000, ref: "https://test.example.org/deliberation-2"}
"""

HEADER = """\
label: Pass de test
institution: ville_test
periodicity: yearly
description: Une aide de la Ville de Test, pour les tests du format déclaratif.
public_page: https://test.example.org/pass
apply:
  - {kind: teleservice, url: "https://test.example.org/demande", label: Faire la demande en ligne}
legal_references:
  - {title: Délibération du conseil municipal, url: "https://test.example.org/deliberation-1"}
verification:
  checked_on: 2026-11-20
  url: https://test.example.org/pass
  status: verified
  note: Montant et conditions lus sur la page.
"""


def aide_file(aide_id: str, body: str, *, entity: str = "individu") -> str:
    """An aide file: the common metadata, then ``body`` (conditions, amount...)."""
    return f"id: {aide_id}\nentity: {entity}\n" + HEADER + textwrap.dedent(body)


def write_package(root: Path, aides: dict[str, str], *, card: str = CARD, legislation: str = LEGISLATION) -> str:
    """A data-only package under ``root`` (put on ``sys.path``); its importable name."""
    name = f"decl_{uuid.uuid4().hex[:8]}"
    package = root / name
    (package / "aides").mkdir(parents=True)
    (package / "legislation").mkdir()
    (package / "partner.yaml").write_text(card, encoding="utf-8")
    (package / "legislation" / "test.yaml").write_text(legislation, encoding="utf-8")
    (package / "logo_ville_test.png").write_bytes(placeholder_png(120))
    for file_name, text in aides.items():
        (package / "aides" / file_name).write_text(text, encoding="utf-8")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    return name


def load(root: Path, aides: dict[str, str], **kwargs: str) -> RuleSet:
    """The rule set of the core's built-ins and a data partner holding ``aides``."""
    package = write_package(root, aides, **kwargs)
    pm = get_plugin_manager(load_entry_points=False)
    pm.register_plugin(DataPartner(package), "partner_test", "mesaides-partner-test", "1.0.0", module=package)
    return load_rules(pm)


def engine(root: Path, aides: dict[str, str], **kwargs: str) -> Engine:
    return Engine(load(root, aides, **kwargs))


def household(
    adults: dict[str, dict],
    children: dict[str, dict] | None = None,
    *,
    depcom: str = "75056",
    famille: dict | None = None,
    menage: dict | None = None,
    foyer: dict | None = None,
) -> dict:
    """A situation of one famille, foyer fiscal and ménage, in November 2026."""
    children = children or {}
    persons = {**adults, **children}
    parents, kids = list(adults), list(children)
    month = "2026-11"
    menage_roles: dict = {"personne_de_reference": parents[:1], "enfants": kids}
    if len(parents) > 1:
        menage_roles["conjoint"] = parents[1:2]
    return {
        "individus": {
            pid: {
                key: ({"ETERNITY": value} if key == "date_naissance" else {month: value})
                for key, value in values.items()
            }
            for pid, values in persons.items()
        },
        "familles": {
            "famille": {"parents": parents, "enfants": kids, **{k: {month: v} for k, v in (famille or {}).items()}}
        },
        "foyers_fiscaux": {"foyer": {"declarants": parents, "personnes_a_charge": kids, **(foyer or {})}},
        "menages": {
            "menage": {**menage_roles, "depcom": {month: depcom}, **{k: {month: v} for k, v in (menage or {}).items()}}
        },
    }
