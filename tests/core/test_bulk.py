"""core.bulk.rows_update: the given fields of many rows in one write, nothing else touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fraudhub.core.bulk import rows_update
from fraudhub.indicators.models import Indicator, IndicatorStatus
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db

FIELDS = ["status", "confidence", "fraud_types", "decay_at", "last_seen", "reporter_count"]


def _numbers(count: int) -> list[Indicator]:
    return [make_indicator(f"+8491234{index:04d}", "phone", reporters=1) for index in range(count)]


def test_writes_each_rows_own_values_of_every_kind() -> None:
    rows = _numbers(5)
    later = timezone.now() + timedelta(days=3)
    for index, row in enumerate(rows):
        row.status = IndicatorStatus.SCAM if index % 2 else IndicatorStatus.VERIFYING
        row.confidence = 50 + index
        row.fraud_types = [f"type_{index}", "quoted \"' text"]
        row.decay_at = None if index == 0 else later + timedelta(hours=index)
        row.last_seen = later
        row.reporter_count = 10 * index
    rows_update(objects=rows, fields=FIELDS)
    for index, row in enumerate(rows):
        stored = Indicator.objects.get(pk=row.pk)
        assert (stored.status, stored.confidence, stored.fraud_types, stored.decay_at,
                stored.last_seen, stored.reporter_count) == (
            IndicatorStatus.SCAM if index % 2 else IndicatorStatus.VERIFYING, 50 + index,
            [f"type_{index}", "quoted \"' text"],
            None if index == 0 else later + timedelta(hours=index), later, 10 * index)


def test_leaves_other_fields_and_other_rows_alone() -> None:
    changed, untouched = _numbers(2)
    changed.confidence = 77
    changed.removed_reason = "not asked for"
    rows_update(objects=[changed], fields=["confidence"])
    stored = Indicator.objects.get(pk=changed.pk)
    assert (stored.confidence, stored.removed_reason) == (77, "")
    other = Indicator.objects.get(pk=untouched.pk)
    assert other.confidence == untouched.confidence


def test_an_object_given_twice_is_written_as_its_last_occurrence() -> None:
    (row,) = _numbers(1)
    first = Indicator.objects.get(pk=row.pk)
    second = Indicator.objects.get(pk=row.pk)
    first.confidence, second.confidence = 11, 22
    rows_update(objects=[first, second], fields=["confidence"])
    assert Indicator.objects.get(pk=row.pk).confidence == 22


def test_many_rows_cost_one_call_of_the_database() -> None:
    rows = _numbers(30)
    for row in rows:
        row.confidence = 66
    with CaptureQueriesContext(connection) as queries:
        rows_update(objects=rows, fields=["confidence", "status"])
    # PostgreSQL: one statement joined to arrays; SQLite, in process: one executemany
    assert len(queries.captured_queries) == 1
    assert set(Indicator.objects.filter(pk__in=[r.pk for r in rows])
               .values_list("confidence", flat=True)) == {66}


def test_nothing_to_write_runs_no_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        rows_update(objects=[], fields=["confidence"])
    assert queries.captured_queries == []
