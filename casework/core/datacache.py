"""Results computed from much of the archive, kept in the process until the data changes.

A function decorated with ``data_cached`` takes ``audit.data_version()`` as its first argument:
the number and hash of the last change recorded in the audit trail. Every change is audited in
its own transaction and reads (views, searches) are not changes, so a result kept under a
version is the result for the data as it was at that version; the caller reads the version
*before* computing, so a result is never older than its key. Each process keeps its own (any
app server computes the same result for the same version); ``clear()`` forgets them all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

_CACHED: list[Any] = []


def data_cached(maxsize: int) -> Callable[[Callable[..., Any]], Any]:
    """``functools.lru_cache`` of ``maxsize`` entries, forgotten by ``clear()``."""

    def wrap(fn: Callable[..., Any]) -> Any:
        cached = lru_cache(maxsize=maxsize)(fn)
        _CACHED.append(cached)
        return cached

    return wrap


def clear() -> None:
    """Forget every kept result (tests, which empty the database between them)."""
    for cached in _CACHED:
        cached.cache_clear()
