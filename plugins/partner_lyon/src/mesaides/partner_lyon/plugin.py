"""The Métropole de Lyon partner's hook implementations: its partner card, Parameters,
legislation values, intermediate quantities and aides.

The revenu solidarité jeunes reads the CAF's ``rsa``, ``aah`` and ``ppa``: the partner card says
which versions of ``mesaides-partner-caf`` it supports, and the core marks the aide unavailable,
with the reason, when that distribution is absent or out of range.
"""

from __future__ import annotations

import importlib
from importlib.resources import files

from mesaides.core import Institution, Partner, as_aide, hookimpl
from mesaides.core.yamlio import load_yaml
from mesaides.partner_lyon.parameters import PARAMETERS

RULE_MODULES = ("revenu_solidaire_jeune",)

HERE = files("mesaides.partner_lyon")


def _modules():
    return [importlib.import_module(f"mesaides.partner_lyon.{name}") for name in RULE_MODULES]


@hookimpl
def mesaides_register_partner(register):
    register(
        Partner(
            id="metropole_lyon",
            name="Métropole de Lyon",
            scope="territorial",
            institutions=(
                Institution(id="metropole_lyon", name="Métropole de Lyon", logo=HERE / "logo_metropole_lyon.png"),
            ),
            referent_email="partenariats@grandlyon.example.org",
            requires={"mesaides-partner-caf": ">=1.0,<2"},
        )
    )


@hookimpl
def mesaides_register_parameters(register):
    for p in PARAMETERS:
        register(p)


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
