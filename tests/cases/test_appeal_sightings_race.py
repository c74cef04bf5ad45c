"""A decision reversed on appeal while its reports' sightings are being recorded (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from fraudhub.cases.models import Appeal, AppealStatus
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.indicators import feeds
from fraudhub.reports import tasks
from fraudhub.reports.models import Report
from tests.cases.helpers import decide, file_report
from tests.threads import in_a_thread, wait_for_a_lock_wait

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 20.0


def test_a_reversal_while_the_sightings_are_recorded_neither_deadlocks_nor_fails(
        reviewer_actor: Actor, senior_actor: Actor) -> None:
    filed = file_report(description="Gọi 0912 345 678, chuyển vào STK 0071000123456 VCB.")
    decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(),
                                        token=owner_appeal_token(decision), statement="Not me.")
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    assert Report.objects.get(pk=filed.report.pk).indicators_recorded_at is None
    reports_held = threading.Event()
    reversal_waits = threading.Event()
    observe = feeds.indicators_observe_many

    def observe_once_the_reversal_waits(**kwargs: Any) -> Any:
        reports_held.set()  # the sightings job holds the report now, not its indicators yet
        reversal_waits.wait(WAIT_SECONDS)
        return observe(**kwargs)

    recorded: list[Any] = []
    decided: list[Any] = []
    with mock.patch.object(feeds, "indicators_observe_many", observe_once_the_reversal_waits):
        recording = in_a_thread(
            lambda: tasks.record_reports_indicators.func(report_ids=[filed.report.pk]),
            recorded)
        assert reports_held.wait(WAIT_SECONDS)
        reversing = in_a_thread(lambda: appeal_decide(
            actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
                outcome="reversed", reasons="The page belongs to the shop itself.")), decided)
        wait_for_a_lock_wait(what="the reversal")
        reversal_waits.set()
        recording.join(WAIT_SECONDS)
        reversing.join(WAIT_SECONDS)

    assert recorded == [1]
    assert len(decided) == 1 and isinstance(decided[0], Appeal), decided
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REVERSED
    assert Report.objects.get(pk=filed.report.pk).indicators_recorded_at is not None
    assert audit_verify().ok
