"""The CAF (Caisse d'allocations familiales) partner for mesaides: national family, housing,
minimum-income and disability aides, following OpenFisca-France's rules and names."""

__version__ = "1.1.0"
