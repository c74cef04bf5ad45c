"""A report filed while its reporter is being marked as acting in bad faith (PostgreSQL).

The marking locks the reporter, then the reporter's reports and cases. Filing once took the
case first and met the reporter only at its report's foreign key: the two deadlocked (500), and
a report counted before the marking committed stayed live after it. Here a second connection
plays the marking step by step, so the order of the locks is exact, not left to chance.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from fraudhub.cases.models import Case
from fraudhub.core.actors import Actor
from fraudhub.reports.filing import FiledReport
from fraudhub.reports.models import PENDING_REPORT_STATUSES, Report, ReportStatus
from fraudhub.reports.services import ReportInput, report_create
from tests.threads import in_a_thread, second_connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _filed_while_the_reporter_waits(settings: Any) -> None:
    """These tests are about filing during the request (FRAUDHUB_INTAKE_DEFERRED off)."""
    settings.FRAUDHUB_INTAKE_DEFERRED = False


WAIT_SECONDS = 20.0
EMAIL = "often@example.org"


def _input() -> ReportInput:
    return ReportInput(target_kind="account", target="https://www.facebook.com/profile.php?id=1001",
                       platform="facebook", fraud_type="investment_stock_crypto",
                       good_faith=True, reporter_email=EMAIL,
                       description="Mời đầu tư tiền ảo, chuyển vào STK 0071000123456 VCB.")


def _file_in_a_thread(results: list[Any]) -> threading.Thread:
    return in_a_thread(lambda: report_create(actor=Actor.anonymous(ip="203.0.113.9"),
                                             data=_input()), results)


def _wait_for_a_lock_wait(marking: psycopg.Connection[Any]) -> None:
    """Until some session waits for a lock (the filing, behind the marking)."""
    deadline = time.monotonic() + WAIT_SECONDS
    with psycopg.connect(marking.info.dsn, autocommit=True) as probe:
        waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
        while not (probe.execute(waiting).fetchone() or (0,))[0]:
            assert time.monotonic() < deadline, "the filing never waited for the marking"
            time.sleep(0.01)


def test_a_filing_waits_for_a_marking_in_progress_and_files_the_report_as_suspended() -> None:
    first = report_create(actor=Actor.anonymous(ip="203.0.113.9"), data=_input())
    reporter_id, case_id = first.report.reporter_id, first.report.case_id
    assert reporter_id is not None and case_id is not None
    results: list[Any] = []
    with second_connection() as marking:
        marking.execute("SET lock_timeout = '10s'")
        # The marking's steps, in its order: the reporter, its pending reports, their cases.
        marking.execute("SELECT id FROM reports_reporter WHERE id = %s FOR UPDATE", [reporter_id])
        marking.execute("UPDATE reports_reporter SET bad_faith_until = %s WHERE id = %s",
                        [timezone.now() + timedelta(days=30), reporter_id])
        filing = _file_in_a_thread(results)
        _wait_for_a_lock_wait(marking)
        marking.execute("SELECT id FROM reports_report WHERE reporter_id = %s FOR UPDATE",
                        [reporter_id])
        # Before the fix the filing held this case here and waited for the reporter: deadlock.
        marking.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", [case_id])
        marking.execute("UPDATE reports_report SET status = %s WHERE reporter_id = %s",
                        [ReportStatus.CLOSED_BAD_FAITH, reporter_id])
        marking.commit()
    filing.join(WAIT_SECONDS)

    assert len(results) == 1 and isinstance(results[0], FiledReport), results
    second = Report.objects.get(pk=results[0].report.pk)
    assert second.status == ReportStatus.SUSPENDED
    assert not Report.objects.filter(reporter_id=reporter_id,
                                     status__in=PENDING_REPORT_STATUSES).exists()
    assert Case.objects.get(pk=case_id).report_count == 1  # the suspended one is not counted
