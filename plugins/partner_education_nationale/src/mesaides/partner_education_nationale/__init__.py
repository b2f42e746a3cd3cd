"""The Ministère de l'Éducation nationale partner for mesaides: the bourses nationales de collège
and de lycée, under OpenFisca-France's names."""

__version__ = "1.0.0"
