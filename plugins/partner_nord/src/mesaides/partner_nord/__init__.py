"""The Département du Nord partner for mesaides: the Département's aides to RSA beneficiaries,
under openfisca-france-local's names."""

__version__ = "1.0.0"
