"""Contact data erased when its retention ends, and not a day earlier (fraudhub.core.retention)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from pytest_django import Settings

from fraudhub.cases.models import AppealStatus, CaseStatus, Decision
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_reporter,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.core.actors import Actor
from fraudhub.core.models import AuditEntry
from fraudhub.core.retention import (
    personal_data_due_counts,
    personal_data_erase_due,
)
from fraudhub.indicators.delisting import DelistingInput, delisting_decide, delisting_request_create
from fraudhub.indicators.models import DelistingRequest
from fraudhub.reports.models import Report, ReportStatus
from tests.cases.helpers import decide, file_report
from tests.core.retention_helpers import (
    EMAIL,
    NAME,
    OWNER_EMAIL,
    PHONE,
    appeal_upheld,
    contacts_of,
    filed_with_contacts,
    suspended_and_appealed,
)

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
DAY = timedelta(days=1)
# The appeal window (183 days) and the grace period (30 days) of the default settings.
WINDOW, GRACE = timedelta(days=183), timedelta(days=30)


def _erase(now: datetime) -> dict[str, int]:
    return personal_data_erase_due(actor=SYSTEM, now=now)


def test_a_pending_report_keeps_its_contacts_however_old() -> None:
    filed = filed_with_contacts()
    assert _erase(filed.report.created_at + timedelta(days=3000)) == {
        "report": 0, "appeal": 0, "delisting": 0}
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)
    assert not AuditEntry.objects.filter(action="personal_data.erase").exists()


def test_report_contacts_go_when_the_appeal_window_and_grace_end_not_a_day_earlier(
    reviewer_actor: Actor,
) -> None:
    filed = filed_with_contacts()
    decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
    due = decision.decided_at + WINDOW + GRACE

    # Still appealable (by the owner), then within the grace period: kept.
    assert _erase(decision.decided_at + WINDOW - DAY)["report"] == 0
    assert _erase(due - DAY)["report"] == 0
    assert personal_data_due_counts(now=due - DAY)["report"] == 0
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)

    assert personal_data_due_counts(now=due + DAY)["report"] == 1
    assert _erase(due + DAY)["report"] == 1
    report = Report.objects.select_related("reporter").get(pk=filed.report.pk)
    assert contacts_of(report) == ("", "", "")
    assert report.contacts_erased_at == due + DAY
    # The report, its status and its keyed reporter with their reputation stay.
    assert report.status == ReportStatus.ACTIONED
    assert report.reporter is not None and report.reporter.upheld_count == 1
    # Erased once: the next run finds nothing.
    assert _erase(due + 2 * DAY)["report"] == 0


def test_one_audit_entry_per_batch_names_rows_and_fields_never_values(
    reviewer_actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("fraudhub.core.retention.ERASE_BATCH", 2)
    first = filed_with_contacts()
    decide(reviewer_actor, first.report.case_id, "suspend", 14)
    others = [file_report(target=f"https://www.facebook.com/profile.php?id=10001234567{i}",
                          ip=f"203.0.113.{20 + i}", reporter_email=f"r{i}@example.com",
                          reporter_phone="" if i else PHONE)
              for i in range(2)]
    for filed in others:
        decide(reviewer_actor, filed.report.case_id, "no_violation")
    latest = Decision.objects.order_by("decided_at").last()
    assert latest is not None

    assert _erase(latest.decided_at + WINDOW + GRACE + DAY)["report"] == 3
    entries = list(AuditEntry.objects.filter(action="personal_data.erase").order_by("seq"))
    assert len(entries) == 2  # three reports in batches of two
    erased: dict[str, list[str]] = {}
    for entry in entries:
        assert entry.object_type == "report" and entry.actor_kind == "system"
        assert entry.new is not None
        erased.update(entry.new["erased"])
        text = json.dumps([entry.old, entry.new], ensure_ascii=False)
        for value in (EMAIL, NAME, PHONE, "r0@example.com", "r1@example.com", "Lan"):
            assert value not in text
    assert erased == {
        str(first.report.pk): ["reporter_email", "reporter_name", "reporter_phone"],
        str(others[0].report.pk): ["reporter_email", "reporter_phone"],
        str(others[1].report.pk): ["reporter_email"],
    }


def test_an_open_appeal_keeps_the_reports_and_the_appealscontacts_of(
    reviewer_actor: Actor,
) -> None:
    filed = filed_with_contacts()
    decision, appeal = suspended_and_appealed(reviewer_actor, filed)
    assert appeal.case.status == CaseStatus.APPEALED

    assert _erase(decision.decided_at + timedelta(days=3000)) == {
        "report": 0, "appeal": 0, "delisting": 0}
    appeal.refresh_from_db()
    assert appeal.contact_email == OWNER_EMAIL
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)


def test_a_decided_appeal_keeps_its_address_for_the_grace_period(
    reviewer_actor: Actor, senior_actor: Actor,
) -> None:
    filed = filed_with_contacts()
    _, appeal = suspended_and_appealed(reviewer_actor, filed)
    appeal = appeal_upheld(senior_actor, appeal)
    assert appeal.decided_at is not None

    assert _erase(appeal.decided_at + GRACE - DAY)["appeal"] == 0
    appeal.refresh_from_db()
    assert appeal.contact_email == OWNER_EMAIL and appeal.contact_erased_at is None
    # The report's contacts wait for the decision's own window.
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)

    assert _erase(appeal.decided_at + GRACE + DAY)["appeal"] == 1
    appeal.refresh_from_db()
    assert (appeal.contact_email, appeal.status) == ("", AppealStatus.UPHELD)
    assert appeal.contact_erased_at == appeal.decided_at + GRACE + DAY
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)
    entry = AuditEntry.objects.get(action="personal_data.erase", object_type="appeal")
    assert entry.new is not None and entry.new["erased"] == {str(appeal.pk): ["contact_email"]}
    assert OWNER_EMAIL not in json.dumps(entry.new)


def test_a_reversal_starts_a_new_window_for_the_reportscontacts_of(
    reviewer_actor: Actor, senior_actor: Actor,
) -> None:
    filed = filed_with_contacts()
    decision = decide(reviewer_actor, filed.report.case_id, "no_violation")
    # Taken a hundred days ago: its window ends well before the replacement's.
    decision.decided_at -= timedelta(days=100)
    Decision.objects.filter(pk=decision.pk).update(decided_at=decision.decided_at)
    Report.objects.filter(pk=filed.report.pk).update(closed_at=decision.decided_at)
    appeal = appeal_file_by_reporter(actor=Actor.anonymous(ip="203.0.113.5"),
                                     tracking_code=filed.report.tracking_code,
                                     secret=filed.secret, statement="It is a scam.")
    assert appeal.contact_email == EMAIL
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
        outcome="reversed", reasons="The screenshots show deposits asked for.",
        replacement_outcome="suspend", replacement_ground="scam_fraud",
        replacement_days=14))
    replacement = Decision.objects.get(supersedes=decision)
    # The old decision's window and grace have ended, the new one's not: kept.
    assert _erase(decision.decided_at + WINDOW + GRACE + 2 * DAY)["report"] == 0
    assert _erase(replacement.decided_at + WINDOW + GRACE - DAY)["report"] == 0
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)
    assert _erase(replacement.decided_at + WINDOW + GRACE + DAY)["report"] == 1
    assert contacts_of(filed.report) == ("", "", "")


def test_a_report_of_a_case_closed_without_decision_goes_after_the_grace_period(
    reviewer_actor: Actor,
) -> None:
    from fraudhub.cases.services.reporters import reporter_mark_bad_faith

    filed = filed_with_contacts()
    assert filed.report.reporter_id is not None
    reporter_mark_bad_faith(actor=reviewer_actor, reporter_id=filed.report.reporter_id,
                            reason="Floods the queue with copies.")
    report = Report.objects.select_related("case").get(pk=filed.report.pk)
    assert report.status == ReportStatus.CLOSED_BAD_FAITH and report.closed_at is not None
    assert report.case is not None and report.case.status == CaseStatus.CLOSED
    assert _erase(report.closed_at + GRACE - DAY)["report"] == 0
    assert _erase(report.closed_at + GRACE + DAY)["report"] == 1
    assert contacts_of(report) == ("", "", "")


def test_a_final_report_in_a_case_still_open_keeps_itscontacts_of(reviewer_actor: Actor) -> None:
    # A report closed in bad faith while others keep its case open: any reporter of the case
    # may appeal the decision still to come, and is notified through these contacts.
    filed = filed_with_contacts()
    other = file_report(ip="203.0.113.77", reporter_email="other@example.com")
    assert other.report.case_id == filed.report.case_id
    assert filed.report.reporter_id is not None
    from fraudhub.cases.services.reporters import reporter_mark_bad_faith

    reporter_mark_bad_faith(actor=reviewer_actor, reporter_id=filed.report.reporter_id,
                            reason="Floods the queue with copies.")
    report = Report.objects.select_related("case").get(pk=filed.report.pk)
    assert report.status == ReportStatus.CLOSED_BAD_FAITH
    assert report.case is not None and report.case.status == CaseStatus.OPEN
    assert _erase(report.created_at + timedelta(days=3000))["report"] == 0
    assert contacts_of(report) == (EMAIL, NAME, PHONE)


def _delisting(drain_jobs: Callable[[], int]) -> DelistingRequest:
    file_report()
    drain_jobs()
    return delisting_request_create(actor=Actor.anonymous(ip="198.51.100.40"), data=DelistingInput(
        value="0912 345 678", requester_name="Công ty Demo", requester_email="lienhe@example.com",
        statement="This number is our new hotline."))


def test_a_delisting_request_keeps_its_contacts_until_decided_plus_grace(
    reviewer_actor: Actor, drain_jobs: Callable[[], int],
) -> None:
    request = _delisting(drain_jobs)
    assert _erase(request.created_at + timedelta(days=3000))["delisting"] == 0
    decided = delisting_decide(actor=reviewer_actor, request_id=request.pk, accept=False,
                               reasons="Reports keep coming in.")
    assert decided.decided_at is not None
    assert _erase(decided.decided_at + GRACE - DAY)["delisting"] == 0
    assert _erase(decided.decided_at + GRACE + DAY)["delisting"] == 1
    request.refresh_from_db()
    assert (request.requester_name, request.requester_email) == ("", "")
    assert request.status == "rejected" and request.reasons == "Reports keep coming in."
    assert request.contacts_erased_at == decided.decided_at + GRACE + DAY
    entry = AuditEntry.objects.get(action="personal_data.erase", object_type="delisting")
    assert entry.new is not None
    assert entry.new["erased"] == {str(request.pk): ["requester_name", "requester_email"]}
    assert "lienhe@example.com" not in json.dumps(entry.new)
    assert "Công ty Demo" not in json.dumps(entry.new, ensure_ascii=False)


def test_zero_days_never_erases(reviewer_actor: Actor, settings: Settings) -> None:
    settings.FRAUDHUB_CONTACT_RETENTION_DAYS = 0
    filed = filed_with_contacts()
    decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
    far = decision.decided_at + timedelta(days=3000)
    assert personal_data_due_counts(now=far) == {"report": 0, "appeal": 0, "delisting": 0}
    assert _erase(far) == {"report": 0, "appeal": 0, "delisting": 0}
    assert contacts_of(filed.report) == (EMAIL, NAME, PHONE)


def test_the_grace_period_follows_the_setting(reviewer_actor: Actor, settings: Settings) -> None:
    settings.FRAUDHUB_CONTACT_RETENTION_DAYS = 90
    filed = filed_with_contacts()
    decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
    due = decision.decided_at + WINDOW + timedelta(days=90)
    assert _erase(due - DAY)["report"] == 0
    assert _erase(due + DAY)["report"] == 1

