"""Finding a commune's INSEE code (the ``depcom`` Parameter) from what a person types: a postal
code, an INSEE code or a name. Data: ``data/communes.csv.gz`` (see ``data/communes.md``)."""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

CODE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@dataclass(frozen=True)
class Commune:
    insee: str
    nom: str
    codes_postaux: tuple[str, ...]
    commune: str = ""
    """For an arrondissement municipal: the code of its commune (Paris, Lyon, Marseille)."""

    @property
    def libelle(self) -> str:
        postaux = ", ".join(self.codes_postaux[:3]) + ("…" if len(self.codes_postaux) > 3 else "")
        return f"{self.nom} ({postaux})" if postaux else self.nom


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bst\b", "saint", re.sub(r"\bste\b", "sainte", text.replace("-", " ").replace("'", " ")))
    return re.sub(r"\s+", " ", text).strip()


class Communes:
    def __init__(self, rows: list[tuple[str, str, str, str]]):
        postaux: dict[str, list[str]] = {}
        names: dict[str, tuple[str, str]] = {}
        for insee, code_postal, nom, parent in rows:
            postaux.setdefault(insee, [])
            if code_postal:
                postaux[insee].append(code_postal)
            names[insee] = (nom, parent)
        self.by_insee = {i: Commune(i, names[i][0], tuple(sorted(set(p))), names[i][1]) for i, p in postaux.items()}
        self.by_postal: dict[str, list[Commune]] = {}
        for commune in self.by_insee.values():
            for code in commune.codes_postaux:
                self.by_postal.setdefault(code, []).append(commune)
        self.by_name = sorted(((_normalise(c.nom), c) for c in self.by_insee.values()), key=lambda t: t[0])
        self._names = [name for name, _ in self.by_name]

    def get(self, insee: str) -> Commune | None:
        return self.by_insee.get(insee)

    def search(self, text: str, limit: int = 20) -> list[Commune]:
        """Communes matching a postal code, an INSEE code or the start of a name."""
        text = (text or "").strip()
        code = text.upper().replace(" ", "")
        if CODE_RE.match(code):
            found: list[Commune] = []
            if code in self.by_insee:
                found.append(self.by_insee[code])
            by_postal = self.by_postal.get(code, [])
            # A postal code of Paris, Lyon or Marseille: its arrondissement, not the whole city.
            parents = {c.commune for c in by_postal if c.commune}
            found.extend(c for c in sorted(by_postal, key=lambda c: c.nom) if c not in found and c.insee not in parents)
            return found[:limit]
        wanted = _normalise(text)
        if len(wanted) < 2:
            return []
        # The names starting with ``wanted`` are one run of the sorted list: found by bisection,
        # not by reading the 35,000 names (the results page resolves the commune several times).
        start = bisect.bisect_left(self._names, wanted)
        end = start
        while end < len(self._names) and self._names[end].startswith(wanted):
            end += 1
        matching = self.by_name[start:end]
        exact = [c for n, c in matching if n == wanted]
        prefix = [c for n, c in matching if n != wanted]
        return (exact + prefix)[:limit]


@cache
def communes() -> Communes:
    raw = gzip.decompress((files("mesaides.web") / "data" / "communes.csv.gz").read_bytes())
    reader = csv.reader(io.StringIO(raw.decode("utf-8")))
    next(reader)
    return Communes([(r[0], r[1], r[2], r[3]) for r in reader])
