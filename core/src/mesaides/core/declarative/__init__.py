"""Declarative (data-only) aides and partners, issue 16: the format is in
``core/docs/declarative.md``; :mod:`.model` validates it, :mod:`.loader` reads it from packages,
:mod:`.compiler` turns each aide into the engine's quantities, :mod:`.errors` words the problems."""

from mesaides.core.declarative.compiler import DeclaredAide, compile_aide
from mesaides.core.declarative.errors import DeclarativeError, FileProblem
from mesaides.core.declarative.loader import DataPartner, is_data_partner, read_aide, read_aides

__all__ = [
    "DataPartner",
    "DeclarativeError",
    "DeclaredAide",
    "FileProblem",
    "compile_aide",
    "is_data_partner",
    "read_aide",
    "read_aides",
]
