from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fraudhub.cases.models import Case, CaseStatus, Queue
from fraudhub.cases.priority import priority_score
from fraudhub.cases.services.claims import case_claim, claims_expire
from fraudhub.cases.services.reporters import reporter_mark_bad_faith
from fraudhub.core.actors import Actor
from fraudhub.core.errors import PermissionDenied
from fraudhub.core.housekeeping import cases_reprioritize
from fraudhub.core.models import Organization, OrganizationKind
from fraudhub.core.services import organization_create
from fraudhub.reports.models import Report, ReportStatus
from tests.cases.helpers import file_report
from tests.conftest import SYSTEM, make_user

pytestmark = pytest.mark.django_db


def test_bad_faith_closes_pending_reports_and_suspends_new_ones(reviewer_actor: Actor) -> None:
    spam_ip = "203.0.113.66"
    only = file_report(target="https://www.facebook.com/honest.bakery", ip=spam_ip)
    shared = file_report(target="https://www.facebook.com/real.scam", ip=spam_ip)
    file_report(target="https://www.facebook.com/real.scam", ip="203.0.113.67")
    reporter_id = only.report.reporter_id
    assert reporter_id is not None

    reporter_mark_bad_faith(actor=reviewer_actor, reporter_id=reporter_id,
                            reason="Floods reports against a competitor's pages.", days=30)

    assert Report.objects.get(pk=only.report.pk).status == ReportStatus.CLOSED_BAD_FAITH
    assert Report.objects.get(pk=shared.report.pk).status == ReportStatus.CLOSED_BAD_FAITH
    assert only.report.case_id is not None and shared.report.case_id is not None
    assert Case.objects.get(pk=only.report.case_id).status == CaseStatus.CLOSED
    remaining = Case.objects.get(pk=shared.report.case_id)
    assert remaining.status == CaseStatus.OPEN
    assert (remaining.report_count, remaining.reporter_count) == (1, 1)

    later = file_report(target="https://www.facebook.com/another.shop", ip=spam_ip)
    assert later.report.status == ReportStatus.SUSPENDED
    assert later.report.case_id is None


def test_citizens_cannot_mark_reporters() -> None:
    filed = file_report()
    with pytest.raises(PermissionDenied):
        reporter_mark_bad_faith(actor=Actor.anonymous(), reporter_id=filed.report.reporter_id,  # type: ignore[arg-type]
                                reason="x")


def test_priority_grows_with_distinct_reporters_severity_source_and_age() -> None:
    single = file_report(target="https://www.facebook.com/one.report", fraud_type="lottery_tips")
    crowd = None
    for i in range(8):
        crowd = file_report(target="https://www.facebook.com/many.reports",
                            fraud_type="lottery_tips", ip=f"198.51.100.{i + 1}")
    assert crowd is not None
    assert single.report.case_id is not None and crowd.report.case_id is not None
    single_case = Case.objects.get(pk=single.report.case_id)
    crowd_case = Case.objects.get(pk=crowd.report.case_id)
    assert crowd_case.reporter_count == 8
    assert crowd_case.priority > single_case.priority

    same_person = None
    for _ in range(8):
        same_person = file_report(target="https://www.facebook.com/one.person",
                                  fraud_type="lottery_tips", ip="198.51.100.200")
    assert same_person is not None and same_person.report.case_id is not None
    one_person_case = Case.objects.get(pk=same_person.report.case_id)
    assert (one_person_case.report_count, one_person_case.reporter_count) == (8, 1)
    assert one_person_case.priority < crowd_case.priority

    severe = file_report(target="https://www.facebook.com/fake.police",
                         fraud_type="fake_police_court", ip="198.51.100.201")
    assert severe.report.case_id is not None
    assert Case.objects.get(pk=severe.report.case_id).priority > single_case.priority

    now = timezone.now()
    assert priority_score(single_case, now=now + timedelta(hours=20)) > priority_score(
        single_case, now=now)
    Case.objects.filter(pk=single_case.pk).update(opened_at=now - timedelta(hours=30))
    assert cases_reprioritize() >= 1
    assert Case.objects.get(pk=single_case.pk).priority > single_case.priority


def test_trusted_flagger_and_authority_reports_go_to_their_queues() -> None:
    flagger_org = organization_create(actor=SYSTEM, name="Flagger NGO",
                                      kind=OrganizationKind.NGO, is_trusted_flagger=True)
    agency = Organization.objects.create(name="A05", kind=OrganizationKind.AGENCY)
    flagger = Actor.for_user(make_user("citizen", "flagger", flagger_org))
    officer = Actor.for_user(make_user("agency_officer", "officer", agency))
    by_flagger = file_report(target="https://www.facebook.com/flagged.page", actor=flagger)
    by_officer = file_report(target="https://www.facebook.com/ordered.page", actor=officer)
    assert by_flagger.report.case_id is not None and by_officer.report.case_id is not None
    flagged_case = Case.objects.get(pk=by_flagger.report.case_id)
    ordered_case = Case.objects.get(pk=by_officer.report.case_id)
    assert flagged_case.queue == Queue.PRIORITY
    assert ordered_case.queue == Queue.AUTHORITY
    assert ordered_case.due_at - ordered_case.opened_at == timedelta(hours=24)
    assert flagged_case.due_at - flagged_case.opened_at == timedelta(hours=48)

    # A citizen case joined by an authority moves queue and pulls its deadline in.
    citizen = file_report(target="https://www.facebook.com/mixed.case")
    joined = file_report(target="https://www.facebook.com/mixed.case", actor=officer)
    assert joined.report.case_id is not None
    mixed = Case.objects.get(pk=joined.report.case_id)
    assert mixed.pk == citizen.report.case_id
    assert mixed.queue == Queue.AUTHORITY
    assert mixed.due_at - mixed.opened_at == timedelta(hours=24)


def test_expired_claims_return_to_the_queue(reviewer_actor: Actor) -> None:
    filed = file_report()
    assert filed.report.case_id is not None
    case_claim(actor=reviewer_actor, case_id=filed.report.case_id)
    assert Report.objects.get(pk=filed.report.pk).status == ReportStatus.IN_REVIEW
    assert claims_expire(actor=SYSTEM) == 0
    Case.objects.filter(pk=filed.report.case_id).update(
        claim_expires_at=timezone.now() - timedelta(seconds=1))
    assert claims_expire(actor=SYSTEM) == 1
    case = Case.objects.get(pk=filed.report.case_id)
    assert (case.status, case.claimed_by) == (CaseStatus.OPEN, "")
    assert Report.objects.get(pk=filed.report.pk).status == ReportStatus.RECEIVED


def test_reprioritizing_many_open_cases_takes_a_few_statements_a_chunk() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fraudhub.cases.models import Target
    from fraudhub.cases.priority import queue_for
    from fraudhub.core.housekeeping import REPRIORITIZE_CHUNK

    now = timezone.now()
    count = 2 * REPRIORITIZE_CHUNK + 1
    fresh_score = priority_score(
        Case(reporter_count=1, reputation_total=50, max_severity=3, opened_at=now), now=now)
    targets = Target.objects.bulk_create(
        Target(kind="phone", indicator_type="phone", canonical=f"+8491{n:07d}",
               display=f"+84 91 {n:07d}") for n in range(count))
    # Half waited 30 hours (the age term is at its cap of 15 points, whatever the second),
    # half were just opened: only the first half moves.
    Case.objects.bulk_create(
        Case(target=target, fraud_type="investment_stock_crypto", queue=Queue.STANDARD,
             opened_at=now - timedelta(hours=30 if n % 2 else 0),
             due_at=now + timedelta(hours=48), reporter_count=1, reputation_total=50,
             max_severity=3, priority=fresh_score)
        for n, target in enumerate(targets))

    with CaptureQueriesContext(connection) as statements:
        moved = cases_reprioritize()

    assert moved == count // 2
    # Per chunk of 500: one read, and for its moved cases a lock and one write (a transaction
    # around them); one read more finds the end. One transaction per case was ~3 a case.
    assert len(statements) <= 6 * 3 + 1
    waited = list(Case.objects.filter(opened_at__lt=now - timedelta(hours=1)))
    assert {case.priority for case in waited} == {fresh_score + 15}
    assert all(case.queue == queue_for(case) for case in waited)
    assert set(Case.objects.filter(opened_at__gte=now - timedelta(hours=1))
               .values_list("priority", flat=True)) == {fresh_score}
