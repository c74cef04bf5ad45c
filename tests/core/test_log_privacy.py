"""What the server's and the worker's log may not carry: e-mail addresses in full, API keys,
owners' appeal tokens, reporters' confirmation tokens."""

from __future__ import annotations

import datetime
import io
import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from gunicorn.config import Config

from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.reports import tasks
from fraudhub.reports.confirmation import report_confirm_token
from tests.cases.helpers import decide, file_report

pytestmark = pytest.mark.django_db


@contextmanager
def server_log() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes meanwhile."""
    # pytest's own capturing handlers are subclasses; the configured one is the plain class.
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "settings.LOGGING's console handler is not installed"
    out = io.StringIO()
    previous = [h.setStream(out) for h in handlers]
    try:
        yield out
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def test_a_refused_receipt_logs_the_reporter_s_address_masked(
    drain_jobs: Callable[[], int],
) -> None:
    def refused(subject: str, body: str, sender: Any, to: list[str]) -> int:
        raise smtplib.SMTPRecipientsRefused({to[0]: (550, b"5.1.1 no such user")})

    with mock.patch.object(tasks, "send_mail", refused):
        file_report(reporter_email="nguyen.van.an@example.org", language="en")
        with server_log() as log:
            drain_jobs()

    written = log.getvalue()
    assert "SMTPRecipientsRefused" in written  # the operator still learns what failed
    assert "n…@example.org" in written
    assert "nguyen.van.an" not in written


def test_a_refused_owner_appeal_does_not_log_its_token(reviewer_actor: Actor) -> None:
    filed = file_report(language="en")
    token = owner_appeal_token(decide(reviewer_actor, filed.report.case_id, "suspend", 14))

    with server_log() as log:
        answer = Client().post(f"/appeal/{token}", {"statement": "", "contact_email": ""})

    assert answer.status_code == 422
    written = log.getvalue()
    assert "/appeal/…" in written
    assert token not in written


def test_a_refused_confirmation_does_not_log_its_token(reviewer_actor: Actor) -> None:
    filed = file_report(language="en", reporter_email="lan@example.org")
    token = report_confirm_token(filed.report)
    decide(reviewer_actor, filed.report.case_id, "suspend", 14)

    with server_log() as log:
        answer = Client().post(f"/report/confirm/{token}")

    assert answer.status_code == 422
    written = log.getvalue()
    assert "/report/confirm/…" in written
    assert token not in written


def test_the_access_log_does_not_carry_appeal_tokens_or_api_keys() -> None:
    token = "eyJkZWNpc2lvbiI6N30:1vQx3k:abcDEF123_-"
    key = "fh_0a1b2c3d_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3c"
    request = mock.Mock(method="POST", path=f"/appeal/{token}", query="",
                        uri=f"/appeal/{token}", version=(1, 1),
                        headers=[("REFERER", f"https://fraudhub.example/appeal/{token}"),
                                 ("X-NOTE", key)])
    response = mock.Mock(status="422 Unprocessable Content", sent=10,
                         headers=[], response_length=10)
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"/appeal/{token}",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9",
               "QUERY_STRING": "", "PATH_INFO": f"/appeal/{token}"}
    # Imported here: without the fix the module has no such class, and the other tests run.
    from fraudhub.core.management.commands.serve import RedactingLogger

    atoms = RedactingLogger(Config()).atoms(response, request, environ,
                                            datetime.timedelta(seconds=0.01))

    written = " ".join(str(v) for v in atoms.values())
    assert "/appeal/…" in written
    assert token not in written
    assert key not in written and "fh_0a1b2c3d_…" in written
