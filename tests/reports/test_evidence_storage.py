"""Evidence the storage cannot take (disk full, over quota, not writable): 503, nothing kept.

The failures are the storage's own: FileSystemStorage._save refusing to create a file (what
ENOSPC, EDQUOT, EACCES or EROFS do at open), a write cut short half way (a disk filling up), and
real ones: the kernel's file size limit cutting a write, an unwritable media directory.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import resource
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from PIL import Image

from fraudhub.cases.models import Case
from fraudhub.core.actors import Actor
from fraudhub.core.combining import Combiner
from fraudhub.core.errors import StorageUnavailable
from fraudhub.core.models import AuditEntry
from fraudhub.core.roles import Role
from fraudhub.core.services import apikey_create
from fraudhub.reports import combined, filing
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.filing import EvidenceNotStored, FiledReport, Submission
from fraudhub.reports.models import Evidence, Report, Reporter
from fraudhub.reports.services import (
    STORAGE_RETRY_AFTER_SECONDS,
    ReportInput,
    report_create,
    report_create_many,
    report_prepare,
)
from tests.conftest import SYSTEM, ApiClient, evidence_item, png_bytes, report_payload
from tests.reports.test_combined_filing import WAIT_SECONDS, _HeldFirstRound, _wait

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports"
BATCH = "/api/v1/reports/batch"
ACCOUNT = "https://www.facebook.com/profile.php?id=100012345678"
DESCRIPTION = "Họ bảo chuyển tiền vào STK 0071000123456 Vietcombank, gọi 0912 345 678."
MESSAGES = {
    "en": "Evidence files cannot be stored at the moment, so the report was not filed. Try "
          "again in a few minutes.",
    "vi": "Hiện không thể lưu các tệp bằng chứng nên báo cáo chưa được gửi. Hãy thử lại sau "
          "ít phút.",
}
STORAGE_ERRORS = [errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS]
Clients = Callable[..., ApiClient]


@pytest.fixture
def media(settings: Any) -> Path:
    return Path(settings.MEDIA_ROOT)


def files_in(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _state() -> dict[str, Any]:
    """What a filing changes in the database: rows of every kind, and the cases as they are."""
    return {
        "reports": Report.objects.count(), "evidence": Evidence.objects.count(),
        "reporters": Reporter.objects.count(), "audit": AuditEntry.objects.count(),
        "jobs": DBTaskResult.objects.count(),
        "cases": list(Case.objects.order_by("pk").values()),
    }


def _named_for(content: bytes) -> Callable[[str], bool]:
    """Whether a storage name is that of `content` (evidence is stored under its hash)."""
    digest = hashlib.sha256(content).hexdigest()
    return lambda name: digest in name


def _refusing_save(code: int, when: Callable[[str], bool] = lambda name: True
                   ) -> Callable[..., str]:
    """FileSystemStorage._save failing with `code` for the names `when` picks, before any byte."""
    real = vars(FileSystemStorage)["_save"]

    def save(storage: FileSystemStorage, name: str, content: Any) -> str:
        if when(name):
            raise OSError(code, os.strerror(code), storage.path(name))
        return real(storage, name, content)

    return save


def _filling_disk(partial: list[tuple[Path, int]]) -> Callable[..., File]:
    """FileSystemStorage._open on a disk that fills up: half of what is written reaches the
    file, then ENOSPC. Each partial file goes to `partial`, with its size when it failed."""
    real = vars(FileSystemStorage)["_open"]

    def open_(storage: FileSystemStorage, name: str, mode: str = "rb") -> File:
        if "w" not in mode:
            return real(storage, name, mode)
        return File(cast(IO[bytes], _HalfWrites(storage.path(name), partial)))

    return open_


class _HalfWrites:
    def __init__(self, path: str, partial: list[tuple[Path, int]]) -> None:
        self.name = path
        self._file = open(path, "wb")  # closed through the storage's File, as a real one
        self._partial = partial

    def write(self, data: bytes) -> int:
        self._file.write(data[: len(data) // 2])
        self._file.flush()
        self._partial.append((Path(self.name), os.path.getsize(self.name)))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.name)

    def close(self) -> None:
        self._file.close()


def noise_png(side: int = 256) -> bytes:
    """A PNG that does not compress: about 3 bytes a pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """RLIMIT_FSIZE: the kernel cuts a write at `limit` bytes and fails it with EFBIG (Python
    ignores SIGXFSZ). Root is bound by it too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def _assert_refused(response: Any) -> None:
    assert response.status_code == 503, response.content
    body = response.json()
    assert (body["code"], body["detail"]) == ("storage_unavailable", MESSAGES["en"])
    assert response["Retry-After"] == str(STORAGE_RETRY_AFTER_SECONDS)


@pytest.mark.parametrize("code", STORAGE_ERRORS, ids=errno.errorcode.get)
def test_a_report_whose_evidence_cannot_be_stored_is_answered_503_and_leaves_nothing(
    anon_api: ApiClient, media: Path, monkeypatch: pytest.MonkeyPatch, code: int,
) -> None:
    # The target's case exists already: the refused report must not count in it.
    assert anon_api.post(REPORTS, report_payload()).status_code == 201
    before = _state()
    second = png_bytes((60, 40))
    # The first file is written, the second is refused: the first must go too.
    monkeypatch.setattr(FileSystemStorage, "_save", _refusing_save(code, _named_for(second)))

    response = anon_api.post(
        REPORTS, report_payload(evidence=[evidence_item(), evidence_item(second, "b.png")],
                                reporter_contact={"email": "me@example.org"}),
        headers={"Accept-Language": "en"})

    _assert_refused(response)
    assert _state() == before
    assert files_in(media) == []


def test_a_write_the_disk_cuts_short_leaves_no_partial_file(
    anon_api: ApiClient, media: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _state()
    partial: list[tuple[Path, int]] = []
    monkeypatch.setattr(FileSystemStorage, "_open", _filling_disk(partial))

    response = anon_api.post(REPORTS, report_payload(evidence=[evidence_item()]),
                             headers={"Accept-Language": "en"})

    _assert_refused(response)
    [(path, size)] = partial
    assert size > 0  # a partial file was on the disk...
    assert not path.exists()  # ...and is gone
    assert _state() == before
    assert files_in(media) == []


def test_a_write_the_kernel_cuts_short_leaves_no_partial_file(
    anon_api: ApiClient, media: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    before = _state()
    payload = report_payload(evidence=[evidence_item(noise_png())])

    with file_size_limit(64 * 1024):
        response = anon_api.post(REPORTS, payload, headers={"Accept-Language": "en"})

    _assert_refused(response)
    assert f"[Errno {errno.EFBIG}]" in caplog.text  # refused part way, not at open
    assert _state() == before
    assert files_in(media) == []


@pytest.mark.skipif(os.geteuid() == 0, reason=(
    "chmod 0o500 does not stop root from writing in the media directory; "
    "test_a_write_the_kernel_cuts_short_leaves_no_partial_file is a real failure that does"))
def test_a_media_directory_that_is_not_writable_answers_503(
    anon_api: ApiClient, media: Path,
) -> None:
    before = _state()
    media.mkdir(parents=True, exist_ok=True)
    media.chmod(0o500)
    try:
        response = anon_api.post(REPORTS, report_payload(evidence=[evidence_item()]),
                                 headers={"Accept-Language": "en"})
    finally:
        media.chmod(0o700)

    _assert_refused(response)
    assert _state() == before
    assert files_in(media) == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_report_form_keeps_what_was_typed_and_says_why_in_its_language(
    media: Path, monkeypatch: pytest.MonkeyPatch, language: str,
) -> None:
    before = _state()
    monkeypatch.setattr(FileSystemStorage, "_save", _refusing_save(errno.ENOSPC))
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.cookies["django_language"] = language

    response = client.post("/report/", {
        "target_kind": "account", "target": ACCOUNT, "platform": "facebook",
        "fraud_type": "investment_stock_crypto", "description": DESCRIPTION,
        "reporter_email": "me@example.org", "reporter_name": "Nguyễn Văn A",
        "reporter_phone": "", "good_faith": "on",
        "evidence": [SimpleUploadedFile("shot.png", png_bytes(), "image/png")],
    })

    assert response.status_code == 503
    assert response["Retry-After"] == str(STORAGE_RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert MESSAGES[language] in html
    assert f"{DESCRIPTION}</textarea>" in html
    assert f'value="{ACCOUNT}"' in html
    assert 'value="Nguyễn Văn A"' in html
    assert 'value="me@example.org"' in html
    assert _state() == before
    assert files_in(media) == []


@pytest.fixture
def partner(db: None) -> Actor:
    issued = apikey_create(actor=SYSTEM, name="bank", role=Role.PARTNER)
    return Actor.for_api_key(issued.api_key, ip="198.51.100.20")


def _input(evidence: Sequence[bytes] = (), **overrides: Any) -> ReportInput:
    fields: dict[str, Any] = {
        "target_kind": "account", "target": ACCOUNT, "platform": "facebook",
        "fraud_type": "investment_stock_crypto", "good_faith": True,
        "description": DESCRIPTION,
        "evidence": [EvidenceUpload(name=f"shot-{i}.png", content=content)
                     for i, content in enumerate(evidence)],
    }
    return ReportInput(**(fields | overrides))


def _file_one(data: ReportInput, partner: Actor) -> object:
    return report_create(actor=Actor.anonymous(ip="203.0.113.5"), data=data)


def _file_as_batch(data: ReportInput, partner: Actor) -> object:
    return report_create_many(actor=partner, items=[data])


@pytest.mark.parametrize("failure", [
    RuntimeError("the audit chain is broken"),
    # An OSError, but not the storage's: it is not a refusal of the evidence.
    OSError(errno.ENOSPC, "the audit log's disk is full"),
], ids=["RuntimeError", "OSError"])
@pytest.mark.parametrize("file_it", [_file_one, _file_as_batch], ids=["single", "batch"])
def test_a_filing_that_fails_after_its_evidence_was_written_removes_the_files(
    media: Path, monkeypatch: pytest.MonkeyPatch, partner: Actor, failure: Exception,
    file_it: Callable[[ReportInput, Actor], object],
) -> None:
    data = _input(evidence=[png_bytes(), png_bytes((50, 50))])
    before = _state()
    written: list[str] = []
    real_save = vars(FileSystemStorage)["_save"]

    def recording_save(storage: FileSystemStorage, name: str, content: Any) -> str:
        written.append(real_save(storage, name, content))
        return written[-1]

    def failing_audit(**kwargs: Any) -> None:
        raise failure

    monkeypatch.setattr(FileSystemStorage, "_save", recording_save)
    monkeypatch.setattr(filing, "audit_record_many", failing_audit)

    with pytest.raises(type(failure)) as raised:
        file_it(data, partner)

    assert raised.value is failure  # as before: the error itself, not a 503
    assert len(written) == 2  # both files were on the disk...
    assert files_in(media) == []  # ...and are gone with the transaction
    assert _state() == before


def _submission(actor: Actor, evidence: Sequence[bytes], **overrides: Any) -> Submission:
    return Submission(actor=actor, item=report_prepare(data=_input(evidence, **overrides)))


def test_in_a_combined_filing_only_the_report_whose_evidence_cannot_be_stored_fails(
    media: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept, refused, also_kept = png_bytes((40, 30)), png_bytes((41, 30)), png_bytes((42, 30))
    monkeypatch.setattr(FileSystemStorage, "_save",
                        _refusing_save(errno.ENOSPC, _named_for(refused)))
    citizen = Actor.anonymous(ip="203.0.113.5")

    outcomes = combined.submissions_file_each([
        _submission(citizen, [kept]),
        _submission(citizen, [refused], target="0912 345 678", target_kind="phone",
                    platform=""),
        _submission(citizen, [also_kept], target="0987 654 321", target_kind="phone",
                    platform=""),
    ])

    assert isinstance(outcomes[0], FiledReport) and isinstance(outcomes[2], FiledReport)
    assert isinstance(outcomes[1], EvidenceNotStored)
    assert Report.objects.count() == 2
    stored = {e.report_id: e for e in Evidence.objects.all()}
    assert set(stored) == {outcomes[0].report.pk, outcomes[2].report.pk}
    assert files_in(media) == sorted(media / e.file.name for e in stored.values())
    assert not Case.objects.filter(target__canonical="+84912345678").exists()
    assert AuditEntry.objects.filter(action="report.create").count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite's test database takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_of_concurrent_reports_filed_together_only_the_one_not_stored_gets_503(
    media: Path, monkeypatch: pytest.MonkeyPatch, settings: Any,
) -> None:
    settings.FRAUDHUB_INTAKE_DEFERRED = False  # filed during the request, together
    refused = png_bytes((41, 30))
    monkeypatch.setattr(FileSystemStorage, "_save",
                        _refusing_save(errno.ENOSPC, _named_for(refused)))
    held = _HeldFirstRound()
    combiner: Combiner[Submission, FiledReport] = Combiner(held, max_batch=100)
    monkeypatch.setattr(combined, "_combiner", combiner)
    results: dict[str, Any] = {}

    def file(name: str, language: str, data: ReportInput) -> None:
        try:
            with translation.override(language):
                results[name] = report_create(actor=Actor.anonymous(ip="203.0.113.9"),
                                              data=data)
        except BaseException as exc:  # an error fails the test's assertions on `results`
            results[name] = exc
        finally:
            connections.close_all()

    def start(name: str, language: str, data: ReportInput) -> threading.Thread:
        thread = threading.Thread(target=file, args=(name, language, data))
        thread.start()
        return thread

    first = start("first", "en", _input())
    assert held.first_started.wait(WAIT_SECONDS)
    # Filed together next, by a thread in English: the refused one is answered in its own
    # reporter's language all the same.
    others = [
        start("kept", "en", _input([png_bytes((40, 30))], target="0987 654 321",
                                   target_kind="phone", platform="")),
        start("refused", "vi", _input([refused], target="0912 345 678", target_kind="phone",
                                      platform="")),
        start("also kept", "en", _input()),
    ]
    _wait(lambda: combiner.waiting == 3)
    held.release.set()
    for thread in [first, *others]:
        thread.join(WAIT_SECONDS)

    assert held.rounds == [1, 3]
    assert isinstance(results["refused"], StorageUnavailable)
    assert results["refused"].message == MESSAGES["vi"]
    filed = [results[name] for name in ("first", "kept", "also kept")]
    assert all(isinstance(r, FiledReport) for r in filed), results
    assert Report.objects.count() == 3
    [evidence] = Evidence.objects.all()
    assert files_in(media) == [media / evidence.file.name]
    assert not Case.objects.filter(target__canonical="+84912345678").exists()


def test_in_a_batch_the_report_whose_evidence_cannot_be_stored_is_refused_and_the_rest_filed(
    api_client_for: Clients, media: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept, refused = png_bytes((40, 30)), png_bytes((41, 30))
    monkeypatch.setattr(FileSystemStorage, "_save",
                        _refusing_save(errno.ENOSPC, _named_for(refused)))
    phone = {"target_kind": "phone", "platform": "", "fraud_type": "fake_police_court"}
    reports = [
        report_payload(**phone, target="0987 654 321", evidence=[evidence_item(kept)]),
        report_payload(**phone, target="0912 345 678", evidence=[evidence_item(refused)]),
        report_payload(**phone, target="0900 000 001"),
    ]

    response = api_client_for(Role.PARTNER).post(BATCH, {"reports": reports},
                                                 headers={"Accept-Language": "en"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (2, 1)
    results = body["results"]
    assert [r["code"] for r in results] == [None, "storage_unavailable", None]
    assert (results[1]["created"], results[1]["tracking_code"], results[1]["error"]) == (
        False, None, MESSAGES["en"])
    assert sorted(Report.objects.values_list("tracking_code", flat=True)) == sorted(
        [results[0]["tracking_code"], results[2]["tracking_code"]])
    evidence = Evidence.objects.get()
    assert evidence.report.tracking_code == results[0]["tracking_code"]
    assert files_in(media) == [media / evidence.file.name]
    assert not Case.objects.filter(target__canonical="+84912345678").exists()
    assert AuditEntry.objects.filter(action="report.create").count() == 2
