"""Reads of the reports app."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from fraudhub.cases.models import AppealStatus, Decision, Outcome
from fraudhub.reports.models import PendingReport, Report
from fraudhub.taxonomy.selectors import policy_ground_get

TRACKING_CODE = re.compile(r"FH-[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}")
# Compared against when the code is unknown, so that both answers take the same steps.
_NO_SECRET_HASH = "0" * 64


def report_get_with_secret(*, tracking_code: str, secret: str) -> Report | None:
    """The report, only for whoever holds its secret (compared in constant time)."""
    from fraudhub.reports.services import hash_secret

    code = tracking_code.strip().upper()
    if not TRACKING_CODE.fullmatch(code):
        return None
    # The secret is checked against the stored hash alone, and the report is read only for
    # its holder: building the report with its target and case for every wrong secret took
    # ~70 µs that an unknown code did not, which told which codes exist.
    candidate = hash_secret(secret)
    # Accepted reports first: the worker moves a report from there to the reports table in
    # one transaction, so looked up in this order it is found in one of them, whenever asked.
    pending = PendingReport.objects.filter(tracking_code=code).first()
    if pending is not None and hmac.compare_digest(pending.secret_hash, candidate):
        from fraudhub.reports.inbox import pending_report_as_report

        return pending_report_as_report(pending)
    # Every refusal takes the same steps, whether the code is filed, accepted or unknown.
    row = Report.objects.filter(tracking_code=code).values_list("pk", "secret_hash").first()
    stored = row[1] if row is not None else _NO_SECRET_HASH
    if not hmac.compare_digest(stored, candidate) or row is None:
        return None
    return Report.objects.select_related("target", "case").get(pk=row[0])


@dataclass(frozen=True)
class DecisionView:
    decision_id: int
    outcome: str
    outcome_label: str
    ground: str
    ground_label: str
    facts: str
    reasons: str
    decided_at: datetime
    ends_at: datetime | None
    automated: bool
    appeal_until: datetime
    can_appeal: bool
    reversed_on_appeal: bool
    has_open_appeal: bool


def decision_view(decision: Decision, *, reporter_side: bool = True) -> DecisionView:
    ground = policy_ground_get(key=decision.ground)
    ground_label = ground.name() if ground else decision.ground
    outcome_label = str(Outcome(decision.outcome).label)
    reasons = f"{outcome_label}. {ground_label}. {decision.facts}"
    appeal_until = decision.decided_at + timedelta(days=settings.FRAUDHUB_APPEAL_WINDOW_DAYS)
    open_window = timezone.now() < appeal_until
    # A reporter may appeal only "no violation"; the owner only an action.
    appealable = (decision.outcome == Outcome.NO_VIOLATION) == reporter_side
    open_appeal = decision.appeals.filter(status=AppealStatus.OPEN).exists()
    return DecisionView(
        decision_id=decision.pk, outcome=decision.outcome, outcome_label=outcome_label,
        ground=decision.ground, ground_label=ground_label, facts=decision.facts,
        reasons=reasons, decided_at=decision.decided_at, ends_at=decision.ends_at,
        automated=decision.automated_decision, appeal_until=appeal_until,
        can_appeal=open_window and appealable and decision.is_current and not open_appeal,
        has_open_appeal=open_appeal,
        reversed_on_appeal=decision.supersedes_id is not None,
    )


def report_decision_view(*, report: Report) -> DecisionView | None:
    if report.case_id is None:
        return None
    decision = Decision.objects.filter(case_id=report.case_id, is_current=True).last()
    if decision is None:
        return None
    return decision_view(decision)
