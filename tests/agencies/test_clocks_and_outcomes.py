"""Deadlines, SLA warnings and escalation with a moved clock, pauses, and the outcome roll-up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from pytest_django import Settings

from fraudhub.agencies.models import (
    AgencyRequest,
    ClockEventKind,
    RequestStatus,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.agencies.services.clocks import agency_clocks_tick
from fraudhub.agencies.services.outcomes import (
    TargetResponse,
    outcome_for_decision,
    request_target_answer,
    request_target_respond,
)
from fraudhub.agencies.services.rollup import rolled_up_status
from fraudhub.agencies.timeline import agency_request_timeline
from fraudhub.cases.models import Case, CaseStatus, Decision
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.errors import Conflict, NotFound, ValidationFailed
from fraudhub.core.models import AuditEntry
from fraudhub.core.roles import Role
from fraudhub.indicators.models import Indicator, IndicatorStatus
from tests.agencies.helpers import ACCOUNT_A, ACCOUNT_B, file_request, make_agency, officer_of
from tests.cases.helpers import decide
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Actor:
    return officer_of(make_agency())


def _targets(request: AgencyRequest) -> list[RequestTarget]:
    return list(request.targets.order_by("line"))


def _outcome_change(entry: AuditEntry) -> tuple[str, object, object]:
    """The audited object and its outcome before and after."""
    assert entry.old is not None and entry.new is not None
    return entry.object_id, entry.old["outcome"], entry.new["outcome"]


def _kinds(request: AgencyRequest) -> list[str]:
    return list(request.events.exclude(kind__in=[ClockEventKind.RECEIVED,
                                                 ClockEventKind.ACKNOWLEDGED])
                .values_list("kind", flat=True))


def test_the_deadline_is_24_hours_from_receipt_and_configurable(officer: Actor, settings: Settings
                                                                ) -> None:
    request = file_request(officer)
    assert request.deadline - request.received_at == timedelta(hours=24)
    assert all(t.deadline == request.deadline for t in _targets(request))
    settings.FRAUDHUB_AUTHORITY_DEADLINE_HOURS = 4
    assert file_request(officer, targets=["https://facebook.com/groups/123456789"],
                        kind="remove_content").deadline - timezone.now() <= timedelta(hours=4)


def test_a_letter_recorded_later_runs_from_when_it_arrived(officer: Actor) -> None:
    staff = Actor.for_user(make_user(Role.REVIEWER, "desk"))
    arrived = timezone.now() - timedelta(hours=20)
    request = file_request(staff, channel="letter", agency_id=officer.organization.pk,  # type: ignore[union-attr]
                           received_at=arrived)
    assert request.recorded_on_behalf
    assert request.deadline == arrived + timedelta(hours=24)
    assert Case.objects.get(request_targets__line=1).due_at == request.deadline


def test_an_officer_cannot_record_on_behalf_or_backdate(officer: Actor) -> None:
    from fraudhub.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        file_request(officer, received_at=timezone.now() - timedelta(hours=20))


def test_warnings_at_50_and_80_percent_then_escalation(
    officer: Actor, drain_jobs: Callable[[], int]
) -> None:
    make_user(Role.REVIEWER, "team").__class__.objects.filter(username="team").update(
        email="team@platform.example")
    make_user(Role.SENIOR_REVIEWER, "lead").__class__.objects.filter(username="lead").update(
        email="lead@platform.example")
    request = file_request(officer)
    start = request.received_at
    drain_jobs()
    mail.outbox.clear()

    assert agency_clocks_tick(now=start + timedelta(hours=11, minutes=59)) == 0
    assert agency_clocks_tick(now=start + timedelta(hours=12)) == 2  # both targets
    assert agency_clocks_tick(now=start + timedelta(hours=13)) == 0  # once only
    assert agency_clocks_tick(now=start + timedelta(hours=19, minutes=12)) == 2
    assert agency_clocks_tick(now=start + timedelta(hours=24)) == 2
    assert agency_clocks_tick(now=start + timedelta(hours=30)) == 0
    assert _kinds(request) == [ClockEventKind.WARNING_50] * 2 + [ClockEventKind.WARNING_80] * 2 \
        + [ClockEventKind.ESCALATED] * 2
    drain_jobs()
    # One notice per request and threshold: warnings to the team (reviewers and seniors), the
    # escalation to the leads only.
    team = ["lead@platform.example", "team@platform.example"]
    assert [(m.to, "ESCALATED" in m.subject) for m in mail.outbox] == [
        (team, False), (team, False), (["lead@platform.example"], True)]
    assert AuditEntry.objects.filter(action="agency_clock.escalated").count() == 2


def test_a_late_tick_records_every_threshold_it_passed(officer: Actor) -> None:
    request = file_request(officer, targets=[ACCOUNT_A])
    assert agency_clocks_tick(now=request.received_at + timedelta(hours=25)) == 3
    target = _targets(request)[0]
    assert target.warned_50_at and target.warned_80_at and target.escalated_at


def test_a_handled_target_has_no_clock(officer: Actor, reviewer_actor: Actor) -> None:
    request = file_request(officer, targets=[ACCOUNT_A])
    decide(reviewer_actor, _targets(request)[0].case_id or 0)
    assert agency_clocks_tick(now=request.received_at + timedelta(hours=30)) == 0


def test_asking_for_information_pauses_the_clock_and_the_answer_moves_the_deadline(
    officer: Actor, reviewer_actor: Actor, drain_jobs: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = file_request(officer, targets=[ACCOUNT_A])
    target = _targets(request)[0]
    asked_at = request.received_at + timedelta(hours=6)
    _at(monkeypatch, asked_at)
    request_target_respond(actor=reviewer_actor, request_id=request.pk, target_id=target.pk,
                           data=TargetResponse(outcome="needs_information",
                                               note="Which of the account's posts?"))
    request.refresh_from_db()
    assert request.status == RequestStatus.NEEDS_INFORMATION
    drain_jobs()
    assert "Which of the account's posts?" in mail.outbox[-1].body
    # Paused: a day later nothing has fired.
    assert agency_clocks_tick(now=asked_at + timedelta(hours=30)) == 0

    _at(monkeypatch, asked_at + timedelta(hours=10))
    request_target_answer(actor=officer, request_id=request.pk, target_id=target.pk,
                          answer="The posts of 20 November about a stock app.")
    target.refresh_from_db()
    assert target.outcome == TargetOutcome.PENDING
    assert target.paused_seconds == 10 * 3600
    assert target.deadline == request.deadline + timedelta(hours=10)
    assert target.case_id is not None
    assert Case.objects.get(pk=target.case_id).due_at == target.deadline
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    # The 50% mark is now 22 h after receipt (12 h of its own time plus 10 h waiting).
    assert agency_clocks_tick(now=request.received_at + timedelta(hours=21)) == 0
    assert agency_clocks_tick(now=request.received_at + timedelta(hours=22)) == 1
    assert _kinds(request) == [ClockEventKind.PAUSED, ClockEventKind.RESUMED,
                               ClockEventKind.WARNING_50]
    # The time spent waiting does not count as time to action either.
    _at(monkeypatch, request.received_at + timedelta(hours=23))
    decision = decide(reviewer_actor, target.case_id or 0)
    target.refresh_from_db()
    assert target.handled_at == decision.decided_at
    assert target.seconds_to_action == 13 * 3600
    assert target.within_deadline is True


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_question_waits_for_its_answer(officer: Actor, reviewer_actor: Actor) -> None:
    request = file_request(officer, targets=[ACCOUNT_A])
    target = _targets(request)[0]
    with pytest.raises(Conflict):
        request_target_answer(actor=officer, request_id=request.pk, target_id=target.pk,
                              answer="Nobody asked.")
    with pytest.raises(ValidationFailed):
        request_target_respond(actor=reviewer_actor, request_id=request.pk,
                               target_id=target.pk,
                               data=TargetResponse(outcome="needs_information", note=" "))


def test_decisions_set_the_outcome_by_what_was_asked() -> None:
    assert outcome_for_decision("suspend_account", "suspend") == ("actioned", "")
    assert outcome_for_decision("suspend_account", "terminate") == ("actioned", "")
    assert outcome_for_decision("suspend_account", "remove_content") == ("partially_actioned", "")
    assert outcome_for_decision("remove_content", "remove_content") == ("actioned", "")
    assert outcome_for_decision("remove_content", "label") == ("partially_actioned", "")
    assert outcome_for_decision("list_indicators", "label") == ("actioned", "")
    assert outcome_for_decision("remove_content", "no_violation") == (
        "refused", "content_lawful")


@pytest.mark.parametrize(("outcomes", "status"), [
    ({"pending": 2}, RequestStatus.IN_PROGRESS),
    ({"pending": 1, "actioned": 1}, RequestStatus.IN_PROGRESS),
    ({"pending": 1, "needs_information": 1}, RequestStatus.IN_PROGRESS),
    ({"needs_information": 1, "actioned": 1}, RequestStatus.NEEDS_INFORMATION),
    ({"actioned": 2}, RequestStatus.ACTIONED),
    ({"refused": 2}, RequestStatus.REFUSED),
    ({"actioned": 1, "refused": 1}, RequestStatus.PARTIALLY_ACTIONED),
    ({"partially_actioned": 1}, RequestStatus.PARTIALLY_ACTIONED),
])
def test_the_request_status_follows_from_its_targets(outcomes: dict[str, int], status: str
                                                     ) -> None:
    assert rolled_up_status(Counter(outcomes), cases_ready=True) == status


def test_before_its_cases_exist_a_request_is_received() -> None:
    assert rolled_up_status(Counter({"pending": 3}), cases_ready=False) == RequestStatus.RECEIVED


def test_one_actioned_one_refused_is_partially_actioned_and_the_officer_hears(
    officer: Actor, reviewer_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    request = file_request(officer)
    first, second = _targets(request)
    decide(reviewer_actor, first.case_id or 0, outcome="suspend")
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    request_target_respond(actor=reviewer_actor, request_id=request.pk, target_id=second.pk,
                           data=TargetResponse(outcome="refused",
                                               refusal_reason="target_not_found"))
    request.refresh_from_db()
    assert request.status == RequestStatus.PARTIALLY_ACTIONED
    assert request.completed_at is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.outcome, first.decision is not None) == (TargetOutcome.ACTIONED, True)
    assert (second.outcome, second.refusal_reason) == (TargetOutcome.REFUSED, "target_not_found")
    # The refused target's case had nothing else in it: it leaves the queue.
    assert second.case_id is not None
    assert Case.objects.get(pk=second.case_id).status == CaseStatus.CLOSED
    # The upheld account is confirmed in the national database.
    assert Indicator.objects.get(value="facebook:100011112222").status == IndicatorStatus.SCAM
    drain_jobs()
    assert any(request.number in m.subject and officer.user.email in m.to  # type: ignore[union-attr]
               for m in mail.outbox)
    with pytest.raises(Conflict):
        request_target_respond(actor=reviewer_actor, request_id=request.pk,
                               target_id=second.pk,
                               data=TargetResponse(outcome="refused",
                                                   refusal_reason="content_lawful"))


def test_a_no_violation_decision_refuses_as_lawful(officer: Actor, reviewer_actor: Actor
                                                   ) -> None:
    request = file_request(officer, targets=[ACCOUNT_B])
    decide(reviewer_actor, _targets(request)[0].case_id or 0, outcome="no_violation")
    target = _targets(request)[0]
    assert (target.outcome, target.refusal_reason) == ("refused", "content_lawful")
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED


def test_removal_is_decided_on_the_case_not_declared(officer: Actor, reviewer_actor: Actor
                                                     ) -> None:
    request = file_request(officer, targets=[ACCOUNT_A])
    with pytest.raises(ValidationFailed) as raised:
        request_target_respond(actor=reviewer_actor, request_id=request.pk,
                               target_id=_targets(request)[0].pk,
                               data=TargetResponse(outcome="actioned", note="done"))
    assert "outcome" in raised.value.field_errors


def test_an_information_request_is_answered_with_a_note(officer: Actor, reviewer_actor: Actor
                                                        ) -> None:
    request = file_request(officer, targets=["0912 345 678"], kind="provide_information")
    target = _targets(request)[0]
    with pytest.raises(ValidationFailed):
        request_target_respond(actor=reviewer_actor, request_id=request.pk,
                               target_id=target.pk,
                               data=TargetResponse(outcome="actioned", note=""))
    request_target_respond(actor=reviewer_actor, request_id=request.pk, target_id=target.pk,
                           data=TargetResponse(outcome="actioned",
                                               note="Subscriber data sent by sealed letter."))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIONED
    assert target.case_id is not None
    assert Case.objects.get(pk=target.case_id).status == CaseStatus.CLOSED


def test_listing_indicators_confirms_them(officer: Actor, reviewer_actor: Actor) -> None:
    request = file_request(officer, targets=["0912 345 678", "https://scam-shop.top/pay"],
                           kind="list_indicators")
    assert Indicator.objects.get(value="+84912345678").status == IndicatorStatus.SUSPICIOUS
    for target in _targets(request):
        request_target_respond(actor=reviewer_actor, request_id=request.pk,
                               target_id=target.pk,
                               data=TargetResponse(outcome="actioned", note="Listed."))
    assert set(Indicator.objects.filter(status=IndicatorStatus.SCAM)
               .values_list("value", flat=True)) == {"+84912345678", "https://scam-shop.top/pay"}


def test_a_refused_target_on_a_case_citizens_reported_goes_back_to_their_queue(
    officer: Actor, reviewer_actor: Actor
) -> None:
    from tests.cases.helpers import file_report

    file_report(target=ACCOUNT_A)
    request = file_request(officer, targets=[ACCOUNT_A])
    case = Case.objects.get()
    assert case.queue == "authority"
    request_target_respond(actor=reviewer_actor, request_id=request.pk,
                           target_id=_targets(request)[0].pk,
                           data=TargetResponse(outcome="refused",
                                               refusal_reason="insufficient_legal_basis"))
    case.refresh_from_db()
    assert (case.status, case.queue, case.top_source) == ("open", "standard", "citizen")


def test_other_agencies_cannot_answer_and_officers_cannot_respond(
    officer: Actor, reviewer_actor: Actor
) -> None:
    from fraudhub.core.errors import PermissionDenied

    request = file_request(officer, targets=[ACCOUNT_A])
    target = _targets(request)[0]
    request_target_respond(actor=reviewer_actor, request_id=request.pk, target_id=target.pk,
                           data=TargetResponse(outcome="needs_information", note="Which?"))
    stranger = officer_of(make_agency("Sở TT&TT Hà Nội"), "stranger")
    with pytest.raises(NotFound):
        request_target_answer(actor=stranger, request_id=request.pk, target_id=target.pk,
                              answer="Mine now.")
    with pytest.raises(PermissionDenied):
        request_target_respond(actor=officer, request_id=request.pk, target_id=target.pk,
                               data=TargetResponse(outcome="refused",
                                                   refusal_reason="other", note="x"))


def test_an_appeal_reversal_changes_the_outcome_the_agency_sees(
        officer: Actor, reviewer_actor: Actor, senior_actor: Actor,
        drain_jobs: Callable[[], int]) -> None:
    request = file_request(officer, targets=[ACCOUNT_A, ACCOUNT_B])
    first, second = _targets(request)
    decision = decide(reviewer_actor, first.case_id or 0, "suspend", 14)
    decide(reviewer_actor, second.case_id or 0, "suspend", 14)
    first.refresh_from_db()
    handled_at = first.handled_at
    request.refresh_from_db()
    assert (first.outcome, request.status) == (TargetOutcome.ACTIONED, RequestStatus.ACTIONED)
    drain_jobs()
    mail.outbox.clear()

    appeal = appeal_file_by_owner_token(
        actor=Actor.anonymous(ip="203.0.113.9"), token=owner_appeal_token(decision),
        statement="This is the real account of the shop; the impostor is another one.",
        contact_email="owner@example.com", language="en")
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
        outcome="reversed", reasons="Genuine account; the reported profile was an impostor."))
    drain_jobs()

    first.refresh_from_db()
    second.refresh_from_db()
    new = Decision.objects.get(supersedes=decision)
    assert (first.outcome, first.refusal_reason, first.decision_id) == (
        TargetOutcome.REFUSED, "content_lawful", new.pk)
    assert first.handled_at == handled_at  # the deadline was met by the first decision
    assert second.outcome == TargetOutcome.ACTIONED  # the other target is untouched
    request.refresh_from_db()
    assert request.status == RequestStatus.PARTIALLY_ACTIONED
    reversed_rows = AuditEntry.objects.filter(action="agency_target.reverse")
    assert [_outcome_change(r) for r in reversed_rows] == [
        (str(first.pk), "actioned", "refused")]
    assert request.events.filter(target=first, facts={
        "outcome": "refused", "refusal_reason": "content_lawful",
        "reversed_decision": decision.pk}).exists()
    with translation.override("en"):
        texts = [e.text for e in agency_request_timeline(request=request).entries
                 if e.target == first]
    assert f"Refused — Content is lawful (decision {decision.pk} reversed on appeal)" in texts
    told = [m for m in mail.outbox if request.number in m.subject]
    assert len(told) == 1
    assert officer.user.email in told[0].to  # type: ignore[union-attr]
