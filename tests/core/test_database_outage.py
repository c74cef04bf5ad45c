"""A real server on PostgreSQL when its connections are dropped or its statements are stuck."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.core.test_cli import _env, _serve

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="PostgreSQL only: SQLite has no server to drop connections "
                              "and no statement_timeout / lock_timeout"),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    return (f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def _admin() -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                           user=db["USER"] or "postgres", dbname=db["NAME"], autocommit=True)


def _call(port: int, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read()), answer.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


REPORT = {"target_kind": "phone", "target": "0912 345 678", "fraud_type": "investment_stock_crypto",
          "description": "Gọi giả ngân hàng, đòi mã OTP.", "good_faith": True}


def test_requests_after_the_server_dropped_every_connection_are_answered(
    tmp_path: Path,
) -> None:
    # One process of one thread: the next request surely reuses the connection just dropped.
    server, port = _serve(_env(tmp_path, DATABASE_URL=_database_url()), "--threads", "1")
    try:
        assert _call(port, "/api/v1/lookup?value=0912345678")[0] == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [test_pid] = cursor.fetchone() or (None,)
        with _admin() as admin:  # every connection but the test's and this one: the server's
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                [test_pid]).fetchone()
        assert dropped is not None and dropped[0] >= 1

        assert _call(port, "/api/v1/lookup?value=0912345678")[0] == 200
        assert _call(port, "/healthz")[:2] == (200, {"status": "ok"})
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_request_stuck_behind_a_lock_is_answered_503_and_the_next_one_works(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path, DATABASE_URL=_database_url(), FRAUDHUB_DB_LOCK_TIMEOUT_SECONDS="1",
               FRAUDHUB_INTAKE_RATE_LIMIT="1000")
    server, port = _serve(env, "--threads", "2")
    try:
        with _admin() as holder:
            # What a long import or a migration does to the table every report is stored in
            # when it is accepted (reports/inbox.py).
            holder.autocommit = False
            holder.execute("LOCK TABLE reports_pendingreport IN ACCESS EXCLUSIVE MODE")
            answers: list[tuple[int, Any, Any]] = []
            caller = threading.Thread(target=lambda: answers.append(
                _call(port, "/api/v1/reports", REPORT)))
            caller.start()
            caller.join(timeout=20)
            holder.rollback()
        assert not caller.is_alive()
        [(status, body, headers)] = answers
        assert (status, body["code"], headers["Retry-After"]) == (503, "database_unavailable",
                                                                   "5")
        assert _call(port, "/api/v1/reports", REPORT)[0] == 201
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_command_line_keeps_no_statement_limit() -> None:
    # Imports and exports of millions of rows run in the CLI's process: limits are the server's.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)
