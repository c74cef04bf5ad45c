"""The webhook adapter against a real HTTP server on 127.0.0.1 that fails the first attempts."""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from fraudhub.cases.adapters import (
    RETRY_AFTER_MAX_SECONDS,
    WebhookAdapter,
    parse_retry_after,
    verify_signature,
)
from fraudhub.cases.models import Enforcement, EnforcementStatus, PlatformStatus, Target
from fraudhub.cases.services.enforcement import enforcement_retry
from fraudhub.core.actors import Actor
from fraudhub.core.errors import Conflict
from tests.cases.helpers import decide, file_report
from tests.conftest import run_due_jobs

pytestmark = pytest.mark.django_db
SECRET = "whsec-test-1234567890"


class PlatformStub:
    """Answers 503 to the first `failures` requests, then `final_status`; records everything."""

    def __init__(self, failures: int, final_status: int = 200, failure_status: int = 503,
                 retry_after: str | None = None) -> None:
        self.failures = failures
        self.final_status = final_status
        self.failure_status = failure_status
        self.retry_after = retry_after
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                failing = len(stub.requests) <= stub.failures
                self.send_response(stub.failure_status if failing else stub.final_status)
                if failing and stub.retry_after is not None:
                    self.send_header("Retry-After", stub.retry_after)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/fraudhub/enforcement"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PlatformStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_settings(settings: Any) -> Callable[[str], None]:
    def configure(url: str) -> None:
        settings.FRAUDHUB_PLATFORM_ADAPTER = "webhook"
        settings.FRAUDHUB_WEBHOOK_URL = url
        settings.FRAUDHUB_WEBHOOK_SECRET = SECRET
        settings.FRAUDHUB_WEBHOOK_MAX_ATTEMPTS = 4
        settings.FRAUDHUB_WEBHOOK_BACKOFF_SECONDS = 30
        settings.FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS = 5

    return configure


def _make_due() -> None:
    """Pretend the back-off has passed: move every waiting job's run_after, and the time its
    order's next attempt is due, into the past."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(1))
    Enforcement.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def suspended_case(reviewer_actor: Actor) -> Iterator[Callable[[], Enforcement]]:
    def make() -> Enforcement:
        filed = file_report()
        decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
        return Enforcement.objects.get(decision=decision)

    yield make


def test_delivery_is_retried_with_backoff_until_it_succeeds(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int],
) -> None:
    with PlatformStub(failures=2) as platform:
        webhook_settings(platform.url)
        enforcement = suspended_case()

        drain_jobs()
        enforcement.refresh_from_db()
        assert enforcement.status == EnforcementStatus.RETRYING
        assert enforcement.attempts == 1
        assert enforcement.next_attempt_at is not None
        first_delay = (enforcement.next_attempt_at - timezone.now()).total_seconds()
        assert 20 < first_delay <= 30
        drain_jobs()  # the retry is not due yet: nothing is sent
        assert len(platform.requests) == 1

        _make_due()
        drain_jobs()
        enforcement.refresh_from_db()
        assert enforcement.attempts == 2
        assert enforcement.next_attempt_at is not None
        second_delay = (enforcement.next_attempt_at - timezone.now()).total_seconds()
        assert 50 < second_delay <= 60  # doubled

        _make_due()
        drain_jobs()
        enforcement.refresh_from_db()
        assert enforcement.status == EnforcementStatus.DELIVERED
        assert enforcement.attempts == 3

    assert len(platform.requests) == 3
    keys = {r["headers"]["idempotency-key"] for r in platform.requests}
    assert keys == {enforcement.idempotency_key}
    last = platform.requests[-1]
    assert verify_signature(secret=SECRET, header=last["headers"]["x-fraudhub-signature"],
                            body=last["body"])
    assert not verify_signature(secret="wrong", header=last["headers"]["x-fraudhub-signature"],
                                body=last["body"])
    assert not verify_signature(secret=SECRET, header=last["headers"]["x-fraudhub-signature"],
                                body=last["body"] + b" ")
    order = json.loads(last["body"])
    assert order["action"] == "apply" and order["outcome"] == "suspend"
    assert order["target"]["value"] == "facebook:100012345678"
    assert order["statement_of_reasons"]["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    target = Target.objects.get(pk=enforcement.decision.case.target_id)
    assert target.platform_status == PlatformStatus.SUSPENDED


def test_delivery_is_given_up_and_flagged_after_max_attempts_then_retried_by_an_operator(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int], reviewer_actor: Actor,
) -> None:
    with PlatformStub(failures=100) as platform:
        webhook_settings(platform.url)
        enforcement = suspended_case()
        for _ in range(6):
            drain_jobs()
            _make_due()
        enforcement.refresh_from_db()
        assert enforcement.status == EnforcementStatus.GIVEN_UP
        assert enforcement.flagged is True
        assert enforcement.attempts == 4
        assert "503" in enforcement.last_error
        assert len(platform.requests) == 4
        target = Target.objects.get(pk=enforcement.decision.case.target_id)
        assert target.platform_status == PlatformStatus.ACTIVE  # never confirmed

        platform.failures = 0
        enforcement_retry(actor=reviewer_actor, enforcement_id=enforcement.pk)
        with pytest.raises(Conflict):
            enforcement_retry(actor=reviewer_actor, enforcement_id=enforcement.pk)
        drain_jobs()
        enforcement.refresh_from_db()
        assert enforcement.status == EnforcementStatus.DELIVERED
        assert not enforcement.flagged


@pytest.mark.parametrize(("status", "retry_after", "low", "high"), [
    (429, "600", 590, 600),        # longer than the back-off's 30 s: the platform's wait
    (503, "5", 20, 30),            # shorter: the back-off's
    (429, "not a delay", 20, 30),  # unreadable: ignored
    (503, "99999999", 6 * 3600 - 10, 6 * 3600),  # capped
])
def test_a_retry_after_longer_than_the_backoff_is_waited_for(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int], status: int, retry_after: str, low: int, high: int,
) -> None:
    """A platform that answers 429 or 503 with Retry-After is not asked again sooner (it was
    retried after 30 s, 60 s, ... and given up while it still asked us to wait)."""
    with PlatformStub(failures=1, failure_status=status, retry_after=retry_after) as platform:
        webhook_settings(platform.url)
        enforcement = suspended_case()
        drain_jobs()
        enforcement.refresh_from_db()
        assert enforcement.status == EnforcementStatus.RETRYING
        assert enforcement.next_attempt_at is not None
        delay = (enforcement.next_attempt_at - timezone.now()).total_seconds()
        assert low < delay <= high
        drain_jobs()
        assert len(platform.requests) == 1  # the retry waits for its time
        _make_due()
        drain_jobs()
        enforcement.refresh_from_db()
        assert enforcement.status == EnforcementStatus.DELIVERED


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = 1_800_000_000.0
    in_90_s = email.utils.formatdate(now + 90, usegmt=True)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after(f" {in_90_s} ", now=now) == 90
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now=now) is None
    assert parse_retry_after("99999999999999999999", now=now) == RETRY_AFTER_MAX_SECONDS
    for ignored in (None, "", "0", "-5", "1.5", "soon", "\u0661\u0662\u0660", "Mon, 99 Foo"):
        assert parse_retry_after(ignored, now=now) is None, ignored


def test_a_client_error_is_not_retried(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int],
) -> None:
    with PlatformStub(failures=0, final_status=400) as platform:
        webhook_settings(platform.url)
        enforcement = suspended_case()
        drain_jobs()
        _make_due()
        drain_jobs()
    enforcement.refresh_from_db()
    assert enforcement.status == EnforcementStatus.GIVEN_UP
    assert len(platform.requests) == 1


def test_unreachable_platform_is_retryable() -> None:
    adapter = WebhookAdapter(url="http://127.0.0.1:9/nothing", secret=SECRET, timeout=2)
    result = adapter.deliver(order={"action": "apply"}, idempotency_key="k")
    assert not result.ok and result.retryable


class _RawServer:
    """Answers every connection with `reply` (bytes, not necessarily HTTP); records requests."""

    def __init__(self, reply: bytes) -> None:
        import socket

        self.reply = reply
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                self.requests.append(conn.recv(65536))
                conn.sendall(self.reply)

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("reply", [b"HELLO this is not http\r\n\r\n",
                                   b"\x00\x01garbage not http\r\n\r\n"])
def test_an_answer_that_is_not_http_is_retryable_and_described_in_text(reply: bytes) -> None:
    server = _RawServer(reply)
    try:
        result = WebhookAdapter(url=server.url, secret=SECRET, timeout=2).deliver(
            order={"action": "apply"}, idempotency_key="k")
    finally:
        server.close()
    assert (result.ok, result.retryable) == (False, True)
    assert "\x00" not in result.detail


def test_a_redirect_is_not_followed_and_is_not_a_delivery() -> None:
    server = _RawServer(b"HTTP/1.1 302 Found\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n")
    try:
        result = WebhookAdapter(url=server.url, secret=SECRET, timeout=2).deliver(
            order={"action": "apply"}, idempotency_key="k")
    finally:
        server.close()
    assert (result.ok, result.retryable, result.detail) == (False, False, "HTTP 302")
    assert [r.split(b" ", 1)[0] for r in server.requests] == [b"POST"]  # no GET /landing


class _DripServer:
    """Accepts the order, then sends a status line and headers one byte at a time, for ever."""

    def __init__(self, interval: float) -> None:
        import socket

        self.interval = interval
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _addr = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            drip = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000
            for byte in drip:
                if self.stopped.wait(self.interval):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


def test_a_platform_answering_a_byte_at_a_time_is_cut_off_at_the_timeout() -> None:
    # Each byte arrives well within the timeout, so only a limit on the whole exchange ends it.
    server = _DripServer(interval=0.2)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(
        WebhookAdapter(url=server.url, secret=SECRET, timeout=1).deliver(
            order={"action": "apply"}, idempotency_key="k")), daemon=True)
    try:
        worker.start()
        worker.join(timeout=10)
    finally:
        server.close()
    assert not worker.is_alive(), "the delivery was still waiting 10 s after a 1 s timeout"
    [result] = results
    assert (result.ok, result.retryable) == (False, True)
    assert result.detail == "no complete answer within 1 s"


def test_https_to_a_server_that_does_not_speak_tls_is_a_retryable_failure() -> None:
    server = _RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    try:
        result = WebhookAdapter(url=server.url.replace("http://", "https://"), secret=SECRET,
                                timeout=2).deliver(order={"action": "apply"}, idempotency_key="k")
    finally:
        server.close()
    assert (result.ok, result.retryable) == (False, True)
    assert "SSL" in result.detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://platform.example/hook",
                                 "http:///no-host"])
def test_a_webhook_address_that_is_not_http_is_a_configuration_error(url: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r"http:// or https://"):
        WebhookAdapter(url=url, secret=SECRET)


def test_the_query_string_of_the_webhook_address_is_sent() -> None:
    server = _RawServer(b"HTTP/1.1 204 No Content\r\n\r\n")
    try:
        result = WebhookAdapter(url=server.url + "?tenant=vn", secret=SECRET, timeout=2).deliver(
            order={"action": "apply"}, idempotency_key="k")
    finally:
        server.close()
    assert (result.ok, result.detail) == (True, "HTTP 204")
    assert server.requests[0].startswith(b"POST /hook?tenant=vn HTTP/1.1\r\n")


@pytest.mark.parametrize(("url", "secret"), [("", SECRET), ("https://platform.example/h", ""),
                                            ("file:///etc/passwd", SECRET)])
def test_fraudhub_check_refuses_a_webhook_adapter_it_cannot_build(
        settings: Any, url: str, secret: str) -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.FRAUDHUB_PLATFORM_ADAPTER = "webhook"
    settings.FRAUDHUB_WEBHOOK_URL = url
    settings.FRAUDHUB_WEBHOOK_SECRET = secret
    with pytest.raises(SystemCheckError, match=r"fraudhub\.cases\.E001"):
        call_command("check")


def test_fraudhub_check_accepts_a_complete_webhook_configuration(settings: Any) -> None:
    from django.core.management import call_command

    settings.FRAUDHUB_PLATFORM_ADAPTER = "webhook"
    settings.FRAUDHUB_WEBHOOK_URL = "https://platform.example/fraudhub"
    settings.FRAUDHUB_WEBHOOK_SECRET = SECRET
    call_command("check")  # raises SystemCheckError on any error


def test_an_apply_still_retrying_when_its_decision_is_reversed_is_never_sent_after_the_revert(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int], senior_actor: Actor,
) -> None:
    # The platform is down when the suspension is decided; the owner's appeal is upheld
    # (decision reversed) before it comes back. The revert goes out at once; the apply, still
    # waiting for its retry, must not follow it and suspend an account cleared on appeal.
    from fraudhub.cases.services.appeals import (
        AppealDecisionInput,
        appeal_decide,
        appeal_file_by_owner_token,
    )
    from fraudhub.cases.services.claims import case_claim
    from fraudhub.cases.services.enforcement import owner_appeal_token

    with PlatformStub(failures=1) as platform:
        webhook_settings(platform.url)
        apply = suspended_case()
        drain_jobs()
        apply.refresh_from_db()
        assert apply.status == EnforcementStatus.RETRYING

        appeal = appeal_file_by_owner_token(
            actor=Actor.anonymous(ip="203.0.113.99"), token=owner_appeal_token(apply.decision),
            statement="This is my shop's real page.")
        case_claim(actor=senior_actor, case_id=appeal.case_id)
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
            outcome="reversed", reasons="Impostor confirmed."))
        for _ in range(3):
            drain_jobs()
            _make_due()
        drain_jobs()

    sent = [json.loads(r["body"])["action"] for r in platform.requests]
    assert sent == ["apply", "revert"]
    apply.refresh_from_db()
    assert apply.status == EnforcementStatus.CANCELLED
    assert not apply.flagged
    target = Target.objects.get(pk=apply.decision.case.target_id)
    assert target.platform_status == PlatformStatus.ACTIVE


def _run_jobs_allowing_failures() -> list[str]:
    """Run the due jobs as `fraudhub worker` would; the task paths of those that failed."""
    from django_tasks_db.models import DBTaskResult

    run_due_jobs()
    return list(DBTaskResult.objects.filter(status="FAILED").values_list("task_path", flat=True))


def _queued_deliveries(enforcement: Enforcement) -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status="READY", task_path="fraudhub.cases.tasks.deliver_enforcement",
        args_kwargs__kwargs__enforcement_id=enforcement.pk).count()


def test_a_webhook_adapter_without_its_address_gives_the_delivery_up_flagged(
    settings: Any, suspended_case: Callable[[], Enforcement], drain_jobs: Callable[[], int],
) -> None:
    # The job raised ImproperlyConfigured and failed: the order stayed `pending`, unflagged,
    # with nothing left to send it.
    settings.FRAUDHUB_PLATFORM_ADAPTER = "webhook"
    settings.FRAUDHUB_WEBHOOK_URL = ""
    settings.FRAUDHUB_WEBHOOK_SECRET = SECRET
    enforcement = suspended_case()

    drain_jobs()  # fails the test when a job fails

    enforcement.refresh_from_db()
    assert enforcement.status == EnforcementStatus.GIVEN_UP
    assert enforcement.flagged is True
    assert "FRAUDHUB_WEBHOOK_URL" in enforcement.last_error


def test_a_delivery_whose_job_failed_after_sending_is_sent_again_by_housekeeping(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int],
) -> None:
    """The database fails after the platform accepted the order: the job fails, and the
    order stayed `pending` for ever, unflagged, with no job left to deliver it."""
    from unittest import mock

    from django.db import OperationalError
    from django_tasks_db.models import DBTaskResult

    from fraudhub.cases.services import enforcement as enforcement_service
    from fraudhub.core.housekeeping import run_housekeeping
    from fraudhub.core.models import AuditEntry

    with PlatformStub(failures=0) as platform:
        webhook_settings(platform.url)
        enforcement = suspended_case()
        with mock.patch.object(enforcement_service, "_refresh_target_status",
                               side_effect=OperationalError("server closed the connection")):
            failed = _run_jobs_allowing_failures()
        assert failed == ["fraudhub.cases.tasks.deliver_enforcement"]
        DBTaskResult.objects.filter(status="FAILED").delete()  # seen (drain_jobs fails on it)
        enforcement.refresh_from_db()
        assert (enforcement.status, len(platform.requests)) == (EnforcementStatus.PENDING, 1)

        run_housekeeping()  # not overdue yet: left alone
        assert _queued_deliveries(enforcement) == 0
        an_hour_ago = timezone.now() - timedelta(hours=1)  # its attempt's hold has passed too
        Enforcement.objects.filter(pk=enforcement.pk).update(
            created_at=an_hour_ago, in_flight_until=an_hour_ago)
        run_housekeeping()
        enforcement.refresh_from_db()
        assert enforcement.flagged is True  # reviewers see it until it is delivered
        assert _queued_deliveries(enforcement) == 1
        run_housekeeping()  # its new job is queued: not queued twice
        assert _queued_deliveries(enforcement) == 1

        drain_jobs()

    enforcement.refresh_from_db()
    assert (enforcement.status, enforcement.flagged) == (EnforcementStatus.DELIVERED, False)
    assert {r["headers"]["idempotency-key"] for r in platform.requests} == {
        enforcement.idempotency_key}
    assert AuditEntry.objects.filter(action="enforcement.requeue",
                                     object_id=str(enforcement.pk)).count() == 1
    target = Target.objects.get(pk=enforcement.decision.case.target_id)
    assert target.platform_status == PlatformStatus.SUSPENDED


def test_a_delivery_whose_job_keeps_failing_is_given_up_flagged_by_housekeeping(
    settings: Any, suspended_case: Callable[[], Enforcement],
) -> None:
    from django_tasks_db.models import DBTaskResult

    from fraudhub.core.housekeeping import run_housekeeping

    settings.FRAUDHUB_WEBHOOK_MAX_ATTEMPTS = 2
    enforcement = suspended_case()
    for _ in range(3):  # its job lost each time (deleted: nothing will ever run it)
        DBTaskResult.objects.filter(task_path="fraudhub.cases.tasks.deliver_enforcement").delete()
        Enforcement.objects.filter(pk=enforcement.pk).update(
            created_at=timezone.now() - timedelta(hours=1),
            next_attempt_at=timezone.now() - timedelta(hours=1))
        run_housekeeping()

    enforcement.refresh_from_db()
    assert (enforcement.status, enforcement.flagged) == (EnforcementStatus.GIVEN_UP, True)
    assert enforcement.attempts == 2
    assert _queued_deliveries(enforcement) == 0


def test_a_second_job_for_a_delivery_waiting_for_its_retry_sends_nothing(
    webhook_settings: Callable[[str], None], suspended_case: Callable[[], Enforcement],
    drain_jobs: Callable[[], int],
) -> None:
    """A reclaimed job run besides its original (or twice): it sent the order again at once,
    counted a second attempt and queued a second retry chain (given up twice as early)."""
    from django.db import transaction

    from fraudhub.cases.tasks import deliver_enforcement
    from fraudhub.core.jobs import enqueue

    with PlatformStub(failures=10) as platform:
        webhook_settings(platform.url)
        enforcement = suspended_case()
        drain_jobs()
        with transaction.atomic():
            enqueue(deliver_enforcement, enforcement_id=enforcement.pk)
        drain_jobs()

        enforcement.refresh_from_db()
        assert (enforcement.status, enforcement.attempts) == (EnforcementStatus.RETRYING, 1)
        assert len(platform.requests) == 1
        assert _queued_deliveries(enforcement) == 1
