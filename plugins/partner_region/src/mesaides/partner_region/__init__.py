"""The Région Hauts-de-France partner for mesaides: the Région's aides to families and to young
people, under openfisca-france-local's names."""

__version__ = "1.0.0"
