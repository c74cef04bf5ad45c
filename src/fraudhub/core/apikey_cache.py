"""A short-lived per-process memory of authenticated API keys.

Partners call the lookup and scan endpoints thousands of times a second with the same key;
reading the key and its organization from the database on every call cost about a third of a
scan's server time. A key found here is still checked for revocation and expiry on each call,
against the copy read at most ``FRAUDHUB_API_KEY_CACHE_SECONDS`` ago: a revocation is seen at
once by the process that made it and by every other process within that many seconds. Only keys
that were found are remembered, so guessing keys cannot fill the memory.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from fraudhub.core.models import ApiKey

MAX_ENTRIES = 10_000

_lock = threading.Lock()
_entries: dict[str, tuple[float, ApiKey]] = {}


def get(key_hash: str) -> ApiKey | None:
    entry = _entries.get(key_hash)
    if entry is None:
        return None
    if time.monotonic() - entry[0] >= settings.FRAUDHUB_API_KEY_CACHE_SECONDS:
        forget(key_hash)
        return None
    return entry[1]


def put(key_hash: str, api_key: ApiKey) -> None:
    if settings.FRAUDHUB_API_KEY_CACHE_SECONDS <= 0:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key_hash] = (time.monotonic(), api_key)


def forget(key_hash: str) -> None:
    with _lock:
        _entries.pop(key_hash, None)


def clear() -> None:
    """Forget every key: after a change to what keys carry (an organization's standing)."""
    with _lock:
        _entries.clear()
