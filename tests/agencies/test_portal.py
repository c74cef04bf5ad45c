"""The agency portal on the web: filing, following, answering; staff responses; isolation."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fraudhub.agencies.models import (
    AgencyRequest,
    ClockEvent,
    ClockEventKind,
    RequestChannel,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.agencies.services.outcomes import TargetResponse, request_target_respond
from fraudhub.agencies.target_list import RejectedRow, TargetRow, rows_from_csv
from fraudhub.cases.models import Case
from fraudhub.core.actors import Actor
from fraudhub.core.models import AuditEntry, Organization, User
from fraudhub.core.roles import Role
from tests.agencies.helpers import ACCOUNT_A, ACCOUNT_B, PDF, file_request, make_agency
from tests.conftest import logged_in_client, make_user

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    # The login and 2FA pages have their own tests (tests/web); here a session is enough.
    settings.FRAUDHUB_REQUIRE_2FA = False


@pytest.fixture
def agency_a() -> Organization:
    return make_agency("Cục A05")


@pytest.fixture
def agency_b() -> Organization:
    return make_agency("Sở Công an tỉnh B")


@pytest.fixture
def officer_a(agency_a: Organization) -> User:
    return make_user(Role.AGENCY_OFFICER, "officer-a", agency_a)


@pytest.fixture
def officer_b(agency_b: Organization) -> User:
    return make_user(Role.AGENCY_OFFICER, "officer-b", agency_b)


def actor(user: User) -> Actor:
    return Actor.for_user(user, ip="192.0.2.61")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "suspend_account", "fraud_type": "investment_stock_crypto",
        "reason": "Tài khoản giả mạo lãnh đạo để lừa đảo đầu tư.",
        "document_number": "123/CV-A05", "document_date": "2025-11-20",
        "issuing_body": "Cục An ninh mạng", "signer": "Đại tá Nguyễn Văn A",
        "targets": f"{ACCOUNT_A}\n\n{ACCOUNT_B}\n", "contact_email": "a05@example.gov.vn",
    }
    data.update(overrides)
    return data


# --- who gets in ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/agency/", "/agency/requests/new/", "/console/flaggers/"])
def test_anonymous_visitors_are_sent_to_login(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.PARTNER])
@pytest.mark.parametrize("path", ["/agency/", "/agency/requests/new/"])
def test_citizens_and_partners_may_not_open_the_portal(role: str, path: str) -> None:
    assert logged_in_client(make_user(role)).get(path).status_code == 403


def test_a_citizen_gets_403_on_a_request_page_and_its_document(officer_a: User) -> None:
    filed = file_request(actor(officer_a))
    citizen = logged_in_client(make_user(Role.CITIZEN))
    assert citizen.get(f"/agency/requests/{filed.pk}/").status_code == 403
    assert citizen.get(f"/agency/requests/{filed.pk}/document.pdf").status_code == 403


def test_the_nav_links_follow_the_role(officer_a: User, reviewer: User) -> None:
    officer_html = logged_in_client(officer_a).get("/agency/").content.decode()
    assert "Agency portal" in officer_html and "Trusted flaggers" not in officer_html
    reviewer_html = logged_in_client(reviewer).get("/agency/").content.decode()
    assert "Authority requests" in reviewer_html and "Trusted flaggers" not in reviewer_html
    assert 'href="/console/transparency/"' not in reviewer_html
    admin_html = logged_in_client(make_user(Role.ADMIN)).get("/agency/").content.decode()
    assert "Trusted flaggers" in admin_html
    assert 'href="/console/transparency/"' in admin_html
    senior_html = logged_in_client(make_user(Role.SENIOR_REVIEWER)).get("/agency/").content.decode()
    assert 'href="/console/transparency/"' in senior_html


def test_an_officer_lands_on_the_portal_after_logging_in(officer_a: User) -> None:
    response = Client().post("/accounts/login/",
                             {"username": "officer-a", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == "/agency/"


# --- the list ------------------------------------------------------------------------------

def test_the_portal_lists_only_the_own_agencys_requests(
    officer_a: User, officer_b: User, reviewer: User
) -> None:
    mine = file_request(actor(officer_a))
    theirs = file_request(actor(officer_b), targets=[ACCOUNT_B])
    html = logged_in_client(officer_a).get("/agency/").content.decode()
    assert mine.number in html and theirs.number not in html
    assert 'href="/agency/requests/new/"' in html and 'href="/agency/dashboard/"' in html
    assert 'class="due ok"' in html
    staff_html = logged_in_client(reviewer).get("/agency/").content.decode()
    assert mine.number in staff_html and theirs.number in staff_html


def test_the_list_filters_by_status(officer_a: User, reviewer: User) -> None:
    open_one = file_request(actor(officer_a))
    refused = file_request(actor(officer_a), targets=[ACCOUNT_B])
    item = refused.targets.get()
    request_target_respond(actor=actor(reviewer), request_id=refused.pk, target_id=item.pk,
                           data=TargetResponse(outcome="refused",
                                               refusal_reason="target_not_found"))
    client = logged_in_client(officer_a)
    html = client.get("/agency/?status=refused").content.decode()
    assert refused.number in html and open_one.number not in html
    bad = client.get("/agency/?status=<script>")
    assert bad.status_code == 200
    assert "Unknown status" in bad.content.decode()
    assert "<script>" not in bad.content.decode()


def test_the_request_page_names_each_targets_kind_in_the_language(officer_a: User) -> None:
    filed = file_request(actor(officer_a), kind="provide_information",
                         targets=[ACCOUNT_A, PHONE])
    client = logged_in_client(officer_a)
    client.cookies["django_language"] = "vi"
    html = client.get(f"/agency/requests/{filed.pk}/").content.decode()
    kinds = re.findall(r'<span class="badge">([^<]*)</span>\s*<span class="badge outcome-badge',
                       html)
    assert kinds == ["Tài khoản · facebook", "Số điện thoại"]


def test_time_left_is_coloured_by_the_share_used(officer_a: User) -> None:
    filed = file_request(actor(officer_a))
    # 20 of the 24 hours are gone: past 80%.
    AgencyRequest.objects.filter(pk=filed.pk).update(
        received_at=filed.received_at - timedelta(hours=20),
        deadline=filed.deadline - timedelta(hours=20))
    RequestTarget.objects.filter(request=filed).update(deadline=filed.deadline
                                                       - timedelta(hours=20))
    client = logged_in_client(officer_a)
    assert 'class="due warn80"' in client.get("/agency/").content.decode()
    assert 'class="due warn80"' in client.get(f"/agency/requests/{filed.pk}/").content.decode()
    RequestTarget.objects.filter(request=filed).update(deadline=timezone.now()
                                                       - timedelta(minutes=5))
    assert 'class="due late"' in client.get("/agency/").content.decode()


# --- isolation -----------------------------------------------------------------------------

def test_another_agencys_request_answers_404_everywhere(
    officer_a: User, officer_b: User, reviewer: User
) -> None:
    filed = file_request(actor(officer_a))
    item = filed.targets.order_by("line").first()
    assert item is not None
    request_target_respond(actor=actor(reviewer), request_id=filed.pk, target_id=item.pk,
                           data=TargetResponse(outcome="needs_information",
                                               note="Which posts?"))
    other = logged_in_client(officer_b)
    base = f"/agency/requests/{filed.pk}"
    assert other.get(f"{base}/").status_code == 404
    assert other.get(f"{base}/document.pdf").status_code == 404
    answer = other.post(f"{base}/targets/{item.pk}/answer",
                        {f"t{item.pk}-answer-answer": "These."})
    assert answer.status_code == 404
    upload = other.post(f"{base}/document",
                        {"document": SimpleUploadedFile("x.pdf", PDF, "application/pdf")})
    assert upload.status_code == 404
    item.refresh_from_db()
    assert item.outcome == TargetOutcome.NEEDS_INFORMATION and not item.information_answer
    # An officer may not act as the desk, even on the own agency's request.
    own = logged_in_client(officer_a).post(f"{base}/targets/{item.pk}/refuse",
                                     {f"t{item.pk}-refuse-refusal_reason": "other"})
    assert own.status_code == 403
    assert logged_in_client(officer_a).get("/agency/requests/999999/").status_code == 404


# --- filing --------------------------------------------------------------------------------

def test_an_officer_files_a_request_with_a_typed_list(officer_a: User, agency_a: Organization
                                                      ) -> None:
    client = logged_in_client(officer_a)
    assert client.get("/agency/requests/new/").status_code == 200
    data = form_data(document_pdf=SimpleUploadedFile("cv.pdf", PDF, "application/pdf"))
    response = client.post("/agency/requests/new/", data)
    assert response.status_code == 303, response.content.decode()[:2000]
    filed = AgencyRequest.objects.get()
    assert response["Location"] == f"/agency/requests/{filed.pk}/"
    assert (filed.agency, filed.channel, filed.recorded_on_behalf) == (
        agency_a, RequestChannel.ELECTRONIC, False)
    assert filed.legal_document_sha256 and filed.legal_document_date == date(2025, 11, 20)
    assert [t.canonical for t in filed.targets.order_by("line")] == [
        "facebook:100011112222", "facebook:100033334444"]
    assert Case.objects.filter(request_targets__request=filed).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert f"Request {filed.number} was received." in page
    assert "Đại tá Nguyễn Văn A" in page and "Download response (PDF)" in page
    assert f'href="/agency/requests/{filed.pk}/response.pdf"' in page
    document = client.get(f"/agency/requests/{filed.pk}/document.pdf")
    assert document.status_code == 200
    assert document["Content-Disposition"].startswith("attachment")
    assert b"".join(document.streaming_content) == PDF  # type: ignore[attr-defined]


def test_a_csv_with_a_bad_row_keeps_the_good_ones_and_names_the_bad_line(officer_a: User
                                                                          ) -> None:
    csv_text = (f"target,kind,platform\n{ACCOUNT_A},account,facebook\n"
                "some words,weird,\n"
                f"{ACCOUNT_B},account,facebook\n")
    data = form_data(targets="", kind="remove_content",
                     targets_csv=SimpleUploadedFile("t.csv", csv_text.encode(), "text/csv"))
    client = logged_in_client(officer_a)
    response = client.post("/agency/requests/new/", data, follow=True)
    assert response.status_code == 200
    filed = AgencyRequest.objects.get()
    assert filed.target_count == 2
    assert [row["line"] for row in filed.rejected_rows] == [3]
    html = response.content.decode()
    assert "1 target rows could not be accepted" in html
    assert 'id="rejected-rows"' in html and "<td data-label=\"Line\">3</td>" in html
    assert "Unknown kind weird" in html


def test_an_overlong_csv_line_is_rejected_alone(officer_a: User) -> None:
    # A field past the csv module's limit used to end in a 500 (here and in the API), then
    # dropped every row after it.
    csv_text = f"target\n{ACCOUNT_A}\n{'x' * 200_000}\n{ACCOUNT_B}\n"
    response = logged_in_client(officer_a).post("/agency/requests/new/", form_data(
        targets="", targets_csv=SimpleUploadedFile("t.csv", csv_text.encode(), "text/csv")),
        follow=True)
    assert response.status_code == 200
    filed = AgencyRequest.objects.get()
    assert filed.target_count == 2
    assert [row["line"] for row in filed.rejected_rows] == [3]
    assert "Longer than 4096 characters" in response.content.decode()
    assert rows_from_csv("target\n\"a,b\n")[0] == TargetRow(line=2, target="a,b\n")


def test_an_unclosed_quote_keeps_the_rows_before_it() -> None:
    rows = rows_from_csv(f"target\n{ACCOUNT_A}\n\"{'x' * 3000}\n" + f"{'y' * 3000}\n" * 50)
    assert rows[0] == TargetRow(line=2, target=ACCOUNT_A)
    assert isinstance(rows[1], RejectedRow)
    assert "cannot be read from this line on" in rows[1].error


def test_a_form_with_errors_keeps_what_was_typed(officer_a: User) -> None:
    client = logged_in_client(officer_a)
    response = client.post("/agency/requests/new/", form_data(
        reason="", targets="<b>not-a-target</b>", signer="Nguyễn <i>Văn</i> A"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html
    assert "Nguyễn &lt;i&gt;Văn&lt;/i&gt; A" in html  # typed values stay, escaped
    assert "&lt;b&gt;not-a-target&lt;/b&gt;" in html
    assert AgencyRequest.objects.count() == 0
    # The services' rules come back next to their fields.
    response = client.post("/agency/requests/new/", form_data(
        document_date=(timezone.localdate() + timedelta(days=3)).isoformat()))
    assert response.status_code == 422
    assert "The document cannot be dated in the future." in response.content.decode()
    # Nothing acceptable in the list: the rows are named by line.
    response = client.post("/agency/requests/new/", form_data(targets="???\n!!!"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "No target in the request could be accepted." in html and "line 2" in html
    # Both a list and a file: one is enough.
    response = client.post("/agency/requests/new/", form_data(
        targets_csv=SimpleUploadedFile("t.csv", ACCOUNT_A.encode(), "text/csv")))
    assert response.status_code == 422
    assert "Give the targets once" in response.content.decode()
    # A document that is no PDF.
    response = client.post("/agency/requests/new/", form_data(
        document_pdf=SimpleUploadedFile("cv.pdf", b"<html>", "application/pdf")))
    assert response.status_code == 422
    assert "Not a PDF file." in response.content.decode()
    assert AgencyRequest.objects.count() == 0


def test_staff_record_a_letter_on_an_agencys_behalf(reviewer: User, agency_a: Organization
                                                    ) -> None:
    client = logged_in_client(reviewer)
    html = client.get("/agency/requests/new/").content.decode()
    assert 'name="agency"' in html and "Cục A05" in html
    received = timezone.localtime() - timedelta(hours=3)
    response = client.post("/agency/requests/new/", form_data(
        agency=str(agency_a.pk), channel="letter",
        received_at=received.strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 303, response.content.decode()[:2000]
    filed = AgencyRequest.objects.get()
    assert (filed.agency, filed.channel, filed.recorded_on_behalf) == (
        agency_a, RequestChannel.LETTER, True)
    assert abs((filed.received_at - received).total_seconds()) < 60
    assert filed.deadline == filed.received_at + timedelta(hours=24)
    # A letter from the future is refused next to its field.
    response = client.post("/agency/requests/new/", form_data(
        agency=str(agency_a.pk), channel="phone",
        received_at=(timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 422
    assert "cannot be received in the future" in response.content.decode()


def test_an_officer_cannot_pick_an_agency_or_a_channel(officer_a: User, agency_b: Organization
                                                       ) -> None:
    response = logged_in_client(officer_a).post("/agency/requests/new/", form_data(
        agency=str(agency_b.pk), channel="letter"))
    assert response.status_code == 303
    filed = AgencyRequest.objects.get()
    assert filed.agency.name == "Cục A05" and filed.channel == RequestChannel.ELECTRONIC


def test_the_signed_document_follows_the_request(officer_a: User) -> None:
    filed = file_request(actor(officer_a), document_pdf=None)
    client = logged_in_client(officer_a)
    base = f"/agency/requests/{filed.pk}"
    assert client.get(f"{base}/document.pdf").status_code == 404
    assert "Not received yet." in client.get(f"{base}/").content.decode()
    bad = client.post(f"{base}/document",
                      {"document": SimpleUploadedFile("x.pdf", b"MZ\x90", "application/pdf")})
    assert bad.status_code == 422 and "Not a PDF file." in bad.content.decode()
    response = client.post(f"{base}/document",
                           {"document": SimpleUploadedFile("x.pdf", PDF, "application/pdf")})
    assert response.status_code == 303
    filed.refresh_from_db()
    assert filed.legal_document_sha256
    assert ClockEvent.objects.filter(request=filed, kind=ClockEventKind.DOCUMENT).exists()
    assert client.get(f"{base}/document.pdf").status_code == 200
    assert "The signed document was received." in client.get(f"{base}/").content.decode()


# --- answers, both ways --------------------------------------------------------------------

def test_asking_pauses_and_the_officers_answer_resumes_the_clock(officer_a: User,
                                                                  reviewer: User) -> None:
    filed = file_request(actor(officer_a))
    item = filed.targets.order_by("line").first()
    assert item is not None
    base = f"/agency/requests/{filed.pk}"
    desk = logged_in_client(reviewer)
    empty = desk.post(f"{base}/targets/{item.pk}/ask", {f"t{item.pk}-ask-note": ""})
    assert empty.status_code == 422
    response = desk.post(f"{base}/targets/{item.pk}/ask",
                         {f"t{item.pk}-ask-note": "Which posts <b>exactly</b>?"})
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.outcome == TargetOutcome.NEEDS_INFORMATION and item.paused_at is not None
    officer = logged_in_client(officer_a)
    html = officer.get(f"{base}/").content.decode()
    assert "Paused: waiting for the agency" in html
    assert "Which posts &lt;b&gt;exactly&lt;/b&gt;?" in html
    assert f'name="t{item.pk}-answer-answer"' in html
    RequestTarget.objects.filter(pk=item.pk).update(paused_at=timezone.now()
                                                    - timedelta(hours=2))
    response = officer.post(f"{base}/targets/{item.pk}/answer",
                            {f"t{item.pk}-answer-answer": "The posts of 20 November."})
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.outcome == TargetOutcome.PENDING and item.paused_at is None
    assert item.paused_seconds >= 7200
    assert ClockEvent.objects.filter(target=item, kind=ClockEventKind.RESUMED).exists()
    # Answering twice is a conflict shown on the page, not an error page.
    again = officer.post(f"{base}/targets/{item.pk}/answer",
                         {f"t{item.pk}-answer-answer": "Again"})
    assert again.status_code == 409
    assert "No question is waiting" in again.content.decode()


def test_staff_refuse_a_target_with_a_reason(officer_a: User, reviewer: User) -> None:
    filed = file_request(actor(officer_a))
    first, second = filed.targets.order_by("line")
    base = f"/agency/requests/{filed.pk}"
    desk = logged_in_client(reviewer)
    html = desk.get(f"{base}/").content.decode()
    assert f'href="/console/cases/{first.case_id}/"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "every form field of every target has its own id"
    missing_note = desk.post(f"{base}/targets/{first.pk}/refuse",
                             {f"t{first.pk}-refuse-refusal_reason": "other"})
    assert missing_note.status_code == 422
    assert "Explain the refusal." in missing_note.content.decode()
    response = desk.post(f"{base}/targets/{first.pk}/refuse", {
        f"t{first.pk}-refuse-refusal_reason": "insufficient_legal_basis",
        f"t{first.pk}-refuse-note": "The decision does not name this account."})
    assert response.status_code == 303
    first.refresh_from_db()
    assert (first.outcome, first.refusal_reason) == (TargetOutcome.REFUSED,
                                                     "insufficient_legal_basis")
    page = logged_in_client(officer_a).get(f"{base}/").content.decode()
    assert "Insufficient legal basis" in page and "The decision does not name" in page
    assert "within the deadline" in page and "/console/cases/" not in page
    # A settled target cannot be refused again; a suspension is decided on the case.
    again = desk.post(f"{base}/targets/{first.pk}/refuse",
                      {f"t{first.pk}-refuse-refusal_reason": "out_of_scope"})
    assert again.status_code == 409
    record = desk.post(f"{base}/targets/{second.pk}/record", {
        f"t{second.pk}-record-outcome": "actioned", f"t{second.pk}-record-note": "Suspended."})
    assert record.status_code == 422
    assert "deciding the case" in record.content.decode()
    assert desk.post(f"{base}/targets/{second.pk}/nonsense", {}).status_code == 404


def test_staff_record_an_information_request_as_actioned(officer_a: User, reviewer: User
                                                         ) -> None:
    filed = file_request(actor(officer_a), kind="provide_information", targets=[PHONE])
    item = filed.targets.get()
    base = f"/agency/requests/{filed.pk}"
    desk = logged_in_client(reviewer)
    assert f'action="{base}/targets/{item.pk}/record"' in desk.get(f"{base}/").content.decode()
    no_note = desk.post(f"{base}/targets/{item.pk}/record",
                        {f"t{item.pk}-record-outcome": "actioned"})
    assert no_note.status_code == 422
    response = desk.post(f"{base}/targets/{item.pk}/record", {
        f"t{item.pk}-record-outcome": "partially_actioned",
        f"t{item.pk}-record-note": "Subscriber data sent by secure mail; call logs not kept."})
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.outcome == TargetOutcome.PARTIALLY_ACTIONED
    filed.refresh_from_db()
    assert filed.status == "partially_actioned"
    html = logged_in_client(officer_a).get(f"{base}/").content.decode()
    assert "call logs not kept" in html and "Time to action" in html
    assert AuditEntry.objects.filter(action="agency_target.outcome",
                                     object_id=str(item.pk)).exists()


def test_hostile_text_is_escaped_on_the_request_page(officer_a: User) -> None:
    filed = file_request(actor(officer_a), reason='<script>alert("x")</script>')
    html = logged_in_client(officer_a).get(f"/agency/requests/{filed.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_numbers_out_of_range_are_404_not_500(officer_a: User) -> None:
    client = logged_in_client(officer_a)
    big = "9" * 30
    assert client.get(f"/agency/requests/{big}/").status_code == 404
    assert client.get(f"/agency/requests/{big}/document.pdf").status_code == 404
    assert client.post(f"/agency/requests/{big}/targets/{big}/answer", {}).status_code == 404
    assert client.get("/agency/?page=abc&status=").status_code == 200


# --- timeline ------------------------------------------------------------------------------

def _timeline(client: Client, request_id: int, language: str) -> str:
    client.cookies["django_language"] = language
    html = client.get(f"/agency/requests/{request_id}/").content.decode()
    return html.split('id="timeline"', 1)[1]


def test_the_timeline_is_worded_in_the_readers_language_from_stored_keys(
    officer_a: User, reviewer: User
) -> None:
    filed = file_request(actor(officer_a))
    first, second = filed.targets.order_by("line")
    request_target_respond(actor=actor(reviewer), request_id=filed.pk, target_id=first.pk,
                           data=TargetResponse(outcome="refused",
                                               refusal_reason="target_not_found",
                                               note="No such profile."))
    question = "<script>alert(1)</script> Which posts?"
    request_target_respond(actor=actor(reviewer), request_id=filed.pk, target_id=second.pk,
                           data=TargetResponse(outcome="needs_information", note=question))
    handled = ClockEvent.objects.get(target=first, kind=ClockEventKind.HANDLED)
    assert handled.facts == {"outcome": "refused", "refusal_reason": "target_not_found"}
    assert handled.detail == ""  # keys, not words, are stored

    client = logged_in_client(officer_a)
    english = _timeline(client, filed.pk, "en")
    assert "Refused — Target not found" in english
    assert "by Electronic (portal or API)" in english
    assert f"request number {filed.number}" in english
    vietnamese = _timeline(client, filed.pk, "vi")
    assert "Từ chối — Không tìm thấy đối tượng" in vietnamese
    assert f"số yêu cầu {filed.number}" in vietnamese
    for html in (english, vietnamese):
        assert "target_not_found" not in html  # never the raw key
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Which posts?" in html  # as written
        assert "<script>alert(1)" not in html


def test_events_stored_before_facts_existed_show_their_text() -> None:
    from fraudhub.agencies.timeline import event_text

    old = ClockEvent(kind=ClockEventKind.HANDLED, detail="refused other")
    assert event_text(old) == "refused other"
    unknown = ClockEvent(kind=ClockEventKind.HANDLED, facts={"outcome": "withdrawn_later"})
    assert event_text(unknown) == "withdrawn_later"  # a key of a newer release, as it is
