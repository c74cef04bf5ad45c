from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands import db_worker

from fraudhub.core.housekeeping import run_housekeeping
from fraudhub.core.workers import JobWorker, worker_beat, worker_gone
from fraudhub.reports.inbox import pending_reports_drain

logger = logging.getLogger("fraudhub.worker")


def _beating(worker_id: str, stop: threading.Event) -> threading.Thread:
    """Tell the other workers this one is alive: now, then from a thread until `stop` is set.

    The first beat is written here, before any job is claimed, and the thread's first one a
    period later: the thread never writes while the worker claims its first jobs, which an
    in-memory SQLite database (shared cache: "table is locked", no busy wait) refuses.
    """
    started_at = timezone.now()

    def beat_once() -> None:
        try:
            worker_beat(worker_id=worker_id, started_at=started_at)
        except Exception:  # a missed beat is retried; missing many only requeues our job
            logger.exception("worker heartbeat not written")
        finally:
            close_old_connections()

    beat_once()

    def beat() -> None:
        while not stop.wait(settings.FRAUDHUB_WORKER_HEARTBEAT_SECONDS):
            beat_once()
        connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    return thread


class Command(BaseCommand):
    help = ("File the reports the servers accepted, run background jobs (enforcement "
            "deliveries, e-mails) and periodic housekeeping.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between polls for new jobs")
        parser.add_argument("--housekeeping-every", type=float, default=60.0)
        parser.add_argument("--batch", action="store_true",
                            help="run the jobs that are due, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = get_random_string(32)
        stop = threading.Event()
        heartbeat = _beating(worker_id, stop)
        try:
            self._run(worker_id, stop, batch=options["batch"], interval=options["interval"],
                      housekeeping_every=options["housekeeping_every"],
                      verbosity=options["verbosity"])
        finally:
            stop.set()
            heartbeat.join(timeout=5)
            try:
                worker_gone(worker_id=worker_id)
            except Exception:  # the row then expires on its own
                logger.exception("worker heartbeat not removed")

    def _jobs(self, worker_id: str, *, batch: bool, interval: float, verbosity: int) -> None:
        """What `db_worker` does, with the worker that queues a job its shutdown cut off."""
        db_worker.Command().configure_logging(verbosity)
        worker = JobWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME], interval=interval, batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=not batch, max_tasks=None,
            worker_id=worker_id, excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
        if batch and worker.failed:
            # A batch run from cron or a deployment script: its status says whether all went.
            count = len(worker.failed)
            names = ", ".join(f"{job.pk} ({job.task_path})" for job in worker.failed[:10])
            self.stderr.write(f"{count} job{'s' if count > 1 else ''} failed: {names}")
            sys.exit(1)

    def _run(self, worker_id: str, stop: threading.Event, *, batch: bool, interval: float,
             housekeeping_every: float, verbosity: int) -> None:
        if batch:
            # The jobs still run when a step fails; what it left is done by the next run.
            _once(pending_reports_drain, "filing accepted reports")
            _once(run_housekeeping, "housekeeping")
            self._jobs(worker_id, batch=True, interval=0, verbosity=verbosity)
            return
        # Reports accepted by the servers are filed within about `interval` seconds.
        for step, what, every in ((run_housekeeping, "housekeeping", housekeeping_every),
                                  (pending_reports_drain, "filing accepted reports", interval)):
            threading.Thread(target=_repeat, args=(step, what, every, stop), name=what,
                             daemon=True).start()
        self._jobs(worker_id, batch=False, interval=interval, verbosity=verbosity)


def _once(step: Callable[[], object], what: str) -> None:
    try:
        step()
    except Exception:  # logged; the worker goes on with its other work
        logger.exception("%s failed", what)
    finally:
        close_old_connections()


def _repeat(step: Callable[[], object], what: str, every: float,
            stop: threading.Event) -> None:
    while not stop.is_set():
        _once(step, what)  # the loop must survive a failed round
        stop.wait(every)
