"""Running database work in another thread, as a second client would (PostgreSQL race tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def in_a_thread(work: Callable[[], Any], results: list[Any]) -> threading.Thread:
    """Start `work` in a thread of its own (its own connection); its result or exception is
    appended to `results`, for the test's assertions to show."""

    def run() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # the assertions on `results` show it
            results.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def second_connection(*, autocommit: bool = False) -> Any:
    """A psycopg connection of its own to the test database (PostgreSQL): another client."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None,
                           user=settings["USER"], password=settings["PASSWORD"] or None,
                           dbname=settings["NAME"], autocommit=autocommit)


def lock_waits() -> int:
    """How many sessions of the test database wait for a lock now (PostgreSQL), seen from a
    connection of its own."""
    with second_connection(autocommit=True) as probe:
        row = probe.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
        return int(row[0]) if row else 0


def wait_for_a_lock_wait(*, what: str, seconds: float = 20.0) -> None:
    """Until some session waits for a lock; fails naming `what` after `seconds`."""
    import time

    deadline = time.monotonic() + seconds
    while not lock_waits():
        assert time.monotonic() < deadline, f"{what} never waited for a lock"
        time.sleep(0.01)
