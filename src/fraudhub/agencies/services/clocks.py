"""The SLA clocks: warnings to the team at 50% and 80% of the time, escalation at 100%.

Run by the worker's housekeeping every minute (and by tests with a moved `now`). Each threshold
fires once per target; a tick that comes late records every threshold passed since, in order,
so the timeline stays honest, and sends one notice per request and threshold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fraudhub.agencies.models import (
    AgencyRequest,
    ClockEvent,
    ClockEventKind,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record_many
from fraudhub.core.jobs import enqueue

# (share of the allotted time used, event kind, field stamped on the target)
THRESHOLDS: tuple[tuple[float, str, str], ...] = (
    (0.5, ClockEventKind.WARNING_50, "warned_50_at"),
    (0.8, ClockEventKind.WARNING_80, "warned_80_at"),
    (1.0, ClockEventKind.ESCALATED, "escalated_at"),
)


def share_used(item: RequestTarget, now: datetime) -> float:
    """How much of its time a running target has used (1.0 at its deadline).

    The allotted time is the request's (receipt to first deadline); the target's own deadline
    has moved out by every pause, so time spent waiting for the agency does not count.
    """
    return share_of_request_time(item.request, deadline=item.deadline, now=now)


def share_of_request_time(request: AgencyRequest, *, deadline: datetime, now: datetime
                          ) -> float:
    """Share of the request's allotted time used by a clock that ends at `deadline`."""
    allotted = (request.deadline - request.received_at).total_seconds()
    if allotted <= 0:
        return 1.0
    left = (deadline - now).total_seconds()
    return (allotted - left) / allotted


def _in_flight() -> QuerySet[RequestTarget]:
    return RequestTarget.objects.filter(outcome=TargetOutcome.PENDING, escalated_at__isnull=True,
                                        request__cases_ready_at__isnull=False)


def _due(now: datetime) -> Q | None:
    """Targets in flight that have passed a threshold not yet fired, or None.

    A target's share used reaches `threshold` when its deadline is at most (1 - threshold) of
    the request's allotted time away. Requests are grouped by their allotted time (nearly all
    have the configured 24 hours), so the condition has a term per allotted time and threshold,
    not per target. A second of slack keeps rounding on the safe side: the loop below decides
    with share_used, as before.
    """
    allotted: dict[timedelta, list[int]] = defaultdict(list)
    rows = (AgencyRequest.objects.filter(pk__in=_in_flight().values("request_id"))
            .values_list("pk", "received_at", "deadline"))
    for pk, received_at, deadline in rows:
        allotted[deadline - received_at].append(pk)
    due = Q()
    for span, request_ids in allotted.items():
        passed = Q()
        for threshold, _kind, stamp in THRESHOLDS:
            not_fired = Q(**{f"{stamp}__isnull": True})
            if span <= timedelta(0):
                passed |= not_fired
            else:
                cutoff = now + span * (1 - threshold) + timedelta(seconds=1)
                passed |= not_fired & Q(deadline__lte=cutoff)
        # With one allotted time (the usual case) the requests need not be named.
        due |= passed if len(allotted) == 1 else Q(request_id__in=request_ids) & passed
    return due or None


def agency_clocks_tick(*, now: datetime | None = None) -> int:
    """Fire the thresholds that running targets have passed. Returns the events recorded.

    Only the targets that pass a threshold in this tick are read and locked: a minute's tick
    over thousands of targets in flight used to lock and read every one of them.
    """
    from fraudhub.agencies.tasks import send_clock_notice

    now = now or timezone.now()
    actor = Actor.system("sla-clock")
    recorded = 0
    with transaction.atomic():
        due = _due(now)
        if due is None:
            return 0
        running = (_in_flight().select_for_update(of=("self",))
                   .select_related("request")
                   .filter(due)
                   .order_by("pk"))
        fired: dict[tuple[int, str], list[int]] = defaultdict(list)
        events: list[ClockEvent] = []
        specs: list[AuditSpec] = []
        for item in running:
            used = share_used(item, now)
            changed: list[str] = []
            for threshold, kind, stamp in THRESHOLDS:
                if used >= threshold and getattr(item, stamp) is None:
                    setattr(item, stamp, now)
                    changed.append(stamp)
                    events.append(ClockEvent(request_id=item.request_id, target=item, kind=kind,
                                             at=now, facts={"share_used": round(used, 3)}))
                    specs.append(AuditSpec(
                        action=f"agency_clock.{kind}", object_type="agency_request_target",
                        object_id=item.pk,
                        new={"request": item.request.number, "deadline": item.deadline,
                             "share_used": round(used, 3)},
                    ))
                    fired[(item.request_id, kind)].append(item.pk)
            if changed:
                item.save(update_fields=changed)
        if not events:
            return 0
        ClockEvent.objects.bulk_create(events)
        recorded = len(events)
        audit_record_many(actor=actor, specs=specs)
        for (request_id, kind), target_ids in sorted(fired.items()):
            enqueue(send_clock_notice, request_id=request_id, kind=kind, target_ids=target_ids)
    return recorded
