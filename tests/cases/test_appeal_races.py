"""Appeals filed while the decision they are about is being replaced."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from fraudhub.cases.models import Appeal, AppealStatus, Case, CaseStatus, Decision
from fraudhub.cases.services import appeals
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_reporter,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.errors import Conflict
from tests.cases.helpers import decide, file_report
from tests.threads import in_a_thread

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 20.0


def test_a_reporter_s_appeal_against_a_decision_reversed_meanwhile_is_refused(
    reviewer_actor: Actor, senior_actor: Actor,
) -> None:
    first = file_report(ip="203.0.113.21", reporter_email="first@example.org")
    second = file_report(ip="203.0.113.22", reporter_email="second@example.org")
    case_id = first.report.case_id
    assert case_id is not None and second.report.case_id == case_id
    decision = decide(reviewer_actor, case_id, "no_violation")
    appeal = appeal_file_by_reporter(
        actor=Actor.anonymous(ip="203.0.113.21"), tracking_code=first.report.tracking_code,
        secret=first.secret, statement="The account took my money; see the transfer.")
    case_claim(actor=senior_actor, case_id=case_id)
    reversals: list[Any] = []
    original = appeals._check_contact_email

    def check_while_the_first_appeal_is_reversed(contact_email: str) -> None:
        # The second appeal has read the decision as current; a senior reviewer reverses it
        # on the first reporter's appeal now, and commits.
        if not reversals:
            in_a_thread(lambda: appeal_decide(
                actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
                    outcome="reversed", reasons="The transfer receipts prove the fraud.",
                    replacement_outcome="label", replacement_ground="scam_fraud")),
                reversals).join(WAIT_SECONDS)
        original(contact_email)

    with (mock.patch.object(appeals, "_check_contact_email",
                            check_while_the_first_appeal_is_reversed),
          pytest.raises(Conflict)):
        appeal_file_by_reporter(
            actor=Actor.anonymous(ip="203.0.113.22"), tracking_code=second.report.tracking_code,
            secret=second.secret, statement="The account took my money too.")

    assert len(reversals) == 1 and isinstance(reversals[0], Appeal), reversals
    decision.refresh_from_db()
    assert not decision.is_current
    assert not Appeal.objects.filter(status=AppealStatus.OPEN).exists()
    assert Case.objects.get(pk=case_id).status == CaseStatus.DECIDED
    assert Decision.objects.filter(case_id=case_id, is_current=True).count() == 1
    assert audit_verify().ok
