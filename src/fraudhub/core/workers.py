"""Job workers' heartbeats, and the jobs of workers that were lost while running them.

django-tasks' database backend marks a job RUNNING when a worker claims it and never looks at
it again: a worker killed in the middle (SIGKILL, out of memory, its machine gone) left the
job RUNNING for ever, and a receipt, a sighting or an enforcement delivery was silently never
done. Every `fraudhub worker` writes a heartbeat; housekeeping queues again the jobs whose
worker has gone quiet. Every job is safe to run twice (each reloads its objects by id), so a
worker that was only slow costs a second run, never a lost one.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from fraudhub.core.models import WorkerHeartbeat

logger = logging.getLogger("fraudhub.worker")


class WorkerLost(Exception):
    """Recorded as a job's failure when it lost too many workers: it may be what kills them."""


@dataclass(frozen=True)
class ReclaimResult:
    requeued: int
    failed: int


# What a forced stop (a second SIGTERM or SIGINT) raises inside the job it interrupts.
_STOPPED = ("builtins.SystemExit", "builtins.KeyboardInterrupt")


class JobWorker(Worker):
    """django-tasks' database worker, except that a job a forced stop interrupts is queued again.

    A first SIGTERM lets the running job finish; a second one exits in the middle of it, and
    the library recorded the job as FAILED (SystemExit) for good: a receipt, a sighting or an
    enforcement delivery that had nothing wrong with it was never done.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failed: list[DBTaskResult] = []  # jobs that ended FAILED in this worker

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status != TaskResultStatus.FAILED:
            return
        if self.running or db_task_result.exception_class_path not in _STOPPED:
            self.failed.append(db_task_result)
            return
        requeued = DBTaskResult.objects.filter(
            pk=db_task_result.pk, status=TaskResultStatus.FAILED,
        ).update(status=TaskResultStatus.READY, started_at=None, finished_at=None,
                 run_after=timezone.now(), exception_class_path="", traceback="")
        if requeued:
            logger.warning("job %s (%s) stopped by the worker's shutdown: queued again",
                           db_task_result.pk, db_task_result.task_path)


def worker_beat(*, worker_id: str, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={"beat_at": now, "started_at": started_at,
                         "hostname": socket.gethostname()[:255], "pid": os.getpid()},
    )


def worker_gone(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def jobs_reclaim_lost(*, now: datetime | None = None) -> ReclaimResult:
    """Queue again (or fail, after FRAUDHUB_JOB_MAX_CLAIMS workers) the jobs of lost workers.

    A job's worker is lost when it has not written a heartbeat for FRAUDHUB_WORKER_LOST_SECONDS
    and the job started longer ago than that. A worker that writes none (`db_worker` run
    directly) is lost once its job has run that long.
    """
    now = now or timezone.now()
    quiet_since = now - timedelta(seconds=settings.FRAUDHUB_WORKER_LOST_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=quiet_since)
                .values_list("worker_id", flat=True))
    requeued = failed = 0
    stale = DBTaskResult.objects.running().filter(started_at__lt=quiet_since).only(
        "id", "started_at", "worker_ids", "task_path")
    for job in stale:
        workers = list(job.worker_ids or [])
        if workers and workers[-1] in alive:
            continue
        with transaction.atomic():
            # Only if the job is as we read it: a worker finishing it meanwhile wins.
            same_run = DBTaskResult.objects.filter(
                pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at)
            if len(workers) >= settings.FRAUDHUB_JOB_MAX_CLAIMS:
                changed = same_run.update(
                    status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=(f"WorkerLost: {len(workers)} workers were lost while running "
                               f"this job ({', '.join(workers)}); it is not tried again.\n"))
                if changed:
                    failed += 1
                    logger.error("job %s (%s) failed: it lost %d workers", job.pk,
                                 job.task_path, len(workers))
            else:
                changed = same_run.update(status=TaskResultStatus.READY, started_at=None,
                                          run_after=now)
                if changed:
                    requeued += 1
                    logger.warning("job %s (%s) queued again: its worker %s was lost",
                                   job.pk, job.task_path, workers[-1] if workers else "?")
    WorkerHeartbeat.objects.filter(beat_at__lt=quiet_since).delete()
    return ReclaimResult(requeued=requeued, failed=failed)
