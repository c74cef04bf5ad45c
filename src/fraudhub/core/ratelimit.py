"""Fixed-window rate limits, behind one interface with a database, a Redis and a null store.

The database store works across server processes with no extra service; Redis is used when
FRAUDHUB_REDIS_URL is set.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from fraudhub.core.actors import Actor
from fraudhub.core.db import fetch_prepared
from fraudhub.core.errors import RateLimited
from fraudhub.core.login_devices import account_digest
from fraudhub.core.models import RateLimitCounter

logger = logging.getLogger(__name__)
STORE_RETRY_SECONDS = 5.0  # after the store failed, counted in process this long


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int


class RateLimiter(abc.ABC):
    @abc.abstractmethod
    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        """Count one event for `key`; say whether it is within `limit` per window."""

    @staticmethod
    def _window(window_seconds: int) -> tuple[int, int]:
        now = time.time()
        start = int(now // window_seconds) * window_seconds
        retry_after = max(1, int(start + window_seconds - now + 0.999))
        return start, retry_after


class Window(NamedTuple):
    """One counter of the shared store: a key's hits in the window that starts at ``start``."""

    key: str
    start: int
    seconds: int


@dataclass(slots=True)
class _LocalCount:
    known: int = 0  # the store's total the last time this process wrote to it
    pending: int = 0  # hits counted here and not written yet


class SharedCounterLimiter(RateLimiter):
    """Fixed windows counted in a store every server process shares, written in batches.

    Writing every hit through made the store's round trip the most expensive part of a public
    lookup (and, on the database store, a write for every anonymous GET). So a process counts
    hits of a key in memory while the key is far from its limit -- at most half of it -- and
    writes what it counted for all keys in one statement every ``FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS``
    (learning every other process's counts for those keys in the same round trip). From half
    the limit on, every hit is written through and decided on the store's total, as without
    batching. A hit is refused at once when what this process knows to be counted already is
    over the limit, so a refusal is never wrong; what batching can let through is bounded: the
    hits other processes counted and had not written yet, less than half the limit per process
    and window. A server process that stops writes its counts (rate_limit_counts_flush); one
    that is killed loses those of the last interval. Within one process
    (and with ``FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS=0``, which writes every hit) the count is exact.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards _counts and _flushed_at
        self._flushing = threading.Lock()  # one flush at a time; others keep counting
        self._counts: dict[Window, _LocalCount] = {}
        self._flushed_at = time.monotonic()
        self._store_down_until = 0.0

    @abc.abstractmethod
    def add(self, increments: Mapping[Window, int]) -> dict[Window, int]:
        """Add each count to its window in the store, in one round trip; the new totals."""

    def can_flush(self) -> bool:
        """Whether this thread may write other requests' counts now (see the database store)."""
        return True

    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        start, retry_after = self._window(window_seconds)
        window = Window(key[:200], start, window_seconds)
        flush_seconds = float(settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS)
        with self._lock:
            count = self._counts.get(window)
            if count is None:
                count = self._counts[window] = _LocalCount()
            estimate = count.known + count.pending + 1
            if estimate > limit:
                count.pending += 1  # refused hits are counted too, as the store always did
                return RateDecision(allowed=False, retry_after=retry_after)
            if flush_seconds > 0 and 2 * estimate <= limit:
                count.pending += 1
                due = time.monotonic() - self._flushed_at >= flush_seconds
                through = 0
            else:
                through, count.pending = count.pending + 1, 0
        if not through:
            if due:
                self.flush()
            return RateDecision(allowed=True, retry_after=retry_after)
        totals = self._store_add({window: through})
        with self._lock:
            if totals is None:  # decided on what this process counted
                count.pending += through
                return RateDecision(allowed=count.known + count.pending <= limit,
                                    retry_after=retry_after)
            count.known = max(count.known, totals[window])
        return RateDecision(allowed=totals[window] <= limit, retry_after=retry_after)

    def _store_add(self, increments: Mapping[Window, int]) -> dict[Window, int] | None:
        """The store's new totals, or None when it cannot be reached now.

        A store that was down or hung made requests fail (500) or wait its timeout, and the
        limit was never reached. Now counting goes on in this process, which then enforces
        each limit on what it has seen, and the store is tried again some seconds later.
        """
        if time.monotonic() < self._store_down_until:
            return None
        try:
            return self.add(increments)
        except Exception:
            self._store_down_until = time.monotonic() + STORE_RETRY_SECONDS
            logger.warning("rate limit counters could not be written; counting in this "
                           "process for %s s", STORE_RETRY_SECONDS, exc_info=True)
            return None

    def flush(self) -> None:
        """Write every count not written yet, and forget the windows that have ended."""
        if not self.can_flush() or not self._flushing.acquire(blocking=False):
            return
        try:
            now = time.time()
            with self._lock:
                self._flushed_at = time.monotonic()
                increments: dict[Window, int] = {}
                for window, count in list(self._counts.items()):
                    if window.start + window.seconds <= now:
                        del self._counts[window]  # ended: its counts limit nothing any more
                    elif count.pending:
                        increments[window], count.pending = count.pending, 0
            if not increments:
                return
            totals = self._store_add(increments)
            if totals is None:
                # Counting must not fail the request that happened to flush; the counts are
                # kept for the next flush.
                with self._lock:
                    for window, pending in increments.items():
                        self._counts.setdefault(window, _LocalCount()).pending += pending
                return
            with self._lock:
                for window, total in totals.items():
                    if (held := self._counts.get(window)) is not None:
                        held.known = max(held.known, total)
        finally:
            self._flushing.release()


class DatabaseRateLimiter(SharedCounterLimiter):
    """Counters as rows of ``core_ratelimitcounter`` (UNLOGGED on PostgreSQL)."""

    # One statement, atomic on both databases (SQLite >= 3.35 and PostgreSQL): an upsert of
    # every counter that returns the new totals, so concurrent writers never lose a count.
    # Rows go in key order so that two processes' upserts lock them in the same order.
    _UPSERT_POSTGRES = (
        "INSERT INTO {table} (key, window_start, count) "
        "SELECT * FROM unnest(%s::varchar[], %s::bigint[], %s::integer[]) "
        "ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + EXCLUDED.count "
        "RETURNING key, window_start, count"
    )
    _UPSERT_SQLITE = (
        "INSERT INTO {table} (key, window_start, count) VALUES {rows} "
        "ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + excluded.count "
        "RETURNING key, window_start, count"
    )
    _SQLITE_ROWS_PER_STATEMENT = 500  # 3 parameters a row, far below SQLite's limit

    def can_flush(self) -> bool:
        # Inside a transaction, the counts of other requests would be undone with it.
        return not connections[DEFAULT_DB_ALIAS].in_atomic_block

    def add(self, increments: Mapping[Window, int]) -> dict[Window, int]:
        table = RateLimitCounter._meta.db_table
        windows = sorted(increments)
        seconds = {(w.key, w.start): w.seconds for w in windows}
        rows: list[tuple[Any, ...]] = []
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            rows = fetch_prepared(self._UPSERT_POSTGRES.format(table=table), [
                [w.key for w in windows], [w.start for w in windows],
                [increments[w] for w in windows]])
        else:
            step = self._SQLITE_ROWS_PER_STATEMENT
            for first in range(0, len(windows), step):
                chunk = windows[first:first + step]
                sql = self._UPSERT_SQLITE.format(
                    table=table, rows=", ".join(["(%s, %s, %s)"] * len(chunk)))
                rows += fetch_prepared(sql, [v for w in chunk
                                             for v in (w.key, w.start, increments[w])])
        return {Window(key, start, seconds[(key, start)]): int(total)
                for key, start, total in rows}

    @staticmethod
    def prune(*, older_than_seconds: int = 86400) -> int:
        cutoff = int(time.time()) - older_than_seconds
        deleted, _ = RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()
        return deleted


class RedisRateLimiter(SharedCounterLimiter):
    """Counters as Redis keys that expire a little after their window."""

    # Every counter added and its expiry set on first use in one atomic script with one reply:
    # a MULTI/EXEC pipeline costs four replies per counter to parse.
    _ADD = """
        local totals = {}
        for i, key in ipairs(KEYS) do
            local added = tonumber(ARGV[2 * i - 1])
            local total = redis.call('INCRBY', key, added)
            if total == added then redis.call('EXPIRE', key, ARGV[2 * i]) end
            totals[i] = total
        end
        return totals
    """

    def __init__(self, url: str | None = None) -> None:
        import redis

        super().__init__()
        # A Redis that hangs must cost a request a fraction of a second, not redis-py's wait.
        timeout = float(settings.FRAUDHUB_REDIS_TIMEOUT_SECONDS)
        self._client = redis.Redis.from_url(url or settings.REDIS_URL, socket_timeout=timeout,
                                            socket_connect_timeout=timeout)
        self._add = self._client.register_script(self._ADD)

    def add(self, increments: Mapping[Window, int]) -> dict[Window, int]:
        windows = list(increments)
        keys = [f"fraudhub:rl:{w.key}:{w.start}" for w in windows]
        args = [v for w in windows for v in (increments[w], w.seconds + 5)]
        totals = self._add(keys=keys, args=args)
        return {window: int(total) for window, total in zip(windows, totals, strict=True)}


class NullRateLimiter(RateLimiter):
    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        return RateDecision(allowed=True, retry_after=0)


@cache
def _limiter_for(path: str) -> RateLimiter:
    limiter: RateLimiter = import_string(path)()
    return limiter


def get_rate_limiter() -> RateLimiter:
    return _limiter_for(settings.FRAUDHUB_RATE_LIMITER)


def rate_limit_counts_flush() -> None:
    """Write the counts this process holds in memory (a server process that stops).

    Only a limiter the process has made holds counts: none is made here for nothing.
    """
    if _limiter_for.cache_info().currsize == 0:
        return
    limiter = get_rate_limiter()
    if isinstance(limiter, SharedCounterLimiter):
        limiter.flush()


def forget_rate_limiter() -> None:
    """Drop this process's limiter and the counts it holds in memory (tests, between cases)."""
    _limiter_for.cache_clear()


def rate_limit(*, key: str, limit: int, window_seconds: int, message: str | Promise,
               message_args: Mapping[str, object] | None = None) -> None:
    """Count one hit for ``key``; beyond ``limit`` per window, RateLimited (429 with
    Retry-After) saying ``message``, in which ``%(s)d`` is the seconds left to wait.

    Pass ``message`` lazily (gettext_lazy): it is translated only for a refusal.
    """
    decision = get_rate_limiter().hit(key, limit=limit, window_seconds=window_seconds)
    if not decision.allowed:
        raise RateLimited(str(message) % {**(message_args or {}), "s": decision.retry_after},
                          retry_after=decision.retry_after)


def anonymous_rate_limit(*, actor: Actor, scope: str, limit: int, window_seconds: int,
                         message: str | Promise) -> None:
    """:func:`rate_limit` per address for a caller who is not signed in and has no API key;
    anyone else is held to their own quota, or not limited here."""
    if actor.is_authenticated:
        return
    rate_limit(key=f"{scope}:{actor.ip or '-'}", limit=limit, window_seconds=window_seconds,
               message=message)


def login_attempts_limit(*, username: str, message: str | Promise,
                         device: str | None = None) -> None:
    """Count one login attempt for the account ``username``, from whatever address; beyond
    ``FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT`` per cool-off window, RateLimited.

    django-axes locks an account out per address only, so a password could be guessed from many
    addresses without end. Every attempt counts (a right password too), before the password is
    checked: once the limit is reached nothing tells whether a guess was right. The name is
    case-folded (more attempts counted together, never fewer) and hashed into the key, so the
    key's size does not depend on what was typed. A browser holding a device cookie of the
    account (``device``, see core/login_devices.py) has a budget of its own: attempts from
    elsewhere cannot lock it out.
    """
    digest = account_digest(username)
    key = f"login-device:{digest}:{device}" if device else f"login-account:{digest}"
    rate_limit(key=key,
               limit=settings.FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT,
               window_seconds=max(60, int(settings.AXES_COOLOFF_TIME * 3600)),
               message=message)
