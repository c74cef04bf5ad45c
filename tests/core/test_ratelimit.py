from __future__ import annotations

import uuid

import pytest
from django.db import connection

from fraudhub.core.ratelimit import DatabaseRateLimiter, RateLimiter, RedisRateLimiter


def _redis_or_skip() -> RedisRateLimiter:
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server answers at 127.0.0.1:6379")
    return RedisRateLimiter("redis://127.0.0.1:6379/0")


def _exercise(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4()}"
    decisions = [limiter.hit(key, limit=3, window_seconds=60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert 1 <= decisions[-1].retry_after <= 60
    assert limiter.hit(f"{key}:other", limit=3, window_seconds=60).allowed


@pytest.mark.django_db
def test_database_limiter_counts_per_key_and_window() -> None:
    _exercise(DatabaseRateLimiter())


def test_redis_limiter_counts_per_key_and_window() -> None:
    _exercise(_redis_or_skip())


def test_redis_counters_expire_after_their_window() -> None:
    import redis

    limiter = _redis_or_skip()
    key = f"test:{uuid.uuid4()}"
    limiter.hit(key, limit=3, window_seconds=60)
    limiter.hit(key, limit=3, window_seconds=60)

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    [stored] = client.keys(f"fraudhub:rl:{key}:*")
    assert int(client.get(stored) or 0) == 2
    assert 60 <= client.ttl(stored) <= 65


def _persistence(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [table])
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL only: SQLite has no unlogged tables")
def test_postgresql_keeps_the_counters_in_an_unlogged_table_and_the_migration_reverses() -> None:
    import importlib

    from django.apps import apps

    from fraudhub.core.models import RateLimitCounter

    migration = importlib.import_module("fraudhub.core.migrations.0003_ratelimitcounter_unlogged")
    forward = migration.Migration.operations[0]
    table = RateLimitCounter._meta.db_table
    assert _persistence(table) == "u"  # what `migrate` left: no WAL, no fsync per hit
    with connection.schema_editor() as editor:
        forward.reverse_code(apps, editor)
    assert _persistence(table) == "p"
    with connection.schema_editor() as editor:
        forward.code(apps, editor)
    assert _persistence(table) == "u"
    assert DatabaseRateLimiter().hit("test:unlogged", limit=1, window_seconds=60).allowed
