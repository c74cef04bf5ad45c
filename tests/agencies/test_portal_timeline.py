"""A request's timeline shows its newest clock events, however many it has.

A 10,000-target request can gather 30,000 warnings; the page showed the first 500 events by
time, so the warnings and escalations that matter now were never on it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fraudhub.agencies import views
from fraudhub.agencies.models import AgencyRequest, ClockEvent, ClockEventKind
from fraudhub.core.models import User
from tests.agencies.helpers import file_request, make_agency, officer_of
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False


@pytest.fixture
def filed() -> tuple[AgencyRequest, User]:
    officer = officer_of(make_agency(), "officer-timeline")
    assert officer.user is not None
    return file_request(officer), officer.user


def _warnings(request: AgencyRequest, n: int) -> None:
    """`n` warnings after the request's own events, a minute apart, the last one escalated."""
    target = request.targets.order_by("line").first()
    start = timezone.now() + timedelta(hours=1)
    ClockEvent.objects.bulk_create([
        ClockEvent(request=request, target=target, at=start + timedelta(minutes=i),
                   kind=ClockEventKind.ESCALATED if i == n - 1 else ClockEventKind.WARNING_50,
                   facts={"share_used": 1.0 if i == n - 1 else 0.5})
        for i in range(n)])


def _timeline(html: str) -> str:
    return html.split('id="timeline"', 1)[1]


def test_the_newest_events_are_shown_and_the_older_ones_counted(
    filed: tuple[AgencyRequest, User],
) -> None:
    request, officer = filed
    own = request.events.count()  # received, acknowledged
    _warnings(request, views.TIMELINE_EVENTS + 100)
    client = logged_in_client(officer)

    timeline = _timeline(client.get(f"/agency/requests/{request.pk}/").content.decode())

    assert timeline.count("<li>") == views.TIMELINE_EVENTS
    assert "100% of the time used" in timeline  # the escalation, the newest event
    assert timeline.rindex("event-escalated") > timeline.rindex("event-warning_50")  # last
    assert "event-received" not in timeline  # among the older ones
    assert f"{100 + own} older events are not shown" in timeline


def test_a_short_timeline_is_shown_whole_without_a_count(
    filed: tuple[AgencyRequest, User],
) -> None:
    request, officer = filed
    _warnings(request, 3)
    timeline = _timeline(logged_in_client(officer).get(
        f"/agency/requests/{request.pk}/").content.decode())
    assert timeline.count("<li>") == request.events.count()
    assert "event-received" in timeline and "100% of the time used" in timeline
    assert "older event" not in timeline


def test_the_timeline_costs_the_same_queries_for_5_events_as_for_5000(
    filed: tuple[AgencyRequest, User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    request, officer = filed
    monkeypatch.setattr(views, "TIMELINE_EVENTS", 3)  # a full page of the timeline either way
    client = logged_in_client(officer)
    url = f"/agency/requests/{request.pk}/"
    counts = []
    for more in (5, 5000):
        _warnings(request, more)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]
