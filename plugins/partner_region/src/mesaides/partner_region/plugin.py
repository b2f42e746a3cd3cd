"""The Région Hauts-de-France partner's hook implementations: its partner card, Parameters,
legislation values, intermediate quantities and aides.

Rule modules each expose ``QUANTITIES`` (intermediates) and ``AIDES`` (quantities that are
aides, whose convention metadata comes from ``aides.yaml``).
"""

from __future__ import annotations

import importlib
from importlib.resources import files

from mesaides.core import Institution, Partner, as_aide, hookimpl
from mesaides.core.yamlio import load_yaml
from mesaides.partner_region.parameters import PARAMETERS

RULE_MODULES = ("garde_enfant", "permis")

HERE = files("mesaides.partner_region")


def _modules():
    return [importlib.import_module(f"mesaides.partner_region.{name}") for name in RULE_MODULES]


@hookimpl
def mesaides_register_partner(register):
    register(
        Partner(
            id="region_hauts_de_france",
            name="Région Hauts-de-France",
            scope="territorial",
            institutions=(
                Institution(
                    id="hauts_de_france", name="Région Hauts-de-France", logo=HERE / "logo_hauts_de_france.png"
                ),
            ),
            referent_email="partenariats@hautsdefrance.example.org",
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
