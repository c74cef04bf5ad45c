"""Lookup reads and the rate limiter's upsert run on a cursor kept for the connection, as
prepared statements on PostgreSQL.

They behave as Django's cursor would: counted and logged when queries are, errors wrapped,
a broken transaction refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from fraudhub.core.actors import Actor
from fraudhub.core.db import fetch_prepared
from fraudhub.core.ratelimit import DatabaseRateLimiter
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.indicators.selectors import indicator_lookup, indicator_lookup_many
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db


def _prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       [f"%{fragment}%"])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_rows_are_those_of_a_plain_cursor() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    sql = "SELECT value, status FROM indicators_indicator WHERE value = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, ["+84912345678"])
        expected = cursor.fetchall()
    assert fetch_prepared(sql, ["+84912345678"]) == [tuple(row) for row in expected]
    assert fetch_prepared(sql, ["+84912345678"]) == [("+84912345678", "scam")]


def test_typed_columns_read_as_the_orm_reads_them() -> None:
    from datetime import UTC, datetime

    from fraudhub.indicators.lookup import fetch_rows, read_query

    seen = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    indicator = make_indicator("+84912345678", status=IndicatorStatus.SCAM, confidence=87,
                               reporters=4, fraud_types=["impersonation_police", "investment"],
                               first_seen=seen, last_seen=seen)
    [row] = fetch_rows([read_query("+84912345678", None)], ["public"]).by_value.values()
    indicator.refresh_from_db()
    assert row == ("phone", "+84912345678", indicator.match_key, "scam", 87, 4,
                   ["impersonation_police", "investment"], seen, seen)
    assert row[7].utcoffset() is not None and row[7] == indicator.first_seen


def test_statements_are_counted_and_errors_are_djangos() -> None:
    with CaptureQueriesContext(connection) as queries:
        fetch_prepared("SELECT 1", [])
    assert len(queries) == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        fetch_prepared("SELECT * FROM no_such_table WHERE x = %s", [1])


def test_placeholders_and_percent_signs_read_as_djangos() -> None:
    sql = "SELECT '100%%' || CAST(%s AS TEXT), CAST(%s AS INTEGER) + 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, ["x", 41])
        expected = [tuple(row) for row in cursor.fetchall()]
    assert expected == [("100%x", 42)]
    assert fetch_prepared(sql, ["x", 41]) == expected
    assert fetch_prepared(sql, ["y", 1]) == [("100%y", 2)]


def test_a_broken_transaction_is_refused_as_django_refuses_it() -> None:
    with transaction.atomic():
        with pytest.raises(DatabaseError), transaction.atomic(savepoint=False):
            fetch_prepared("SELECT * FROM no_such_table WHERE x = %s", [1])
        with pytest.raises(TransactionManagementError):
            fetch_prepared("SELECT 1", [])


def test_statements_run_unwatched_on_the_kept_cursor_and_watched_through_djangos() -> None:
    fetch_prepared("SELECT 1", [])
    _conn, kept = connection._fraudhub_prepared_cursor  # type: ignore[attr-defined]
    assert fetch_prepared("SELECT 2", []) == [(2,)]
    assert connection._fraudhub_prepared_cursor[1] is kept  # type: ignore[attr-defined]
    seen: list[str] = []

    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool,
              context: dict[str, Any]) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert fetch_prepared("SELECT %s", [3]) == [(3,)]
    assert seen == ["SELECT %s"]
    # A cursor of another connection is not used: this one gets its own.
    connection._fraudhub_prepared_cursor = (object(), kept)  # type: ignore[attr-defined]
    assert fetch_prepared("SELECT 4", []) == [(4,)]
    assert connection._fraudhub_prepared_cursor[1] is not kept  # type: ignore[attr-defined]


def test_many_values_are_one_statement_text() -> None:
    """Bulk lookups of any size share one statement per type (an array, not IN (...))."""
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SUSPICIOUS)
    for count in (1, 7, 300):
        items = [("+84912345678", None)]
        items += [(f"+849123400{n % 100:02d}", None) for n in range(count)]
        items.append(("0071000123456", None))
        with CaptureQueriesContext(connection) as queries:
            results = indicator_lookup_many(items=items, actor=Actor.anonymous())
        assert results[0].status == "scam" and results[-1].status == "suspicious"
        assert len(queries) == (2 if connection.vendor == "postgresql" else 1)
    if connection.vendor == "postgresql":  # phones and accounts: two statements, whatever size
        assert _prepared("indicators_indicator") == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL only: SQLite has no server-side prepared statements")
def test_postgresql_prepares_the_lookup_and_the_limiter() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    assert indicator_lookup(raw="0912 345 678", type_key=None, actor=Actor.anonymous())
    # A limit of 1: the hit is written at once rather than counted in memory first.
    DatabaseRateLimiter().hit("lookup:test", limit=1, window_seconds=60)
    assert _prepared("indicators_indicator") >= 1
    assert _prepared("core_ratelimitcounter") == 1


def test_the_limiter_still_counts_every_hit() -> None:
    limiter = DatabaseRateLimiter()
    decisions = [limiter.hit("lookup:counted", limit=3, window_seconds=3600) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL only: the kept cursor holds server-side prepared "
                           "statements there, which pg_prepared_statements shows")
def test_one_cursor_serves_a_connection_and_a_new_connection_gets_its_own() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    sql = "SELECT status FROM indicators_indicator WHERE value = %s"
    assert fetch_prepared(sql, ["+84912345678"]) == [("scam",)]
    _conn, first = connection._fraudhub_prepared_cursor  # type: ignore[attr-defined]
    assert fetch_prepared(sql, ["+84000000000"]) == []
    assert connection._fraudhub_prepared_cursor[1] is first  # type: ignore[attr-defined]

    first.close()  # a closed cursor is replaced, not used
    assert fetch_prepared(sql, ["+84912345678"]) == [("scam",)]
    second = connection._fraudhub_prepared_cursor[1]  # type: ignore[attr-defined]
    assert second is not first and not second.closed


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="PostgreSQL only: a new server connection must prepare anew")
@pytest.mark.django_db(transaction=True)  # the connection is closed in the middle
def test_a_new_connection_gets_a_new_cursor() -> None:
    assert fetch_prepared("SELECT 1", []) == [(1,)]
    _conn, first = connection._fraudhub_prepared_cursor  # type: ignore[attr-defined]
    connection.close()
    assert fetch_prepared("SELECT 1", []) == [(1,)]
    assert connection._fraudhub_prepared_cursor[1] is not first  # type: ignore[attr-defined]
