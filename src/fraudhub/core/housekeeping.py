"""Periodic upkeep run by `fraudhub worker`: lost jobs, overdue deliveries, claims, priorities,
SLA clocks, counters, files no record names, contact data kept past its retention."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import astuple
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from fraudhub.cases.models import OPEN_CASE_STATUSES, Case
from fraudhub.cases.priority import reprioritize
from fraudhub.cases.services.claims import claims_expire
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_anchor_publish_when_due
from fraudhub.core.bulk import rows_update
from fraudhub.core.ratelimit import DatabaseRateLimiter
from fraudhub.core.retention import personal_data_erase_when_due
from fraudhub.core.uploads import uploads_orphaned_remove_when_due
from fraudhub.core.workers import jobs_reclaim_lost

logger = logging.getLogger("fraudhub.worker")
# Open cases read per query, and at most locked per transaction, by cases_reprioritize.
REPRIORITIZE_CHUNK = 500
# What priority_score, queue_for and due_for read, and what they set.
_PRIORITY_FIELDS = ("pk", "priority", "queue", "reporter_count", "reputation_total",
                    "max_severity", "top_source", "opened_at", "due_at")


def cases_reprioritize() -> int:
    """Waiting raises a case's priority; recompute it for open cases.

    Open cases are read a chunk at a time without locks; only those whose score or queue moved
    (a case's rounded score moves every two hours or so while it waits) are locked, recomputed
    from their current row and written, a chunk per transaction. One transaction and lock per
    open case every minute kept the database busy all the time at a hundred thousand cases.
    Rows locked elsewhere (a filing, a decision) are skipped and done at the next round, so
    this never waits for intake nor deadlocks with it.
    """
    now = timezone.now()
    changed = 0
    after = 0
    while True:
        chunk = list(Case.objects.filter(status__in=OPEN_CASE_STATUSES, pk__gt=after)
                     .only(*_PRIORITY_FIELDS).order_by("pk")[:REPRIORITIZE_CHUNK])
        if not chunk:
            return changed
        after = chunk[-1].pk
        moved = [case.pk for case in chunk if _reprioritized(case, now)]
        if moved:
            with transaction.atomic():
                locked = list(Case.objects.select_for_update(skip_locked=True)
                              .filter(pk__in=moved, status__in=OPEN_CASE_STATUSES)
                              .only(*_PRIORITY_FIELDS).order_by("pk"))
                fresh = [case for case in locked if _reprioritized(case, now)]
                rows_update(objects=fresh, fields=["priority", "queue", "due_at"])
                changed += len(fresh)


def _reprioritized(case: Case, now: datetime) -> bool:
    """Recompute `case` in memory; whether its priority or queue moved."""
    before = (case.priority, case.queue)
    reprioritize(case, now=now, source_raised=False)
    return (case.priority, case.queue) != before


def run_housekeeping() -> dict[str, int]:
    """Every step, each on its own: one that fails is logged and counted in `steps_failed`,
    and the others still run (a failing step ended the round, and lost jobs, claims and SLA
    clocks were left undone for as long as it kept failing)."""
    from fraudhub.agencies.services.clocks import agency_clocks_tick
    from fraudhub.cases.services.enforcement import enforcements_requeue_overdue
    from fraudhub.indicators.allowlists import allowlist_sync_shipped
    from fraudhub.indicators.services import indicators_decay
    from fraudhub.reports.inbox import pending_reports_overdue

    system = Actor.system("housekeeping")
    steps: list[tuple[tuple[str, ...], Callable[[], tuple[int, ...]]]] = [
        (("jobs_requeued", "jobs_failed_lost_workers"),
         lambda: astuple(jobs_reclaim_lost())),
        (("enforcements_requeued",), lambda: (enforcements_requeue_overdue(),)),
        (("allowlist_added",), lambda: (allowlist_sync_shipped(actor=system),)),
        (("indicators_decayed",), lambda: (indicators_decay(actor=system),)),
        (("claims_expired",), lambda: (claims_expire(actor=system),)),
        (("reprioritized",), lambda: (cases_reprioritize(),)),
        (("agency_clock_events",), lambda: (agency_clocks_tick(),)),
        (("rate_counters_pruned",), lambda: (DatabaseRateLimiter.prune(),)),
        (("orphaned_uploads_removed",), lambda: (uploads_orphaned_remove_when_due(),)),
        (("audit_anchor_published",), lambda: (audit_anchor_publish_when_due(),)),
        (("contacts_erased",), lambda: (personal_data_erase_when_due(),)),
        (("accepted_reports_overdue",), lambda: (pending_reports_overdue(),)),
    ]
    done: dict[str, int] = {"steps_failed": 0}
    for names, step in steps:
        try:
            done.update(zip(names, step(), strict=True))
        except Exception:
            logger.exception("housekeeping: %s failed", " and ".join(names))
            done["steps_failed"] += 1
    return done
