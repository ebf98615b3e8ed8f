"""A bounded, thread-safe LRU cache of finished query responses (the data is read-only)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedResponse:
    """A serialized query answer: body, format key and result kind."""

    body: bytes
    format_key: str
    kind: str


class ResponseCache:
    """At most `max_entries` responses and `max_bytes` bytes; least recently used go first."""

    def __init__(self, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024, max_item_bytes: int = 4 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_item_bytes = max_item_bytes
        self.hits = 0
        self.misses = 0
        self._bytes = 0
        self._items: OrderedDict[str, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, count_miss: bool = True) -> CachedResponse | None:
        """The cached response for key, or None (counts hits, and misses unless told not to)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += count_miss
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, item: CachedResponse) -> None:
        """Store a response unless caching is off or it is too big to be worth it."""
        size = len(item.body)
        if self.max_entries <= 0 or size > self.max_item_bytes or size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = item
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        """Bytes currently held."""
        return self._bytes


class Memo:
    """A small bounded LRU memo for values the app derives once (checksums, graph sizes, VoID bodies).

    Its keys are chosen by the app, never taken from a request header, so it stays tiny; the bound is a backstop.
    """

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[object, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        """The memoised value, or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: object, value: object) -> None:
        """Remember a value, forgetting the least recently used beyond the bound."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
