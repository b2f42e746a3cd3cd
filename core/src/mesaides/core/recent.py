"""What a simulation made from given arrays, kept for the next time it is asked of the very same
arrays: a few at a time, the least recently used dropped first.

Keyed by the arrays' ids, which Python gives again to a new array once one is freed: the arrays
are kept beside the result (so their ids stay theirs) and compared by identity on each look-up.
Only arrays that cannot change (read-only) may be keys; the caller sees to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import numpy as np

Made = TypeVar("Made")


class Recent(Generic[Made]):
    """The last ``size`` results made from sequences of arrays."""

    def __init__(self, size: int):
        self.size = size
        self._kept: dict[tuple[int, ...], tuple[tuple[np.ndarray, ...], Made]] = {}

    def get(self, arrays: Sequence[np.ndarray]) -> Made | None:
        """What was made from these very arrays, if it is still kept."""
        key = tuple(map(id, arrays))
        found = self._kept.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], arrays, strict=True)):
            return None
        self._kept[key] = self._kept.pop(key)  # the most recently used last
        return found[1]

    def put(self, arrays: Sequence[np.ndarray], made: Made) -> None:
        """Keep ``made``, made from ``arrays``, dropping the least recently used when full."""
        kept = self._kept
        if len(kept) >= self.size:
            del kept[next(iter(kept))]
        kept[tuple(map(id, arrays))] = (tuple(arrays), made)
