from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from django.db import connection

from fraudhub.core import ratelimit
from fraudhub.core.ratelimit import (
    DatabaseRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    SharedCounterLimiter,
    Window,
    _limiter_for,
    forget_rate_limiter,
    rate_limit_counts_flush,
)


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


# --- counting in the process, writing in batches (SharedCounterLimiter) ----------------------


class MemoryCounters(SharedCounterLimiter):
    """The shared store as a dict, so that several instances play several server processes."""

    def __init__(self, store: dict[Window, int] | None = None) -> None:
        super().__init__()
        self.store = {} if store is None else store
        self.writes: list[dict[Window, int]] = []
        self.failing = False

    def add(self, increments: Mapping[Window, int]) -> dict[Window, int]:
        if self.failing:
            raise ConnectionError("store unreachable")
        self.writes.append(dict(increments))
        for window, count in increments.items():
            self.store[window] = self.store.get(window, 0) + count
        return {window: self.store[window] for window in increments}


def _stored(store: Mapping[Window, int], key: str) -> int:
    return sum(count for window, count in store.items() if window.key == key)


@pytest.fixture
def hourly_flush(settings: Any) -> None:
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 3600  # nothing is written unless asked


def test_hits_far_from_the_limit_are_counted_in_memory_and_written_from_half_of_it(
        hourly_flush: None) -> None:
    limiter = MemoryCounters()
    decisions = [limiter.hit("k", limit=10, window_seconds=60).allowed for _ in range(12)]

    assert decisions == [True] * 10 + [False] * 2
    # Hits 1-5 stayed in memory; the 6th went to the store with them, 7-10 one by one; the
    # refusals are decided on what is known and written later.
    assert [list(w.values()) for w in limiter.writes] == [[6], [1], [1], [1], [1]]
    limiter.flush()
    assert _stored(limiter.store, "k") == 12


def test_without_a_flush_interval_every_hit_is_written() -> None:
    # settings: FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS=0 (tests' default is the production 1 s)
    from django.test import override_settings

    limiter = MemoryCounters()
    with override_settings(FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS=0):
        decisions = [limiter.hit("k", limit=3, window_seconds=60).allowed for _ in range(4)]
    assert decisions == [True, True, True, False]
    assert len(limiter.writes) == 3 and _stored(limiter.store, "k") == 3


def test_one_flush_writes_every_key_in_one_round_trip_and_learns_the_totals(
        hourly_flush: None) -> None:
    store: dict[Window, int] = {}
    first, second = MemoryCounters(store), MemoryCounters(store)  # two server processes
    for _ in range(4):
        first.hit("a", limit=10, window_seconds=60)
        second.hit("a", limit=10, window_seconds=60)
    first.hit("b", limit=10, window_seconds=60)

    first.flush()
    second.flush()

    assert [sorted((w.key, n) for w, n in write.items()) for write in first.writes] == [
        [("a", 4), ("b", 1)]]
    assert _stored(store, "a") == 8
    # The second process learnt the first one's hits from its flush: 8 known, so its next hit
    # is past half the limit and decided on the store's total.
    assert second.hit("a", limit=10, window_seconds=60).allowed
    assert second.writes[-1] == {next(w for w in store if w.key == "a"): 1}
    assert second.hit("a", limit=10, window_seconds=60).allowed
    assert not second.hit("a", limit=10, window_seconds=60).allowed
    assert _stored(store, "a") == 10  # the refusal is counted in memory, not written yet


def test_what_other_processes_have_not_written_is_all_that_gets_past_the_limit(
        hourly_flush: None) -> None:
    store: dict[Window, int] = {}
    processes = [MemoryCounters(store) for _ in range(3)]
    allowed = sum(process.hit("k", limit=10, window_seconds=60).allowed
                  for _ in range(20) for process in processes)
    for process in processes:
        process.flush()
    # Each process alone would stop at 10; together they let through at most the less than
    # half the limit that each of the others held unwritten.
    assert 10 <= allowed <= 10 + 2 * 5
    assert _stored(store, "k") == 60  # and every hit, refused or not, is counted


def test_many_threads_of_one_process_get_exactly_the_limit(hourly_flush: None) -> None:
    limiter = MemoryCounters()
    results: list[bool] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(50):
            allowed = limiter.hit("k", limit=100, window_seconds=60).allowed
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 100 and len(results) == 400


def test_a_hit_after_the_interval_flushes_and_ended_windows_are_forgotten(
        settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 1
    clock = {"wall": 1_000_020.0, "monotonic": 500.0}
    monkeypatch.setattr(time, "time", lambda: clock["wall"])
    monkeypatch.setattr(time, "monotonic", lambda: clock["monotonic"])
    limiter = MemoryCounters()
    limiter.hit("old", limit=100, window_seconds=60)
    clock["monotonic"] += 0.5
    limiter.hit("k", limit=100, window_seconds=60)
    assert limiter.writes == []  # within the interval

    clock["wall"] += 60  # the first window has ended
    clock["monotonic"] += 0.6
    limiter.hit("k", limit=100, window_seconds=60)

    [written] = limiter.writes
    assert [(w.key, n) for w, n in written.items()] == [("k", 1)]
    assert [w.key for w in limiter._counts] == ["k"]  # "old" and its window are gone


def test_a_failing_store_keeps_the_counts_for_the_next_flush(
        hourly_flush: None, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "STORE_RETRY_SECONDS", 0.0)  # tried again at once
    limiter = MemoryCounters()
    limiter.hit("k", limit=10, window_seconds=60)
    limiter.hit("k", limit=10, window_seconds=60)
    limiter.failing = True
    limiter.flush()  # does not raise: counting must not fail a request
    assert "could not be written" in caplog.text
    limiter.failing = False
    limiter.hit("k", limit=10, window_seconds=60)
    limiter.flush()
    assert _stored(limiter.store, "k") == 3


@pytest.mark.django_db(transaction=True)  # a flush waits for the end of a transaction
def test_database_counters_are_written_in_one_statement(
        hourly_flush: None, django_assert_num_queries: Any) -> None:
    from fraudhub.core.models import RateLimitCounter

    limiter = DatabaseRateLimiter()
    keys = [f"test:{uuid.uuid4()}" for _ in range(3)]
    with django_assert_num_queries(0):
        for n, key in enumerate(keys):
            for _ in range(n + 1):
                assert limiter.hit(key, limit=100, window_seconds=60).allowed
    with django_assert_num_queries(1):
        limiter.flush()
    stored = dict(RateLimitCounter.objects.filter(key__in=keys).values_list("key", "count"))
    assert stored == {keys[0]: 1, keys[1]: 2, keys[2]: 3}
    with django_assert_num_queries(1):  # the totals come back with the write
        limiter.hit(keys[0], limit=100, window_seconds=60)
        limiter.flush()
    assert RateLimitCounter.objects.get(key=keys[0]).count == 2


@pytest.mark.django_db(transaction=True)
def test_database_counters_are_not_flushed_inside_a_transaction(hourly_flush: None) -> None:
    from django.db import transaction

    from fraudhub.core.models import RateLimitCounter

    limiter = DatabaseRateLimiter()
    key = f"test:{uuid.uuid4()}"
    limiter.hit(key, limit=100, window_seconds=60)
    with transaction.atomic():
        limiter.flush()  # the caller's rollback would take the other requests' counts along
        assert not RateLimitCounter.objects.filter(key=key).exists()
    limiter.flush()
    assert RateLimitCounter.objects.get(key=key).count == 1


def test_redis_counters_of_one_flush_are_added_and_expire(hourly_flush: None) -> None:
    import redis

    limiter = _redis_or_skip()
    keys = [f"test:{uuid.uuid4()}" for _ in range(2)]
    for _ in range(3):
        limiter.hit(keys[0], limit=100, window_seconds=60)
    limiter.hit(keys[1], limit=100, window_seconds=30)
    limiter.flush()
    limiter.hit(keys[0], limit=100, window_seconds=60)
    limiter.flush()

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    [first] = client.keys(f"fraudhub:rl:{keys[0]}:*")
    [second] = client.keys(f"fraudhub:rl:{keys[1]}:*")
    assert int(client.get(first) or 0) == 4 and int(client.get(second) or 0) == 1
    assert 60 <= client.ttl(first) <= 65 and 30 <= client.ttl(second) <= 35


def test_the_exit_flush_makes_no_limiter_in_a_process_that_used_none() -> None:
    forget_rate_limiter()

    rate_limit_counts_flush()

    assert _limiter_for.cache_info().currsize == 0


def test_a_store_that_fails_while_hits_are_written_through_limits_in_process(
        settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 0  # every hit written through
    limiter = MemoryCounters()
    limiter.failing = True
    decisions = [limiter.hit("k", limit=4, window_seconds=60).allowed for _ in range(6)]
    assert decisions == [True, True, True, True, False, False]
    assert "counting in this process" in caplog.text
    limiter.failing = False
    limiter.hit("k", limit=4, window_seconds=60)
    assert limiter.writes == []  # not tried again before STORE_RETRY_SECONDS


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.mark.parametrize("which", ["refusing", "hanging"])
def test_a_redis_that_refuses_or_hangs_costs_a_request_neither_an_error_nor_a_wait(
        settings: Any, silent_port: int, which: str) -> None:
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 0
    settings.FRAUDHUB_REDIS_TIMEOUT_SECONDS = 0.3
    port = silent_port if which == "hanging" else _closed_port()
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    decisions = [limiter.hit("ip:x", limit=3, window_seconds=60).allowed for _ in range(20)]
    assert decisions == [True] * 3 + [False] * 17
    assert time.monotonic() - started < 2.0  # one timeout at most, then counted in process
