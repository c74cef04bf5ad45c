from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from pytest_django import Settings

from fraudhub.core.actors import Actor
from fraudhub.core.errors import Conflict, PermissionDenied, ValidationFailed
from fraudhub.core.models import AuditEntry
from fraudhub.indicators.delisting import DelistingInput, delisting_decide, delisting_request_create
from fraudhub.indicators.models import DelistingStatus, Indicator, IndicatorStatus
from tests.cases.helpers import decide, file_report
from tests.conftest import ApiClient, png_bytes

pytestmark = pytest.mark.django_db
PHONE = "+84912345678"


def _request(**overrides: object) -> DelistingInput:
    data: dict[str, object] = {
        "value": "0912.345.678", "requester_name": "Trần Thị B",
        "requester_email": "owner@example.com", "language": "en",
        "statement": "The telco gave me this number in March; I have never sold anything.",
    }
    data.update(overrides)
    return DelistingInput(**data)  # type: ignore[arg-type]


def test_accepted_delisting_tombstones_and_explains(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    file_report()
    drain_jobs()
    from fraudhub.reports.evidence import EvidenceUpload

    request = delisting_request_create(actor=Actor.anonymous(ip="198.51.100.9"), data=_request(
        evidence=[EvidenceUpload(name="contract.png", content=png_bytes())]))
    assert request.evidence.count() == 1
    assert Indicator.objects.get(value=PHONE).status == IndicatorStatus.VERIFYING
    with pytest.raises(Conflict):
        delisting_request_create(actor=Actor.anonymous(), data=_request())
    with pytest.raises(PermissionDenied):
        delisting_decide(actor=Actor.anonymous(), request_id=request.pk, accept=True, reasons="x")

    delisting_decide(actor=reviewer_actor, request_id=request.pk, accept=True,
                     reasons="Telco confirms the number was reassigned on 3 March.")
    drain_jobs()
    phone = Indicator.objects.get(value=PHONE)
    assert phone.status == IndicatorStatus.NO_DATA
    assert phone.removed_at is not None and "reassigned" in phone.removed_reason
    assert phone.removed_by == "reviewer"
    assert mail.outbox[-1].to == ["owner@example.com"]
    assert "removed from the database" in mail.outbox[-1].body
    assert "reassigned on 3 March" in mail.outbox[-1].body
    assert {"delisting.create", "delisting.decide", "indicator.status"} <= set(
        AuditEntry.objects.values_list("action", flat=True))
    with pytest.raises(Conflict):
        delisting_decide(actor=reviewer_actor, request_id=request.pk, accept=False, reasons="x")


def test_rejected_delisting_keeps_the_listing(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    filed = file_report()
    drain_jobs()
    decide(reviewer_actor, filed.report.case_id, "label")
    request = delisting_request_create(actor=Actor.anonymous(), data=_request())
    assert Indicator.objects.get(value=PHONE).status == IndicatorStatus.SCAM
    decided = delisting_decide(actor=reviewer_actor, request_id=request.pk, accept=False,
                               reasons="Three new reports this week from the same number.")
    assert decided.status == DelistingStatus.REJECTED
    assert Indicator.objects.get(value=PHONE).status == IndicatorStatus.SCAM


def test_unlisted_or_invalid_values_are_refused() -> None:
    with pytest.raises(Conflict):
        delisting_request_create(actor=Actor.anonymous(), data=_request(value="0987 111 222"))
    with pytest.raises(ValidationFailed) as info:
        delisting_request_create(actor=Actor.anonymous(), data=_request(
            value="not a number", type="phone", requester_email="nope", statement=" "))
    assert set(info.value.field_errors) == {"value", "requester_email", "statement"}


def test_delisting_through_the_api(
    drain_jobs: Callable[[], int], api_client_for: Callable[..., ApiClient]
) -> None:
    file_report()
    drain_jobs()
    anon = api_client_for(None)
    response = anon.post("/api/v1/delisting", {
        "value": "+84 912 345 678", "requester_name": "B", "requester_email": "b@example.com",
        "statement": "Mine since 2019."})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open"
    reviewer = api_client_for("reviewer")
    listed = reviewer.get("/api/v1/delisting").json()
    assert [r["value"] for r in listed] == [PHONE]
    decided = reviewer.post(f"/api/v1/delisting/{listed[0]['id']}/decision",
                            {"accept": True, "reasons": "Verified ownership."})
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert anon.get("/api/v1/delisting").status_code == 401
    assert reviewer.get("/api/v1/delisting", status="bogus").status_code == 422


def test_anonymous_delisting_requests_are_limited_per_address(
    drain_jobs: Callable[[], int], api_client_for: Callable[..., ApiClient], settings: Settings
) -> None:
    file_report()
    drain_jobs()
    settings.FRAUDHUB_INTAKE_RATE_LIMIT = 2
    # One window for the whole test: a fixed minute window could end between two requests.
    settings.FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS = 10**9
    body = {"value": "+84 912 345 678", "requester_name": "B",
            "requester_email": "b@example.com", "statement": "Mine since 2019."}
    anon = api_client_for(None)
    answers = [anon.post("/api/v1/delisting", body) for _ in range(3)]
    # The second asks again about a value already under review (409): it still counts.
    assert [a.status_code for a in answers] == [201, 409, 429]
    window = settings.FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS
    assert 1 <= int(answers[-1]["Retry-After"]) <= window
    assert "Too many requests; try again in" in answers[-1].json()["detail"]
    # A signed-in caller is not held to the address's limit: refused for asking twice (409),
    # not for the rate.
    with pytest.raises(Conflict):
        delisting_request_create(actor=Actor.system("desk"),
                                 data=_request(requester_email="b@example.com"))


def _files(root: object) -> list[Path]:
    return sorted(p for p in Path(str(root)).rglob("*") if p.is_file())


def test_delisting_evidence_the_storage_cannot_take_is_503_and_leaves_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, api_client_for: Callable[..., ApiClient],
) -> None:
    import errno
    import os

    from django.core.files.storage import FileSystemStorage
    from django.test import Client

    from fraudhub.indicators.models import DelistingRequest
    from tests.conftest import evidence_item
    from tests.indicators_db.factories import make_indicator

    make_indicator(PHONE, status=IndicatorStatus.SUSPICIOUS)
    media = settings.MEDIA_ROOT
    before, audit = _files(media), AuditEntry.objects.count()

    def full_disk(storage: FileSystemStorage, name: str, content: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), storage.path(name))

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    answer = Client(REMOTE_ADDR="198.51.100.9").post("/api/v1/delisting", {
        "value": "0912 345 678", "requester_name": "Trần Thị B",
        "requester_email": "owner@example.com", "statement": "The number is mine.",
        "evidence": [evidence_item()]}, content_type="application/json")

    assert answer.status_code == 503
    assert (answer.json()["code"], answer["Retry-After"]) == ("storage_unavailable", "300")
    assert not DelistingRequest.objects.exists()
    assert AuditEntry.objects.count() == audit
    assert Indicator.objects.get(value=PHONE).status == IndicatorStatus.SUSPICIOUS
    assert _files(media) == before


def test_delisting_evidence_of_a_request_refused_after_writing_is_removed(
    settings: Settings,
) -> None:
    from fraudhub.reports.evidence import EvidenceUpload
    from tests.indicators_db.factories import make_indicator

    make_indicator(PHONE, status=IndicatorStatus.SUSPICIOUS)
    media = settings.MEDIA_ROOT
    delisting_request_create(actor=Actor.anonymous(ip="198.51.100.9"), data=_request())
    before = _files(media)

    # A second request for the same value is refused inside the transaction, after the
    # evidence was written: the file must not stay, no row would name it.
    with pytest.raises(Conflict):
        delisting_request_create(actor=Actor.anonymous(ip="198.51.100.9"), data=_request(
            evidence=[EvidenceUpload(name="contract.png", content=png_bytes((61, 17)))]))

    assert _files(media) == before
