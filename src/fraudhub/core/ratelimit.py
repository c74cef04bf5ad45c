"""Fixed-window rate limits, behind one interface with a database, a Redis and a null store.

The database store works across server processes with no extra service; Redis is used when
FRAUDHUB_REDIS_URL is set.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from fraudhub.core.models import RateLimitCounter


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
        with connection.cursor() as cursor:
            cursor.execute(sql, [key[:200], start])
            row = cursor.fetchone()
        count = int(row[0]) if row else limit + 1
        return RateDecision(allowed=count <= limit, retry_after=retry_after)

    @staticmethod
    def prune(*, older_than_seconds: int = 86400) -> int:
        cutoff = int(time.time()) - older_than_seconds
        deleted, _ = RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()
        return deleted


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str | None = None) -> None:
        import redis

        self._client = redis.Redis.from_url(url or settings.REDIS_URL)

    def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        start, retry_after = self._window(window_seconds)
        redis_key = f"fraudhub:rl:{key}:{start}"
        pipe = self._client.pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, window_seconds + 5)
        count, _ = pipe.execute()
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
