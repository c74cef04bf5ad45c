"""How urgent a case is, and which queue it belongs in.

The score (0-100) adds up: how many distinct people reported it, how trustworthy they have been,
how harmful the fraud type is, who reported it (an authority or trusted flagger outranks a
citizen), and how long it has waited.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings

from fraudhub.cases.models import Case, Queue, ReportSource

SOURCE_RANK = {
    ReportSource.CITIZEN: 0,
    ReportSource.PARTNER: 1,
    ReportSource.TRUSTED_FLAGGER: 2,
    ReportSource.AUTHORITY: 3,
}
_SOURCE_POINTS = {0: 0, 1: 8, 2: 18, 3: 25}
PRIORITY_QUEUE_THRESHOLD = 55


def higher_source(a: str, b: str) -> str:
    return a if SOURCE_RANK[ReportSource(a)] >= SOURCE_RANK[ReportSource(b)] else b


def priority_score(case: Case, *, now: datetime) -> int:
    reporters = min(30.0, 10.0 * math.log2(1 + case.reporter_count))
    mean_reputation = case.reputation_total / case.reporter_count if case.reporter_count else 50
    reputation = (mean_reputation - 50) / 5  # -10 .. +10
    severity = 4.0 * case.max_severity  # 4 .. 20
    source = _SOURCE_POINTS[SOURCE_RANK[ReportSource(case.top_source)]]
    waited_hours = max(0.0, (now - case.opened_at).total_seconds() / 3600)
    age = min(15.0, waited_hours / 2)
    return max(0, min(100, round(reporters + reputation + severity + source + age)))


def queue_for(case: Case) -> str:
    if case.top_source == ReportSource.AUTHORITY:
        return Queue.AUTHORITY
    if case.top_source == ReportSource.TRUSTED_FLAGGER or case.priority >= PRIORITY_QUEUE_THRESHOLD:
        return Queue.PRIORITY
    return Queue.STANDARD


def due_for(case: Case) -> datetime:
    if case.top_source == ReportSource.AUTHORITY:
        return case.opened_at + timedelta(hours=settings.FRAUDHUB_AUTHORITY_DEADLINE_HOURS)
    return case.opened_at + timedelta(hours=settings.FRAUDHUB_COMPLAINT_DEADLINE_HOURS)


def reprioritize(case: Case, *, now: datetime, source_raised: bool = True) -> None:
    """Recompute score and queue, and the due time when the source rose (the caller saves).

    An authority report joining a citizen case pulls the deadline in, never pushes it out. Once
    set, the deadline is left alone: an authority request's clock may have moved it out by the
    time spent waiting for the agency (see agencies/services/outcomes.py).
    """
    case.priority = priority_score(case, now=now)
    case.queue = queue_for(case)
    if case.due_at is None:
        case.due_at = due_for(case)
    elif source_raised:
        case.due_at = min(case.due_at, due_for(case))
