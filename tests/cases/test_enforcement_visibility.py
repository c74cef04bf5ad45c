"""Reviewers see whether a decision reached the platform, and send a given-up delivery again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fraudhub.cases.models import Decision, Enforcement, EnforcementStatus
from fraudhub.core.actors import Actor
from fraudhub.core.models import AuditEntry, User
from fraudhub.core.roles import Role
from tests.cases.helpers import decide, file_report
from tests.conftest import ApiClient, logged_in_client

PLATFORM_ERROR = "HTTP 503 from the platform: <b>maintenance</b>"


@pytest.fixture
def console(reviewer: User, settings: Any) -> Client:
    """The reviewer's browser on the console (2FA off for these tests)."""
    settings.FRAUDHUB_REQUIRE_2FA = False
    return logged_in_client(reviewer)


def _given_up_decision(actor: Actor) -> tuple[Decision, Enforcement]:
    filed = file_report()
    decision = decide(actor, filed.report.case_id, "suspend", 14)
    enforcement = Enforcement.objects.get(decision=decision)
    # What the webhook adapter leaves after its last attempt (tests/cases/test_webhook_adapter).
    Enforcement.objects.filter(pk=enforcement.pk).update(
        status=EnforcementStatus.GIVEN_UP, flagged=True, attempts=6, last_error=PLATFORM_ERROR)
    enforcement.refresh_from_db()
    return decision, enforcement


@pytest.mark.django_db
def test_a_case_in_the_api_shows_each_decision_s_deliveries(
    reviewer_actor: Actor, api_client_for: Callable[..., ApiClient],
) -> None:
    decision, enforcement = _given_up_decision(reviewer_actor)
    api = api_client_for(Role.REVIEWER)

    answer = api.get(f"/api/v1/cases/{decision.case_id}")

    assert answer.status_code == 200
    [shown] = answer.json()["decisions"]
    [delivery] = shown["enforcements"]
    assert {k: delivery[k] for k in ("id", "decision_id", "case_id", "action", "status",
                                     "attempts", "last_error")} == {
        "id": enforcement.pk, "decision_id": decision.pk, "case_id": decision.case_id,
        "action": "apply", "status": "given_up", "attempts": 6, "last_error": PLATFORM_ERROR}


@pytest.mark.django_db
def test_a_new_decision_answers_with_its_pending_delivery(
    reviewer_actor: Actor, api_client_for: Callable[..., ApiClient],
) -> None:
    filed = file_report()
    api = api_client_for(Role.REVIEWER)
    assert api.post(f"/api/v1/cases/{filed.report.case_id}/claim").status_code == 200

    answer = api.post(f"/api/v1/cases/{filed.report.case_id}/decision", {
        "outcome": "suspend", "ground": "scam_fraud", "facts": "Asks for deposits.", "days": 14})

    assert answer.status_code == 201
    assert [(e["action"], e["status"]) for e in answer.json()["enforcements"]] == [
        ("apply", "pending")]


@pytest.mark.django_db
def test_given_up_deliveries_are_listed_and_sent_again_through_the_api(
    reviewer_actor: Actor, api_client_for: Callable[..., ApiClient],
) -> None:
    _decision, enforcement = _given_up_decision(reviewer_actor)
    _other, delivered = _given_up_decision(reviewer_actor)
    Enforcement.objects.filter(pk=delivered.pk).update(status=EnforcementStatus.DELIVERED)
    api = api_client_for(Role.REVIEWER)

    listed = api.get("/api/v1/enforcements", status="given_up")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [enforcement.pk]
    assert api.get("/api/v1/enforcements", status="lost").status_code == 422

    retried = api.post(f"/api/v1/enforcements/{enforcement.pk}/retry")
    assert retried.status_code == 200
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    assert AuditEntry.objects.filter(action="enforcement.retry",
                                     object_id=str(enforcement.pk)).count() == 1
    assert api.post(f"/api/v1/enforcements/{enforcement.pk}/retry").status_code == 409
    assert api.post("/api/v1/enforcements/999999/retry").status_code == 404
    assert api_client_for(Role.PARTNER).post(
        f"/api/v1/enforcements/{enforcement.pk}/retry").status_code == 403


@pytest.mark.django_db
def test_the_case_page_shows_a_given_up_delivery_and_sends_it_again(
    console: Client, reviewer_actor: Actor,
) -> None:
    decision, enforcement = _given_up_decision(reviewer_actor)
    browser = console
    page = browser.get(f"/console/cases/{decision.case_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="badge delivery-given_up"' in html
    assert "&lt;b&gt;maintenance&lt;/b&gt;" in html  # the platform's answer, escaped
    retry_url = f"/console/cases/{decision.case_id}/enforcements/{enforcement.pk}/retry"
    assert f'action="{retry_url}"' in html

    assert browser.post(retry_url).status_code == 303

    enforcement.refresh_from_db()
    assert enforcement.status == EnforcementStatus.PENDING
    html = browser.get(f"/console/cases/{decision.case_id}/").content.decode()
    assert 'class="badge delivery-pending"' in html
    assert f'action="{retry_url}"' not in html


@pytest.mark.django_db
def test_a_delivery_is_sent_again_only_from_its_own_case_page(
    console: Client, reviewer_actor: Actor,
) -> None:
    decision, enforcement = _given_up_decision(reviewer_actor)
    other = file_report(target="https://www.facebook.com/scam.page.two")
    browser = console

    answer = browser.post(
        f"/console/cases/{other.report.case_id}/enforcements/{enforcement.pk}/retry")

    assert answer.status_code == 404
    enforcement.refresh_from_db()
    assert enforcement.status == EnforcementStatus.GIVEN_UP
    assert decision.case_id != other.report.case_id


@pytest.mark.django_db
def test_the_delivery_is_described_in_vietnamese(console: Client, reviewer_actor: Actor) -> None:
    decision, _enforcement = _given_up_decision(reviewer_actor)
    html = console.get(f"/console/cases/{decision.case_id}/",
                       headers={"Accept-Language": "vi"}).content.decode()
    assert "6 lần thử" in html
    assert "Gửi lại" in html
