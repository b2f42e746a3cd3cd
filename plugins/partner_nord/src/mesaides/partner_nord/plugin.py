"""The Département du Nord partner's hook implementations: its partner card, legislation values,
intermediate quantities and aides.

Activ'Emploi reads the CAF's ``rsa``: the partner card says which versions of
``mesaides-partner-caf`` it supports, and the core marks the aide unavailable, with the reason,
when that distribution is absent or out of range.
"""

from __future__ import annotations

import importlib
from importlib.resources import files

from mesaides.core import Institution, Partner, as_aide, hookimpl
from mesaides.core.yamlio import load_yaml

RULE_MODULES = ("activ_emploi",)

HERE = files("mesaides.partner_nord")


def _modules():
    return [importlib.import_module(f"mesaides.partner_nord.{name}") for name in RULE_MODULES]


@hookimpl
def mesaides_register_partner(register):
    register(
        Partner(
            id="departement_nord",
            name="Département du Nord",
            scope="territorial",
            institutions=(
                Institution(id="departement_nord", name="Département du Nord", logo=HERE / "logo_departement_nord.png"),
            ),
            referent_email="partenariats@lenord.example.org",
            requires={"mesaides-partner-caf": ">=1.0,<2"},
        )
    )


@hookimpl
def mesaides_register_legislation(register):
    register(HERE / "legislation")


@hookimpl
def mesaides_register_quantities(register):
    for module in _modules():
        for q in module.QUANTITIES:
            register(q)


@hookimpl
def mesaides_register_aides(register):
    metadata = load_yaml((HERE / "aides.yaml").read_text(encoding="utf-8"))
    for module in _modules():
        for q in module.AIDES:
            if q.name not in metadata:
                raise ValueError(f"aide {q.name} has no metadata in aides.yaml")
            register(as_aide(q, metadata[q.name]))
