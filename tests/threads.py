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
