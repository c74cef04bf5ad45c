"""Fixed-window rate limits, behind one interface with a database, a Redis and a null store.

The database store works across server processes with no extra service; Redis is used when
FRAUDHUB_REDIS_URL is set.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import import_string

from fraudhub.core.actors import Actor
from fraudhub.core.errors import RateLimited
from fraudhub.core.models import RateLimitCounter


def fetch_prepared(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of one statement; on PostgreSQL as a prepared statement of the connection.

    Django binds parameters on the client, so PostgreSQL parses and plans each statement anew.
    For the statements run on every lookup (this limiter's upsert, the indicator reads) that was
    most of the database's CPU time; prepared once per connection, they are only executed. The
    statement text must not vary with the data (use ``= ANY(%s)`` with a list, not ``IN``).
    Elsewhere (SQLite) this is a plain cursor. Either way the statement goes through Django's
    cursor wrapper: errors are Django's, and it is logged and counted like any other query.
    """
    # The wrapper itself, not the `connection` proxy: every attribute read through the proxy
    # is a thread-local lookup, and this runs on every lookup.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _prepared_cursor(db)
    wrapped = (_prepared_debug_wrapper_class()(raw, db) if db.queries_logged
               else db.make_cursor(raw))
    with wrapped as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _prepared_cursor(wrapper: Any) -> Any:
    """A server-binding psycopg cursor that prepares what it runs, set up as Django sets up its
    own (PostgreSQL backend, create_cursor): the same connection, the same time zone."""
    # Defined only when psycopg 3 is installed, so absent from django-stubs.
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        TIMESTAMPTZ_OID,
        register_tzloader,
    )
    from psycopg.pq import Format

    if wrapper.connection.prepare_threshold is None:
        # Django turns psycopg's automatic preparation off with None, which also refuses an
        # explicit prepare=True. A threshold no statement reaches keeps it off for everything
        # else (Django's client-binding cursors never prepare anyway) and lets these prepare.
        wrapper.connection.prepare_threshold = 2**31 - 1
    cursor = _prepared_cursor_class()(wrapper.connection)
    loader = wrapper.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if wrapper.timezone != loader.timezone:
        register_tzloader(wrapper.timezone, cursor)
    return cursor


@cache
def _prepared_debug_wrapper_class() -> type:
    from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        # Django's debug wrapper reads the statement back from psycopg, which keeps none for a
        # prepared one; log it with its parameters interpolated, as for any other query.
        def execute(self, sql: Any, params: Any = None) -> Any:
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugWrapper


@cache
def _prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    class PreparedCursor(ServerBindingCursor):
        # psycopg prepares a statement when asked to; Django never asks (its
        # prepare_threshold is None), so this cursor always does.
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparedCursor


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


class DatabaseRateLimiter(RateLimiter):
    # One statement, atomic on both databases (SQLite >= 3.35 and PostgreSQL): an upsert that
    # returns the new count, so concurrent hits never lose a count and cost one round trip.
    _UPSERT = (
        "INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "
        "ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )

    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        start, retry_after = self._window(window_seconds)
        sql = self._UPSERT.format(table=RateLimitCounter._meta.db_table)
        rows = fetch_prepared(sql, [key[:200], start])
        count = int(rows[0][0]) if rows else limit + 1
        return RateDecision(allowed=count <= limit, retry_after=retry_after)

    @staticmethod
    def prune(*, older_than_seconds: int = 86400) -> int:
        cutoff = int(time.time()) - older_than_seconds
        deleted, _ = RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()
        return deleted


class RedisRateLimiter(RateLimiter):
    # Count and set the expiry in one atomic command with one integer reply: a MULTI/EXEC
    # pipeline costs four replies to parse, which was a quarter of an anonymous lookup's time.
    _HIT = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        return count
    """

    def __init__(self, url: str | None = None) -> None:
        import redis

        self._client = redis.Redis.from_url(url or settings.REDIS_URL)
        self._hit = self._client.register_script(self._HIT)

    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        start, retry_after = self._window(window_seconds)
        redis_key = f"fraudhub:rl:{key}:{start}"
        count = self._hit(keys=[redis_key], args=[window_seconds + 5])
        return RateDecision(allowed=int(count) <= limit, retry_after=retry_after)


class NullRateLimiter(RateLimiter):
    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        return RateDecision(allowed=True, retry_after=0)


@cache
def _limiter_for(path: str) -> RateLimiter:
    limiter: RateLimiter = import_string(path)()
    return limiter


def get_rate_limiter() -> RateLimiter:
    return _limiter_for(settings.FRAUDHUB_RATE_LIMITER)


def rate_limit(*, key: str, limit: int, window_seconds: int, message: str,
               message_args: Mapping[str, object] | None = None) -> None:
    """Count one hit for ``key``; beyond ``limit`` per window, RateLimited (429 with
    Retry-After) saying ``message``, in which ``%(s)d`` is the seconds left to wait."""
    decision = get_rate_limiter().hit(key, limit=limit, window_seconds=window_seconds)
    if not decision.allowed:
        raise RateLimited(message % {**(message_args or {}), "s": decision.retry_after},
                          retry_after=decision.retry_after)


def anonymous_rate_limit(*, actor: Actor, scope: str, limit: int, window_seconds: int,
                         message: str) -> None:
    """:func:`rate_limit` per address for a caller who is not signed in and has no API key;
    anyone else is held to their own quota, or not limited here."""
    if actor.is_authenticated:
        return
    rate_limit(key=f"{scope}:{actor.ip or '-'}", limit=limit, window_seconds=window_seconds,
               message=message)
