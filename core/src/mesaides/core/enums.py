"""The enumerations of the core's Parameters, as string enums partners compare with.

A member is its value (``Activite.ETUDIANT == "etudiant"``), in OpenFisca-France's spelling, so
it goes wherever a value's name does: ``c.enum("activite").is_(Activite.ETUDIANT)``. Its
``code`` is the integer the engine stores (``c("activite")``, ``c.members("activite").values``),
for look-up tables indexed by codes.
"""

from __future__ import annotations

from enum import StrEnum


class Enumeration(StrEnum):
    """A string enum whose members know their code (their position, from 0)."""

    def __init__(self, *args: object) -> None:
        self._code = len(type(self)._member_names_)

    @property
    def code(self) -> int:
        """The integer the engine stores for this value."""
        return self._code


class Activite(Enumeration):
    ACTIF = "actif"
    CHOMEUR = "chomeur"
    ETUDIANT = "etudiant"
    RETRAITE = "retraite"
    INACTIF = "inactif"


class StatutMarital(Enumeration):
    MARIE = "marie"
    CELIBATAIRE = "celibataire"
    DIVORCE = "divorce"
    VEUF = "veuf"
    PACSE = "pacse"
    JEUNE_VEUF = "jeune_veuf"
    NON_RENSEIGNE = "non_renseigne"


class StatutOccupationLogement(Enumeration):
    NON_RENSEIGNE = "non_renseigne"
    PRIMO_ACCEDANT = "primo_accedant"
    PROPRIETAIRE = "proprietaire"
    LOCATAIRE_HLM = "locataire_hlm"
    LOCATAIRE_VIDE = "locataire_vide"
    LOCATAIRE_MEUBLE = "locataire_meuble"
    LOGE_GRATUITEMENT = "loge_gratuitement"
    LOCATAIRE_FOYER = "locataire_foyer"
    SANS_DOMICILE = "sans_domicile"


class Scolarite(Enumeration):
    """School level (OpenFisca-France's ``TypesScolarite``): the bourses of collège and lycée."""

    INCONNUE = "inconnue"
    MATERNELLE = "maternelle"
    PRIMAIRE = "primaire"
    COLLEGE = "college"
    LYCEE = "lycee"
    ENSEIGNEMENT_SUPERIEUR = "enseignement_superieur"
