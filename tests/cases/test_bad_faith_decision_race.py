"""A case decided while one of its reporters is marked as acting in bad faith (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from fraudhub.cases.models import Case, CaseStatus, Decision
from fraudhub.cases.services import decisions
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.cases.services.reporters import reporter_mark_bad_faith
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.errors import Conflict
from fraudhub.reports.models import Report, Reporter, ReportStatus
from tests.cases.helpers import file_report
from tests.threads import in_a_thread, wait_for_a_lock_wait

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 20.0




def test_a_marking_while_a_case_of_the_reporter_is_decided_does_not_deadlock(
    reviewer_actor: Actor,
) -> None:
    filed = file_report(reporter_email="someone@example.org")
    case_id = filed.report.case_id
    assert case_id is not None
    reporter_id = filed.report.reporter_id
    assert reporter_id is not None
    case_claim(actor=reviewer_actor, case_id=case_id)
    reports_held = threading.Event()
    marking_waits = threading.Event()
    original = decisions.adjust_reputation

    def adjust_once_the_marking_waits(*args: Any, **kwargs: Any) -> None:
        reports_held.set()  # the decision holds the case and its reports now
        marking_waits.wait(WAIT_SECONDS)
        original(*args, **kwargs)

    decided: list[Any] = []
    marked: list[Any] = []
    with mock.patch.object(decisions, "adjust_reputation", adjust_once_the_marking_waits):
        deciding = in_a_thread(lambda: decision_create(
            actor=reviewer_actor, case_id=case_id, data=DecisionInput(
                outcome="label", ground="scam_fraud", facts="The account asks for deposits.")),
            decided)
        assert reports_held.wait(WAIT_SECONDS)
        marking = in_a_thread(lambda: reporter_mark_bad_faith(
            actor=reviewer_actor, reporter_id=reporter_id, reason="Floods the desk."), marked)
        wait_for_a_lock_wait(what="the marking")
        marking_waits.set()
        deciding.join(WAIT_SECONDS)
        marking.join(WAIT_SECONDS)

    # PostgreSQL ends one of the two as a deadlock; whichever it was runs again after the
    # other committed: the decision first (the report actioned, then nothing left to close),
    # or the marking first (the case closed, then refused to the decision: 409, not 503).
    assert len(decided) == 1 and isinstance(decided[0], Decision | Conflict), decided
    assert len(marked) == 1 and isinstance(marked[0], Reporter), marked
    assert Reporter.objects.get(pk=reporter_id).bad_faith_until is not None
    assert Case.objects.get(pk=case_id).status in (CaseStatus.DECIDED, CaseStatus.CLOSED)
    assert Report.objects.get(pk=filed.report.pk).status in (
        ReportStatus.ACTIONED, ReportStatus.CLOSED_BAD_FAITH)
    assert audit_verify().ok
