"""POST /api/v1/reports/batch: many reports in one call, each answered and grouped like one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fraudhub.cases.models import Case
from fraudhub.cases.services.intake import targets_get_or_create
from fraudhub.cases.targets import canonicalize_target
from fraudhub.core.audit import audit_verify
from fraudhub.core.models import AuditEntry
from fraudhub.core.roles import Role
from fraudhub.indicators.models import Indicator
from fraudhub.reports import filing, tasks
from fraudhub.reports.models import Evidence, Report, Reporter
from tests.api.helpers import REPORTS
from tests.conftest import ApiClient, evidence_item, report_payload

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/reports/batch"
Client = Callable[..., ApiClient]
# One Facebook account written three ways, and two other targets.
ACCOUNT_FORMS = (
    "https://www.facebook.com/profile.php?id=100012345678",
    "https://m.facebook.com/profile.php?id=100012345678",
    "fb.com/profile.php?id=100012345678",
)


def _account(target: str, **overrides: Any) -> dict[str, Any]:
    return report_payload(target=target, **overrides)


def _phone(number: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"target_kind": "phone", "target": number, "platform": "",
                              "fraud_type": "fake_police_court"}
    return report_payload(**(fields | overrides))


def _mixed_reports() -> list[dict[str, Any]]:
    return [
        _account(ACCOUNT_FORMS[0]),
        _phone("0912 345 678"),
        _account(ACCOUNT_FORMS[1], fraud_type="counterfeit_goods"),
        _phone("+84 912-345-678", description="Gọi tự xưng công an, đòi chuyển tiền."),
        _account(ACCOUNT_FORMS[2]),
        report_payload(target_kind="url", target="hxxps://vietcombank-xac-minh[.]top/login",
                       platform="", fraud_type="phishing_links_ads"),
    ]


def _case_state(case: Case) -> tuple[Any, ...]:
    return (case.report_count, case.reporter_count, case.reputation_total, case.max_severity,
            case.fraud_type, case.top_source, case.queue, case.priority)


def test_a_batch_files_every_report_in_order_grouped_as_single_reports_are(
    api_client_for: Client,
) -> None:
    partner = api_client_for(Role.PARTNER)

    response = partner.post(BATCH, {"reports": _mixed_reports()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (6, 0)
    assert [r["index"] for r in body["results"]] == list(range(6))
    codes = [r["tracking_code"] for r in body["results"]]
    assert len(set(codes)) == 6 and all(r["created"] for r in body["results"])
    reports = {r.tracking_code: r for r in Report.objects.select_related("case", "target")}
    assert [reports[c].target_raw for c in codes] == [p["target"] for p in _mixed_reports()]
    # Three forms of one account are one case; two forms of one phone are another.
    account_case = reports[codes[0]].case
    assert account_case is not None
    assert {reports[codes[i]].case for i in (0, 2, 4)} == {account_case}
    assert reports[codes[1]].case == reports[codes[3]].case != account_case
    assert Case.objects.count() == 3
    # One API key is one reporter, however many of its reports a case holds.
    assert (account_case.report_count, account_case.reporter_count) == (3, 1)
    assert Reporter.objects.count() == 1


def test_each_report_of_a_batch_has_its_own_status_page_secret(api_client_for: Client) -> None:
    partner = api_client_for(Role.PARTNER)
    results = partner.post(BATCH, {"reports": _mixed_reports()[:2]}).json()["results"]
    anon = api_client_for(None)

    for result in results:
        seen = anon.get(f"{REPORTS}/{result['tracking_code']}",
                        headers={"X-Report-Secret": result["secret"]})
        assert seen.status_code == 200
        assert seen.json()["status"] == "received"
    wrong = anon.get(f"{REPORTS}/{results[0]['tracking_code']}",
                     headers={"X-Report-Secret": results[1]["secret"]})
    assert wrong.status_code == 404


def test_a_batch_leaves_the_cases_as_the_same_reports_filed_one_by_one(
    api_client_for: Client,
) -> None:
    one_by_one = api_client_for(Role.AGENCY_OFFICER)
    for payload in _mixed_reports():
        assert one_by_one.post(REPORTS, payload).status_code == 201
    expected = {c.target.canonical: _case_state(c) for c in Case.objects.select_related("target")}
    Report.objects.all().delete()
    Case.objects.all().delete()

    response = api_client_for(Role.AGENCY_OFFICER).post(BATCH, {"reports": _mixed_reports()})

    assert response.status_code == 200
    got = {c.target.canonical: _case_state(c) for c in Case.objects.select_related("target")}
    # The batch's key is another reporter, so reporters and reputations count the same way.
    assert got == expected
    assert {c.queue for c in Case.objects.all()} == {"authority"}


def test_invalid_reports_are_answered_with_their_errors_and_the_rest_filed(
    api_client_for: Client,
) -> None:
    reports = [
        _phone("0912 345 678"),
        _phone("0912 345 678", fraud_type="no_such_type"),
        _phone("0987 654 321", good_faith=False),
        _phone("0987 654 321", reporter_contact={"email": "not an address"}),
        _phone("0987 654 321", evidence=[{"filename": "x.png", "content_base64": "%%%"}]),
        _phone("not a phone number at all"),
        _account(ACCOUNT_FORMS[0], description="Mô tả <script>alert(1)</script> \u202e"),
    ]

    response = api_client_for(Role.PARTNER).post(BATCH, {"reports": reports})

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["refused"]) == (2, 5)
    results = body["results"]
    assert [r["created"] for r in results] == [True, False, False, False, False, False, True]
    assert list(results[1]["field_errors"]) == ["reports.1.fraud_type"]
    assert list(results[2]["field_errors"]) == ["reports.2.good_faith"]
    assert list(results[3]["field_errors"]) == ["reports.3.reporter_contact.email"]
    assert list(results[4]["field_errors"]) == ["reports.4.evidence.0.content_base64"]
    assert list(results[5]["field_errors"]) == ["reports.5.target"]
    assert all(r["error"] and r["tracking_code"] is None for r in results[1:6])
    assert Report.objects.count() == 2
    stored = Report.objects.get(tracking_code=results[6]["tracking_code"])
    assert stored.description == "Mô tả <script>alert(1)</script> \u202e"


def test_only_api_clients_that_forward_reports_may_file_batches(api_client_for: Client) -> None:
    body = {"reports": [report_payload()]}

    assert api_client_for(None).post(BATCH, body).status_code == 401
    assert api_client_for(Role.CITIZEN).post(BATCH, body).status_code == 403
    assert api_client_for(Role.REVIEWER).post(BATCH, body).status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize("count", [0, 101])
def test_a_batch_holds_between_one_and_a_hundred_reports(
    api_client_for: Client, count: int
) -> None:
    response = api_client_for(Role.PARTNER).post(BATCH, {"reports": [report_payload()] * count})

    assert response.status_code == 422
    assert Report.objects.count() == 0


@pytest.mark.usefixtures("fresh_quota_minute")
def test_a_batch_counts_once_against_the_key_quota(
    api_client_for: Client, settings: Any
) -> None:
    settings.FRAUDHUB_API_KEY_QUOTA_PER_MINUTE = 2
    partner = api_client_for(Role.PARTNER)
    body = {"reports": [_phone("0912 345 678")] * 20}

    assert partner.post(BATCH, body).status_code == 200
    assert partner.post(BATCH, body).status_code == 200
    refused = partner.post(BATCH, body)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Report.objects.count() == 40


def test_the_statements_of_a_batch_do_not_grow_with_its_size(api_client_for: Client) -> None:
    partner = api_client_for(Role.PARTNER)
    partner.post(BATCH, {"reports": [_phone("0900 000 001")]})  # the key and reporter exist

    def statements(size: int, first: int) -> int:
        reports = [_phone(f"0912 {first + i:03d} 678") for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            assert partner.post(BATCH, {"reports": reports}).json()["created"] == size
        return len(queries)

    small, large = statements(2, 100), statements(100, 200)


    # SQLite splits a long insert at its limit of bound values, PostgreSQL does not; one
    # statement per report would be 300 here.
    assert large <= small + 8
    assert large <= 30


def test_a_batch_writes_one_audit_row_per_report_and_per_case_opened(
    api_client_for: Client,
) -> None:
    before = AuditEntry.objects.count()

    api_client_for(Role.PARTNER).post(BATCH, {"reports": _mixed_reports()})

    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert actions.count("report.create") == 6
    assert actions.count("case.open") == 3
    # Each case.open comes right before the report that opened the case.
    for index, action in enumerate(actions):
        if action == "case.open":
            assert actions[index + 1] == "report.create"
    assert audit_verify().ok


def test_one_job_records_the_indicators_of_the_whole_batch(
    api_client_for: Client, drain_jobs: Callable[[], int]
) -> None:
    reports = [_phone(f"0912 {i:03d} 678", reporter_contact={"email": f"r{i}@example.org"})
               for i in range(5)]
    api_client_for(Role.PARTNER).post(BATCH, {"reports": reports})

    queued = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sorted(queued) == ["fraudhub.reports.tasks.record_reports_indicators",
                              "fraudhub.reports.tasks.send_report_receipts"]
    drain_jobs()

    assert Indicator.objects.filter(type="phone", value__in=[f"+84912{i:03d}678"
                                                             for i in range(5)]).count() == 5
    assert not Report.objects.filter(indicators_recorded_at__isnull=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [f"r{i}@example.org" for i in range(5)]


def test_a_receipt_that_fails_is_retried_alone(
    api_client_for: Client, drain_jobs: Callable[[], int]
) -> None:
    reports = [_phone(f"0912 {i:03d} 678", reporter_contact={"email": f"r{i}@example.org"})
               for i in range(3)]
    api_client_for(Role.PARTNER).post(BATCH, {"reports": reports})
    original = tasks.send_mail
    calls: list[str] = []

    def flaky(subject: str, body: str, sender: Any, to: list[str]) -> int:
        calls.append(to[0])
        if to[0] == "r1@example.org" and calls.count(to[0]) == 1:
            raise ConnectionError("smtp down")
        return original(subject, body, sender, to)

    with mock.patch.object(tasks, "send_mail", flaky):
        drain_jobs()
        # The retry is due later; run it now.
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        drain_jobs()

    assert sorted(m.to[0] for m in mail.outbox) == ["r0@example.org", "r1@example.org",
                                                     "r2@example.org"]
    assert calls.count("r0@example.org") == 1 and calls.count("r1@example.org") == 2


def test_evidence_travels_with_its_report_in_a_batch(api_client_for: Client) -> None:
    reports = [_phone("0912 345 678", evidence=[evidence_item()]), _phone("0987 654 321")]

    results = api_client_for(Role.PARTNER).post(BATCH, {"reports": reports}).json()["results"]

    assert Evidence.objects.get().report.tracking_code == results[0]["tracking_code"]


def test_reports_of_a_reporter_in_bad_faith_are_kept_but_join_no_case(
    api_client_for: Client,
) -> None:
    partner = api_client_for(Role.PARTNER)
    partner.post(BATCH, {"reports": [_phone("0900 000 001")]})
    Reporter.objects.update(bad_faith_until=timezone.now() + timedelta(days=30))

    results = partner.post(BATCH, {"reports": [_phone("0912 345 678")] * 2}).json()["results"]

    assert {r["status"] for r in results} == {"suspended"}
    assert Report.objects.filter(case__isnull=True).count() == 2
    assert not Case.objects.filter(target__canonical="+84912345678").exists()


def test_a_tracking_code_clash_draws_new_codes(api_client_for: Client) -> None:
    partner = api_client_for(Role.PARTNER)
    taken = partner.post(BATCH, {"reports": [_phone("0900 000 001")]}).json()
    taken_code = taken["results"][0]["tracking_code"]
    # The first draw clashes; the whole batch draws again.
    draws = iter([taken_code, "FH-AAAAA-BBBBB", "FH-CCCCC-DDDDD", "FH-EEEEE-FFFFF"])

    with mock.patch.object(filing, "tracking_code_new", lambda: next(draws)):
        results = partner.post(BATCH, {"reports": [_phone("0912 345 678")] * 2}).json()

    assert [r["tracking_code"] for r in results["results"]] == ["FH-CCCCC-DDDDD",
                                                                 "FH-EEEEE-FFFFF"]
    assert Report.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite's test database takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_on_the_same_targets_count_every_report_once(
    api_client_for: Client,
) -> None:
    clients = [api_client_for(Role.PARTNER, ip=f"198.51.100.{i}") for i in range(4)]
    # Every batch names the same targets, in different orders. The targets exist already
    # (reported before, their cases closed), so the batches race to open the same cases.
    targets = [f"0912 {i:03d} 678" for i in range(20)]
    targets_get_or_create(canonicals=[
        canonicalize_target(kind="phone", raw=number) for number in targets])
    bodies = [{"reports": [_phone(t) for t in (targets if n % 2 else targets[::-1])]}
              for n in range(4)]
    answers: list[int] = []
    barrier = threading.Barrier(len(clients))

    def post(client: ApiClient, body: dict[str, Any]) -> None:
        try:
            barrier.wait()
            answers.append(client.post(BATCH, body).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=pair)
               for pair in zip(clients, bodies, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 4
    assert Case.objects.count() == 20
    assert set(Case.objects.values_list("report_count", "reporter_count")) == {(4, 4)}
    assert Report.objects.count() == 80
    assert audit_verify().ok
