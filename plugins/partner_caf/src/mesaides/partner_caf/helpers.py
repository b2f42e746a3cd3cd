"""What several of the CAF's rules share: legislation prefixes, the ménage of a famille, the
tenancy and zone of its home, children counted by age, and the montant forfaitaire and forfait
logement of the RSA and the prime d'activité.

The functions take a formula's context ``c`` and read through it: the engine finds what they
read when it loads the formulas that call them.
"""

from __future__ import annotations

import numpy as np

from mesaides.core import StatutOccupationLogement

PF = "prestations_familiales"
"""Legislation values of the prestations familiales."""

LOCATAIRE = (
    StatutOccupationLogement.LOCATAIRE_HLM,
    StatutOccupationLogement.LOCATAIRE_VIDE,
    StatutOccupationLogement.LOCATAIRE_MEUBLE,
)
IS_LOCATAIRE = np.isin(np.arange(len(StatutOccupationLogement) + 1), [s.code for s in LOCATAIRE])
"""Whether each status code is a tenant's, indexed by code; the last entry answers the code -1
of a famille without a ménage."""

PROPRIETAIRE = (StatutOccupationLogement.PROPRIETAIRE, StatutOccupationLogement.PRIMO_ACCEDANT)


def menage_value(c, name, default=0):
    """A ménage value read by the famille: the one of the demandeur (first parent)'s ménage."""
    return c.members(name).first("parents", default=default)


def is_locataire(c) -> np.ndarray:
    """Whether each famille rents its home (HLM, unfurnished or furnished), from its ménage's
    status."""
    return IS_LOCATAIRE[menage_value(c, "statut_occupation_logement", -1)]


def zone_index(c) -> np.ndarray:
    """Each famille's housing-aid zone (that of its ménage) as 0, 1 or 2, for :func:`by_zone`."""
    return np.minimum(np.maximum(menage_value(c, "zone_apl", 2), 1), 3) - 1


def by_zone(c, template: str, zone: np.ndarray) -> np.ndarray:
    """The legislation value ``template`` (with ``{z}``) of each famille's zone, from
    :func:`zone_index`. The paths are built here: a quantity calling it declares their prefix
    in ``law=``."""
    return np.array([c.law(template.format(z=z)) for z in (1, 2, 3)], dtype=float)[zone]


def starts_with(codes, prefixes: tuple[str, ...]) -> np.ndarray:
    """Whether each commune code starts with one of ``prefixes``."""
    codes = np.asarray(codes).astype(str)
    result = np.zeros(codes.shape, dtype=bool)
    for prefix in prefixes:
        result |= np.char.startswith(codes, prefix)
    return result


def nb_enfants_par_age(c, period, age_min, age_max):
    """Number of the famille's children aged ``age_min`` to ``age_max`` (inclusive) at ``period``
    who are not financially autonomous (no other condition: OpenFisca's ``nb_enf``)."""
    age = c.members("age", period).values
    autonomous = c.members("autonomie_financiere", period).values
    return c.per_member((age >= age_min) & (age <= age_max) & ~autonomous).count("enfants")


def taux_composition(nb_personnes, nb_parents, deuxieme, troisieme, supplementaire):
    """Multiplier of the montant de base for a foyer of ``nb_personnes`` (parents + children):
    +``deuxieme`` for the 2nd person, +``troisieme`` for the 3rd, for the 4th +``troisieme``
    in a couple or +``supplementaire`` for a single parent, +``supplementaire`` beyond."""
    n = nb_personnes
    return (
        1
        + (n >= 2) * deuxieme
        + (n >= 3) * troisieme
        + (n >= 4) * np.where(nb_parents == 1, supplementaire, troisieme)
        + np.maximum(n - 4, 0) * supplementaire
    )


def forfait_logement(c, montant_de_base, deuxieme, troisieme, taux_1, taux_2, taux_3):
    """Housing forfait of the RSA and the prime d'activité: ``taux_n`` × the montant
    forfaitaire of n persons (n capped at 3), for an owner paying no rent or someone housed
    free of charge (avantage en nature), or, for a famille receiving a housing aid this month,
    that forfait capped at the aid."""
    n = c("nb_parents") + c("rsa_nb_enfants")
    montant_n = montant_de_base * (1 + (n >= 2) * deuxieme + (n >= 3) * troisieme)
    forfait = montant_n * np.select([n == 1, n == 2], [taux_1, taux_2], taux_3)
    statut = c.members("statut_occupation_logement").first("parents")
    loyer = c.members("loyer").first("parents")
    proprietaire = (statut == PROPRIETAIRE[0].code) | (statut == PROPRIETAIRE[1].code)
    gratuit = statut == StatutOccupationLogement.LOGE_GRATUITEMENT.code
    avantage_nature = (proprietaire & (loyer == 0)) | gratuit
    aide_logement = c("aide_logement")
    montant_al = (aide_logement > 0) * np.minimum(aide_logement, forfait)
    return np.maximum(montant_al, avantage_nature * forfait)
