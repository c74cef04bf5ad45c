from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from fraudhub.indicators.models import (
    DelistingEvidence,
    DelistingRequest,
    DelistingStatus,
    Indicator,
)
from tests.cases.helpers import file_report
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _listed(drain_jobs: Callable[[], int]) -> None:
    file_report()
    drain_jobs()


def test_owner_files_a_delisting_request_on_the_web(drain_jobs: Callable[[], int]) -> None:
    _listed(drain_jobs)
    client = Client(REMOTE_ADDR="198.51.100.40")
    page = client.get("/delisting/?value=0912345678")
    assert page.status_code == 200 and 'value="0912345678"' in page.content.decode()
    bad = client.post("/delisting/", {"value": "0912345678", "requester_name": "A",
                                      "requester_email": "not-an-email", "statement": "x"})
    assert bad.status_code == 422
    ok = client.post("/delisting/", {
        "value": "0912 345 678", "requester_name": "Chủ số", "requester_email": "a@example.com",
        "statement": "<script>alert(1)</script> Số mới được cấp."})
    assert ok.status_code == 201
    assert DelistingRequest.objects.get().status == DelistingStatus.OPEN
    none = client.post("/delisting/", {"value": "0987 000 111", "requester_name": "B",
                                       "requester_email": "b@example.com", "statement": "x"})
    assert none.status_code == 409


def _decision(request_id: int, **fields: str) -> dict[str, str]:
    """A decision form's fields as the queue page names them (one form per request)."""
    return {f"delisting-{request_id}-{name}": value for name, value in fields.items()}


def test_reviewer_decides_in_the_console(drain_jobs: Callable[[], int], settings: Settings) -> None:
    _listed(drain_jobs)
    Client(REMOTE_ADDR="198.51.100.41").post("/delisting/", {
        "value": "0912 345 678", "requester_name": "Chủ số", "requester_email": "a@example.com",
        "statement": "<script>alert(1)</script>"})
    reviewer = make_user("reviewer", "rev-web")
    TOTPDevice.objects.create(user=reviewer, name="t", confirmed=True)
    client = Client()
    client.force_login(reviewer)
    settings.FRAUDHUB_REQUIRE_2FA = False
    page = client.get("/console/delisting/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    request = DelistingRequest.objects.get()
    done = client.post(f"/console/delisting/{request.pk}/decision",
                       _decision(request.pk, accept="1", reasons="Telco confirms the new owner."))
    assert done.status_code == 302
    assert Indicator.objects.get(value="+84912345678").removed_at is not None
    again = client.post(f"/console/delisting/{request.pk}/decision",
                        _decision(request.pk, accept="0", reasons="A second look."))
    assert again.status_code == 409  # decided already: nothing changes
    assert Indicator.objects.get(value="+84912345678").removed_at is not None
    missing = client.post(f"/console/delisting/{request.pk + 1000}/decision",
                          _decision(request.pk + 1000, accept="1", reasons="x"))
    assert missing.status_code == 404

    citizen = Client()
    citizen.force_login(make_user("citizen", "cit-web"))
    assert citizen.get("/console/delisting/").status_code == 403


def test_the_delisting_queue_names_the_indicator_type_in_the_language(
    drain_jobs: Callable[[], int], settings: Settings
) -> None:
    _listed(drain_jobs)
    Client(REMOTE_ADDR="198.51.100.42").post("/delisting/", {
        "value": "0912 345 678", "requester_name": "Chủ số", "requester_email": "a@example.com",
        "statement": "Số mới được cấp."})
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client()
    client.force_login(make_user("reviewer", "rev-web-vi"))
    client.cookies["django_language"] = "vi"
    html = client.get("/console/delisting/").content.decode()
    request = DelistingRequest.objects.get()
    heading = html.split(f'id="delisting-{request.pk}">', 1)[1].split("</h2>", 1)[0]
    assert "<h2>Số điện thoại: +84912345678 " in heading


def _waiting(count: int, *, first: int) -> None:
    """`count` open delisting requests, each with a piece of evidence."""
    now = timezone.now()
    for n in range(first, first + count):
        indicator = Indicator.objects.create(
            type="phone", value=f"+8491{n:07d}", match_key=f"+8491{n:07d}",
            confidence_changed_at=now, first_seen=now, last_seen=now)
        request = DelistingRequest.objects.create(
            indicator=indicator, requester_name="Chủ số", requester_email=f"o{n}@example.com",
            statement="Số mới được cấp.", created_at=now)
        DelistingEvidence.objects.create(
            request=request, file=f"delisting/ab/{n}.png", original_name=f"sim-{n}.png",
            content_type="image/png", extension="png", size=100, sha256=f"{n:064d}")


def test_the_queue_shown_after_a_refused_decision_reads_evidence_in_one_query(
        settings: Settings) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client()
    client.force_login(make_user("reviewer", "rev-queue"))
    _waiting(2, first=0)

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            refused = client.post("/console/delisting/1/decision", _decision(1, accept="1"))
        assert refused.status_code == 422  # no reasons given
        assert "sim-1.png" in refused.content.decode()
        return len(queries)

    two = statements()
    _waiting(20, first=100)
    many = statements()

    # Two queries per request for its evidence (the page asks twice): 400 on a full queue.
    assert many == two


def test_a_refused_decision_keeps_its_reasons_and_errors_under_its_own_request(
        settings: Settings) -> None:
    """One form was shared by every request on the page: after a refused decision its reasons
    and errors showed under every request (and each form had the same element ids), inviting
    the reviewer to send one request's reasons for another."""
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client()
    client.force_login(make_user("reviewer", "rev-forms"))
    _waiting(3, first=0)
    first, second, third = DelistingRequest.objects.order_by("pk")
    typed = "Chủ thuê bao đã gửi hợp đồng, nhưng thiếu ngày cấp."
    refused = client.post(f"/console/delisting/{second.pk}/decision",
                          _decision(second.pk, reasons=typed))  # no decision chosen
    assert refused.status_code == 422
    html = refused.content.decode()
    assert html.count(typed) == 1
    own = html.split(f'id="delisting-{second.pk}"', 1)[1].split("</article>", 1)[0]
    assert typed in own and 'aria-invalid="true"' in own
    for other in (first, third):
        block = html.split(f'id="delisting-{other.pk}"', 1)[1].split("</article>", 1)[0]
        assert 'aria-invalid="true"' not in block
    ids = re.findall(r'\bid="(id_[^"]+)"', html)
    assert len(ids) == len(set(ids)) and f"id_delisting-{third.pk}-reasons" in ids
    assert DelistingRequest.objects.filter(status="open").count() == 3
