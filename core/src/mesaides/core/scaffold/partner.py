"""Create a new partner distribution from the templates beside this module: ``template/`` (a
Python partner) or ``template_declarative/`` (a partner made only of data, issue 16).

The template's files use ``__ID__`` (the partner id, e.g. ``montreuil``), ``__NAME__`` (its
name), ``__DEP__`` (a département code) and ``__COMMUNE__`` (a commune of it) as placeholders.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from importlib.resources.abc import Traversable

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(ValueError):
    pass


@dataclass(frozen=True)
class NewPartner:
    id: str
    name: str
    departement: str
    commune: str
    scope: str = "territorial"
    declarative: bool = False
    """Only data (partner.yaml, aides/*.yaml), no Python (``core/docs/declarative.md``)."""

    @property
    def distribution(self) -> str:
        return f"mesaides-partner-{self.id.replace('_', '-')}"

    @property
    def package(self) -> str:
        return f"partner_{self.id}"


def create(target: Path, partner: NewPartner) -> list[Path]:
    """Write the new distribution into ``target`` (which must not exist or be empty)."""
    if not ID_RE.match(partner.id):
        raise ScaffoldError(
            f"id {partner.id!r}: use 2 to 31 lowercase letters, digits or underscores, starting with a letter"
        )
    if not re.fullmatch(r"(\d{2}|2A|2B|9[78]\d)", partner.departement):
        raise ScaffoldError(f"département {partner.departement!r}: expected an INSEE code such as 93, 2A or 974")
    if not partner.commune.startswith(partner.departement):
        raise ScaffoldError(f"commune {partner.commune!r} is not in département {partner.departement}")
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} already exists and is not empty")
    written: list[Path] = []
    template = files("mesaides.core.scaffold") / ("template_declarative" if partner.declarative else "template")
    for source, relative in _walk(template, Path()):
        rel = Path(str(relative).replace("__ID__", partner.id).replace("__PACKAGE__", partner.package))
        if rel.suffix == ".tmpl":
            rel = rel.with_suffix("")
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_fill(source.read_text(encoding="utf-8"), partner), encoding="utf-8")
        written.append(out)
    logo = target / "src" / "mesaides" / partner.package / f"logo_{partner.id}.png"
    logo.write_bytes(placeholder_png(64))
    written.append(logo)
    return written


def _walk(node: Traversable, relative: Path) -> Iterator[tuple[Traversable, Path]]:
    for child in node.iterdir():
        if child.is_dir():
            yield from _walk(child, relative / child.name)
        elif child.name != "__init__.py":
            yield child, relative / child.name


def _fill(text: str, p: NewPartner) -> str:
    for key, value in {
        "__DISTRIBUTION__": p.distribution,
        "__PACKAGE__": p.package,
        "__NAME__": p.name,
        "__SCOPE__": p.scope,
        "__DEP__": p.departement,
        "__COMMUNE__": p.commune,
        "__ID__": p.id,
    }.items():
        text = text.replace(key, value)
    return text


def placeholder_png(size: int) -> bytes:
    """A plain grey square: a logo the registry's A4 check flags until the partner replaces it."""
    row = b"\x00" + b"\xb0\xb0\xb0" * size
    raw = row * size

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
