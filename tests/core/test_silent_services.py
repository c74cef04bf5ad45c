"""Services that accept a connection and never answer: each wait is bounded by a setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend
from django.db import OperationalError
from django.db.backends.postgresql.base import DatabaseWrapper

SLOWEST_SECONDS = 6.0


def test_the_default_settings_bound_both_waits() -> None:
    # The settings as a PostgreSQL deployment reads them, whichever database runs the tests.
    read = subprocess.run(
        [sys.executable, "-c", "import json, fraudhub.settings as s; print(json.dumps("
         "[s.DATABASES['default']['OPTIONS'], s.EMAIL_TIMEOUT]))"],
        env={**os.environ, "DATABASE_URL": "postgres://u@db.example:5432/fraudhub",
             "FRAUDHUB_SECRET_KEY": "k" * 50},
        capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(read.stdout) == [{"connect_timeout": 5}, 20]


def test_a_silent_smtp_server_fails_the_send_in_time(silent_port: int, settings: Any) -> None:
    settings.EMAIL_TIMEOUT = 1
    backend = EmailBackend(host="127.0.0.1", port=silent_port, fail_silently=False)
    started = time.monotonic()
    with pytest.raises((TimeoutError, OSError)):
        mail.send_mail("s", "b", "a@example.org", ["b@example.org"], connection=backend)
    assert time.monotonic() - started < SLOWEST_SECONDS


@pytest.mark.django_db
def test_a_silent_postgresql_server_fails_the_connection_in_time(silent_port: int) -> None:
    wrapper = DatabaseWrapper({
        **settings.DATABASES["default"], "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1", "PORT": silent_port, "NAME": "x", "USER": "x", "PASSWORD": "",
        "OPTIONS": {"connect_timeout": 1}, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TIME_ZONE": None, "TEST": {}},
        alias="silent")
    started = time.monotonic()
    with pytest.raises(OperationalError, match=r"timeout|timed out"):
        wrapper.ensure_connection()
    assert time.monotonic() - started < SLOWEST_SECONDS
