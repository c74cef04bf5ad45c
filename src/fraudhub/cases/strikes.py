"""The strike policy: repeated upheld violations lead to a lock, repeated locks to termination.

The result is a proposal shown to the reviewer; the reviewer decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from fraudhub.cases.models import ACCOUNT_KINDS, Decision, Outcome, Strike, Target

# Escalating lock lengths within the allowed 7-30 days: first, second, third lock.
LOCK_DAYS = (7, 14, 30)


@dataclass(frozen=True)
class StrikeSummary:
    strikes_short: int
    strikes_long: int
    temporary_locks: int
    proposed_outcome: str | None
    proposed_days: int | None
    reason: str


def strike_summary(*, target: Target, now: datetime) -> StrikeSummary:
    if target.kind not in ACCOUNT_KINDS:
        return StrikeSummary(0, 0, 0, None, None, "")
    active = Strike.objects.filter(target=target, active=True)
    short_days = settings.FRAUDHUB_STRIKES_SHORT_WINDOW_DAYS
    long_days = settings.FRAUDHUB_STRIKES_LONG_WINDOW_DAYS
    short = active.filter(created_at__gte=now - timedelta(days=short_days)).count()
    long = active.filter(created_at__gte=now - timedelta(days=long_days)).count()
    locks = Decision.objects.filter(
        case__target=target, outcome=Outcome.SUSPEND, is_current=True
    ).count()
    short_limit = settings.FRAUDHUB_STRIKES_SHORT_THRESHOLD
    long_limit = settings.FRAUDHUB_STRIKES_LONG_THRESHOLD
    if short < short_limit and long < long_limit:
        return StrikeSummary(short, long, locks, None, None, "")
    why = (f"{short} upheld violations in {short_days} days (limit {short_limit}), "
           f"{long} in {long_days} days (limit {long_limit})")
    if locks >= settings.FRAUDHUB_LOCKS_BEFORE_TERMINATION:
        return StrikeSummary(
            short, long, locks, Outcome.TERMINATE, None,
            f"{why}; already locked {locks} times: permanent termination proposed",
        )
    days = LOCK_DAYS[min(locks, len(LOCK_DAYS) - 1)]
    return StrikeSummary(
        short, long, locks, Outcome.SUSPEND, days,
        f"{why}: temporary lock of {days} days proposed (lock {locks + 1})",
    )
