"""How a deadline looks on a page: four colours of time used, paused, or done.

Levels (CSS classes of `.due`): `ok` (under half the time used), `warn50` (half used),
`warn80` (80% used), `late` (deadline passed), `paused` (waiting for the agency's answer) and
`done` (an outcome is recorded). The arithmetic of the clock itself stays in
services/clocks.py; this only names the colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fraudhub.agencies.models import FINAL_OUTCOMES, AgencyRequest, RequestTarget, TargetOutcome
from fraudhub.agencies.services.clocks import share_of_request_time, share_used

OK, WARN50, WARN80, LATE, PAUSED, DONE = "ok", "warn50", "warn80", "late", "paused", "done"


def level_for_share(used: float) -> str:
    if used >= 1.0:
        return LATE
    if used >= 0.8:
        return WARN80
    if used >= 0.5:
        return WARN50
    return OK


def span_level(start: datetime, deadline: datetime, now: datetime) -> str:
    """The level of a clock that started at `start` and ends at `deadline`."""
    if deadline <= now:
        return LATE
    total = (deadline - start).total_seconds()
    if total <= 0:
        return OK
    return level_for_share(1 - (deadline - now).total_seconds() / total)


@dataclass(frozen=True)
class TargetClock:
    level: str
    deadline: datetime
    overdue: bool
    hours_to_action: float | None
    within_deadline: bool | None


def target_clock(item: RequestTarget, now: datetime) -> TargetClock:
    hours = item.seconds_to_action / 3600 if item.seconds_to_action is not None else None
    if item.outcome in FINAL_OUTCOMES:
        level = DONE
    elif item.outcome == TargetOutcome.NEEDS_INFORMATION:
        level = PAUSED
    else:
        level = level_for_share(share_used(item, now))
    return TargetClock(level=level, deadline=item.deadline,
                       overdue=level == LATE, hours_to_action=hours,
                       within_deadline=item.within_deadline)


def request_level(request: AgencyRequest, next_deadline: datetime | None, waiting: int,
                  now: datetime) -> str:
    """A request's colour: that of its most urgent running target."""
    if next_deadline is not None:
        if next_deadline <= now:
            return LATE
        return level_for_share(share_of_request_time(request, deadline=next_deadline, now=now))
    if waiting:
        return PAUSED
    return DONE
