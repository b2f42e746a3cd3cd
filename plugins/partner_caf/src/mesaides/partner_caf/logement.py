"""Aides personnelles au logement: APL (conventionné housing, HLM), ALF (private rental, with
dependants), ALS (private rental, without), per famille and per month; home-buyers and residents
of logements-foyers get the ALF or the ALS of their scale (``logement_accession_foyer``).

Rules as OpenFisca-France 176.1.8 computes them (see ``/work/notes/rules-logement.md`` during
development; the package docs summarise them). Arrêté du 27 septembre 2019 and art. D823-16
and following CCH:

    aide = loyer retenu (rent within a ceiling) + forfait de charges − participation personnelle
    participation = P0 + (TF + TL) × (annual resources − R0)

then the 10 € minimum payment (ALF/ALS only), the degressivity for high rents, the 5 €
minoration, the APL's share of the réduction de loyer de solidarité, the CRDS, and the amount
rounded down to the euro. Zone, composition, rent and charges are in ``logement_loyer``, the
resource base in ``logement_ressources``, the participation and the amount in ``logement_montant``,
the accession and logement-foyer scales in ``logement_accession_foyer``. Owners without a loan,
people housed free and people without a home get nothing.
"""

from __future__ import annotations

from mesaides.core import FAMILLE, MONTH, Quantity, quantity
from mesaides.partner_caf.helpers import menage_value
from mesaides.partner_caf.logement_accession_foyer import QUANTITIES as ACCESSION_FOYER
from mesaides.partner_caf.logement_loyer import QUANTITIES as LOYER
from mesaides.partner_caf.logement_loyer import SINCE
from mesaides.partner_caf.logement_montant import QUANTITIES as MONTANT
from mesaides.partner_caf.logement_ressources import QUANTITIES as RESSOURCES

# ---- The aides -----------------------------------------------------------------------------------


@quantity(
    FAMILLE,
    MONTH,
    label="Aide personnalisée au logement (APL)",
    references=("https://www.service-public.fr/particuliers/vosdroits/F12006",),
    valid_from=SINCE,
)
def apl(c):
    """The aid of tenants of conventionné housing (HLM)."""
    return c.check("Logement conventionné", menage_value(c, "logement_conventionne", False)) * c(
        "aide_logement_montant"
    )


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de logement familiale (ALF)",
    references=("https://www.service-public.fr/particuliers/vosdroits/F13132",),
    valid_from=SINCE,
)
def alf(c):
    """The aid of tenants of non-conventionné housing with at least one dependant."""
    prive = c.check("Logement non conventionné", ~menage_value(c, "logement_conventionne", False).astype(bool))
    charge = c.check("Au moins une personne à charge", c("al_nb_personnes_a_charge") >= 1)
    return (prive & charge) * c("aide_logement_montant")


@quantity(
    FAMILLE,
    MONTH,
    label="Allocation de logement sociale (ALS)",
    references=("https://www.service-public.fr/particuliers/vosdroits/F1280",),
    valid_from=SINCE,
)
def als(c):
    """The aid of tenants of non-conventionné housing without dependants."""
    prive = c.check("Logement non conventionné", ~menage_value(c, "logement_conventionne", False).astype(bool))
    sans = c.check("Aucune personne à charge", c("al_nb_personnes_a_charge") == 0)
    return (prive & sans) * c("aide_logement_montant")


@quantity(FAMILLE, MONTH, label="Une aide au logement à verser", value_type="bool", valid_from=SINCE)
def aide_logement_versee(c):
    """The amount the APL, the ALF and the ALS share is positive. Its conditions (being a
    tenant, resources that leave an aid...) are the housing aid's, so that an owner learns why
    there is nothing (each of the three checks its own conditions too)."""
    return c("aide_logement_montant") > 0


aide_logement = Quantity(
    name="aide_logement",
    entity=FAMILLE,
    period=MONTH,
    label="Aide au logement (APL, ALF ou ALS)",
    description="Whichever of the APL, ALF and ALS applies: their sum (one of them at most is positive).",
    defined_for="aide_logement_versee",
    adds=("apl", "alf", "als"),
)


QUANTITIES = (*LOYER, *RESSOURCES, *ACCESSION_FOYER, *MONTANT, aide_logement_versee)
AIDES = (apl, alf, als, aide_logement)
