from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
)
from fraudhub.cases.services.claims import case_claim, case_release
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.errors import Conflict, InvalidTransition, PermissionDenied
from fraudhub.core.models import AuditEntry
from fraudhub.indicators import policy
from fraudhub.indicators.allowlists import (
    allowlist_add,
    allowlist_sync_shipped,
    indicator_override_allowlist,
    shipped_entries,
)
from fraudhub.indicators.models import Indicator, IndicatorStatus, Sighting, SightingKind
from fraudhub.indicators.selectors import indicator_check
from fraudhub.indicators.services import (
    indicator_remove,
    indicator_transition,
    indicators_decay,
)
from fraudhub.reports.models import Report
from tests.cases.helpers import decide, file_report
from tests.conftest import SYSTEM, make_user

pytestmark = pytest.mark.django_db
PHONE = "+84912345678"
ACCOUNT = "970436:0071000123456"
PROFILE = "facebook:100012345678"


def _get(value: str) -> Indicator:
    return Indicator.objects.get(value=value)


def test_reports_become_sightings_with_distinct_reporters(drain_jobs: Callable[[], int]) -> None:
    first = file_report(ip="203.0.113.1")
    file_report(ip="203.0.113.1")
    file_report(ip="203.0.113.2")
    drain_jobs()
    phone = _get(PHONE)
    assert phone.status == IndicatorStatus.SUSPICIOUS
    assert phone.reporter_count == 2
    assert Sighting.objects.filter(indicator=phone, kind=SightingKind.SEEN).count() == 3
    assert phone.fraud_types == ["investment_stock_crypto"]
    assert phone.confidence == policy.reported_confidence(2) > policy.reported_confidence(1)
    assert {_get(ACCOUNT).status, _get(PROFILE).status} == {IndicatorStatus.SUSPICIOUS}
    assert phone.sources.filter(kind="report", reference=first.report.tracking_code).exists()
    assert Report.objects.get(pk=first.report.pk).indicators_recorded_at is not None
    # The job is idempotent: running it again records nothing new.
    from fraudhub.indicators.feeds import report_indicators_record

    assert report_indicators_record(report_id=first.report.pk) is False
    assert Sighting.objects.filter(indicator=phone).count() == 3


def test_review_decision_and_appeal_move_statuses(
    reviewer_actor: Actor, senior_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    filed = file_report()
    drain_jobs()
    case_id = filed.report.case_id
    assert case_id is not None
    case_claim(actor=reviewer_actor, case_id=case_id)
    assert _get(PHONE).status == IndicatorStatus.VERIFYING
    case_release(actor=reviewer_actor, case_id=case_id)
    assert _get(PHONE).status == IndicatorStatus.SUSPICIOUS

    decision = decide(reviewer_actor, case_id, "suspend", 14)
    for value in (PHONE, ACCOUNT, PROFILE):
        indicator = _get(value)
        assert indicator.status == IndicatorStatus.SCAM
        assert indicator.confidence == policy.CONFIRMED_CONFIDENCE
        assert indicator.sources.filter(kind="decision",
                                        reference=f"decision:{decision.pk}").exists()
    assert AuditEntry.objects.filter(action="indicator.status",
                                     new__status="scam").count() == 3

    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(),
                                        token=owner_appeal_token(decision), statement="mine")
    case_claim(actor=senior_actor, case_id=case_id)
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk,
                  data=AppealDecisionInput(outcome="reversed", reasons="impostor"))
    # Reversed to "no violation": the confirmation is withdrawn and the single report's
    # confidence is used up by the false-positive penalty.
    phone = _get(PHONE)
    assert (phone.status, phone.confidence) == (IndicatorStatus.NO_DATA, 0)
    assert Sighting.objects.filter(indicator=phone, kind=SightingKind.FALSE_POSITIVE).exists()


def test_no_violation_lowers_confidence_but_keeps_other_confirmations(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    scam = file_report(target="https://www.facebook.com/scammer.one")
    drain_jobs()
    decide(reviewer_actor, scam.report.case_id, "label")
    assert _get(PHONE).status == IndicatorStatus.SCAM
    other = file_report(target="https://www.facebook.com/innocent.two",
                        description="Cửa hàng bán áo, liên hệ 0987 654 321")
    drain_jobs()
    decide(reviewer_actor, other.report.case_id, "no_violation")
    innocent_phone = _get("+84987654321")
    # One report's confidence is less than the false-positive penalty: nothing is left.
    assert policy.reported_confidence(1) < policy.FALSE_POSITIVE_PENALTY
    assert (innocent_phone.status, innocent_phone.confidence) == (IndicatorStatus.NO_DATA, 0)
    assert Sighting.objects.filter(indicator=innocent_phone,
                                   kind=SightingKind.FALSE_POSITIVE).count() == 1
    assert _get(PHONE).status == IndicatorStatus.SCAM


def test_a_value_cleared_by_no_violation_looks_up_as_never_reported(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    cleared = file_report(target="https://www.facebook.com/innocent.two",
                          description="Cửa hàng bán áo, liên hệ 0987 654 321")
    drain_jobs()
    decide(reviewer_actor, cleared.report.case_id, "no_violation")
    assert _get("+84987654321").reporter_count == 1  # the history is kept for reviewers

    answer = indicator_check(raw="0987 654 321", type_key=None, actor=Actor.anonymous())

    assert answer.status == IndicatorStatus.NO_DATA
    [result] = answer.results
    assert (result.reporters, result.confidence, result.fraud_types) == (0, 0, [])
    assert (result.first_seen, result.last_seen) == (None, None)


def test_allowlisted_values_stay_safe_and_flag_the_report(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    assert allowlist_sync_shipped(actor=SYSTEM) == len(shipped_entries())
    assert allowlist_sync_shipped(actor=SYSTEM) == 0  # idempotent
    hotline = _get("+841900545413")
    assert (hotline.status, hotline.allowlisted) == (IndicatorStatus.SAFE, True)

    filed = file_report(target="1900 545 413", kind="phone",
                        description="Gọi từ số tổng đài 1900545413 đòi mã OTP")
    drain_jobs()
    assert Report.objects.get(pk=filed.report.pk).possibly_spoofed is True
    decide(reviewer_actor, filed.report.case_id, "label")
    assert _get("+841900545413").status == IndicatorStatus.SAFE
    with pytest.raises(Conflict):
        indicator_transition(actor=reviewer_actor, indicator=_get("+841900545413"),
                             status=IndicatorStatus.SCAM, reason="try")

    with pytest.raises(PermissionDenied):
        indicator_override_allowlist(actor=reviewer_actor, indicator_id=hotline.pk, reason="x")
    admin = Actor.for_user(make_user("admin", "root"))
    overridden = indicator_override_allowlist(actor=admin, indicator_id=hotline.pk,
                                              reason="Number hijacked via SIM swap")
    assert (overridden.status, overridden.allowlisted) == (IndicatorStatus.SCAM, False)
    assert AuditEntry.objects.filter(action="allowlist.override").exists()


def test_admin_adds_to_an_allowlist(drain_jobs: Callable[[], int]) -> None:
    file_report(target="https://www.facebook.com/fake.ministry", description="gọi 0243 936 8888")
    drain_jobs()
    admin = Actor.for_user(make_user("admin", "root"))
    with pytest.raises(PermissionDenied):
        allowlist_add(actor=Actor.for_user(make_user("reviewer")), raw_value="024 3936 8888",
                      type_key="phone", list_name="gov", label="Ministry switchboard")
    allowlist_add(actor=admin, raw_value="024 3936 8888", type_key="phone", list_name="gov",
                  label="Ministry switchboard")
    assert _get("+842439368888").status == IndicatorStatus.SAFE


def test_decay_expires_old_evidence(drain_jobs: Callable[[], int]) -> None:
    file_report()
    drain_jobs()
    url_like = _get(PHONE)
    start = url_like.confidence
    later = timezone.now() + policy.lifetime("phone") / 2
    assert indicators_decay(actor=SYSTEM, now=later) >= 1
    halfway = _get(PHONE)
    assert halfway.confidence in (start // 2, start // 2 - 1)
    assert halfway.status == IndicatorStatus.SUSPICIOUS
    indicators_decay(actor=SYSTEM, now=timezone.now() + policy.lifetime("phone")
                     + timedelta(days=2))
    expired = _get(PHONE)
    assert (expired.confidence, expired.status, expired.decay_at) == (
        0, IndicatorStatus.NO_DATA, None)
    assert Sighting.objects.filter(indicator=expired, kind=SightingKind.EXPIRED).count() == 1


def test_tombstone_keeps_who_and_why_and_is_not_relisted_by_reports(
    reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    file_report()
    drain_jobs()
    removed = indicator_remove(actor=reviewer_actor, indicator_id=_get(PHONE).pk,
                               reason="Number reassigned by the telco to a new subscriber")
    assert (removed.status, removed.removed_by) == (IndicatorStatus.NO_DATA, "reviewer")
    assert Indicator.objects.filter(value=PHONE).count() == 1  # never deleted
    with pytest.raises(Conflict):
        indicator_remove(actor=reviewer_actor, indicator_id=removed.pk, reason="again")
    with pytest.raises(PermissionDenied):
        indicator_remove(actor=Actor.anonymous(), indicator_id=removed.pk, reason="x")

    again = file_report(target="https://www.facebook.com/new.scam")
    drain_jobs()
    assert _get(PHONE).status == IndicatorStatus.NO_DATA
    decide(reviewer_actor, again.report.case_id, "label")
    revived = _get(PHONE)
    assert (revived.status, revived.removed_at) == (IndicatorStatus.SCAM, None)


def test_undefined_transitions_are_refused(drain_jobs: Callable[[], int]) -> None:
    file_report()
    drain_jobs()
    with pytest.raises(InvalidTransition):
        indicator_transition(actor=SYSTEM, indicator=_get(PHONE), status="bogus", reason="x")
