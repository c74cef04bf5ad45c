"""Single reports accepted at once and filed by the worker (reports/inbox.py).

These tests run outside a test transaction (transaction=True): a report filed inside a caller's
transaction is never deferred, so the test-transaction tests elsewhere file synchronously.
"""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from fraudhub.cases.models import Case, ReportSource
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.errors import Conflict
from fraudhub.core.housekeeping import run_housekeeping
from fraudhub.core.models import AuditEntry
from fraudhub.core.roles import Role
from fraudhub.core.uploads import uploads_orphaned_remove
from fraudhub.reports import filing, inbox
from fraudhub.reports.filing import FiledReport
from fraudhub.reports.inbox import AcceptedReport, pending_reports_drain, pending_reports_file
from fraudhub.reports.models import Evidence, PendingReport, Report, ReportIndicator
from fraudhub.reports.services import ReportInput, report_create
from tests.api.helpers import REPORTS
from tests.conftest import ApiClient, evidence_item, png_bytes, report_payload
from tests.threads import in_a_thread, second_connection

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "https://www.facebook.com/profile.php?id=100012345678"


def _accept(client: ApiClient | None = None, **overrides: Any) -> dict[str, Any]:
    response = (client or ApiClient(ip="203.0.113.40")).post(REPORTS, report_payload(**overrides))
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _status(body: dict[str, Any], secret: str | None = None) -> Any:
    return ApiClient().get(f"{REPORTS}/{body['tracking_code']}",
                           headers={"X-Report-Secret": secret or body["secret"]})


def test_a_report_is_answered_once_stored_and_shows_as_received_until_filed() -> None:
    body = _accept()

    assert body["status"] == "received"
    assert not Report.objects.exists() and not Case.objects.exists()
    pending = PendingReport.objects.get()
    assert pending.tracking_code == body["tracking_code"]
    assert pending.secret_hash == hashlib.sha256(body["secret"].encode()).hexdigest()
    assert body["secret"] not in str(pending.submission) + str(pending.actor)
    status = _status(body)
    assert status.status_code == 200
    assert status.json()["status"] == "received"
    assert status.json()["target"] == "Facebook 100012345678"
    assert status.json()["decision"] is None
    assert _status(body, secret="wrong-secret-of-the-right-length").status_code == 404


def test_the_worker_files_it_under_the_code_and_secret_its_reporter_holds() -> None:
    body = _accept(reporter_contact={"email": "lan@example.org"})
    accepted_at = PendingReport.objects.get().accepted_at

    assert pending_reports_drain() == inbox.FilingRound(filed=1, failed=0)

    assert not PendingReport.objects.exists()
    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert report.secret_hash == hashlib.sha256(body["secret"].encode()).hexdigest()
    assert report.created_at == accepted_at
    assert report.case is not None and report.case.report_count == 1
    assert report.source == ReportSource.CITIZEN
    assert report.reporter_email == "lan@example.org"
    assert {(i.type, i.value) for i in ReportIndicator.objects.filter(report=report)} >= {
        ("phone", "+84912345678"), ("bank_account", "970436:0071000123456")}
    entry = AuditEntry.objects.get(action="report.create")
    assert (entry.object_id, entry.actor_kind, entry.ip) == (str(report.pk), "anonymous",
                                                            "203.0.113.40")
    assert audit_verify().ok
    assert _status(body).json()["status"] == "received"


def test_accepted_reports_about_one_target_are_one_case_counting_each_reporter() -> None:
    for ip in ("203.0.113.41", "203.0.113.42", "203.0.113.42"):
        _accept(ApiClient(ip=ip), target="https://m.facebook.com/profile.php?id=100012345678")

    pending_reports_drain()

    case = Case.objects.get()
    assert (case.report_count, case.reporter_count) == (3, 2)
    assert case.target.canonical == "facebook:100012345678"


def test_a_partners_report_is_filed_as_the_partners(
    api_client_for: Any,
) -> None:
    body = _accept(api_client_for(Role.PARTNER))

    pending_reports_drain()

    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert report.source == ReportSource.PARTNER
    assert report.reporter is not None and report.reporter.identity.startswith("apikey:")


def test_evidence_is_stored_on_acceptance_and_named_by_the_filed_report(settings: Any) -> None:
    body = _accept(evidence=[evidence_item()])
    digest = hashlib.sha256(png_bytes()).hexdigest()
    (stored,) = PendingReport.objects.get().submission["evidence"]
    assert stored["sha256"] == digest
    assert (settings.MEDIA_ROOT / stored["file"]).read_bytes() == png_bytes()

    pending_reports_drain()

    evidence = Evidence.objects.get(report__tracking_code=body["tracking_code"])
    assert (evidence.sha256, evidence.file.name) == (digest, stored["file"])
    created = AuditEntry.objects.get(action="report.create").new
    assert created is not None and created["evidence"] == [digest]


def test_the_web_form_answers_with_the_code_and_the_status_page_shows_it_received() -> None:
    client = Client(REMOTE_ADDR="203.0.113.43")
    page = client.post("/report/", {
        "target_kind": "account", "target": ACCOUNT, "platform": "facebook",
        "fraud_type": "investment_stock_crypto", "description": "Mời đầu tư tiền ảo.",
        "good_faith": "on"})
    assert page.status_code == 201, page.content.decode()[:2000]
    pending = PendingReport.objects.get()
    assert pending.tracking_code in page.content.decode()
    secret = page.context["secret"]

    status = client.post(f"/report/status/{pending.tracking_code}", {"secret": secret})

    assert status.status_code == 200
    assert "Facebook 100012345678" in status.content.decode()
    assert status.context["report"].status == "received" and status.context["decision"] is None


def test_an_appeal_before_the_report_is_filed_is_refused_as_not_decided_yet() -> None:
    from fraudhub.cases.services.appeals import appeal_file_by_reporter

    body = _accept()

    with pytest.raises(Conflict):
        appeal_file_by_reporter(actor=Actor.anonymous(ip="203.0.113.40"),
                                tracking_code=body["tracking_code"], secret=body["secret"],
                                statement="Xin xem lại.")


def test_a_report_that_cannot_be_filed_stays_with_its_error_and_is_retried_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good, bad = _accept(), _accept(target="https://www.facebook.com/scam.page.vn")
    real = inbox.submissions_file_stored

    def refuse_one(*, submissions: Any, evidence: Any) -> list[FiledReport]:
        if any(s.accepted.tracking_code == bad["tracking_code"] for s in submissions):
            raise RuntimeError("the database refused it")
        return real(submissions=submissions, evidence=evidence)

    monkeypatch.setattr(inbox, "submissions_file_stored", refuse_one)
    assert pending_reports_file() == inbox.FilingRound(filed=1, failed=1)

    assert Report.objects.filter(tracking_code=good["tracking_code"]).exists()
    left = PendingReport.objects.get()
    assert left.tracking_code == bad["tracking_code"]
    assert (left.attempts, left.last_error) == (1, "RuntimeError: the database refused it")
    assert left.retry_at > timezone.now() + timedelta(seconds=50)
    # Not tried again before its time, and then filed once what failed works again.
    assert pending_reports_file() == inbox.FilingRound(filed=0, failed=0)
    monkeypatch.setattr(inbox, "submissions_file_stored", real)
    PendingReport.objects.update(retry_at=timezone.now())
    assert pending_reports_file() == inbox.FilingRound(filed=1, failed=0)
    assert Report.objects.filter(tracking_code=bad["tracking_code"]).exists()


def test_the_worker_batch_run_files_accepted_reports_and_runs_the_jobs_they_queue() -> None:
    body = _accept()

    call_command("worker", "--batch")

    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert report.indicators_recorded_at is not None
    assert not PendingReport.objects.exists()


def test_a_code_some_report_holds_already_is_not_handed_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _accept()
    pending_reports_drain()
    codes = iter([first["tracking_code"], "FH-22222-33333"])
    monkeypatch.setattr(inbox, "tracking_code_new", lambda: next(codes))

    assert _accept()["tracking_code"] == "FH-22222-33333"


def test_in_a_callers_transaction_with_no_worker_or_the_setting_off_a_report_is_filed_at_once(
    settings: Any,
) -> None:
    data = ReportInput(target_kind="account", target=ACCOUNT, platform="facebook",
                       fraud_type="investment_stock_crypto", description="Lừa đầu tư.",
                       good_faith=True)
    actor = Actor.anonymous(ip="203.0.113.44")
    assert isinstance(report_create(actor=actor, data=data), AcceptedReport)
    with transaction.atomic():
        assert isinstance(report_create(actor=actor, data=data), FiledReport)
    settings.TASKS = {"default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # no worker to file
    assert isinstance(report_create(actor=actor, data=data), FiledReport)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.FRAUDHUB_INTAKE_DEFERRED = False
    assert isinstance(report_create(actor=actor, data=data), FiledReport)
    assert Report.objects.count() == 3 and PendingReport.objects.count() == 1



@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite has no row locks to pass over")
def test_a_report_another_worker_is_filing_is_passed_over_not_filed_twice() -> None:
    held, free = _accept(), _accept(target="https://www.facebook.com/scam.page.vn")
    other_worker = second_connection()
    try:
        other_worker.execute("SELECT 1 FROM reports_pendingreport WHERE tracking_code = %s "
                             "FOR UPDATE", [held["tracking_code"]])

        assert pending_reports_file() == inbox.FilingRound(filed=1, failed=0)

        assert list(Report.objects.values_list("tracking_code", flat=True)) == [
            free["tracking_code"]]
    finally:
        other_worker.rollback()
        other_worker.close()
    assert pending_reports_file() == inbox.FilingRound(filed=1, failed=0)
    assert Report.objects.count() == 2 and not PendingReport.objects.exists()


def test_reports_stored_together_each_get_their_own_code_a_clash_only_redrawing_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken = _accept()["tracking_code"]
    # The third row draws the first row's code again, then one of its own.
    codes = iter(["FH-22222-22222", taken, "FH-22222-22222", "FH-33333-33333",
                  "FH-44444-44444"])
    monkeypatch.setattr(inbox, "tracking_code_new", lambda: next(codes))
    rows = [inbox._PendingRow(actor={}, submission={"n": n},
                              secret_hash=f"{n:064d}", accepted_at=timezone.now())
            for n in range(3)]

    assert inbox._pending_insert_many(rows) == [
        "FH-22222-22222", "FH-44444-44444", "FH-33333-33333"]

    stored = dict(PendingReport.objects.values_list("tracking_code", "submission"))
    assert stored["FH-44444-44444"] == {"n": 1} and stored["FH-33333-33333"] == {"n": 2}
    assert len(stored) == 4


def test_concurrent_reports_are_all_stored_each_under_its_own_code() -> None:
    results: list[Any] = []
    threads = [in_a_thread(partial(_accept, ApiClient(ip=f"203.0.113.{60 + n}")), results)
               for n in range(8)]
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(result, dict) for result in results), results
    codes = {result["tracking_code"] for result in results}
    assert len(codes) == 8
    assert set(PendingReport.objects.values_list("tracking_code", flat=True)) == codes


def test_the_evidence_of_a_report_waiting_to_be_filed_survives_the_orphan_sweep(
    settings: Any,
) -> None:
    _accept(evidence=[evidence_item()])
    (stored,) = PendingReport.objects.get().submission["evidence"]
    path = settings.MEDIA_ROOT / stored["file"]
    day_ago = time.time() - 86400
    os.utime(path, (day_ago, day_ago))  # the worker was down all day

    assert uploads_orphaned_remove(older_than=timedelta(hours=1)) == 0

    assert path.read_bytes() == png_bytes()
    pending_reports_drain()
    assert Evidence.objects.get().file.read() == png_bytes()


def test_a_row_that_cannot_be_read_back_is_set_aside_and_the_others_are_filed() -> None:
    now = timezone.now()
    PendingReport.objects.create(tracking_code="FH-22222-22222", secret_hash="0" * 64,
                                 actor={"kind": "anonymous"}, submission={},
                                 accepted_at=now, retry_at=now)
    good = _accept()

    assert pending_reports_file() == inbox.FilingRound(filed=1, failed=1)

    assert Report.objects.filter(tracking_code=good["tracking_code"]).exists()
    unreadable = PendingReport.objects.get()
    assert unreadable.last_error.startswith("KeyError") and unreadable.retry_at > now


def test_housekeeping_warns_when_accepted_reports_wait_too_long(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _accept()
    assert run_housekeeping()["accepted_reports_overdue"] == 0
    PendingReport.objects.update(accepted_at=timezone.now() - timedelta(minutes=6),
                                 last_error="RuntimeError: the database refused it")

    assert run_housekeeping()["accepted_reports_overdue"] == 1

    assert "1 accepted reports wait to be filed for more than 300 s" in caplog.text
    assert "1 failed to be filed" in caplog.text


def test_a_server_warns_too_when_accepted_reports_pile_up_with_no_worker(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbox, "_last_backlog_check", None)
    _accept()
    assert "wait to be filed" not in caplog.text
    PendingReport.objects.update(accepted_at=timezone.now() - timedelta(minutes=6))
    monkeypatch.setattr(inbox, "_last_backlog_check", None)

    _accept()

    assert "1 accepted reports wait to be filed for more than 300 s" in caplog.text
    caplog.clear()
    _accept()  # checked at most once a minute by each server process
    assert "wait to be filed" not in caplog.text


def test_a_report_filed_at_once_never_takes_the_code_an_accepted_report_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = _accept()["tracking_code"]
    codes = iter([held, "FH-55555-55555"])
    monkeypatch.setattr(filing, "tracking_code_new", lambda: next(codes))
    data = ReportInput(target_kind="account", target=ACCOUNT, platform="facebook",
                       fraud_type="investment_stock_crypto", description="Lừa đầu tư.",
                       good_faith=True)

    with transaction.atomic():
        at_once = report_create(actor=Actor.anonymous(ip="203.0.113.45"), data=data)

    assert at_once.tracking_code == "FH-55555-55555"
    assert pending_reports_drain() == inbox.FilingRound(filed=1, failed=0)
    assert Report.objects.filter(tracking_code=held).exists()
