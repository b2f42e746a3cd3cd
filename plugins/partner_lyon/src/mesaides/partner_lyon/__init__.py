"""The Métropole de Lyon partner for mesaides: the Métropole's aides to young people, under
openfisca-france-local's names."""

__version__ = "1.0.0"
