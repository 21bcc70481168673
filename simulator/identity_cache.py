"""A cache keyed on an immutable object's identity, whose entries go when the object is collected.

Specs (:mod:`simulator.spec`) are frozen pydantic models but hold lists, so they cannot be hashed;
hashing their content (``model_dump_json``) costs about a quarter of a model check. A spec is
immutable, so "the same object" is a sound and cheap key for what is derived from it alone: the
app's cached model object is checked once, however many slider moves prepare a scenario on it.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class IdentityCache(Generic[T]):
    """Values made from an object (and a hashable extra key), remembered while the object lives.

    Thread-safe: two threads asking for the same new entry at once may both make it (the work is
    pure), and one value is kept.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, dict[Hashable, T]]] = {}
        self._lock = threading.Lock()

    def get(self, obj: object, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` for ``obj`` and ``key``, made once while ``obj`` lives."""
        ident = id(obj)
        with self._lock:
            entry = self._entries.get(ident)
            if entry is not None and entry[0]() is obj and key in entry[1]:
                return entry[1][key]
        value = make()
        with self._lock:
            entry = self._entries.get(ident)
            if entry is None or entry[0]() is not obj:
                entry = (weakref.ref(obj, functools.partial(self._forget, ident)), {})
                self._entries[ident] = entry
            return entry[1].setdefault(key, value)

    def _forget(self, ident: int, _ref: object = None) -> None:
        # Called by the garbage collector, maybe inside get() on this thread while it holds the lock:
        # no lock here (a live entry popped by a race is only made again).
        entry = self._entries.get(ident)
        if entry is not None and entry[0]() is None:
            self._entries.pop(ident, None)

    def __len__(self) -> int:
        """The number of live objects with entries."""
        with self._lock:
            return sum(1 for ref, _ in self._entries.values() if ref() is not None)
