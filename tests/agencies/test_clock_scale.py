"""The clock's tick reads and locks only the targets whose deadline state changes in it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db.models.signals import post_init
from pytest_django import Settings

from fraudhub.agencies.models import AgencyRequest, ClockEvent, RequestTarget
from fraudhub.agencies.services.clocks import agency_clocks_tick
from fraudhub.core.models import AuditEntry
from tests.agencies.helpers import file_request, make_agency, officer_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cases_in_the_request(settings: Settings) -> None:
    settings.FRAUDHUB_AGENCY_INLINE_TARGETS = 1000


class Loaded:
    """Counts the targets read from the database while it is open."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.count += 1


@pytest.fixture
def loaded() -> Iterator[Loaded]:
    counter = Loaded()
    post_init.connect(counter, sender=RequestTarget)
    yield counter
    post_init.disconnect(counter, sender=RequestTarget)


def _filed(n: int, name: str) -> AgencyRequest:
    officer = officer_of(make_agency(name), f"officer-{name}")
    links = [f"https://www.facebook.com/profile.php?id={200_000_000_000 + i}" for i in range(n)]
    return file_request(officer, targets=links)


@pytest.mark.parametrize("n", [5, 50])
def test_a_tick_with_nothing_due_reads_no_target(n: int, loaded: Loaded) -> None:
    request = _filed(n, f"Agency {n}")
    loaded.count = 0

    assert agency_clocks_tick(now=request.received_at + timedelta(hours=11)) == 0

    assert loaded.count == 0


def test_a_tick_reads_the_due_targets_only_and_keeps_their_events_and_audit_rows(
    loaded: Loaded
) -> None:
    early = _filed(3, "Early")
    late = _filed(40, "Late")
    # The late request arrived 10 hours after the early one: at the early one's 12th hour,
    # only its three targets have used half of their time.
    AgencyRequest.objects.filter(pk=late.pk).update(
        received_at=early.received_at + timedelta(hours=10),
        deadline=early.deadline + timedelta(hours=10))
    RequestTarget.objects.filter(request=late).update(deadline=early.deadline + timedelta(hours=10))
    # A target whose deadline moved out by a pause is not due with the others of its request.
    RequestTarget.objects.filter(request=early, line=3).update(
        deadline=early.deadline + timedelta(hours=5))
    loaded.count = 0

    assert agency_clocks_tick(now=early.received_at + timedelta(hours=12)) == 2

    assert loaded.count == 2
    warned = ClockEvent.objects.filter(kind="warning_50").order_by("target__line")
    assert list(warned.values_list("request_id", "target__line")) == [(early.pk, 1),
                                                                      (early.pk, 2)]
    assert AuditEntry.objects.filter(action="agency_clock.warning_50").count() == 2
    assert RequestTarget.objects.get(request=early, line=3).warned_50_at is None

    loaded.count = 0
    # 25 hours after the early request: its first two targets are past due (80 % and the
    # escalation), its third at 20/24 (50 % and 80 %), the late request at 15/24 (50 %).
    assert agency_clocks_tick(now=early.received_at + timedelta(hours=25)) == 2 * 2 + 2 + 40
    assert loaded.count == 3 + 40
    assert AuditEntry.objects.filter(action__startswith="agency_clock.").count() == 2 + 46
    loaded.count = 0
    assert agency_clocks_tick(now=early.received_at + timedelta(hours=25, minutes=1)) == 0
    assert loaded.count == 0


def test_requests_with_other_allotted_times_pass_their_thresholds_at_their_own_times(
    loaded: Loaded
) -> None:
    day = _filed(2, "Day")
    two_days = _filed(3, "Two days")
    AgencyRequest.objects.filter(pk=two_days.pk).update(
        received_at=day.received_at, deadline=day.received_at + timedelta(hours=48))
    RequestTarget.objects.filter(request=two_days).update(
        deadline=day.received_at + timedelta(hours=48))
    loaded.count = 0

    assert agency_clocks_tick(now=day.received_at + timedelta(hours=13)) == 2
    assert loaded.count == 2
    assert agency_clocks_tick(now=day.received_at + timedelta(hours=25)) == 2 * 2 + 3
    assert ClockEvent.objects.filter(request=two_days, kind__startswith="warning").count() == 3
    assert not ClockEvent.objects.filter(request=two_days, kind="escalated").exists()
