"""Uploaded files that no record names are removed by housekeeping, after a grace period."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from fraudhub.core import uploads
from fraudhub.core.uploads import uploads_orphaned_remove, uploads_orphaned_remove_when_due
from fraudhub.reports import filing
from fraudhub.reports.models import Evidence
from tests.cases.helpers import file_report
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _age(name: str, hours: float) -> None:
    path = default_storage.path(name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def _put(name: str, *, hours_old: float) -> str:
    saved = default_storage.save(name, ContentFile(b"x"))
    _age(saved, hours_old)
    return saved


def _evidence_of_a_filed_report() -> Evidence:
    from fraudhub.reports.evidence import EvidenceUpload

    filed = file_report(evidence=[EvidenceUpload(name="shot.png", content=png_bytes())])
    return Evidence.objects.get(report=filed.report)


def test_a_file_no_row_names_is_removed_once_older_than_the_grace_period() -> None:
    evidence = _evidence_of_a_filed_report()
    _age(evidence.file.name, 5)
    orphan = _put("evidence/ab/abcdef.png", hours_old=2)
    recent_orphan = _put("evidence/ab/012345.png", hours_old=0.1)
    elsewhere = _put("exports/old.csv", hours_old=48)

    assert uploads_orphaned_remove(older_than=HOUR) == 1

    assert not default_storage.exists(orphan)
    # Its filing may still be running: a file younger than the grace period stays.
    assert default_storage.exists(recent_orphan)
    assert default_storage.exists(evidence.file.name)
    # Only the upload directories are swept.
    assert default_storage.exists(elsewhere)


def test_the_files_of_a_filing_killed_before_its_commit_are_removed() -> None:
    from fraudhub.reports.evidence import check_evidence

    # What a worker killed between writing the files and committing leaves behind.
    [checked] = check_evidence([_upload()])
    rows = filing.evidence_write([checked])
    [name] = [row.file.name for row in rows]
    assert default_storage.exists(name) and not Evidence.objects.exists()
    _age(name, 2)

    assert uploads_orphaned_remove(older_than=HOUR) == 1
    assert not default_storage.exists(name)


def _upload() -> Any:
    from fraudhub.reports.evidence import EvidenceUpload

    return EvidenceUpload(name="shot.png", content=png_bytes())


def test_a_file_is_kept_when_a_record_of_any_kind_names_it() -> None:
    # A file in the delisting directory that a report's evidence row names: every file field
    # of every model is asked, not only the one its directory belongs to.
    evidence = _evidence_of_a_filed_report()
    _age(evidence.file.name, 3)
    shared = _put("delisting/ab/shared.png", hours_old=3)
    Evidence.objects.filter(pk=evidence.pk).update(file=shared)

    assert uploads_orphaned_remove(older_than=HOUR) == 1  # the report's own file, now unnamed
    assert default_storage.exists(shared)


def test_many_orphans_are_removed_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "_SWEEP_CHUNK", 3)
    names = [_put(f"evidence/{i:02d}/file{i}.png", hours_old=2) for i in range(8)]
    kept = _evidence_of_a_filed_report()
    _age(kept.file.name, 2)

    assert uploads_orphaned_remove(older_than=HOUR) == 8
    assert not any(default_storage.exists(name) for name in names)
    assert default_storage.exists(kept.file.name)


def test_housekeeping_sweeps_once_per_period(monkeypatch: pytest.MonkeyPatch,
                                             settings: Any) -> None:
    from fraudhub.core.housekeeping import run_housekeeping

    monkeypatch.setattr(uploads, "_last_sweep", None)
    settings.FRAUDHUB_ORPHAN_UPLOAD_GRACE_SECONDS = 3600
    settings.FRAUDHUB_ORPHAN_UPLOAD_SWEEP_HOURS = 6
    first = _put("evidence/aa/one.png", hours_old=2)

    assert run_housekeeping()["orphaned_uploads_removed"] == 1
    second = _put("evidence/aa/two.png", hours_old=2)
    assert run_housekeeping()["orphaned_uploads_removed"] == 0  # not due yet
    assert default_storage.exists(second) and not default_storage.exists(first)

    monkeypatch.setattr(uploads, "_last_sweep", time.monotonic() - 6 * 3600 - 1)
    assert uploads_orphaned_remove_when_due() == 1
    assert not default_storage.exists(second)


def test_a_sweep_period_of_zero_turns_the_sweep_off(monkeypatch: pytest.MonkeyPatch,
                                                    settings: Any) -> None:
    monkeypatch.setattr(uploads, "_last_sweep", None)
    settings.FRAUDHUB_ORPHAN_UPLOAD_SWEEP_HOURS = 0
    orphan = _put("evidence/aa/one.png", hours_old=48)

    assert uploads_orphaned_remove_when_due() == 0
    assert default_storage.exists(orphan)


def test_a_missing_upload_directory_is_no_error() -> None:
    assert not Path(settings.MEDIA_ROOT, "agency-documents").exists()
    assert uploads_orphaned_remove(older_than=HOUR) == 0


def test_every_file_field_writes_into_a_swept_directory() -> None:
    """A file field whose files land elsewhere would never have its orphans removed."""
    fields = [(model, field) for model in apps.get_models() for field in model._meta.get_fields()
              if isinstance(field, models.FileField)]
    assert len(fields) >= 3
    for model, field in fields:
        instance = model()
        for name in ("sha256", "extension", "number"):
            if hasattr(instance, name):
                setattr(instance, name, "ab12" if name != "extension" else "png")
        path = field.generate_filename(instance, "upload.pdf")
        assert path.split("/", 1)[0] in settings.FRAUDHUB_UPLOAD_DIRECTORIES, (model, path)
