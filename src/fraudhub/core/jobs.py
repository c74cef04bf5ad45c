"""Enqueueing background jobs so they run only if the surrounding transaction commits.

With the database backend (the default) the job row is written in the caller's transaction, so
it commits or rolls back with the change that asked for it. Any other backend is handed the job
from transaction.on_commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks import task_backends
from django_tasks.base import Task


def _is_transactional_backend(task: Task[Any, Any]) -> bool:
    backend = task_backends[task.backend]
    return type(backend).__module__.startswith("django_tasks_db")


def enqueue(task: Task[Any, Any], *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    bound = task.using(run_after=run_after) if run_after is not None else task
    if _is_transactional_backend(bound):
        bound.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: bound.enqueue(*args, **kwargs))
