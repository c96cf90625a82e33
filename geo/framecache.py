"""A small least-recently-used cache of things built from data frames (spatial, place indexes)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class FrameCache:
    """Values built from frames, keyed by the frames' identity and checked by a content stamp.

    The cache keeps references to the frames it was given, so their ids cannot be reused by
    other objects while an entry lives. A hit needs the same frame objects and an equal
    ``stamp`` (a cheap fingerprint of the content), so an in-place edit rebuilds the value.

    Parameters
    ----------
    size : int
        How many entries to keep; the least recently used one goes first.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, ...], tuple[tuple, Hashable, Any]] = OrderedDict()

    def get(self, frames: tuple, stamp: Hashable, build: Callable[[], T]) -> T:
        """Return the cached value for ``frames`` if its stamp still matches, else ``build()``."""
        key = tuple(map(id, frames))
        hit = self._items.get(key)
        if hit is not None and hit[1] == stamp:
            self._items.move_to_end(key)
            return hit[2]
        value = build()
        self._items[key] = (frames, stamp, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        self._items.clear()
