"""The server's warm-up: what it builds before the fork, and that it needs no database."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from io import StringIO
from typing import Any

from fraudhub.core.warmup import process_warm_up

# In a fresh process: how many objects the collector tracks that the first lookups, scan and
# URL resolution create, once the process is warmed up (or not) and its heap frozen, as
# `fraudhub serve` does before it forks.
_FIRST_REQUESTS_OBJECTS = textwrap.dedent("""
    import gc, os, sys
    import django
    django.setup()
    from fraudhub.core.warmup import process_warm_up
    if sys.argv[1] == "warm":
        process_warm_up()
    gc.collect()
    gc.freeze()
    from django.urls import resolve
    from fraudhub.indicators.extract import extract
    from fraudhub.indicators.lookup import read_query
    resolve("/api/v1/lookup")
    resolve("/check/")
    for raw in ("0987 654 321", "hxxps://lua-dao[.]top/kyc", "STK 1234567890 Techcombank",
                "tiktok.com/@lua.dao", "lua.dao@gmail.com", "lua-dao.xyz"):
        read_query(raw, None)
    extract("Goi 0987.654.321, STK 1234567890 ACB, link https://lua-dao.top/otp")
    gc.collect()
    print(len(gc.get_objects()))
""")


def _objects_built_by_first_requests(mode: str) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fraudhub.settings",
           "FRAUDHUB_SECRET_KEY": "warm-up-test-" + "x" * 40}
    done = subprocess.run([sys.executable, "-c", _FIRST_REQUESTS_OBJECTS, mode], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return int(done.stdout.strip().splitlines()[-1])


def test_a_warmed_up_process_builds_almost_nothing_on_its_first_requests() -> None:
    cold = _objects_built_by_first_requests("cold")
    warm = _objects_built_by_first_requests("warm")
    # Cold, the first requests import the view modules and build the suffix trie and the
    # patterns: tens of thousands of objects that each forked process would own and walk.
    assert cold > 20_000
    assert warm < 1_000


def test_warm_up_runs_each_app_that_has_one_without_the_database() -> None:
    # No django_db mark: pytest-django fails any query this would make.
    assert process_warm_up() == ["indicators"]


def test_serve_warms_up_before_it_freezes_the_heap_and_forks(monkeypatch: Any) -> None:
    from django.core.management import call_command
    from gunicorn.app.base import BaseApplication

    from fraudhub.core.management.commands import serve

    events: list[str] = []

    def warm_up() -> list[str]:
        events.append("warm-up")
        return []

    monkeypatch.setattr(serve, "process_warm_up", warm_up)
    monkeypatch.setattr(BaseApplication, "run",
                        lambda self: events.append(f"run, {gc.get_freeze_count()} frozen"))
    threshold = gc.get_threshold()
    try:
        call_command("serve", "--port", "0", "--no-reuse-port", stdout=StringIO())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert len(events) == 2 and events[0] == "warm-up"
    assert events[1].startswith("run, ") and not events[1].startswith("run, 0 ")
