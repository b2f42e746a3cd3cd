"""The CAF partner's hook implementations: its partner card, Parameters, legislation values,
intermediate quantities and aides.

Rule modules each expose ``QUANTITIES`` (intermediates) and ``AIDES`` (quantities that are
aides, whose convention metadata comes from ``aides.yaml``).
"""

from __future__ import annotations

import importlib
from importlib.resources import files

from mesaides.core import Institution, Partner, as_aide, hookimpl
from mesaides.core.yamlio import load_yaml
from mesaides.partner_caf.parameters import PARAMETERS

RULE_MODULES = (
    "resources",
    "prestations_familiales",
    "af",
    "cf",
    "asf",
    "paje",
    "ars",
    "aah",
    "logement",
    "rsa",
    "ppa",
)

HERE = files("mesaides.partner_caf")


def _modules():
    return [importlib.import_module(f"mesaides.partner_caf.{name}") for name in RULE_MODULES]


@hookimpl
def mesaides_register_partner(register):
    register(
        Partner(
            id="caf",
            name="Caisse d'allocations familiales (CAF)",
            scope="national",
            institutions=(
                Institution(id="caf", name="Caisse d'allocations familiales", logo=HERE / "logo_caf.png"),
            ),
            referent_email="partenariats@caf.example.org",
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
    # Keys starting with "_" hold YAML anchors shared by several aides.
    for module in _modules():
        for q in module.AIDES:
            if q.name not in metadata:
                raise ValueError(f"aide {q.name} has no metadata in aides.yaml")
            register(as_aide(q, metadata[q.name]))
