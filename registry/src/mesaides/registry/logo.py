"""A4: the logo of an aide's institution is a square PNG, 120 px a side, named
``logo_<institution id>.png``. Only the PNG header is read: no imaging library needed."""

from __future__ import annotations

import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LOGO_SIZE = 120


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk, or ``None`` when ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def logo_problems(path: Path | str | None, institution: str) -> list[str]:
    """What is wrong with the logo at ``path`` for ``institution`` (empty when it is right)."""
    if path is None:
        return [f"A4: institution {institution!r} has no logo (expected logo_{institution}.png, a square 120 px PNG)"]
    path = Path(str(path))
    expected = f"logo_{institution}.png"
    problems = []
    if path.name != expected:
        problems.append(f"A4: the logo of {institution!r} is named {path.name!r}, expected {expected!r}")
    try:
        with path.open("rb") as f:
            head = f.read(32)
    except OSError:
        return [*problems, f"A4: the logo file {path} cannot be read"]
    size = png_size(head)
    if size is None:
        problems.append(f"A4: {path.name} is not a PNG image")
    elif size != (LOGO_SIZE, LOGO_SIZE):
        width, height = size
        shape = "square" if width == height else "not square"
        problems.append(f"A4: {path.name} is {width}x{height} px ({shape}); expected {LOGO_SIZE}x{LOGO_SIZE} px")
    return problems
