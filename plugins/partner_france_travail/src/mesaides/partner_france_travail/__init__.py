"""The France Travail partner for mesaides: the allocation de solidarité spécifique (ASS), under
OpenFisca-France's name."""

__version__ = "1.0.0"
