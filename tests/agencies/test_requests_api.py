"""Filing and following authority requests over the API; isolation between agencies."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fraudhub.agencies.models import AgencyRequest, ClockEventKind, RequestTarget
from fraudhub.cases.models import Case, Queue
from fraudhub.core.models import AuditEntry
from fraudhub.core.roles import Role
from fraudhub.indicators.models import Indicator
from tests.agencies.helpers import (
    ACCOUNT_A,
    ACCOUNT_B,
    PDF,
    legal_basis_json,
    make_agency,
    request_json,
)
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db
URL = "/api/v1/agency/requests"


@pytest.fixture
def agency_a_api(api_client_for: Callable[..., ApiClient]) -> ApiClient:
    return api_client_for(Role.AGENCY_OFFICER, make_agency("Cục A05"))


@pytest.fixture
def agency_b_api(api_client_for: Callable[..., ApiClient]) -> ApiClient:
    return api_client_for(Role.AGENCY_OFFICER, make_agency("Sở Công an tỉnh B"))


def test_a_request_is_accepted_with_its_deadline_and_one_entry_per_target(
    agency_a_api: ApiClient, drain_jobs: Callable[[], int]
) -> None:
    before = timezone.now()
    response = agency_a_api.post(URL, request_json())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("AR-")
    assert body["agency"] == "Cục A05"
    assert body["status"] == "in_progress"
    deadline = AgencyRequest.objects.get(pk=body["id"]).deadline
    assert timedelta(hours=24) <= deadline - before <= timedelta(hours=24, seconds=30)
    assert [(t["line"], t["canonical"], t["status"]) for t in body["targets"]] == [
        (1, "facebook:100011112222", "pending"), (2, "facebook:100033334444", "pending")]
    assert body["legal_basis"]["document_sha256"]
    # Each target is a case in the authority queue, due at the request's deadline.
    cases = Case.objects.filter(request_targets__request_id=body["id"]).order_by("pk")
    assert [(c.queue, c.due_at) for c in cases] == [(Queue.AUTHORITY, deadline)] * 2
    # The acknowledgement goes out at once, carrying the request number.
    drain_jobs()
    assert any(body["number"] in m.subject for m in mail.outbox)


def test_the_answer_of_get_follows_the_request(agency_a_api: ApiClient) -> None:
    created = agency_a_api.post(URL, request_json()).json()
    shown = agency_a_api.get(f"{URL}/{created['id']}")
    assert shown.status_code == 200
    assert shown.json()["targets"] == created["targets"]
    listed = agency_a_api.get(URL).json()
    assert [r["number"] for r in listed["results"]] == [created["number"]]


def test_an_agency_never_sees_another_agencys_request(
    agency_a_api: ApiClient, agency_b_api: ApiClient
) -> None:
    created = agency_a_api.post(URL, request_json()).json()
    assert agency_b_api.get(f"{URL}/{created['id']}").status_code == 404
    assert agency_b_api.get(URL).json() == {"count": 0, "results": []}
    target_id = created["targets"][0]["id"]
    answer = agency_b_api.post(f"{URL}/{created['id']}/targets/{target_id}/information",
                               {"answer": "x"})
    assert answer.status_code == 404
    document = agency_b_api.post(f"{URL}/{created['id']}/document",
                                 {"document_pdf": base64.b64encode(PDF).decode()})
    assert document.status_code == 404


def test_platform_staff_see_every_agency(
    agency_a_api: ApiClient, agency_b_api: ApiClient,
    api_client_for: Callable[..., ApiClient],
) -> None:
    agency_a_api.post(URL, request_json())
    agency_b_api.post(URL, request_json())
    reviewer = api_client_for(Role.REVIEWER)
    assert reviewer.get(URL).json()["count"] == 2


def test_bad_rows_are_reported_by_line_and_the_rest_accepted(agency_a_api: ApiClient) -> None:
    targets_csv = ("target,kind,platform\n"
                   f"{ACCOUNT_A},account,facebook\n"
                   "not a target at all,,\n"
                   "0912 345 678,phone,\n"
                   f"{ACCOUNT_A},,\n"
                   "@scam_handle,account,telegram\n")
    response = agency_a_api.post(URL, request_json(kind="remove_content", targets=None,
                                                   targets_csv=targets_csv))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(t["line"], t["canonical"]) for t in body["targets"]] == [
        (2, "facebook:100011112222"), (4, "+84912345678"), (6, "telegram:scam_handle")]
    assert [row["line"] for row in body["rejected_rows"]] == [3, 5]
    assert "line 2" in body["rejected_rows"][1]["error"]


def test_a_csv_naming_a_column_twice_is_refused_whole(agency_a_api: ApiClient) -> None:
    targets_csv = (f"target,target\n{ACCOUNT_A},https://www.facebook.com/dup.two\n")

    response = agency_a_api.post(URL, request_json(kind="remove_content", targets=None,
                                                   targets_csv=targets_csv),
                                 headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.json()["errors"]["targets_csv"] == [
        "The header names target more than once; name each column once."]
    assert AgencyRequest.objects.count() == 0


def test_a_suspension_names_accounts_only(agency_a_api: ApiClient) -> None:
    response = agency_a_api.post(URL, request_json(targets=["0912 345 678", ACCOUNT_A]))
    assert response.status_code == 201
    assert response.json()["rejected_rows"][0]["line"] == 1


def test_a_request_without_any_acceptable_target_is_refused(agency_a_api: ApiClient) -> None:
    response = agency_a_api.post(URL, request_json(targets=["??", ""]))
    assert response.status_code == 422
    assert AgencyRequest.objects.count() == 0


@pytest.mark.parametrize("field,value", [
    ("kind", "arrest"), ("fraud_type", "nope"), ("reason", ""), ("reason", "a\x00b"),
    ("channel", "letter"),
])
def test_invalid_requests_get_field_errors(agency_a_api: ApiClient, field: str, value: str
                                           ) -> None:
    response = agency_a_api.post(URL, request_json(**{field: value}))
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.parametrize("legal,field", [
    ({"document_number": ""}, "legal_basis.document_number"),
    ({"signer": " "}, "legal_basis.signer"),
    ({"date": "2999-01-01"}, "legal_basis.date"),
    ({"date": "0001-01-01"}, "legal_basis.date"),
    ({"date": "1999-12-31"}, "legal_basis.date"),
    ({"document_pdf": base64.b64encode(b"<html>").decode()}, "legal_basis.document_pdf"),
    ({"document_pdf": "%%%"}, "legal_basis.document_pdf"),
])
def test_the_legal_basis_is_checked(agency_a_api: ApiClient, legal: dict[str, str], field: str
                                    ) -> None:
    response = agency_a_api.post(URL, request_json(legal_basis=legal_basis_json(**legal)))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_the_signed_document_may_follow_the_request(agency_a_api: ApiClient) -> None:
    legal = legal_basis_json()
    del legal["document_pdf"]
    created = agency_a_api.post(URL, request_json(legal_basis=legal)).json()
    assert created["legal_basis"]["document_received_at"] is None
    response = agency_a_api.post(f"{URL}/{created['id']}/document",
                                 {"document_pdf": base64.b64encode(PDF).decode()})
    assert response.status_code == 200
    assert response.json()["legal_basis"]["document_received_at"] is not None
    request = AgencyRequest.objects.get(pk=created["id"])
    assert request.legal_document.read() == PDF
    assert request.events.filter(kind=ClockEventKind.DOCUMENT).count() == 1


def test_an_officer_key_without_agency_cannot_be_made() -> None:
    from fraudhub.core.errors import ValidationFailed
    from fraudhub.core.services import apikey_create
    from tests.conftest import SYSTEM

    with pytest.raises(ValidationFailed):
        apikey_create(actor=SYSTEM, name="x", role=Role.AGENCY_OFFICER)


def test_the_request_is_audited_and_its_targets_are_sightings(agency_a_api: ApiClient) -> None:
    created = agency_a_api.post(URL, request_json()).json()
    entry = AuditEntry.objects.get(action="agency_request.create")
    assert entry.new is not None and entry.new["number"] == created["number"]
    assert AuditEntry.objects.filter(action="case.open").count() == 2
    assert set(Indicator.objects.values_list("value", flat=True)) >= {
        "facebook:100011112222", "facebook:100033334444"}
    assert RequestTarget.objects.filter(case__isnull=True).count() == 0


def test_a_request_joins_the_open_case_citizens_started(
    agency_a_api: ApiClient, anon_api: ApiClient,
) -> None:
    from tests.conftest import report_payload

    filed = anon_api.post("/api/v1/reports", report_payload(target=ACCOUNT_B))
    assert filed.status_code == 201
    case = Case.objects.get()
    assert case.queue != Queue.AUTHORITY
    agency_a_api.post(URL, request_json())
    case.refresh_from_db()
    assert case.queue == Queue.AUTHORITY
    assert case.report_count == 1
    assert Case.objects.count() == 2
