"""Erasure as it runs (housekeeping, `fraudhub retention erase`) and the pages, API and jobs
that read erased contact data."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from pytest_django import Settings

from fraudhub.cases.models import Appeal, Case, Decision
from fraudhub.cases.services.decisions import refuse_reporters_named
from fraudhub.cases.tasks import send_appeal_outcome
from fraudhub.core import retention
from fraudhub.core.actors import Actor
from fraudhub.core.errors import ValidationFailed
from fraudhub.core.housekeeping import run_housekeeping
from fraudhub.core.jobs import enqueue
from fraudhub.core.models import AuditEntry, User
from fraudhub.indicators.delisting import DelistingInput, delisting_decide, delisting_request_create
from fraudhub.indicators.models import DelistingRequest
from fraudhub.indicators.tasks import send_delisting_outcome
from fraudhub.reports.models import Report
from fraudhub.reports.services import FiledReport
from fraudhub.reports.tasks import send_decision_notice
from tests.cases.helpers import decide, file_report
from tests.conftest import ApiClient, logged_in_client
from tests.core.retention_helpers import (
    EMAIL,
    NAME,
    PHONE,
    appeal_upheld,
    contacts_of,
    filed_with_contacts,
    suspended_and_appealed,
)

pytestmark = pytest.mark.django_db

# Past the appeal window (183 days) and the grace period (30 days).
LONG_AGO = timedelta(days=183 + 30 + 1)


@pytest.fixture(autouse=True)
def _fresh_round() -> Iterator[None]:
    retention.forget_last_erasure()  # another test's housekeeping round does not count
    yield
    retention.forget_last_erasure()


def _age(case_id: int | None) -> None:
    """Move what happened on the case LONG_AGO back in time."""
    assert case_id is not None
    for model, fields in ((Decision, ("decided_at",)), (Report, ("closed_at",)),
                          (Appeal, ("filed_at", "decided_at"))):
        for row in model._default_manager.filter(case_id=case_id):
            for field in fields:
                if getattr(row, field) is not None:
                    setattr(row, field, getattr(row, field) - LONG_AGO)
            row.save(update_fields=list(fields))


def _filed() -> FiledReport:
    return filed_with_contacts(language="en")


def _decided_long_ago(actor: Actor) -> tuple[FiledReport, Decision]:
    """A report decided (suspend) LONG_AGO: its contacts are due now."""
    filed = _filed()
    decision = decide(actor, filed.report.case_id, "suspend", 14)
    _age(filed.report.case_id)
    mail.outbox.clear()
    return filed, decision


def _appealed_and_upheld(reviewer_actor: Actor, senior_actor: Actor) -> tuple[FiledReport,
                                                                             Decision, Appeal]:
    filed = _filed()
    decision, appeal = suspended_and_appealed(reviewer_actor, filed)
    return filed, decision, appeal_upheld(senior_actor, appeal)


def _contacts(filed: FiledReport) -> tuple[str, str, str]:
    return contacts_of(filed.report)


def test_the_dry_run_counts_and_changes_nothing(reviewer_actor: Actor) -> None:
    filed, _ = _decided_long_ago(reviewer_actor)
    audit_before = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("retention", "erase", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "report: would erase 1 (reporter_email, reporter_name, reporter_phone)",
        "appeal: would erase 0 (contact_email)",
        "delisting: would erase 0 (requester_name, requester_email)",
    ]
    assert _contacts(filed) == (EMAIL, NAME, PHONE)
    assert Report.objects.get(pk=filed.report.pk).contacts_erased_at is None
    assert AuditEntry.objects.count() == audit_before

    out = io.StringIO()
    call_command("retention", "erase", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "report: erased 1 (reporter_email, reporter_name, reporter_phone)")
    assert _contacts(filed) == ("", "", "")
    entry = AuditEntry.objects.get(action="personal_data.erase")
    assert entry.actor_kind == "system" and "cli" in entry.actor_label


def test_the_command_says_when_erasure_is_off(reviewer_actor: Actor, settings: Settings) -> None:
    settings.FRAUDHUB_CONTACT_RETENTION_DAYS = 0
    filed, _ = _decided_long_ago(reviewer_actor)
    out = io.StringIO()
    call_command("retention", "erase", stdout=out)
    assert "erasure is off" in out.getvalue()
    assert _contacts(filed) == (EMAIL, NAME, PHONE)


def test_housekeeping_erases_once_a_day(reviewer_actor: Actor) -> None:
    filed, _ = _decided_long_ago(reviewer_actor)
    done = run_housekeeping()
    assert done["contacts_erased"] == 1 and done["steps_failed"] == 0
    assert _contacts(filed) == ("", "", "")
    entry = AuditEntry.objects.get(action="personal_data.erase")
    assert entry.actor_kind == "system" and "retention" in entry.actor_label

    # Another report due now waits for the next day's round.
    other, _ = _decided_long_ago(reviewer_actor)
    assert run_housekeeping()["contacts_erased"] == 0
    assert _contacts(other) == (EMAIL, NAME, PHONE)
    retention.forget_last_erasure()
    assert run_housekeeping()["contacts_erased"] == 1


def test_zero_days_turns_housekeepings_erasure_off(
    reviewer_actor: Actor, settings: Settings,
) -> None:
    settings.FRAUDHUB_CONTACT_RETENTION_DAYS = 0
    filed, _ = _decided_long_ago(reviewer_actor)
    assert run_housekeeping()["contacts_erased"] == 0
    assert _contacts(filed) == (EMAIL, NAME, PHONE)
    assert not AuditEntry.objects.filter(action="personal_data.erase").exists()


def test_status_page_and_api_work_for_an_erased_report(reviewer_actor: Actor) -> None:
    filed, _ = _decided_long_ago(reviewer_actor)
    call_command("retention", "erase", stdout=io.StringIO())
    assert _contacts(filed) == ("", "", "")
    code = filed.report.tracking_code

    page = ApiClient().client.post(f"/report/status/{code}", {"secret": filed.secret})
    assert page.status_code == 200
    assert code in page.content.decode()

    api = ApiClient().get(f"/api/v1/reports/{code}", headers={"X-Report-Secret": filed.secret})
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["tracking_code"] == code and body["status"] == "actioned"
    assert body["decision"]["outcome"] == "suspend"


def test_the_console_case_page_says_the_contacts_were_erased(
    reviewer_actor: Actor, reviewer: User, senior_actor: Actor, settings: Settings,
) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "en"
    filed, _, _ = _appealed_and_upheld(reviewer_actor, senior_actor)
    _age(filed.report.case_id)
    client = logged_in_client(reviewer)
    before = client.get(f"/console/cases/{filed.report.case_id}/",
                        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "contact details erased" not in before

    out = io.StringIO()
    call_command("retention", "erase", stdout=out)
    assert out.getvalue().splitlines()[:2] == [
        "report: erased 1 (reporter_email, reporter_name, reporter_phone)",
        "appeal: erased 1 (contact_email)"]
    page = client.get(f"/console/cases/{filed.report.case_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "reporter's contact details erased on" in html
    assert "appellant's e-mail address erased on" in html
    assert filed.report.tracking_code in html


def test_jobs_send_nothing_to_an_erased_address(
    reviewer_actor: Actor, senior_actor: Actor, drain_jobs: Callable[[], int],
) -> None:
    filed, decision = _decided_long_ago(reviewer_actor)
    call_command("retention", "erase", stdout=io.StringIO())
    drain_jobs()
    mail.outbox.clear()
    # A notice queued before the erasure (a retried delivery) runs after it.
    enqueue(send_decision_notice, report_id=filed.report.pk, decision_id=decision.pk)
    drain_jobs()
    assert mail.outbox == []

    file_report(target="https://www.facebook.com/profile.php?id=100077777777", ip="203.0.113.8")
    drain_jobs()
    request = delisting_request_create(
        actor=Actor.anonymous(ip="198.51.100.40"),
        data=DelistingInput(value="0912 345 678", requester_name="Công ty Demo",
                            requester_email="lienhe@example.com", statement="Our hotline."))
    delisting_decide(actor=reviewer_actor, request_id=request.pk, accept=False,
                     reasons="Reports keep coming in.")
    DelistingRequest.objects.filter(pk=request.pk).update(
        decided_at=decision.decided_at - LONG_AGO)
    # The outcome mail still queued when the address goes: nothing sent, nothing failed.
    call_command("retention", "erase", stdout=io.StringIO())
    assert DelistingRequest.objects.get(pk=request.pk).requester_email == ""
    mail.outbox.clear()
    drain_jobs()
    enqueue(send_delisting_outcome, request_id=request.pk)
    drain_jobs()
    assert mail.outbox == []


def test_the_appeal_outcome_job_skips_an_erased_address(
    reviewer_actor: Actor, senior_actor: Actor, drain_jobs: Callable[[], int],
) -> None:
    _, _, appeal = _appealed_and_upheld(reviewer_actor, senior_actor)
    assert appeal.decided_at is not None
    assert retention.personal_data_erase_due(
        actor=Actor.system("tests"), now=appeal.decided_at + LONG_AGO)["appeal"] == 1
    mail.outbox.clear()
    drain_jobs()
    enqueue(send_appeal_outcome, appeal_id=appeal.pk)
    drain_jobs()
    assert mail.outbox == []


def test_erased_contacts_name_no_reporter_in_a_decisions_facts(reviewer_actor: Actor) -> None:
    filed, _ = _decided_long_ago(reviewer_actor)
    assert filed.report.case_id is not None
    case = Case.objects.get(pk=filed.report.case_id)
    with pytest.raises(ValidationFailed):
        refuse_reporters_named(field="facts", text=f"Told by {NAME}.", case=case)
    call_command("retention", "erase", stdout=io.StringIO())
    # Empty contacts match nothing: not every text, not the empty text.
    for text in ("The account asked for deposits.", "", " ", "0", "@"):
        refuse_reporters_named(field="facts", text=text, case=case)
