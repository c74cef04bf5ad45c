"""A decision's facts and an appeal's reasons never name a reporter to the reported party."""

from __future__ import annotations

import pytest

from fraudhub.cases.models import Decision
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.errors import ValidationFailed
from tests.cases.helpers import decide, file_report

pytestmark = pytest.mark.django_db


def test_facts_that_name_a_reporter_s_address_are_refused(reviewer_actor: Actor) -> None:
    filed = file_report(reporter_email="Lan.Nguyen@example.vn")
    case_id = filed.report.case_id
    assert case_id is not None
    case_claim(actor=reviewer_actor, case_id=case_id)

    with pytest.raises(ValidationFailed) as refused:
        decision_create(actor=reviewer_actor, case_id=case_id, data=DecisionInput(
            outcome="label", ground="scam_fraud",
            facts="As lan.nguyen@EXAMPLE.vn reported, the page asks for deposits."))

    assert "reporter" in refused.value.field_errors["facts"][0]
    assert not Decision.objects.exists()
    decision_create(actor=reviewer_actor, case_id=case_id, data=DecisionInput(
        outcome="label", ground="scam_fraud", facts="The page asks for deposits."))
    assert Decision.objects.count() == 1


def test_appeal_reasons_that_name_a_reporter_s_address_are_refused(
        reviewer_actor: Actor, senior_actor: Actor) -> None:
    filed = file_report(reporter_email="minh@example.vn")
    decision = decide(reviewer_actor, filed.report.case_id, "label")
    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(),
                                        token=owner_appeal_token(decision), statement="Not me.")
    case_claim(actor=senior_actor, case_id=appeal.case_id)

    with pytest.raises(ValidationFailed) as refused:
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
            outcome="upheld", reasons="minh@example.vn sent the transfer receipts."))

    assert "reporter" in refused.value.field_errors["reasons"][0]
    appeal.refresh_from_db()
    assert appeal.status == "open"
