"""Rendered output kept per document object, so a prepared brief is rendered once per store snapshot.

A prepared snapshot hands out the same Document object for a topic until the next reload replaces it;
keying on that object (held strongly, so its id cannot be reused) means no request renders the same
brief twice, and a new snapshot's documents are rendered afresh. Least recently used entries go first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.core.document import Document

T = TypeVar("T")

SIZE = 256


class RenderCache(Generic[T]):
    """What `render` made of a document (and a key for the rest of the arguments)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], tuple[Document, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, doc: Document, key: object, render: Callable[[], T]) -> T:
        """The cached rendering of `doc` with `key`, made by `render` the first time."""
        # repr, not a sorted JSON dump: half the cost per request; an equal key built in another order
        # only misses the cache (one extra rendering), it never returns another key's output.
        k = (id(doc), repr(key))
        with self._lock:
            hit = self._entries.get(k)
            if hit is not None and hit[0] is doc:
                self._entries.move_to_end(k)
                return hit[1]
        value = render()
        with self._lock:
            self._entries[k] = (doc, value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
