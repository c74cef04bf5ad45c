"""A request's status follows from its targets' outcomes; this is the one place that sets it."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from fraudhub.agencies.models import (
    OPEN_REQUEST_STATUSES,
    AgencyRequest,
    RequestStatus,
    TargetOutcome,
)
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record


def rolled_up_status(outcomes: Counter[str], *, cases_ready: bool) -> str:
    """The request's status from the count of its targets in each outcome.

    Any target still pending keeps the request in progress; once none is, a target waiting for
    the agency's answer holds it at "needs information". When every target has its final
    outcome: all actioned, all refused, or partially actioned for any mix.
    """
    total = sum(outcomes.values())
    if outcomes[TargetOutcome.PENDING]:
        handled = total - outcomes[TargetOutcome.PENDING]
        return RequestStatus.IN_PROGRESS if cases_ready or handled else RequestStatus.RECEIVED
    if outcomes[TargetOutcome.NEEDS_INFORMATION]:
        return RequestStatus.NEEDS_INFORMATION
    if total and outcomes[TargetOutcome.ACTIONED] == total:
        return RequestStatus.ACTIONED
    if total and outcomes[TargetOutcome.REFUSED] == total:
        return RequestStatus.REFUSED
    return RequestStatus.PARTIALLY_ACTIONED


def request_status_refresh(*, actor: Actor, request: AgencyRequest) -> bool:
    """Recompute and store the status of a locked request; audited when it changes."""
    outcomes = Counter(request.targets.values_list("outcome", flat=True))
    status = rolled_up_status(outcomes, cases_ready=request.cases_ready_at is not None)
    if status == request.status:
        return False
    old = request.status
    request.status = status
    request.completed_at = None if status in OPEN_REQUEST_STATUSES else timezone.now()
    request.save(update_fields=["status", "completed_at"])
    audit_record(actor=actor, action="agency_request.status", object_type="agency_request",
                 object_id=request.pk, old={"status": old},
                 new={"status": status, "outcomes": dict(sorted(outcomes.items()))})
    return True
