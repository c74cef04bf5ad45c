"""Sightings recorded many at a time leave exactly what one at a time would, in a few statements."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.models import AuditEntry
from fraudhub.indicators.allowlists import allowlist_add
from fraudhub.indicators.feeds import reports_indicators_record
from fraudhub.indicators.models import (
    Indicator,
    IndicatorSource,
    IndicatorStatus,
    Sighting,
    SourceKind,
)
from fraudhub.indicators.observing import Observation, indicators_observe_many
from fraudhub.reports.models import Report
from tests.cases.helpers import file_report

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
HOTLINE = "+842838247247"  # on the allowlist in the test below


def _observations() -> list[Observation]:
    """Reports on few values: repeated values, repeated reporters, new and known values, an
    allowlisted one, several fraud types and references."""
    rng = random.Random(7)
    values = [("phone", f"+8491234{n:04d}") for n in range(6)] + [
        ("bank_account", "970436:0071000123456"), ("url", "https://evil.example/"),
        ("phone", HOTLINE)]
    return [Observation(type=t, value=v, fraud_type=rng.choice(["romance_scam", "lottery_tips"]),
                        reporter_identity=rng.choice(["ip:a", "ip:b", "email:c", ""]),
                        reference=f"FH-{n % 7:05d}")
            for n, (t, v) in enumerate(rng.choices(values, k=60))]


def _audit_row(entry: AuditEntry) -> tuple[str, Any, str]:
    """An indicator audit row's action, new status and indicator value."""
    assert entry.new is not None
    return entry.action, entry.new.get("status"), Indicator.objects.get(pk=entry.object_id).value


def _state() -> dict[str, Any]:
    indicators = {
        (i.type, i.value): (i.status, i.confidence, i.base_confidence, i.reporter_count,
                            sorted(i.fraud_types), i.allowlisted, i.match_key)
        for i in Indicator.objects.all()}
    sightings = sorted((value, kind, reference or "", who) for value, kind, reference, who in
                       Sighting.objects.values_list("indicator__value", "kind",
                                                    "source__reference", "reporter_identity"))
    sources = sorted(IndicatorSource.objects.values_list("indicator__value", "kind", "reference"))
    audit = [_audit_row(e)
             for e in AuditEntry.objects.filter(object_type="indicator").order_by("seq")]
    return {"indicators": indicators, "sightings": sightings, "sources": sources,
            "audit": audit}


def _recorded(*, one_at_a_time: bool) -> dict[str, Any]:
    """The database after recording the observations; everything rolled back afterwards."""
    with transaction.atomic():
        Indicator.objects.create(  # a value reported before, by "ip:a"
            type="phone", value="+84912340001", match_key="+84912340001",
            status=IndicatorStatus.SUSPICIOUS, confidence=30, base_confidence=30,
            reporter_count=1, confidence_changed_at="2026-01-01T00:00:00Z",
            first_seen="2026-01-01T00:00:00Z", last_seen="2026-01-01T00:00:00Z")
        Sighting.objects.create(indicator=Indicator.objects.get(value="+84912340001"),
                                kind="seen", reporter_identity="ip:a",
                                created_at="2026-01-01T00:00:00Z")
        observations = _observations()
        if one_at_a_time:
            for item in observations:
                indicators_observe_many(actor=SYSTEM, observations=[item],
                                        source_kind=SourceKind.REPORT)
        else:
            indicators_observe_many(actor=SYSTEM, observations=observations,
                                    source_kind=SourceKind.REPORT)
        state = _state()
        transaction.set_rollback(True)
    return state


def test_a_batch_leaves_what_the_same_sightings_one_at_a_time_leave() -> None:
    allowlist_add(actor=SYSTEM, type_key="phone", raw_value=HOTLINE, list_name="test",
                  label="Official hotline")
    batch, single = _recorded(one_at_a_time=False), _recorded(one_at_a_time=True)
    assert batch == single
    # The comparison is not between two empty results.
    indicators = batch["indicators"]
    assert len(indicators) == 9 and len(batch["sightings"]) == 61
    assert indicators[("phone", HOTLINE)][0] == IndicatorStatus.SAFE  # allowlisted stays safe
    assert indicators[("phone", "+84912340001")][3] >= 2  # the known reporter counted once
    assert {a for a, _s, _v in batch["audit"]} == {"indicator.create", "indicator.status"}


def test_recording_reports_costs_the_same_statements_whatever_their_number() -> None:
    def statements(count: int, offset: int) -> int:
        ids = [file_report(target=f"0912 {offset + n:03d} 678", kind="phone",
                           ip=f"203.0.113.{n}", description="Gọi bắt chuyển tiền.").report.pk
               for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            assert reports_indicators_record(report_ids=ids) == count
        return len(queries)

    assert statements(30, 0) <= statements(1, 500)
    assert not Report.objects.filter(indicators_recorded_at__isnull=True).exists()
    assert reports_indicators_record(report_ids=list(Report.objects.values_list("pk", flat=True))
                                     ) == 0  # a job run twice records nothing twice
    assert audit_verify().ok


def test_a_report_about_an_allowlisted_value_is_flagged_as_possibly_spoofed() -> None:
    allowlist_add(actor=SYSTEM, type_key="phone", raw_value=HOTLINE, list_name="test",
                  label="Official hotline")
    spoofed = file_report(target="028 3824 7247", kind="phone").report
    plain = file_report(target="0912 111 222", kind="phone", ip="203.0.113.77").report
    reports_indicators_record(report_ids=[spoofed.pk, plain.pk])
    spoofed.refresh_from_db()
    plain.refresh_from_db()
    assert spoofed.possibly_spoofed and not plain.possibly_spoofed


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite's test database takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_on_the_same_values_wait_for_each_other() -> None:
    values = [f"+849123{n:05d}" for n in range(15)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def record(worker: int) -> None:
        try:
            order = values if worker % 2 else values[::-1]
            barrier.wait()
            with transaction.atomic():
                indicators_observe_many(
                    actor=SYSTEM, source_kind=SourceKind.REPORT,
                    observations=[Observation(type="phone", value=v,
                                              reporter_identity=f"ip:{worker}",
                                              reference=f"FH-{worker}") for v in order])
        except BaseException as exc:  # a deadlock or a lost row fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Indicator.objects.count() == 15
    assert set(Indicator.objects.values_list("reporter_count", flat=True)) == {4}
    assert Sighting.objects.count() == 60
    assert AuditEntry.objects.filter(action="indicator.create").count() == 15
    assert audit_verify().ok


def _pending(count: int) -> list[int]:
    return [file_report(target=f"0912 400 {n:03d}", kind="phone", ip=f"203.0.113.{n + 1}",
                        description="Gọi bắt chuyển tiền.").report.pk for n in range(count)]


def test_a_job_records_the_reports_still_waiting_for_theirs_up_to_a_chunk(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fraudhub.reports import tasks

    monkeypatch.setattr(tasks, "_RECORD_CHUNK", 4)
    ids = _pending(6)

    # The job of the newest report takes it and the three oldest still waiting.
    assert tasks.record_reports_indicators.func(report_ids=[ids[5]]) == 4
    recorded = set(Report.objects.filter(indicators_recorded_at__isnull=False)
                   .values_list("pk", flat=True))
    assert recorded == {ids[0], ids[1], ids[2], ids[5]}
    # Their own jobs then have nothing left to do; the others' catch up on the rest.
    assert tasks.record_reports_indicators.func(report_ids=[ids[0]]) == 2
    assert tasks.record_reports_indicators.func(report_ids=[ids[4]]) == 0
    assert not Report.objects.filter(indicators_recorded_at__isnull=True).exists()
    assert Indicator.objects.filter(type="phone", value="+84912400003").exists()
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite has no row locks to pass over")
@pytest.mark.django_db(transaction=True)
def test_catching_up_passes_over_reports_another_worker_is_recording() -> None:
    from django_tasks_db.models import DBTaskResult

    from fraudhub.reports import tasks

    ids = _pending(3)
    # The other worker runs the first report's job (so it is no longer waiting to be taken).
    DBTaskResult.objects.filter(pk=_job_of(ids[0]).pk).update(status="RUNNING")
    other_worker = connections.create_connection("default")
    try:
        with other_worker.cursor() as cursor:
            other_worker.set_autocommit(False)
            cursor.execute("SELECT id FROM reports_report WHERE id = %s FOR UPDATE", [ids[0]])
            with connection.cursor() as own:
                own.execute("SET lock_timeout = '5s'")  # a wait would fail, not hang
            assert tasks.record_reports_indicators.func(report_ids=[ids[2]]) == 2
            other_worker.rollback()
    finally:
        other_worker.close()
    waiting = list(Report.objects.filter(indicators_recorded_at__isnull=True)
                   .values_list("pk", flat=True))
    assert waiting == [ids[0]]


def _poison(monkeypatch: pytest.MonkeyPatch, report_id: int) -> None:
    """Recording the sightings of `report_id`, alone or with others, fails from now on."""
    from fraudhub.indicators import feeds

    poison_code = Report.objects.get(pk=report_id).tracking_code
    observe = feeds.indicators_observe_many

    def failing_on_poison(**kwargs: Any) -> Any:
        if any(o.reference == poison_code for o in kwargs["observations"]):
            raise ValueError("cannot record this one")
        return observe(**kwargs)

    monkeypatch.setattr(feeds, "indicators_observe_many", failing_on_poison)


def test_a_report_that_cannot_be_recorded_does_not_fail_the_jobs_that_take_it_along(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fraudhub.reports import tasks

    poison, other = _pending(2)
    _poison(monkeypatch, poison)

    assert tasks.record_reports_indicators.func(report_ids=[other]) == 1
    waiting = list(Report.objects.filter(indicators_recorded_at__isnull=True)
                   .values_list("pk", flat=True))
    assert waiting == [poison]
    # Its own job fails (on its last attempt the failure is raised, not retried).
    with pytest.raises(ValueError, match="cannot record this one"):
        tasks.record_reports_indicators.func(report_ids=[poison], attempt=6)


def test_reports_waiting_longer_than_the_window_are_left_to_their_own_jobs() -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from fraudhub.indicators.feeds import CATCH_UP_WINDOW
    from fraudhub.reports import tasks

    old, _recent, own = _pending(3)
    Report.objects.filter(pk=old).update(
        created_at=timezone.now() - CATCH_UP_WINDOW - timedelta(minutes=1))
    # Its job failed and waits for its retry (what makes a report wait that long).
    old_job = _job_of(old)
    DBTaskResult.objects.filter(pk=old_job.pk).update(
        run_after=timezone.now() + timedelta(minutes=5))

    assert tasks.record_reports_indicators.func(report_ids=[own]) == 2
    waiting = list(Report.objects.filter(indicators_recorded_at__isnull=True)
                   .values_list("pk", flat=True))
    assert waiting == [old]
    assert DBTaskResult.objects.get(pk=old_job.pk).status == "READY"
    assert tasks.record_reports_indicators.func(report_ids=[old]) == 1


def _job_of(report_id: int) -> Any:
    from django_tasks_db.models import DBTaskResult

    [job] = [j for j in DBTaskResult.objects.filter(task_path__endswith="record_reports_indicators")
             if report_id in j.args_kwargs["kwargs"]["report_ids"]]
    return job


def test_a_job_does_the_waiting_jobs_work_and_marks_them_done(
        monkeypatch: pytest.MonkeyPatch, drain_jobs: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from fraudhub.indicators import feeds

    ids = _pending(5)
    calls: list[int] = []
    record = feeds.reports_indicators_record

    def counted(**kwargs: Any) -> int:
        calls.append(len(kwargs["report_ids"]))
        return record(**kwargs)

    monkeypatch.setattr(feeds, "reports_indicators_record", counted)

    drain_jobs()

    assert not Report.objects.filter(indicators_recorded_at__isnull=True).exists()
    assert calls == [5]  # the first job took the other four along; they never ran alone
    jobs = [_job_of(i) for i in ids]
    assert {j.status for j in jobs} == {"SUCCESSFUL"}
    assert sorted(map(str, (j.return_value for j in jobs))) == [
        "5", *["recorded along with another job's reports"] * 4]
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert audit_verify().ok


def test_waiting_jobs_taken_along_stay_waiting_when_recording_together_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fraudhub.reports import tasks

    poison, other = _pending(2)
    _poison(monkeypatch, poison)

    assert tasks.record_reports_indicators.func(report_ids=[other]) == 1
    assert _job_of(poison).status == "READY"  # still waiting to run (and retry) on its own
    assert list(Report.objects.filter(indicators_recorded_at__isnull=True)
                .values_list("pk", flat=True)) == [poison]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite has no row locks to pass over")
@pytest.mark.django_db(transaction=True)
def test_a_waiting_job_another_worker_is_claiming_is_passed_over() -> None:
    from fraudhub.reports import tasks

    claimed, own = _pending(2)
    claimed_job = _job_of(claimed)
    other_worker = connections.create_connection("default")
    try:
        with other_worker.cursor() as cursor:
            other_worker.set_autocommit(False)
            cursor.execute("SELECT id FROM django_tasks_database_dbtaskresult WHERE id = %s "
                           "FOR UPDATE", [str(claimed_job.pk)])
            with connection.cursor() as own_cursor:
                own_cursor.execute("SET lock_timeout = '5s'")  # a wait would fail, not hang
            assert tasks.record_reports_indicators.func(report_ids=[own]) == 2  # both reports
            other_worker.rollback()
    finally:
        other_worker.close()
    assert _job_of(claimed).status == "READY"


@pytest.mark.parametrize("args_kwargs", [
    {"args": [], "kwargs": ["report_ids"]}, ["report_ids", [1]], {"args": [], "kwargs": "ab"}])
def test_a_waiting_job_of_another_shape_is_left_alone_and_the_others_are_taken(
        args_kwargs: Any) -> None:
    """A job row not written by this code (edited, or of an older version) is left to run on
    its own: it does not stop every other job from taking the waiting jobs along."""
    from django_tasks_db.models import DBTaskResult

    from fraudhub.reports import tasks

    odd, waiting, own = _pending(3)
    odd_job, waiting_job = _job_of(odd), _job_of(waiting)
    DBTaskResult.objects.filter(pk=odd_job.pk).update(args_kwargs=args_kwargs)

    assert tasks.record_reports_indicators.func(report_ids=[own]) == 3  # with the catch-up
    assert DBTaskResult.objects.get(pk=waiting_job.pk).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=odd_job.pk).status == "READY"
