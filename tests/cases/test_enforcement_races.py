"""Deliveries of one decision running at the same time (PostgreSQL: real concurrent clients)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from fraudhub.cases.models import Enforcement, EnforcementStatus
from fraudhub.cases.services.enforcement import enforcement_attempt
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.models import AuditEntry
from tests.cases.helpers import decide, file_report
from tests.threads import in_a_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 20.0


class HeldPlatform:
    """Holds its first request until `release` is set; answers `status`; records each request
    with how many others were under way when it arrived."""

    def __init__(self, status: int) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.requests: list[tuple[str, int]] = []
        self._under_way = 0
        self._lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with platform._lock:
                    platform.requests.append((body["action"], platform._under_way))
                    first = len(platform.requests) == 1
                    platform._under_way += 1
                try:
                    if first:
                        platform.arrived.set()
                        platform.release.wait(WAIT_SECONDS)
                    self.send_response(status)
                    self.end_headers()
                finally:
                    with platform._lock:
                        platform._under_way -= 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/enforcement"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HeldPlatform:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def held_platform(settings: Any) -> Iterator[HeldPlatform]:
    with HeldPlatform(status=503) as platform:
        settings.FRAUDHUB_PLATFORM_ADAPTER = "webhook"
        settings.FRAUDHUB_WEBHOOK_URL = platform.url
        settings.FRAUDHUB_WEBHOOK_SECRET = "whsec-test-1234567890"
        settings.FRAUDHUB_WEBHOOK_MAX_ATTEMPTS = 4
        settings.FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS = WAIT_SECONDS
        yield platform


def _retries_queued(enforcement: Enforcement) -> int:
    return DBTaskResult.objects.filter(
        status="READY", task_path="fraudhub.cases.tasks.deliver_enforcement",
        args_kwargs__kwargs__enforcement_id=enforcement.pk).count()


def test_two_jobs_delivering_one_order_at_once_send_it_once_and_count_one_attempt(
    held_platform: HeldPlatform, reviewer_actor: Actor,
) -> None:
    # A reclaimed job and its original (or two copies) running together: both sent the order,
    # both counted an attempt, and each queued its retry (two chains).
    decision = decide(reviewer_actor, file_report().report.case_id, "suspend", 14)
    enforcement = Enforcement.objects.get(decision=decision)
    DBTaskResult.objects.all().delete()  # the decision's own job: these two stand for it

    first: list[Any] = []
    sending = in_a_thread(lambda: enforcement_attempt(enforcement_id=enforcement.pk), first)
    assert held_platform.arrived.wait(WAIT_SECONDS)
    second = enforcement_attempt(enforcement_id=enforcement.pk)
    held_platform.release.set()
    sending.join(WAIT_SECONDS)

    assert isinstance(first[0], Enforcement) and isinstance(second, Enforcement), (first, second)
    assert held_platform.requests == [("apply", 0)]
    enforcement.refresh_from_db()
    assert (enforcement.status, enforcement.attempts) == (EnforcementStatus.RETRYING, 1)
    assert (enforcement.attempt_token, enforcement.in_flight_until) == ("", None)
    assert _retries_queued(enforcement) == 1
    assert AuditEntry.objects.filter(action="enforcement.attempt",
                                     object_id=str(enforcement.pk)).count() == 1
    assert audit_verify().ok


def test_a_revert_waits_for_an_apply_of_its_decision_already_under_way(
    settings: Any, reviewer_actor: Actor, senior_actor: Actor,
) -> None:
    # The apply's request is on its way when the decision is reversed on appeal: the revert
    # went out beside it, and the platform could act on the apply after the revert.
    from fraudhub.cases.services.appeals import (
        AppealDecisionInput,
        appeal_decide,
        appeal_file_by_owner_token,
    )
    from fraudhub.cases.services.claims import case_claim
    from fraudhub.cases.services.enforcement import owner_appeal_token

    with HeldPlatform(status=200) as platform:
        settings.FRAUDHUB_PLATFORM_ADAPTER = "webhook"
        settings.FRAUDHUB_WEBHOOK_URL = platform.url
        settings.FRAUDHUB_WEBHOOK_SECRET = "whsec-test-1234567890"
        settings.FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS = WAIT_SECONDS
        decision = decide(reviewer_actor, file_report().report.case_id, "suspend", 14)
        apply = Enforcement.objects.get(decision=decision)
        applied: list[Any] = []
        sending = in_a_thread(lambda: enforcement_attempt(enforcement_id=apply.pk), applied)
        assert platform.arrived.wait(WAIT_SECONDS)

        appeal = appeal_file_by_owner_token(
            actor=Actor.anonymous(ip="203.0.113.99"), token=owner_appeal_token(decision),
            statement="This is my shop's real page.")
        case_claim(actor=senior_actor, case_id=appeal.case_id)
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
            outcome="reversed", reasons="Impostor confirmed."))
        revert = Enforcement.objects.get(decision=decision, action="revert")
        enforcement_attempt(enforcement_id=revert.pk)  # its job, while the apply is under way
        assert platform.requests == [("apply", 0)]

        platform.release.set()
        sending.join(WAIT_SECONDS)
        revert.refresh_from_db()
        assert revert.status == EnforcementStatus.PENDING
        assert revert.next_attempt_at is not None
        assert _retries_queued(revert) == 2  # the reversal's own job and the postponed one
        Enforcement.objects.filter(pk=revert.pk).update(next_attempt_at=None)  # time passes
        enforcement_attempt(enforcement_id=revert.pk)

    assert isinstance(applied[0], Enforcement), applied
    assert platform.requests == [("apply", 0), ("revert", 0)]
    revert.refresh_from_db()
    assert revert.status == EnforcementStatus.DELIVERED
    assert AuditEntry.objects.filter(action="enforcement.postpone",
                                     object_id=str(revert.pk)).count() == 1
    assert audit_verify().ok
