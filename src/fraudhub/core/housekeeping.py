"""Periodic upkeep run by `fraudhub worker`: lost jobs, claims, priorities, SLA clocks, counters."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fraudhub.cases.models import OPEN_CASE_STATUSES, Case
from fraudhub.cases.priority import reprioritize
from fraudhub.cases.services.claims import claims_expire
from fraudhub.core.actors import Actor
from fraudhub.core.ratelimit import DatabaseRateLimiter
from fraudhub.core.workers import jobs_reclaim_lost


def cases_reprioritize() -> int:
    """Waiting raises a case's priority; recompute it for open cases."""
    now = timezone.now()
    changed = 0
    for case_id in Case.objects.filter(status__in=OPEN_CASE_STATUSES).values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            before = (case.priority, case.queue)
            reprioritize(case, now=now, source_raised=False)
            if (case.priority, case.queue) != before:
                case.save(update_fields=["priority", "queue", "due_at"])
                changed += 1
    return changed


def run_housekeeping() -> dict[str, int]:
    from fraudhub.agencies.services.clocks import agency_clocks_tick
    from fraudhub.indicators.allowlists import allowlist_sync_shipped
    from fraudhub.indicators.services import indicators_decay

    system = Actor.system("housekeeping")
    reclaimed = jobs_reclaim_lost()
    return {
        "jobs_requeued": reclaimed.requeued,
        "jobs_failed_lost_workers": reclaimed.failed,
        "allowlist_added": allowlist_sync_shipped(actor=system),
        "indicators_decayed": indicators_decay(actor=system),
        "claims_expired": claims_expire(actor=Actor.system("housekeeping")),
        "reprioritized": cases_reprioritize(),
        "agency_clock_events": agency_clocks_tick(),
        "rate_counters_pruned": DatabaseRateLimiter.prune(),
    }
