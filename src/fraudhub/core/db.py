"""Statements run on every lookup, on a cursor kept for the connection (prepared on PostgreSQL).

Used by the rate limiter's counters and the indicator reads, the two statements of a single
lookup; everything else goes through Django's ORM and cursors as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

_P = ParamSpec("_P")
_R = TypeVar("_R")

DEADLOCK_ATTEMPTS = 3
_DEADLOCK_DETECTED = "40P01"


def retry_deadlocks(service: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `service` (which owns its transaction) again when PostgreSQL ended it as a deadlock.

    Services that must lock rows in orders that cannot all agree (a bad-faith marking takes
    the reporter before the reporter's reports and cases, as filing does; a decision takes the
    case, its reports, then their reporters' standing) may meet each other in a cycle, and
    PostgreSQL aborts one of them: its transaction rolled back whole, so running it again is
    safe. Inside a caller's transaction nothing can be run again: the error goes up.
    """

    @functools.wraps(service)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                return service(*args, **kwargs)
            except OperationalError as exc:
                deadlock = getattr(exc.__cause__, "sqlstate", None) == _DEADLOCK_DETECTED
                nested = connections[DEFAULT_DB_ALIAS].in_atomic_block
                if not deadlock or nested or attempt == DEADLOCK_ATTEMPTS:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    return run


def fetch_prepared(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of one statement, run on a cursor kept for the connection.

    On PostgreSQL as a prepared statement: Django binds parameters on the client, so PostgreSQL
    parses and plans each statement anew. For the statements run on every lookup (the rate
    limiter's upsert, the indicator reads) that was most of the database's CPU time; prepared
    once per connection, they are only executed. The statement text must not vary with the
    data (use ``= ANY(%s)`` with a list, not ``IN``). On SQLite, sqlite3 keeps the prepared
    statements of a connection itself; the "%s" placeholders are converted once per text.

    Django's cursor for every statement (made, wrapped, on SQLite its placeholders rewritten by
    a regular expression) cost more than SQLite took to answer a single lookup, so the kept
    cursor is used directly, with what Django's wrapper adds that matters here: the broken
    transaction check and Django's database errors. When statements are logged (DEBUG, tests
    that count them) or an execute wrapper is installed, they go through Django's wrapper and
    are seen like any other query.
    """
    # The wrapper itself, not the `connection` proxy: every attribute read through the proxy
    # is a thread-local lookup, and this runs on every lookup.
    db = connections[DEFAULT_DB_ALIAS]
    postgres = db.vendor == "postgresql"
    watched = db.queries_logged or bool(db.execute_wrappers)
    if watched and not postgres:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    db.close_if_health_check_failed()  # as Django's own cursors do first (CONN_HEALTH_CHECKS)
    db.ensure_connection()
    raw = _kept_cursor(db, postgres)
    if watched:
        cursor = (_prepared_debug_wrapper_class()(raw, db) if db.queries_logged
                  else db.make_cursor(raw))
        # Not `with cursor`: leaving it would close the cursor kept for the next statement.
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        raw.execute(sql if postgres else _qmark(sql), params)
        return list(raw.fetchall())


def _kept_cursor(db: Any, postgres: bool) -> Any:
    """The connection's kept cursor; a new one for a new connection or after it was closed."""
    held: tuple[Any, Any] | None = getattr(db, "_fraudhub_prepared_cursor", None)
    if held is not None and held[0] is db.connection and not (postgres and held[1].closed):
        return held[1]
    with db.wrap_database_errors:
        raw = _prepared_cursor(db) if postgres else db.connection.cursor()
    db._fraudhub_prepared_cursor = (db.connection, raw)
    return raw


@lru_cache(maxsize=1024)
def _qmark(sql: str) -> str:
    """Django's conversion of a "format" statement ("%s", "%%") to sqlite3's "qmark" style."""
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return str(FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%"))


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
        # prepare_threshold is None), so this cursor always does. Results come in binary:
        # psycopg's C loaders read timestamps far cheaper than Django's Python text loader,
        # in the session's time zone, which Django sets to the connection's (UTC with USE_TZ).
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True, binary=True)

    return PreparedCursor


def limit_server_statements(*, statement_seconds: int, lock_seconds: int) -> None:
    """Make PostgreSQL cancel this process's statements that run or wait for a lock too long.

    For the web server's processes only, before they open their connections: a request stuck
    behind a lock held by a long import would otherwise keep its thread (one of a handful) for
    as long as the import runs. 0 leaves a limit off. No effect on SQLite, whose writers
    already wait at most `busy_timeout`.
    """
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "postgresql":
        return
    limits = [f"-c {name}={seconds * 1000}" for name, seconds in
              (("statement_timeout", statement_seconds), ("lock_timeout", lock_seconds))
              if seconds > 0]
    if not limits:
        return
    options = database.settings_dict.setdefault("OPTIONS", {})
    options["options"] = " ".join([options.get("options", ""), *limits]).strip()
    connections.close_all()
