"""The CAF partner's hook implementations: its partner card, Parameters, legislation values,
intermediate quantities and aides.

Rule modules each expose ``QUANTITIES`` (intermediates) and ``AIDES`` (quantities that are
aides, whose convention metadata comes from ``aides.yaml``).
"""

from __future__ import annotations

from importlib.resources import files

from mesaides.core import FAMILLE, INDIVIDU, MONTH, Institution, Parameter, Partner, PartnerPlugin
from mesaides.partner_caf.parameters import PARAMETERS

HERE = files("mesaides.partner_caf")

plugin = PartnerPlugin(
    "mesaides.partner_caf",
    Partner(
        id="caf",
        name="Caisse d'allocations familiales (CAF)",
        scope="national",
        institutions=(Institution(id="caf", name="Caisse d'allocations familiales", logo=HERE / "logo_caf.png"),),
        referent_email="partenariats@caf.example.org",
        # Other partners' aides the RSA, the prime d'activité and the AAH count: without those
        # partners, taken from the situation (0 when not given).
        takes=(
            # Monthly ceilings far above any ASI or ASPA: a typing mistake is refused.
            Parameter(
                name="asi",
                entity=INDIVIDU,
                period=MONTH,
                unit="EUR",
                minimum=0.0,
                maximum=10_000.0,
                label="Allocation supplémentaire d'invalidité (ASI)",
            ),
            Parameter(
                name="aspa",
                entity=FAMILLE,
                period=MONTH,
                unit="EUR",
                minimum=0.0,
                maximum=10_000.0,
                label="Allocation de solidarité aux personnes âgées (ASPA)",
            ),
            Parameter(
                name="ass",
                entity=INDIVIDU,
                period=MONTH,
                unit="EUR",
                minimum=0.0,
                maximum=10_000.0,
                label="Allocation de solidarité spécifique (ASS)",
            ),
        ),
    ),
    rule_modules=(
        "resources",
        "prestations_familiales",
        "af",
        "cf",
        "asf",
        "paje",
        "ars",
        "aeeh",
        "aah",
        "logement",
        "rsa",
        "ppa",
        "quotient_familial",
    ),
    parameters=PARAMETERS,
)
