"""Uploaded files written so that a failed write or a filing not kept leaves none behind.

Evidence of reports and of delisting requests is written before the transaction that records
it (no lock waits for the disk) and removed when that transaction is not kept. A storage that
cannot take a file (disk full, over quota, not writable) raises UploadNotStored, having removed
what it had written. What no one could remove (the process killed between the write and the
commit, a caller's transaction rolled back around the filing) is found by
`uploads_orphaned_remove`, which housekeeping runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import islice

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

logger = logging.getLogger(__name__)
# A full disk or an exhausted quota waits for an operator: asked again within seconds, the
# storage would only fail again.
STORAGE_RETRY_AFTER_SECONDS = 300


class UploadNotStored(Exception):
    """The storage did not take a file; nothing of it is left behind."""


def upload_write(field_file: FieldFile, *, name: str, content: bytes) -> None:
    """Write `content` to the storage of `field_file` under a name made from `name`.

    The name is taken first, by an empty file the storage creates exclusively: it is then
    certainly this file's, and a write that fails part way is removed by it. storage.save
    writing the content would move to another name when two uploads of one file race for it,
    and would say which only when the write succeeds.
    """
    field, storage = field_file.field, field_file.storage
    try:
        taken = storage.save(field.generate_filename(field_file.instance, name),
                             ContentFile(b""), max_length=field.max_length)
    except OSError as exc:
        raise _not_stored(exc) from exc
    field_file.name = taken
    try:
        with storage.open(taken, "wb") as file:
            file.write(content)
    except OSError as exc:
        uploads_remove([field_file])
        raise _not_stored(exc) from exc


def uploads_write(files: Sequence[tuple[FieldFile, str, bytes]]) -> None:
    """Write every (field file, name, content): all of them, or none left behind.

    Raises UploadNotStored, having removed the files already written, when the storage fails.
    """
    written: list[FieldFile] = []
    try:
        for field_file, name, content in files:
            upload_write(field_file, name=name, content=content)
            written.append(field_file)
    except UploadNotStored:
        uploads_remove(written)
        raise


def uploads_remove(files: Iterable[FieldFile]) -> None:
    """Remove files whose record is not kept: no row names them."""
    for field_file in files:
        if not field_file.name:
            continue
        try:
            field_file.storage.delete(field_file.name)
        except OSError:
            # The caller's own error is the one to see; this file is logged for an operator.
            logger.warning("could not remove uploaded file %s of a filing not kept",
                           field_file.name, exc_info=True)


def _not_stored(exc: OSError) -> UploadNotStored:
    # The caller answers 503; the log is what tells an operator the storage needs them.
    logger.error("file storage failed, the upload is not kept: %s", exc)
    return UploadNotStored(str(exc))


# --- files no row names ----------------------------------------------------------------------

_SWEEP_CHUNK = 500  # file names looked up per query
_last_sweep: float | None = None  # monotonic time of this process's last sweep
# Files that records name outside a FileField, each app telling its own (the evidence of a
# report accepted and not filed yet is named in its row's JSON: reports/inbox.py).
_NAME_SOURCES: list[Callable[[], set[str]]] = []


def upload_names_register(source: Callable[[], set[str]]) -> None:
    """Have the orphan sweep keep the files `source` names (called from an app's ready())."""
    if source not in _NAME_SOURCES:
        _NAME_SOURCES.append(source)


def uploads_orphaned_remove(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Remove the files of the upload directories that no row names and that were written
    more than `older_than` ago; how many were removed.

    A filing writes its files before its transaction, so a file no row names yet may be one
    whose transaction is still running: only files older than any transaction are touched.
    Every file field of every model is asked, so a file some other record names is kept.
    """
    cutoff = (now or timezone.now()) - older_than
    fields = _file_fields()
    kept: set[str] = set().union(*(source() for source in _NAME_SOURCES))
    removed = 0
    for directory in settings.FRAUDHUB_UPLOAD_DIRECTORIES:
        old = (name for name in _files_under(default_storage, directory)
               if _written_before(default_storage, name, cutoff))
        while chunk := list(islice(old, _SWEEP_CHUNK)):
            named: set[str] = set()
            for model, field in fields:
                named.update(model._default_manager.filter(**{f"{field}__in": chunk})
                             .values_list(field, flat=True))
            for name in chunk:
                if name in named or name in kept:
                    continue
                try:
                    default_storage.delete(name)
                except OSError:
                    logger.warning("could not remove orphaned upload %s", name, exc_info=True)
                    continue
                removed += 1
    if removed:
        logger.info("removed %d uploaded files that no record names", removed)
    return removed


def uploads_orphaned_remove_when_due() -> int:
    """Sweep (uploads_orphaned_remove) once every FRAUDHUB_ORPHAN_UPLOAD_SWEEP_HOURS per process.

    Housekeeping runs every minute; walking every upload that often would cost more than the
    few files a sweep finds. 0 hours turns the sweep off.
    """
    global _last_sweep
    every = settings.FRAUDHUB_ORPHAN_UPLOAD_SWEEP_HOURS * 3600
    if every <= 0 or (_last_sweep is not None and time.monotonic() - _last_sweep < every):
        return 0
    _last_sweep = time.monotonic()
    return uploads_orphaned_remove(
        older_than=timedelta(seconds=settings.FRAUDHUB_ORPHAN_UPLOAD_GRACE_SECONDS))


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [(model, field.name) for model in apps.get_models()
            for field in model._meta.get_fields() if isinstance(field, models.FileField)]


def _files_under(storage: Storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for name in sorted(directories):
        yield from _files_under(storage, f"{directory}/{name}")


def _written_before(storage: Storage, name: str, cutoff: datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except FileNotFoundError:  # removed meanwhile
        return False
