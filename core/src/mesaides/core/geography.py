"""Where a commune is: its département, région and EPCI, from INSEE's Code officiel géographique.

Territorial partners use this to say where their aide applies without shipping their own list
of communes::

    from mesaides.core.geography import communes_of, departement_of

    communes_of(epci="200046977")        # the 59 communes of the Métropole de Lyon (and Lyon's 9 arrondissements)
    departement_of("59350")              # "59"

In formulas, read the quantities ``departement``, ``region`` and ``epci`` of the menage (see
``mesaides.core.builtin.geography``), which use the same table.

The table is ``mesaides/core/data/communes.csv``, built by ``core/scripts/build_communes.py``
from the npm package ``@etalab/decoupage-administratif`` (see ``data/README.md`` for the
source, the vintage and how to regenerate it). An unknown or empty code gives ``""``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np

SOURCE = (
    "INSEE, Code officiel géographique au 1er janvier 2026, and DGCL, composition of the EPCI à "
    "fiscalité propre 2026 (epcicom2026), through the npm package @etalab/decoupage-administratif 6.0.0"
)
VINTAGE = 2026
"""The year of the Code officiel géographique (communes as of 1 January of that year)."""

TYPECOM = ("COM", "ARM", "COMD", "COMA")
"""INSEE's kinds of commune codes: commune, arrondissement municipal (Paris, Lyon, Marseille),
commune déléguée, commune associée."""


@dataclass(frozen=True)
class CommuneTable:
    """The geography table as parallel sorted arrays, for vectorised look-ups."""

    depcom: np.ndarray
    departement: np.ndarray
    region: np.ndarray
    epci: np.ndarray
    typecom: np.ndarray


@lru_cache(maxsize=1)
def table() -> CommuneTable:
    """The commune table, read once from the package data."""
    text = files("mesaides.core").joinpath("data", "communes.csv").read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    if header.split(",") != ["depcom", "departement", "region", "epci", "typecom"]:
        raise ValueError(f"communes.csv: unexpected columns {header}")
    # Codes only, never quoted: one split of the whole text is several times faster than a
    # CSV reader, and the first computation of a process waits for this table.
    cells = np.array(body.replace("\n", ",").rstrip(",").split(","))
    if cells.size % 5:
        raise ValueError("communes.csv: a row does not have 5 columns")
    columns = cells.reshape(-1, 5).T
    order = np.argsort(columns[0], kind="stable")
    return CommuneTable(*(np.ascontiguousarray(col[order]) for col in columns))


@lru_cache(maxsize=1)
def names() -> dict[tuple[str, str], str]:
    """Names of régions, départements and EPCI: ``{(niveau, code): nom}``."""
    text = files("mesaides.core").joinpath("data", "territoires.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))[1:]
    return {(niveau, code): nom for niveau, code, nom in rows}


def _lookup(depcom, column: str) -> np.ndarray:
    """The ``column`` of each code in ``depcom`` (an array of strings), ``""`` when unknown.

    Each distinct code is looked up once (a household sample has few distinct communes).
    """
    codes = np.asarray(depcom, dtype=object)
    if codes.size == 0:
        return np.zeros(codes.shape, dtype=object)
    if codes.size <= _ONE_BY_ONE:
        return np.array([_one(str(code), column) for code in codes.flat], dtype=object).reshape(codes.shape)
    return _lookup_all(codes, column)


def _lookup_all(codes: np.ndarray, column: str) -> np.ndarray:
    unique, inverse = np.unique(codes.astype(str), return_inverse=True)
    t = table()
    position = np.searchsorted(t.depcom, unique)
    position = np.clip(position, 0, len(t.depcom) - 1)
    found = t.depcom[position] == unique
    values = np.where(found, getattr(t, column)[position], "")
    return values.astype(object)[inverse.reshape(codes.shape)]


_ONE_BY_ONE = 16
"""Up to this many codes (a household or a few), each is looked up alone, from a cache: the
vectorised look-up's fixed cost is most of the time of a household's computation of these."""


@lru_cache(maxsize=4096)
def _one(code: str, column: str) -> str:
    return str(_lookup_all(np.array([code], dtype=object), column)[0])


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every commune code of the table (communes, arrondissements municipaux, communes
    déléguées and associées of the vintage :data:`VINTAGE`)."""
    return frozenset(table().depcom.tolist())


def departements(depcom) -> np.ndarray:
    """The département code of each commune code (``"59"``, ``"2A"``, ``"971"``; COM: ``"987"``)."""
    return _lookup(depcom, "departement")


def regions(depcom) -> np.ndarray:
    """The INSEE région code of each commune code (``"32"`` Hauts-de-France); ``""`` for the COM."""
    return _lookup(depcom, "region")


def epcis(depcom) -> np.ndarray:
    """The SIREN of the EPCI à fiscalité propre of each commune code; ``""`` if none."""
    return _lookup(depcom, "epci")


def departement_of(depcom: str) -> str:
    """The département of one commune code, ``""`` if the code is unknown."""
    return str(departements([depcom])[0])


def region_of(depcom: str) -> str:
    """The région of one commune code, ``""`` if unknown or in a collectivité d'outre-mer."""
    return str(regions([depcom])[0])


def epci_of(depcom: str) -> str:
    """The EPCI (SIREN) of one commune code, ``""`` if unknown or in no EPCI."""
    return str(epcis([depcom])[0])


def communes_of(
    *,
    departement: str | Iterable[str] | None = None,
    region: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
    typecom: Iterable[str] = TYPECOM,
) -> frozenset[str]:
    """The commune codes of a territory: those matching every criterion given.

    Each criterion takes a code or several. By default every kind of code is included
    (communes, arrondissements municipaux, communes déléguées and associées), so that any
    ``depcom`` a situation may carry is recognised; pass ``typecom=("COM",)`` for the
    communes only.
    """
    if departement is None and region is None and epci is None:
        raise ValueError("communes_of: give a departement, a region or an epci")
    t = table()
    keep = np.isin(t.typecom, list(typecom))
    for column, wanted in (("departement", departement), ("region", region), ("epci", epci)):
        if wanted is not None:
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            keep &= np.isin(getattr(t, column), wanted)
    return frozenset(t.depcom[keep].tolist())


def in_territory(
    depcom,
    *,
    departement: str | Iterable[str] | None = None,
    region: str | Iterable[str] | None = None,
    epci: str | Iterable[str] | None = None,
) -> np.ndarray:
    """Whether each commune code lies in the territory (every criterion given must hold)."""
    if departement is None and region is None and epci is None:
        raise ValueError("in_territory: give a departement, a region or an epci")
    codes = np.asarray(depcom, dtype=object)
    result = np.ones(codes.shape, dtype=bool)
    for lookup, wanted in ((departements, departement), (regions, region), (epcis, epci)):
        if wanted is not None:
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            result &= np.isin(lookup(codes).astype(str), wanted)
    return result


def name_of(niveau: str, code: str) -> str:
    """The name of a région, département or EPCI (``niveau``: ``region``, ``departement``,
    ``epci``), ``""`` if unknown: ``name_of("epci", "200046977")`` is ``"Métropole de Lyon"``."""
    return names().get((niveau, code), "")
