"""Jobs of workers lost in the middle of them are run again, not left RUNNING for ever."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fraudhub.core.actors import Actor
from fraudhub.core.models import WorkerHeartbeat
from fraudhub.core.workers import jobs_reclaim_lost, worker_beat
from fraudhub.reports.services import AcceptedReport, ReportInput, report_create
from tests.conftest import filed_now
from tests.core.test_cli import FRAUDHUB, _env


def _file_report_with_receipt() -> None:
    filed_now(report_create(actor=Actor.anonymous(ip="203.0.113.7"), data=ReportInput(
        target_kind="phone", target="0912 345 678", platform="",
        fraud_type="investment_stock_crypto", good_faith=True,
        description="Gọi giả ngân hàng.", reporter_email="victim@example.org")))


def _receipt_job() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path__endswith="send_report_receipts")


def _claimed(job: DBTaskResult, *workers: str, minutes_ago: float) -> None:
    DBTaskResult.objects.filter(pk=job.pk).update(
        status="RUNNING", worker_ids=list(workers),
        started_at=timezone.now() - timedelta(minutes=minutes_ago))


# The worker command drops the test's connection: committed data, as a worker sees it.
@pytest.mark.django_db(transaction=True)
def test_the_job_of_a_worker_that_went_quiet_is_queued_again_and_then_run(
    settings: Any,
) -> None:
    settings.FRAUDHUB_WORKER_LOST_SECONDS = 120
    _file_report_with_receipt()
    job = _receipt_job()
    _claimed(job, "killed-worker", minutes_ago=5)
    worker_beat(worker_id="killed-worker", started_at=timezone.now() - timedelta(hours=1))
    WorkerHeartbeat.objects.filter(pk="killed-worker").update(
        beat_at=timezone.now() - timedelta(minutes=3))

    result = jobs_reclaim_lost()

    assert (result.requeued, result.failed) == (1, 0)
    job.refresh_from_db()
    assert job.status == "READY"
    assert job.started_at is None
    assert job.worker_ids == ["killed-worker"]  # kept: how many workers it has cost
    assert not WorkerHeartbeat.objects.filter(pk="killed-worker").exists()
    call_command("worker", "--batch", stdout=StringIO(), stderr=StringIO())
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [["victim@example.org"]]


@pytest.mark.django_db
def test_the_job_of_a_worker_still_beating_is_left_alone(settings: Any) -> None:
    settings.FRAUDHUB_WORKER_LOST_SECONDS = 120
    _file_report_with_receipt()
    job = _receipt_job()
    _claimed(job, "slow-worker", minutes_ago=30)  # a long job, on a live worker
    worker_beat(worker_id="slow-worker", started_at=timezone.now() - timedelta(hours=1))

    assert jobs_reclaim_lost() == type(jobs_reclaim_lost())(requeued=0, failed=0)
    job.refresh_from_db()
    assert job.status == "RUNNING"
    assert WorkerHeartbeat.objects.filter(pk="slow-worker").exists()


@pytest.mark.django_db
def test_a_job_just_started_by_a_worker_without_heartbeat_is_left_alone(settings: Any) -> None:
    # `db_worker` run directly writes no heartbeat: its jobs count as lost only once they
    # have run longer than FRAUDHUB_WORKER_LOST_SECONDS.
    settings.FRAUDHUB_WORKER_LOST_SECONDS = 120
    _file_report_with_receipt()
    job = _receipt_job()
    _claimed(job, "plain-db-worker", minutes_ago=1)
    assert jobs_reclaim_lost().requeued == 0
    _claimed(job, "plain-db-worker", minutes_ago=3)
    assert jobs_reclaim_lost().requeued == 1


# The worker command drops the test's connection: committed data, as a worker sees it.
@pytest.mark.django_db(transaction=True)
def test_a_job_that_lost_as_many_workers_as_allowed_fails_instead_of_killing_more(
    settings: Any, caplog: pytest.LogCaptureFixture,
) -> None:
    settings.FRAUDHUB_WORKER_LOST_SECONDS = 120
    settings.FRAUDHUB_JOB_MAX_CLAIMS = 3
    _file_report_with_receipt()
    job = _receipt_job()
    _claimed(job, "w1", "w2", "w3", minutes_ago=5)

    result = jobs_reclaim_lost()

    assert (result.requeued, result.failed) == (0, 1)
    job.refresh_from_db()
    assert job.status == "FAILED"
    assert job.exception_class_path == "fraudhub.core.workers.WorkerLost"
    assert "3 workers were lost" in job.traceback
    assert "it lost 3 workers" in caplog.text
    call_command("worker", "--batch", stdout=StringIO(), stderr=StringIO())
    assert mail.outbox == []


@pytest.mark.django_db
def test_housekeeping_reports_what_it_reclaimed(settings: Any) -> None:
    from fraudhub.core.housekeeping import run_housekeeping

    settings.FRAUDHUB_WORKER_LOST_SECONDS = 120
    _file_report_with_receipt()
    _claimed(_receipt_job(), "gone", minutes_ago=10)
    done = run_housekeeping()
    assert (done["jobs_requeued"], done["jobs_failed_lost_workers"]) == (1, 0)


@pytest.mark.django_db
def test_a_housekeeping_step_that_fails_does_not_stop_the_others(settings: Any) -> None:
    # One failing step (the shipped allowlists meeting a deadlock, a shipped value a newer
    # library refuses) ended the round: lost jobs, claims, SLA clocks and the rest were left
    # undone every minute while it kept failing.
    from unittest import mock

    from django.db import OperationalError

    from fraudhub.core import housekeeping
    from fraudhub.core.models import RateLimitCounter

    settings.FRAUDHUB_WORKER_LOST_SECONDS = 120
    _file_report_with_receipt()
    _claimed(_receipt_job(), "gone", minutes_ago=10)
    RateLimitCounter.objects.create(key="lookup:ip:203.0.113.7", window_start=0, count=3)
    with mock.patch("fraudhub.indicators.allowlists.allowlist_sync_shipped",
                    side_effect=OperationalError("deadlock detected")):
        done = housekeeping.run_housekeeping()

    assert (done["jobs_requeued"], done["rate_counters_pruned"]) == (1, 1)
    assert done["steps_failed"] == 1
    assert "allowlist_added" not in done
    assert not RateLimitCounter.objects.exists()


def _rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute(sql).fetchall()


def _wait_for(database: Path, sql: str, timeout: float = 60) -> list[tuple[Any, ...]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _rows(database, sql)
        if rows:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"nothing matched {sql!r} within {timeout} s")


def _database_after(env: dict[str, str], step: str) -> Path:
    """The SQLite database in env's data directory, migrated, after `step` of this module ran
    in `fraudhub shell` (a process of its own, as a server's request)."""
    subprocess.run([*FRAUDHUB, "migrate", "--noinput", "-v0"], env=env, check=True,
                   timeout=300)
    [database] = Path(env["FRAUDHUB_DATA_DIR"]).glob("*.sqlite3")
    subprocess.run([*FRAUDHUB, "shell", "-c",
                    f"from tests.core.test_workers import {step}\n{step}()"],
                   env=env, check=True, timeout=120)
    return database


def _worker_sending_a_receipt_that_hangs(env: dict[str, str], silent_port: int
                                          ) -> tuple[Path, subprocess.Popen[bytes]]:
    """A migrated SQLite database in env's data directory with one report whose receipt goes
    to an SMTP server that never answers, and a `fraudhub worker` started on it."""
    database = _database_after(env, "_file_report_with_receipt")
    hanging_smtp = {**env, "FRAUDHUB_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "FRAUDHUB_EMAIL_HOST": "127.0.0.1", "FRAUDHUB_EMAIL_PORT": str(silent_port),
                    "FRAUDHUB_EMAIL_TIMEOUT_SECONDS": "600"}
    worker = subprocess.Popen([*FRAUDHUB, "worker", "--interval", "0.1"], env=hanging_smtp,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return database, worker


def test_a_killed_worker_leaves_no_job_undone(tmp_path: Path, silent_port: int) -> None:
    # The receipt goes to an SMTP server that never answers: the worker is inside that job,
    # RUNNING, when it is killed. A worker started later sends the receipt.
    env = _env(tmp_path, FRAUDHUB_WORKER_LOST_SECONDS="2", FRAUDHUB_WORKER_HEARTBEAT_SECONDS="1")
    database, worker = _worker_sending_a_receipt_that_hangs(env, silent_port)
    try:
        [(worker_id,)] = _wait_for(
            database, "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING' AND task_path LIKE '%send_report_receipts'")
        assert _rows(database, "SELECT count(*) FROM core_workerheartbeat") == [(1,)]
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    time.sleep(2.5)  # the killed worker's heartbeat goes stale

    rerun = subprocess.run([*FRAUDHUB, "worker", "--batch"], env=env, capture_output=True,
                           text=True, timeout=300)

    assert rerun.returncode == 0, rerun.stderr
    assert "To: victim@example.org" in rerun.stdout  # the console e-mail backend
    assert _rows(database, "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
                 "WHERE task_path LIKE '%send_report_receipts'")[0][0] == "SUCCESSFUL"
    assert worker_id.count('"') == 2  # the killed worker had claimed it once
    assert _rows(database, "SELECT count(*) FROM core_workerheartbeat") == [(0,)]


def test_a_worker_stopped_twice_in_the_middle_of_a_job_leaves_it_to_be_run_again(
    tmp_path: Path, silent_port: int,
) -> None:
    # A first SIGTERM lets the running job finish; a second one (an impatient operator, a
    # supervisor that repeats its signal) stops it at once. The job was not what failed:
    # it must be queued again, not recorded as failed with its receipt never sent.
    env = _env(tmp_path)
    database, worker = _worker_sending_a_receipt_that_hangs(env, silent_port)
    try:
        _wait_for(database, "SELECT id FROM django_tasks_database_dbtaskresult "
                  "WHERE status = 'RUNNING' AND task_path LIKE '%send_report_receipts'")
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    assert _rows(database, "SELECT status FROM django_tasks_database_dbtaskresult "
                 "WHERE task_path LIKE '%send_report_receipts'") == [("READY",)]
    rerun = subprocess.run([*FRAUDHUB, "worker", "--batch"], env=env, capture_output=True,
                           text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "To: victim@example.org" in rerun.stdout


@pytest.mark.django_db(transaction=True)
def test_worker_batch_exits_non_zero_when_a_job_it_ran_failed(settings: Any) -> None:
    # A cron-run `fraudhub worker --batch` said nothing and exited 0 while a receipt was given
    # up for good after its last attempt.
    from fraudhub.core.jobs import enqueue
    from fraudhub.reports.models import Report
    from fraudhub.reports.tasks import send_report_receipt

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    _file_report_with_receipt()
    DBTaskResult.objects.all().delete()
    report = Report.objects.get()
    enqueue(send_report_receipt, report_id=report.pk, attempt=6)  # its last attempt

    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("worker", "--batch", stdout=StringIO(), stderr=err)

    assert exited.value.code == 1
    job = DBTaskResult.objects.get()
    assert job.status == "FAILED"
    assert f"1 job failed: {job.pk} (fraudhub.reports.tasks.send_report_receipt)" in err.getvalue()


def test_a_running_worker_files_the_reports_a_server_accepted(tmp_path: Path) -> None:
    env = _env(tmp_path)
    # Outside any transaction, as a server's request: accepted, not filed.
    database = _database_after(env, "_accept_report")
    [(code,)] = _rows(database, "SELECT tracking_code FROM reports_pendingreport")
    assert _rows(database, "SELECT count(*) FROM reports_report") == [(0,)]
    worker = subprocess.Popen([*FRAUDHUB, "worker", "--interval", "0.1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(database, "SELECT tracking_code FROM reports_report "
                         "WHERE case_id IS NOT NULL") == [(code,)]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert _rows(database, "SELECT count(*) FROM reports_pendingreport") == [(0,)]


def _accept_report() -> None:
    accepted = report_create(actor=Actor.anonymous(ip="203.0.113.8"), data=ReportInput(
        target_kind="phone", target="0912 345 678", platform="",
        fraud_type="investment_stock_crypto", good_faith=True, description="Gọi giả."))
    assert isinstance(accepted, AcceptedReport)
