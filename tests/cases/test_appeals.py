from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from fraudhub.cases.adapters import RecordingAdapter
from fraudhub.cases.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseStatus,
    Decision,
    PlatformStatus,
    Queue,
    Strike,
    Target,
)
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
    appeal_file_by_reporter,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.enforcement import APPEAL_SIGNING_SALT, owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fraudhub.reports.models import Report, Reporter, ReportStatus
from fraudhub.reports.selectors import report_decision_view
from tests.cases.helpers import decide, file_report
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_owner_appeal_reversal_undoes_enforcement_and_explains(
    reviewer_actor: Actor, senior_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    filed = file_report(reporter_email="reporter@example.com", language="en")
    decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
    drain_jobs()
    target = Target.objects.get(pk=filed.report.target_id)
    assert target.platform_status == PlatformStatus.SUSPENDED

    appeal = appeal_file_by_owner_token(
        actor=Actor.anonymous(ip="203.0.113.99"), token=owner_appeal_token(decision),
        statement="This is my shop's real page; the screenshots are of an impostor.",
        contact_email="owner@example.com", language="en",
    )
    case = appeal.case
    case.refresh_from_db()
    assert (case.status, case.queue) == (CaseStatus.APPEALED, Queue.APPEALS)

    case_claim(actor=senior_actor, case_id=case.pk)
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
        outcome="reversed",
        reasons="The reported profile is the genuine shop; impostor confirmed.",
    ))
    drain_jobs()

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REVERSED
    decision.refresh_from_db()
    assert decision.is_current is False
    new = Decision.objects.get(supersedes=decision)
    assert new.outcome == "no_violation" and new.is_current
    assert new.statement["supersedes_decision"] == decision.pk
    assert [o["action"] for o in RecordingAdapter.orders] == ["apply", "revert"]
    assert "reversed on appeal" in RecordingAdapter.orders[1]["explanation"]
    target.refresh_from_db()
    assert target.platform_status == PlatformStatus.ACTIVE
    assert not Strike.objects.get(decision=decision).active
    report = Report.objects.get(pk=filed.report.pk)
    assert report.status == ReportStatus.NO_VIOLATION
    # +5 for the upheld report, then undone and -5 for the rejected one.
    assert report.reporter_id is not None
    assert Reporter.objects.get(pk=report.reporter_id).reputation == 45
    view = report_decision_view(report=report)
    assert view is not None and view.reversed_on_appeal and view.outcome == "no_violation"
    recipients = {tuple(m.to) for m in mail.outbox}
    assert ("owner@example.com",) in recipients
    owner_mail = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert "reversed" in owner_mail.body and "impostor confirmed" in owner_mail.body
    # A profile is named by its kind only: the address is nobody's verified one.
    assert "Account" in owner_mail.body and "facebook" not in owner_mail.body.lower()


def test_reporter_appeal_against_no_violation_can_lead_to_action(
    reviewer_actor: Actor, senior_actor: Actor, drain_jobs: Callable[[], int]
) -> None:
    filed = file_report()
    decide(reviewer_actor, filed.report.case_id, "no_violation")
    appeal = appeal_file_by_reporter(
        actor=Actor.anonymous(), tracking_code=filed.report.tracking_code, secret=filed.secret,
        statement="The same account scammed three of my colleagues, see new screenshots.")
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    with pytest.raises(ValidationFailed):
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk,
                      data=AppealDecisionInput(outcome="reversed", reasons="x"))
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
        outcome="reversed", reasons="New evidence shows deposits solicited.",
        replacement_outcome="suspend", replacement_ground="scam_fraud", replacement_days=7))
    drain_jobs()
    report = Report.objects.get(pk=filed.report.pk)
    assert report.status == ReportStatus.ACTIONED
    assert [o["outcome"] for o in RecordingAdapter.orders] == ["suspend"]
    assert Target.objects.get(pk=report.target_id).platform_status == PlatformStatus.SUSPENDED


def test_appeal_is_decided_by_a_different_senior_reviewer(
    reviewer_actor: Actor, senior_actor: Actor
) -> None:
    filed = file_report()
    decision = decide(senior_actor, filed.report.case_id, "label")
    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(),
                                        token=owner_appeal_token(decision), statement="wrong")
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    with pytest.raises(PermissionDenied):
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk,
                      data=AppealDecisionInput(outcome="upheld", reasons="fine"))
    with pytest.raises(PermissionDenied):
        appeal_decide(actor=reviewer_actor, appeal_id=appeal.pk,
                      data=AppealDecisionInput(outcome="upheld", reasons="fine"))
    other_senior = Actor.for_user(make_user("senior_reviewer", "senior-b"))
    with pytest.raises(Conflict):  # the case is still claimed by the first senior
        case_claim(actor=other_senior, case_id=appeal.case_id)
    from fraudhub.cases.models import Case

    Case.objects.filter(pk=appeal.case_id).update(claim_expires_at=timezone.now())
    case_claim(actor=other_senior, case_id=appeal.case_id)
    appeal_decide(actor=other_senior, appeal_id=appeal.pk,
                  data=AppealDecisionInput(outcome="upheld", reasons="Evidence is clear."))
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert Decision.objects.get(pk=decision.pk).is_current
    assert Case.objects.get(pk=appeal.case_id).status == CaseStatus.DECIDED


def test_a_decision_upheld_on_appeal_cannot_be_appealed_again(
    reviewer_actor: Actor, senior_actor: Actor
) -> None:
    filed = file_report()
    decision = decide(reviewer_actor, filed.report.case_id, "label")
    token = owner_appeal_token(decision)
    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(), token=token, statement="no")
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk,
                  data=AppealDecisionInput(outcome="upheld", reasons="Evidence is clear."))

    with pytest.raises(Conflict, match="already reviewed on appeal"):
        appeal_file_by_owner_token(actor=Actor.anonymous(), token=token, statement="again")

    assert Appeal.objects.count() == 1
    assert Case.objects.get(pk=appeal.case_id).status == CaseStatus.DECIDED


def test_an_upheld_appeal_replaces_nothing(reviewer_actor: Actor, senior_actor: Actor) -> None:
    filed = file_report()
    decision = decide(reviewer_actor, filed.report.case_id, "label")
    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(),
                                        token=owner_appeal_token(decision), statement="no")
    case_claim(actor=senior_actor, case_id=appeal.case_id)

    with pytest.raises(ValidationFailed) as refused:
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
            outcome="upheld", reasons="fine", replacement_outcome="terminate"))

    assert "replacement_outcome" in refused.value.field_errors
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.OPEN


@pytest.mark.parametrize("payload", [[1], {"decision": [1]}, {"decision": True}, "1"])
def test_a_signed_link_of_another_shape_is_not_valid(reviewer_actor: Actor,
                                                     payload: object) -> None:
    decide(reviewer_actor, file_report().report.case_id, "label")
    token = signing.dumps(payload, salt=APPEAL_SIGNING_SALT)

    with pytest.raises(NotFound):
        appeal_file_by_owner_token(actor=Actor.anonymous(), token=token, statement="x")


def test_an_appeal_contact_must_be_an_e_mail_address(reviewer_actor: Actor) -> None:
    decision = decide(reviewer_actor, file_report().report.case_id, "label")

    with pytest.raises(ValidationFailed) as refused:
        appeal_file_by_owner_token(actor=Actor.anonymous(), token=owner_appeal_token(decision),
                                   statement="x", contact_email="not-an-email")

    assert "contact_email" in refused.value.field_errors
    assert Appeal.objects.count() == 0


def test_appeal_window_sides_and_duplicates(reviewer_actor: Actor) -> None:
    filed = file_report()
    decision = decide(reviewer_actor, filed.report.case_id, "label")
    with pytest.raises(Conflict):  # reporters may not appeal an action taken
        appeal_file_by_reporter(actor=Actor.anonymous(), tracking_code=filed.report.tracking_code,
                                secret=filed.secret, statement="more please")
    with pytest.raises(NotFound):
        appeal_file_by_reporter(actor=Actor.anonymous(), tracking_code=filed.report.tracking_code,
                                secret="wrong", statement="x")
    with pytest.raises(NotFound):
        appeal_file_by_owner_token(actor=Actor.anonymous(), token="forged:token", statement="x")
    token = owner_appeal_token(decision)
    appeal_file_by_owner_token(actor=Actor.anonymous(), token=token, statement="first")
    with pytest.raises(Conflict):
        appeal_file_by_owner_token(actor=Actor.anonymous(), token=token, statement="second")
    assert Appeal.objects.count() == 1
    Decision.objects.filter(pk=decision.pk).update(
        decided_at=timezone.now() - timedelta(days=200))
    Appeal.objects.all().delete()
    with pytest.raises(Conflict):
        appeal_file_by_owner_token(actor=Actor.anonymous(), token=token, statement="late")


def test_only_the_platform_s_key_appeals_for_account_owners(
    reviewer_actor: Actor, api_client_for: Callable[..., object],
) -> None:
    from fraudhub.core.models import OrganizationKind
    from fraudhub.core.roles import Role
    from fraudhub.core.services import organization_create
    from tests.conftest import SYSTEM, ApiClient

    decision = decide(reviewer_actor, file_report().report.case_id, "suspend", 14)
    bank = organization_create(actor=SYSTEM, name="Bank X", kind=OrganizationKind.PARTNER)
    platform = organization_create(actor=SYSTEM, name="Platform Y", kind=OrganizationKind.PLATFORM)
    bank_key: ApiClient = api_client_for(Role.PARTNER, org=bank)  # type: ignore[assignment]
    platform_key: ApiClient = api_client_for(Role.PARTNER, org=platform)  # type: ignore[assignment]
    body = {"decision_id": decision.pk, "statement": "This account is mine, not a scam."}

    # The same refusal whether or not the decision exists: it tells no outcome.
    assert bank_key.post("/api/v1/appeals", body).status_code == 403
    assert bank_key.post("/api/v1/appeals", {**body, "decision_id": 999_999}).status_code == 403
    assert not Appeal.objects.exists()

    assert platform_key.post("/api/v1/appeals", body).status_code == 201
    assert Appeal.objects.get().decision_id == decision.pk
