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
