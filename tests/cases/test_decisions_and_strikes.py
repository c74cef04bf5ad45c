from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fraudhub.cases.adapters import RecordingAdapter
from fraudhub.cases.models import (
    Case,
    CaseStatus,
    Enforcement,
    EnforcementStatus,
    PlatformStatus,
    Strike,
    Target,
)
from fraudhub.cases.strikes import strike_summary
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.errors import Conflict
from fraudhub.core.models import AuditEntry
from fraudhub.reports.models import Report, Reporter, ReportStatus
from tests.cases.helpers import decide, file_report

pytestmark = pytest.mark.django_db


def test_suspension_is_enforced_explained_and_audited(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    filed = file_report(reporter_email="victim@example.com", language="en")
    case = filed.report.case
    assert case is not None
    decision = decide(reviewer_actor, case, "suspend", 14)

    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    report = Report.objects.get(pk=filed.report.pk)
    assert report.status == ReportStatus.ACTIONED
    assert decision.ends_at is not None
    assert decision.statement["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert decision.statement["end_date"] == decision.ends_at.date().isoformat()
    assert decision.statement["source_type"] == "SOURCE_ARTICLE_16"

    drain_jobs()
    enforcement = Enforcement.objects.get(decision=decision)
    assert enforcement.status == EnforcementStatus.DELIVERED
    assert RecordingAdapter.orders[0]["outcome"] == "suspend"
    assert RecordingAdapter.orders[0]["target"]["value"] == "facebook:100012345678"
    assert "/appeal/" in RecordingAdapter.orders[0]["appeal_url"]
    target = Target.objects.get(pk=case.target_id)
    assert target.platform_status == PlatformStatus.SUSPENDED
    assert target.status_until == decision.ends_at

    subjects = [m.subject for m in mail.outbox]
    assert len(mail.outbox) == 2  # receipt, then decision
    assert any("decision" in s.lower() for s in subjects)
    assert "Temporary suspension" in mail.outbox[-1].body

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"report.create", "case.open", "case.claim", "decision.create",
            "enforcement.schedule_apply", "enforcement.attempt"} <= actions
    assert audit_verify().ok


def test_no_violation_lowers_and_upheld_raises_reporter_reputation(reviewer_actor: Actor) -> None:
    bad = file_report(target="https://www.facebook.com/innocent.shop", ip="203.0.113.50")
    good = file_report(target="https://www.facebook.com/real.scammer", ip="203.0.113.51")
    decide(reviewer_actor, bad.report.case_id, "no_violation")
    decide(reviewer_actor, good.report.case_id, "label")
    assert bad.report.reporter_id is not None and good.report.reporter_id is not None
    assert Reporter.objects.get(pk=bad.report.reporter_id).reputation == 45
    assert Reporter.objects.get(pk=good.report.reporter_id).reputation == 55
    assert not Enforcement.objects.filter(decision__outcome="no_violation").exists()


def test_decision_requires_holding_the_claim(reviewer_actor: Actor, reviewer2: object) -> None:
    from fraudhub.cases.services.claims import case_claim
    from fraudhub.cases.services.decisions import DecisionInput, decision_create

    filed = file_report()
    case_id = filed.report.case_id
    assert case_id is not None
    case_claim(actor=reviewer_actor, case_id=case_id)
    other = Actor.for_user(reviewer2)  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        case_claim(actor=other, case_id=case_id)
    with pytest.raises(Conflict):
        decision_create(actor=other, case_id=case_id, data=DecisionInput(
            outcome="label", ground="scam_fraud", facts="x"))


def _upheld_strikes(target: Target, count: int, days_ago: int, actor: Actor) -> None:
    for i in range(count):
        filed = file_report(target=target.canonical, kind=target.kind, ip=f"203.0.113.{100 + i}")
        decide(actor, filed.report.case_id, "label")
    Strike.objects.filter(target=target).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def _target() -> Target:
    filed = file_report(target="https://www.facebook.com/repeat.offender")
    return Target.objects.get(pk=filed.report.target_id)


def test_four_strikes_in_30_days_propose_nothing_five_propose_a_lock(
    reviewer_actor: Actor,
) -> None:
    target = _target()
    Case.objects.filter(target=target).update(status=CaseStatus.CLOSED)
    _upheld_strikes(target, 4, 1, reviewer_actor)
    assert strike_summary(target=target, now=timezone.now()).proposed_outcome is None
    _upheld_strikes(target, 1, 1, reviewer_actor)
    summary = strike_summary(target=target, now=timezone.now())
    assert summary.strikes_short == 5
    assert (summary.proposed_outcome, summary.proposed_days) == ("suspend", 7)


def test_strikes_older_than_30_days_count_only_toward_the_90_day_threshold(
    reviewer_actor: Actor,
) -> None:
    target = _target()
    Case.objects.filter(target=target).update(status=CaseStatus.CLOSED)
    _upheld_strikes(target, 9, 45, reviewer_actor)
    summary = strike_summary(target=target, now=timezone.now())
    assert (summary.strikes_short, summary.strikes_long) == (0, 9)
    assert summary.proposed_outcome is None
    filed = file_report(target=target.canonical, ip="203.0.113.250")
    decide(reviewer_actor, filed.report.case_id, "label")
    summary = strike_summary(target=target, now=timezone.now())
    assert summary.strikes_long == 10
    assert summary.proposed_outcome == "suspend"


def test_third_lock_leads_to_a_termination_proposal(reviewer_actor: Actor) -> None:
    target = _target()
    Case.objects.filter(target=target).update(status=CaseStatus.CLOSED)
    _upheld_strikes(target, 5, 2, reviewer_actor)
    days_seen = []
    for i in range(3):
        summary = strike_summary(target=target, now=timezone.now())
        assert summary.proposed_outcome == "suspend"
        days_seen.append(summary.proposed_days)
        filed = file_report(target=target.canonical, ip=f"198.51.100.{i + 1}")
        decide(reviewer_actor, filed.report.case_id, "suspend", summary.proposed_days)
    assert days_seen == [7, 14, 30]
    summary = strike_summary(target=target, now=timezone.now())
    assert summary.temporary_locks == 3
    assert summary.proposed_outcome == "terminate"


def test_phone_targets_collect_no_strikes(reviewer_actor: Actor) -> None:
    filed = file_report(target="0912 345 678", kind="phone")
    decide(reviewer_actor, filed.report.case_id, "label")
    assert not Strike.objects.exists()
