"""France Travail's hook implementations: its partner card, legislation values, intermediate
quantities and aides.

The ASS reads the CAF's ``aah`` (not cumulable with it, and counted in the resources, R5423-5
C. trav.). Whether a person receives the AAH, and how much, is a fact the client can state, so
the card declares ``aah`` in ``takes``: without the CAF (or with a version out of range) the AAH
is taken from the situation (0 when not given) and the ASS is still computed, as issue 15 asks of
every partner reading another's aide.
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import INDIVIDU, MONTH, Institution, Parameter, Partner, PartnerPlugin

HERE = files("mesaides.partner_france_travail")

plugin = PartnerPlugin(
    "mesaides.partner_france_travail",
    Partner(
        id="france_travail",
        name="France Travail",
        scope="national",
        institutions=(Institution(id="france_travail", name="France Travail", logo=HERE / "logo_france_travail.png"),),
        referent_email="partenariats@francetravail.example.org",
        takes=(
            # Far above any monthly AAH: a typing mistake is refused instead of computed.
            Parameter(
                name="aah",
                entity=INDIVIDU,
                period=MONTH,
                unit="EUR",
                minimum=0.0,
                maximum=10_000.0,
                label="Allocation aux adultes handicapés (AAH)",
            ),
        ),
    ),
    rule_modules=("ass",),
)
