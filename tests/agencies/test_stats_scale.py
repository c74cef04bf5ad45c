"""The accountability figures count in the database: their cost does not grow with a Python
object per target."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from fraudhub.agencies.models import AgencyRequest, RequestTarget
from fraudhub.agencies.stats import AccountabilityStats, agency_dashboard_stats, transparency_stats
from fraudhub.core.actors import Actor
from fraudhub.core.roles import Role
from tests.agencies.helpers import file_request, make_agency, officer_of
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cases_in_the_request(settings: Settings) -> None:
    settings.FRAUDHUB_AGENCY_INLINE_TARGETS = 1000


@pytest.fixture
def loaded() -> Iterator[list[int]]:
    """How many targets were read as model objects while it is open."""
    counter = [0]

    def count(sender: Any, **kwargs: Any) -> None:
        counter[0] += 1

    post_init.connect(count, sender=RequestTarget)
    yield counter
    post_init.disconnect(count, sender=RequestTarget)


def _filed(n: int) -> AgencyRequest:
    """A request of n targets: each handled after (i + 1) hours, 1 hour of it paused, half of
    them after the deadline."""
    officer = officer_of(make_agency(f"Agency {n}"), f"officer-{n}")
    links = [f"https://www.facebook.com/profile.php?id={300_000_000_000 + i}" for i in range(n)]
    request = file_request(officer, targets=links)
    for i, item in enumerate(request.targets.order_by("line")):
        RequestTarget.objects.filter(pk=item.pk).update(
            outcome="actioned" if i % 3 else "refused", paused_seconds=3600,
            handled_at=request.received_at + timedelta(hours=i + 1),
            deadline=request.received_at + timedelta(hours=n / 2 + 1))
    return request


def _figures(n: int, loaded: list[int]) -> tuple[AccountabilityStats, int]:
    _filed(n)
    staff = Actor.for_user(make_user(Role.SENIOR_REVIEWER, f"senior-{n}"), ip="192.0.2.8")
    loaded[0] = 0
    with CaptureQueriesContext(connection) as queries:
        stats = transparency_stats(actor=staff)
    assert loaded[0] == 0
    return stats, len(queries)


def test_the_figures_read_no_target_object_and_a_fixed_number_of_queries(
    loaded: list[int]
) -> None:
    few, few_queries = _figures(5, loaded)
    many, many_queries = _figures(50, loaded)

    assert few_queries == many_queries
    assert (few.total.targets, few.total.handled) == (5, 5)
    assert (many.total.targets, many.total.handled) == (55, 55)
    # 1 to 50 hours less the hour paused; 5 requests' times join them.
    assert many.by_agency[1].figures.median_hours == 24.5
    assert many.by_agency[1].figures.p90_hours == 44
    assert many.by_agency[1].figures.handled_within_deadline == 26
    assert few.total.share_within_deadline == 3 / 5


def test_the_dashboard_reads_no_target_object(loaded: list[int]) -> None:
    request = _filed(20)
    officer = officer_of(request.agency, "officer-dash")
    loaded[0] = 0

    stats = agency_dashboard_stats(actor=officer)

    assert loaded[0] == 0
    assert (stats.total.targets, stats.total.handled, stats.total.median_hours) == (20, 20, 9.5)
