"""Enqueueing background jobs so they run only if the surrounding transaction commits.

With the database backend (the default) the job row is written in the caller's transaction, so
it commits or rolls back with the change that asked for it. Any other backend is handed the job
from transaction.on_commit.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import Task

logger = logging.getLogger(__name__)


def _is_transactional_backend(task: Task[Any, Any]) -> bool:
    backend = task_backends[task.backend]
    return type(backend).__module__.startswith("django_tasks_db")


def enqueue(
    task: Task[Any, Any], *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> None:
    bound = task.using(run_after=run_after) if run_after is not None else task
    if _is_transactional_backend(bound):
        bound.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: bound.enqueue(*args, **kwargs))


def retried(
    *, max_attempts: int = 5, backoff_seconds: float = 60.0,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a job re-enqueue itself with exponential back-off when it fails.

    Apply below `@task()`. The job receives `attempt` (1-based); after `max_attempts` the
    failure is raised and the job is recorded as failed.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(**kwargs)
            except retry_on as exc:
                if attempt >= max_attempts:
                    raise
                delay = timedelta(seconds=backoff_seconds * (2 ** (attempt - 1)))
                task_object = getattr(sys.modules[func.__module__], func.__name__)
                enqueue(task_object, attempt=attempt + 1, run_after=timezone.now() + delay,
                        **kwargs)
                logger.warning("job %s failed (attempt %d, %s); retry in %s",
                               func.__name__, attempt, exc, delay)
                return f"retry scheduled after attempt {attempt}"

        return wrapper

    return decorate


def waiting_jobs_lock(task: Task[Any, Any], *, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """Other jobs of ``task`` ready to run, oldest first, as ``(id, kwargs)``.

    They stay locked until the caller's transaction ends, and a job another worker holds is
    passed over. A job that does the work of such jobs marks them done with
    :func:`jobs_done_along` in the same transaction: if that transaction fails, they are still
    waiting, untouched. With a backend other than the database's there is nothing to take.
    """
    if limit <= 0 or not _is_transactional_backend(task):
        return []
    from django_tasks_db.models import DBTaskResult

    rows = (DBTaskResult.objects.ready()
            .filter(task_path=task.module_path, backend_name=task.backend)
            .select_for_update(skip_locked=True).order_by("enqueued_at")
            .values_list("id", "args_kwargs")[:limit])
    return [(str(job_id), _kwargs_of(args_kwargs)) for job_id, args_kwargs in rows]


def _kwargs_of(args_kwargs: Any) -> dict[str, Any]:
    """A job row's keyword arguments; none for a row of another shape (edited by hand, or of
    an older version): one such row failed every job that read it, and the caller leaves a job
    without the arguments it knows to run on its own."""
    kwargs = args_kwargs.get("kwargs") if isinstance(args_kwargs, dict) else None
    return kwargs if isinstance(kwargs, dict) else {}


def jobs_done_along(job_ids: list[str], *, note: str) -> int:
    """Record jobs taken with :func:`waiting_jobs_lock` as done by the caller's transaction."""
    if not job_ids:
        return 0
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    return DBTaskResult.objects.filter(pk__in=job_ids, status=TaskResultStatus.READY).update(
        status=TaskResultStatus.SUCCESSFUL, started_at=now, finished_at=now, return_value=note,
        exception_class_path="", traceback="")
