"""Remembered interpretations of file layouts, so that many files of one kind are read cheaply.

Reading a text table and finding what its columns mean costs far more for the header than
for the numbers when a folder holds thousands of small files that share one header. The
readers therefore remember, keyed by the exact text they depend on, what a header was found
to mean: the preamble of a table (:func:`sotfit.io.read_table`), and the columns, units and
header quantities of an ST-FMR file (:func:`sotfit.io.read_stfmr`). Only interpretations
that succeeded are remembered (a header that gives an error or a warning is read again
every time), and every part of a file that depends on its name or its data is worked out
for each file. A remembered interpretation gives exactly the result of reading afresh.

The caches hold at most :data:`MAX_ENTRIES` entries each, least recently used first out.
Set :data:`ENABLED` to ``False`` (or use :func:`disabled`) to read every file afresh, and
call :func:`clear` to forget every entry.

Examples
--------
>>> from sotfit.io import cache
>>> with cache.disabled():
...     pass  # every file read here is interpreted from scratch
>>> cache.clear()
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict

__all__ = ["ENABLED", "MAX_ENTRIES", "LRU", "clear", "disabled"]


#: Whether the readers remember layouts; ``False`` reads every file from scratch.
ENABLED = True


#: Largest number of entries of each cache.
MAX_ENTRIES = 64


_CACHES: list[LRU] = []


class LRU:
    """A small least-recently-used mapping, registered for :func:`clear`; safe to share
    between threads.

    Parameters
    ----------
    maxsize : int, optional
        Entries kept; :data:`MAX_ENTRIES` when not given.
    """

    def __init__(self, maxsize: int | None = None):
        self._data: OrderedDict = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()
        _CACHES.append(self)

    def get(self, key, default=None):
        """The value of ``key`` (now the most recently used), or ``default``.

        Nothing is found while :data:`ENABLED` is false, nor for an unhashable key.
        """
        if not ENABLED:
            return default
        with self._lock:
            try:
                value = self._data[key]
            except (KeyError, TypeError):
                return default
            self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        """Remember ``value`` under ``key`` (nothing while :data:`ENABLED` is false, or for
        an unhashable key)."""
        if not ENABLED:
            return
        limit = MAX_ENTRIES if self._maxsize is None else self._maxsize
        with self._lock:
            try:
                self._data[key] = value
            except TypeError:
                return
            self._data.move_to_end(key)
            while len(self._data) > limit:
                self._data.popitem(last=False)

    def values_recent_first(self) -> list:
        """The values, most recently used first (empty while :data:`ENABLED` is false)."""
        if not ENABLED:
            return []
        with self._lock:
            return list(reversed(self._data.values()))

    def touch(self, key) -> None:
        """Mark ``key`` as the most recently used."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def clear() -> None:
    """Forget every remembered layout of every reader."""
    for c in _CACHES:
        c.clear()


@contextlib.contextmanager
def disabled():
    """A context in which every file is read from scratch (the caches are neither read nor
    filled); :data:`ENABLED` is restored on exit."""
    global ENABLED
    before = ENABLED
    ENABLED = False
    try:
        yield
    finally:
        ENABLED = before
