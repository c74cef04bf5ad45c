"""A request's clock events as sentences in the reader's language.

Events keep what happened as keys and numbers (`ClockEvent.facts`), never as worded text, so
an officer reading in Vietnamese and a reviewer reading in English each see their own words,
and a label fixed later in the catalogue applies to old events too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from fraudhub.agencies.models import (
    AgencyRequest,
    ClockEvent,
    ClockEventKind,
    RefusalReason,
    RequestChannel,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.agencies.selectors import agency_request_events


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    label: str
    target: RequestTarget | None
    text: str


def _label(choices: Any, key: object) -> str:
    """The human label of a stored key; an unknown key (from an older release) as it is."""
    if isinstance(key, str) and key in choices.values:
        return str(choices(key).label)
    return str(key)


def _handled(facts: dict[str, Any]) -> str:
    parts = [_label(TargetOutcome, facts.get("outcome", ""))]
    if facts.get("refusal_reason"):
        parts.append(_label(RefusalReason, facts["refusal_reason"]))
    text = " — ".join(parts)
    if facts.get("reversed_decision") is not None:
        text += " " + _("(decision %(id)s reversed on appeal)") % {
            "id": facts["reversed_decision"]}
    return text


def event_text(event: ClockEvent) -> str:
    """What the event says beyond its kind; written text (a question) as it was written."""
    facts: dict[str, Any] = event.facts if isinstance(event.facts, dict) else {}
    if not facts:
        return event.detail  # a question, or an event stored before facts were kept
    kind = event.kind
    if kind == ClockEventKind.HANDLED:
        return _handled(facts)
    if kind in (ClockEventKind.WARNING_50, ClockEventKind.WARNING_80, ClockEventKind.ESCALATED) \
            and isinstance(facts.get("share_used"), int | float):
        return _("%(share)d%% of the time used") % {"share": round(facts["share_used"] * 100)}
    if kind == ClockEventKind.RESUMED and isinstance(facts.get("waited_hours"), int | float):
        return _("waited %(h).1f h") % {"h": facts["waited_hours"]}
    if kind == ClockEventKind.RECEIVED and facts.get("channel"):
        return _("by %(channel)s") % {"channel": _label(RequestChannel, facts["channel"])}
    if kind == ClockEventKind.ACKNOWLEDGED and facts.get("number"):
        return _("request number %(number)s") % {"number": facts["number"]}
    if kind == ClockEventKind.DOCUMENT and facts.get("sha256"):
        return _("SHA-256 %(digest)s…") % {"digest": str(facts["sha256"])[:16]}
    return event.detail


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    # Events older than the first entry, not shown.
    older: int


def agency_request_timeline(*, request: AgencyRequest, limit: int = 500) -> Timeline:
    """The request's newest `limit` events, oldest first, worded for the current language,
    and how many older ones are not shown."""
    events, older = agency_request_events(request=request, limit=limit)
    return Timeline(
        entries=[TimelineEntry(at=event.at, kind=event.kind, label=event.get_kind_display(),
                               target=event.target, text=event_text(event))
                 for event in events],
        older=older,
    )
