"""The response document: content read back with pypdf, language, size, who may download it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from fraudhub.agencies.models import AgencyRequest, RequestTarget, TargetOutcome
from fraudhub.agencies.response_pdf import response_language, response_pdf_render
from fraudhub.agencies.services.outcomes import TargetResponse, request_target_respond
from fraudhub.core.actors import Actor
from fraudhub.core.models import User
from fraudhub.core.roles import Role
from tests.agencies.helpers import (
    ACCOUNT_A,
    ACCOUNT_B,
    file_request,
    make_agency,
    officer_of,
    session_client,
)
from tests.cases.helpers import decide
from tests.conftest import ApiClient, make_user

pytestmark = pytest.mark.django_db
ACCOUNT_C = "https://www.facebook.com/profile.php?id=100055556666"
AGENCY = "Cục An ninh mạng"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def officer() -> Actor:
    return officer_of(make_agency(AGENCY))


@pytest.fixture
def handled(officer: Actor, reviewer_actor: Actor) -> AgencyRequest:
    """Three targets: one suspended on its case, one refused, one still pending; one row of the
    list rejected (a phone number cannot be suspended)."""
    request = file_request(officer, targets=[ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, "0912 345 678"])
    first, second, _third = request.targets.order_by("line")
    decide(reviewer_actor, first.case_id or 0, outcome="suspend")
    request_target_respond(actor=reviewer_actor, request_id=request.pk, target_id=second.pk,
                           data=TargetResponse(outcome="refused",
                                               refusal_reason="target_not_found",
                                               note="Tài khoản không tồn tại."))
    request.refresh_from_db()
    return request


def _set_language(actor: Actor, language: str) -> None:
    assert actor.user is not None
    User.objects.filter(pk=actor.user.pk).update(language=language)


def test_pdf_has_the_request_its_targets_and_outcomes(handled: AgencyRequest,
                                                      officer: Actor) -> None:
    _set_language(officer, "en")

    pdf = response_pdf_render(request=handled)

    assert pdf.startswith(b"%PDF")
    text = _flat(_text(pdf))
    assert handled.number in text
    assert AGENCY in text  # Vietnamese diacritics survive the round trip
    assert "Nguyễn Văn C" in text and "45/QĐ-BTTTT" in text
    assert handled.legal_document_sha256 and handled.legal_document_sha256 in text
    for item in handled.targets.all():
        assert item.display in text
    assert "Actioned" in text
    assert "Refused" in text and "Target not found" in text
    assert "Tài khoản không tồn tại." in text
    assert "Temporary suspension" in text  # the decision's outcome
    assert "Pending" in text
    rejected = handled.rejected_rows
    assert rejected
    assert f"Line {rejected[0]['line']}" in text
    assert "Generated" in text


def test_the_pdf_is_headed_with_the_configured_platform_name(handled: AgencyRequest,
                                                            settings: Any) -> None:
    settings.FRAUDHUB_PLATFORM_NAME = "Công ty TNHH Mạng Xã Hội X"

    text = _flat(_text(response_pdf_render(request=handled)))

    assert "Công ty TNHH Mạng Xã Hội X" in text


def test_each_target_row_carries_its_time_to_action_and_deadline(
        handled: AgencyRequest, officer: Actor) -> None:
    _set_language(officer, "en")
    refused = handled.targets.get(outcome=TargetOutcome.REFUSED)
    RequestTarget.objects.filter(pk=refused.pk).update(
        handled_at=handled.received_at + (refused.deadline - handled.received_at) * 2)
    refused.refresh_from_db()
    hours = f"{(refused.seconds_to_action or 0) / 3600:.1f}"

    text = _flat(_text(response_pdf_render(request=handled)))

    line = text[text.index("Tài khoản không tồn tại."):]
    assert hours in line[:200]
    assert " no" in line[:200]


def test_pdf_is_in_the_filing_users_language(handled: AgencyRequest, officer: Actor) -> None:
    assert response_language(handled) == "vi"  # the default of a new user
    vi = _flat(_text(response_pdf_render(request=handled)))
    _set_language(officer, "en")
    en = _flat(_text(response_pdf_render(request=handled)))

    assert "Đã xử lý" in vi or "Đang chờ" in vi  # target outcomes, translated
    assert "Pending" not in vi
    assert "Pending" in en


def test_a_request_recorded_by_staff_is_answered_in_vietnamese(handled: AgencyRequest) -> None:
    AgencyRequest.objects.filter(pk=handled.pk).update(filed_by="apikey:1")
    handled.refresh_from_db()
    assert response_language(handled) == "vi"


def test_5000_targets_render_on_many_pages(officer: Actor) -> None:
    targets = [f"https://www.facebook.com/profile.php?id={100000000000 + i}" for i in range(5000)]
    request = file_request(officer, targets=targets)
    assert request.targets.count() == 5000

    pdf = response_pdf_render(request=request)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 50
    last = _flat(reader.pages[-1].extract_text())
    assert "Facebook 100000004999" in last


def test_unusual_text_does_not_break_the_document(officer: Actor) -> None:
    request = file_request(officer, targets=[ACCOUNT_A])
    target = request.targets.get()
    RequestTarget.objects.filter(pk=target.pk).update(
        outcome="refused", refusal_reason="other", handled_at=request.received_at,
        note="Dòng 1\nDòng 2\tđã\x07 " + "rất dài " * 200 + " 🚫 emoji")

    pdf = response_pdf_render(request=request)

    assert "Dòng 1" in _text(pdf)


# --- downloads --------------------------------------------------------------------------------


def test_web_download(handled: AgencyRequest, officer: Actor, settings: Any) -> None:
    response = session_client(officer, settings).get(
        reverse("agency_response_pdf", args=[handled.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{handled.number}-response.pdf"')
    assert response.content.startswith(b"%PDF")


def test_web_download_is_404_for_another_agency_and_403_for_citizens(
        handled: AgencyRequest, settings: Any) -> None:
    other = officer_of(make_agency("Sở Công an tỉnh B"))
    url = reverse("agency_response_pdf", args=[handled.pk])

    assert session_client(other, settings).get(url).status_code == 404
    assert session_client(other, settings).get(
        reverse("agency_response_pdf", args=[999999])).status_code == 404
    citizen = Actor.for_user(make_user(Role.CITIZEN, "citizen-pdf"))
    assert session_client(citizen, settings).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_staff_download_any_agencys_document(handled: AgencyRequest, reviewer_actor: Actor,
                                             settings: Any) -> None:
    url = reverse("agency_response_pdf", args=[handled.pk])
    assert session_client(reviewer_actor, settings).get(url).status_code == 200


def test_api_download(handled: AgencyRequest, officer: Actor,
                      api_client_for: Callable[..., ApiClient]) -> None:
    path = f"/api/v1/agency/requests/{handled.pk}/response.pdf"
    own = api_client_for(Role.AGENCY_OFFICER, officer.organization)

    response = own.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert handled.number in _text(response.content)
    other = api_client_for(Role.AGENCY_OFFICER, make_agency("Sở Công an tỉnh B"))
    missing = other.get(path)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert own.get("/api/v1/agency/requests/999999/response.pdf").status_code == 404
    assert api_client_for(Role.PARTNER).get(path).status_code == 403
    assert api_client_for(None).get(path).status_code == 401
    assert api_client_for(Role.REVIEWER).get(path).status_code == 200


@pytest.mark.parametrize("name", [
    "Bad\udcffBytes",  # bytes not UTF-8 in the environment read as a lone surrogate
    "Bad\u202eBytes",  # a right-to-left override, turning the rest of the name around
    "Bad\x00\x1b\x7fBytes",  # control characters
    "Bad\nBytes",
])
def test_a_hostile_platform_name_neither_breaks_the_pdf_nor_reaches_it(
        handled: AgencyRequest, settings: Any, name: str) -> None:
    settings.FRAUDHUB_PLATFORM_NAME = name

    pdf = response_pdf_render(request=handled)

    assert "Bad Bytes" in _flat(_text(pdf))
    assert re.findall(rb"/Creator \(([^)]*)\)", pdf) == [b"Bad Bytes"]
