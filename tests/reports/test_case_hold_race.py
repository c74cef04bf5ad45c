"""Filings hold their cases only at the end of their transaction (PostgreSQL).

A filing finds its target's open case without locking it, writes its reports, and only then
locks the case to count them in. Two races follow from that, each played here in a fixed order
with a second thread: a decision committed in between (the report must go to a new case, not
into the decided one), and two filings by the same reporter (the reporter counted once).
"""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from fraudhub.cases.models import OPEN_CASE_STATUSES, Case, CaseStatus
from fraudhub.core.actors import Actor
from fraudhub.reports import filing
from fraudhub.reports.models import Report
from fraudhub.reports.services import ReportInput
from tests.cases.helpers import decide
from tests.threads import in_a_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]

TARGET = "https://www.facebook.com/profile.php?id=100077700001"
WAIT_SECONDS = 20.0


def _submission(ip: str, target: str = TARGET) -> filing.Submission:
    from fraudhub.reports.services import report_prepare

    data = ReportInput(target_kind="account", target=target, platform="facebook",
                       fraud_type="investment_stock_crypto", good_faith=True,
                       description="Mời đầu tư tiền ảo, chuyển vào STK 0071000123456 VCB.")
    return filing.Submission(actor=Actor.anonymous(ip=ip), item=report_prepare(data=data))


def test_a_case_decided_after_the_filing_found_it_gets_no_more_reports(
    reviewer_actor: Actor,
) -> None:
    [first] = filing.submissions_file(submissions=[_submission("203.0.113.1")])
    decided_case_id = first.report.case_id
    assert decided_case_id is not None
    original_insert = filing._insert_reports
    decisions: list[Any] = []

    def insert_after_a_decision(reports: list[Report]) -> None:
        # The filing has found the case open; a reviewer decides it now, and commits.
        if not decisions:
            in_a_thread(lambda: decide(reviewer_actor, decided_case_id),
                         decisions).join(WAIT_SECONDS)
        original_insert(reports)

    with mock.patch.object(filing, "_insert_reports", insert_after_a_decision):
        [second] = filing.submissions_file(submissions=[_submission("203.0.113.2")])

    assert len(decisions) == 1 and not isinstance(decisions[0], BaseException), decisions
    decided = Case.objects.get(pk=decided_case_id)
    assert decided.status == CaseStatus.DECIDED
    assert decided.report_count == 1
    assert list(Report.objects.filter(case=decided).values_list("pk", flat=True)) == [
        first.report.pk]
    new_case = second.report.case
    assert new_case is not None
    new_case.refresh_from_db()
    assert new_case.pk != decided_case_id and new_case.status in OPEN_CASE_STATUSES
    assert (new_case.report_count, new_case.reporter_count) == (1, 1)
    assert Report.objects.count() == 2


def test_two_filings_by_one_reporter_at_once_count_the_reporter_once() -> None:
    filing.submissions_file(submissions=[_submission("203.0.113.7")])  # another reporter
    # The reporter exists already (a report about something else), so that neither filing
    # waits for the other to create it.
    filing.submissions_file(submissions=[_submission(
        "203.0.113.8", target="https://www.facebook.com/profile.php?id=100077700002")])
    both_written = threading.Barrier(2, timeout=WAIT_SECONDS)
    original_hold = filing.cases_hold

    def hold_when_both_have_written(cases: list[Case]) -> dict[int, Case]:
        # Both filings have inserted their report before either counts it in.
        both_written.wait()
        return original_hold(cases)

    results: list[Any] = []
    with mock.patch.object(filing, "cases_hold", hold_when_both_have_written):
        threads = [in_a_thread(
            lambda: filing.submissions_file(submissions=[_submission("203.0.113.8")]), results)
            for _ in range(2)]
        for thread in threads:
            thread.join(WAIT_SECONDS)

    assert [type(r).__name__ for r in results] == ["list", "list"], results
    case = Case.objects.get(target__canonical__endswith="100077700001")
    assert (case.report_count, case.reporter_count) == (3, 2)
    assert Report.objects.filter(case=case).count() == 3
