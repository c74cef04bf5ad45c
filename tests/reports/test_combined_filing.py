"""Concurrent single reports filed in one transaction, each keeping its own caller's identity."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from fraudhub.cases.models import Case, ReportSource
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.combining import Combiner
from fraudhub.core.models import AuditEntry
from fraudhub.core.roles import Role
from fraudhub.core.services import apikey_create
from fraudhub.reports import combined
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.filing import EvidenceNotStored, FiledReport, Submission, submissions_file
from fraudhub.reports.models import Evidence, Report, ReportStatus
from fraudhub.reports.services import ReportInput, report_create, report_prepare
from tests.conftest import SYSTEM, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _filed_while_the_reporter_waits(settings: Any) -> None:
    """These tests are about filing during the request (FRAUDHUB_INTAKE_DEFERRED off)."""
    settings.FRAUDHUB_INTAKE_DEFERRED = False


WAIT_SECONDS = 20.0
ACCOUNT = "https://www.facebook.com/profile.php?id=100012345678"


def _input(target: str = ACCOUNT, **overrides: Any) -> ReportInput:
    fields: dict[str, Any] = {
        "target_kind": "account", "target": target, "platform": "facebook",
        "fraud_type": "investment_stock_crypto", "good_faith": True,
        "description": "Mời đầu tư tiền ảo, chuyển vào STK 0071000123456 Vietcombank.",
    }
    return ReportInput(**(fields | overrides))


def _submission(actor: Actor, **overrides: Any) -> Submission:
    return Submission(actor=actor, item=report_prepare(data=_input(**overrides)))


def _partner() -> Actor:
    issued = apikey_create(actor=SYSTEM, name="bank", role=Role.PARTNER)
    return Actor.for_api_key(issued.api_key, ip="198.51.100.20")


def test_reports_of_several_callers_in_one_transaction_keep_each_their_own_identity() -> None:
    citizen = Actor.anonymous(ip="203.0.113.5")
    partner = _partner()

    filed = submissions_file(submissions=[
        _submission(citizen, reporter_email="an@example.org"),
        _submission(partner),
        _submission(citizen, target="0912 345 678", target_kind="phone", platform=""),
    ])

    first, second, third = (f.report for f in filed)
    assert [r.source for r in (first, second, third)] == [
        ReportSource.CITIZEN, ReportSource.PARTNER, ReportSource.CITIZEN]
    assert first.case_id == second.case_id != third.case_id
    case = first.case
    assert case is not None
    assert (case.report_count, case.reporter_count) == (2, 2)
    assert case.top_source == ReportSource.PARTNER
    assert first.reporter_id != second.reporter_id
    created = {e.object_id: (e.actor_kind, e.ip)
               for e in AuditEntry.objects.filter(action="report.create")}
    assert created == {str(first.pk): ("anonymous", "203.0.113.5"),
                       str(second.pk): ("api_key", "198.51.100.20"),
                       str(third.pk): ("anonymous", "203.0.113.5")}
    opened = {e.object_id: e.ip for e in AuditEntry.objects.filter(action="case.open")}
    assert opened == {str(first.case_id): "203.0.113.5", str(third.case_id): "203.0.113.5"}
    assert audit_verify().ok


def test_when_the_combined_transaction_fails_each_report_is_filed_alone(
    settings: Any, tmp_path: Path,
) -> None:
    # Evidence cannot be stored (its directory would be under a file): only the report that
    # carries some must fail; the reports of the others are filed.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocker / "media")}}}
    citizen = Actor.anonymous(ip="203.0.113.5")
    with_evidence = _submission(
        citizen, evidence=[EvidenceUpload(name="shot.png", content=png_bytes())])

    outcomes = combined.submissions_file_each(
        [_submission(citizen), with_evidence, _submission(citizen, target="0912 345 678",
                                                           target_kind="phone", platform="")])

    assert isinstance(outcomes[0], FiledReport) and isinstance(outcomes[2], FiledReport)
    assert isinstance(outcomes[1], EvidenceNotStored)
    assert Report.objects.count() == 2
    assert Evidence.objects.count() == 0
    assert Case.objects.get(reports=outcomes[0].report).report_count == 1
    assert AuditEntry.objects.filter(action="report.create").count() == 2
    assert audit_verify().ok


def test_a_report_filed_inside_the_caller_s_transaction_is_not_combined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds: list[int] = []

    def counting(items: Sequence[Submission]) -> list[FiledReport | Exception]:
        rounds.append(len(items))
        return combined.submissions_file_each(items)

    monkeypatch.setattr(combined, "_combiner", Combiner(counting, max_batch=100))
    with transaction.atomic():
        filed = report_create(actor=Actor.anonymous(ip="203.0.113.5"), data=_input())

    assert filed.report.status == ReportStatus.RECEIVED
    assert rounds == []


class _HeldFirstRound:
    """Holds the first round until the test has queued the others behind it."""

    def __init__(self) -> None:
        self.rounds: list[int] = []
        self.first_started = threading.Event()
        self.release = threading.Event()

    def __call__(self, items: Sequence[Submission]) -> list[FiledReport | Exception]:
        self.rounds.append(len(items))
        if len(self.rounds) == 1:
            self.first_started.set()
            assert self.release.wait(WAIT_SECONDS)
        return combined.submissions_file_each(items)


def _file_in_threads(inputs: Sequence[tuple[str, ReportInput]], results: list[Any]
                     ) -> list[threading.Thread]:
    def file(ip: str, data: ReportInput) -> None:
        try:
            results.append(report_create(actor=Actor.anonymous(ip=ip), data=data))
        except BaseException as exc:  # an error fails the test's assertions on `results`
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file, args=pair) for pair in inputs]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite's test database takes one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_reports_arriving_while_one_is_filed_are_filed_together_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = _HeldFirstRound()
    combiner: Combiner[Submission, FiledReport] = Combiner(held, max_batch=100)
    monkeypatch.setattr(combined, "_combiner", combiner)
    results: list[Any] = []
    first = _file_in_threads([("203.0.113.1", _input())], results)
    assert held.first_started.wait(WAIT_SECONDS)
    others = _file_in_threads(
        [(f"203.0.113.{n}", _input() if n % 2 else _input(target=f"0912 345 67{n}",
                                                           target_kind="phone", platform=""))
         for n in range(2, 8)], results)
    _wait(lambda: combiner.waiting == 6)
    held.release.set()
    for thread in first + others:
        thread.join(WAIT_SECONDS)

    assert all(isinstance(r, FiledReport) for r in results), results
    assert held.rounds == [1, 6]
    assert len({r.report.tracking_code for r in results}) == 7
    account_case = Case.objects.get(target__canonical__contains="100012345678")
    assert (account_case.report_count, account_case.reporter_count) == (4, 4)
    second_round = AuditEntry.objects.filter(action="report.create").exclude(
        ip="203.0.113.1")
    assert len({e.created_at for e in second_round}) == 1  # one transaction
    assert {e.ip for e in second_round} == {f"203.0.113.{n}" for n in range(2, 8)}
    assert audit_verify().ok


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
