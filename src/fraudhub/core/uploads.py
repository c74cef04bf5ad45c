"""Uploaded files written so that a failed write or a filing not kept leaves none behind.

Evidence of reports and of delisting requests is written before the transaction that records
it (no lock waits for the disk) and removed when that transaction is not kept. A storage that
cannot take a file (disk full, over quota, not writable) raises UploadNotStored, having removed
what it had written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile

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
