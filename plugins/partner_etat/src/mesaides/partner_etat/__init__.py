"""The État partner for mesaides: aides the State pays through the CAF, the MSA, France Travail
or the ASP — the chèque énergie and the prime de Noël — under OpenFisca-France's names."""

__version__ = "1.0.0"
