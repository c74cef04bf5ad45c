"""The strike policy: repeated upheld violations lead to a lock, repeated locks to termination.

The result is a proposal shown to the reviewer; the reviewer decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

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


NO_STRIKES = StrikeSummary(0, 0, 0, None, None, "")


def strike_summary(*, target: Target, now: datetime) -> StrikeSummary:
    if target.kind not in ACCOUNT_KINDS:
        return NO_STRIKES
    return strike_summaries(targets=[target], now=now)[target.pk]


def strike_summaries(*, targets: Iterable[Target], now: datetime) -> dict[int, StrikeSummary]:
    """The summary of each target by its id, in three queries however many targets there are
    (a page of cases shows one per case)."""
    targets = list(targets)
    summaries = {target.pk: NO_STRIKES for target in targets}
    accounts = {target.pk for target in targets if target.kind in ACCOUNT_KINDS}
    if not accounts:
        return summaries
    short_since = now - timedelta(days=settings.FRAUDHUB_STRIKES_SHORT_WINDOW_DAYS)
    long_since = now - timedelta(days=settings.FRAUDHUB_STRIKES_LONG_WINDOW_DAYS)
    counts = {
        row["target_id"]: (row["short"], row["long"])
        for row in Strike.objects.filter(target_id__in=accounts, active=True)
        .values("target_id")
        .annotate(short=Count("pk", filter=Q(created_at__gte=short_since)),
                  long=Count("pk", filter=Q(created_at__gte=long_since)))
        .order_by()
    }
    locks = dict(
        Decision.objects.filter(case__target_id__in=accounts, outcome=Outcome.SUSPEND,
                                is_current=True)
        .values("case__target_id").annotate(n=Count("pk")).order_by()
        .values_list("case__target_id", "n")
    )
    for pk in accounts:
        short, long = counts.get(pk, (0, 0))
        summaries[pk] = _proposal(short, long, locks.get(pk, 0))
    return summaries


def _proposal(short: int, long: int, locks: int) -> StrikeSummary:
    short_days = settings.FRAUDHUB_STRIKES_SHORT_WINDOW_DAYS
    long_days = settings.FRAUDHUB_STRIKES_LONG_WINDOW_DAYS
    short_limit = settings.FRAUDHUB_STRIKES_SHORT_THRESHOLD
    long_limit = settings.FRAUDHUB_STRIKES_LONG_THRESHOLD
    if short < short_limit and long < long_limit:
        return StrikeSummary(short, long, locks, None, None, "")
    why = _(
        "%(short)d upheld violations in %(short_days)d days (limit %(short_limit)d), "
        "%(long)d in %(long_days)d days (limit %(long_limit)d)"
    ) % {"short": short, "short_days": short_days, "short_limit": short_limit,
         "long": long, "long_days": long_days, "long_limit": long_limit}
    if locks >= settings.FRAUDHUB_LOCKS_BEFORE_TERMINATION:
        return StrikeSummary(
            short, long, locks, Outcome.TERMINATE, None,
            _("%(why)s; already locked %(locks)d times: permanent termination proposed")
            % {"why": why, "locks": locks},
        )
    days = LOCK_DAYS[min(locks, len(LOCK_DAYS) - 1)]
    return StrikeSummary(
        short, long, locks, Outcome.SUSPEND, days,
        _("%(why)s: temporary lock of %(days)d days proposed (lock %(n)d)")
        % {"why": why, "days": days, "n": locks + 1},
    )
