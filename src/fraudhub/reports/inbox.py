"""Reports accepted at once and filed by the worker: how a busy server keeps answering.

Filing a report takes what every filing shares (its case, the reporter's standing, the audit
chain's head), so a server filing each report while its reporter waits files a few hundred a
second at most. Accepting one instead costs a single INSERT: the report is checked (a refused
one is answered with its errors at once, as before), its evidence stored, its tracking code and
secret handed out, and the row written here. The worker files the accepted reports a hundred to
a transaction, as a partner's batch is filed, under the codes their reporters hold; the row goes
in the transaction that files its report, so a report is always in exactly one of the two
tables. Until then its status page says it was received.

When it applies (FRAUDHUB_INTAKE_DEFERRED, on by default): not inside a caller's transaction,
which must decide whether its report is kept, not for the system's own reports (the demo), and
only with the tasks backend `fraudhub worker` runs.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fraudhub.cases.models import Target
from fraudhub.cases.targets import CanonicalTarget, canonicalize_target
from fraudhub.core.actors import Actor
from fraudhub.core.combining import Combiner, together_or_each
from fraudhub.core.db import fetch_prepared
from fraudhub.core.errors import DomainError
from fraudhub.core.models import ApiKey, User
from fraudhub.reports.filing import (
    REPORT_BATCH_MAX,
    AcceptedAs,
    PreparedReport,
    Submission,
    evidence_remove,
    evidence_write,
    hash_secret,
    submissions_file_stored,
    tracking_code_new,
)
from fraudhub.reports.models import Evidence, PendingReport, Report, ReportStatus
from fraudhub.taxonomy.selectors import fraud_type_get

logger = logging.getLogger(__name__)

# A report the worker could not file is tried again after this, then twice as long each time.
RETRY_FIRST_SECONDS = 60
RETRY_MAX_SECONDS = 3600
_CODE_ATTEMPTS = 5
_EVIDENCE_FIELDS = ("original_name", "content_type", "extension", "size", "sha256")


@dataclass
class AcceptedReport:
    """What the reporter is answered: the report's code and secret, and the report as it
    will be filed (built only for a page that shows it: the API answers with the code)."""

    tracking_code: str
    secret: str
    canonical: CanonicalTarget
    submission: dict[str, Any]
    accepted_at: datetime

    @property
    def status(self) -> str:
        return ReportStatus.RECEIVED

    @cached_property
    def report(self) -> Report:
        return _unfiled(self.tracking_code, self.canonical, self.submission,
                        accepted_at=self.accepted_at)


def intake_deferred(actor: Actor) -> bool:
    # Only where `fraudhub worker` runs: with another tasks backend nothing would file them.
    return (bool(settings.FRAUDHUB_INTAKE_DEFERRED) and actor.kind != "system"
            and not connection.in_atomic_block
            and str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db."))


def actor_record(actor: Actor) -> dict[str, Any]:
    """Who sent a report, as the worker restores them to file it (actor_restore)."""
    return {"kind": actor.kind, "ip": actor.ip,
            "user": actor.user.pk if actor.user is not None else None,
            "api_key": actor.api_key.pk if actor.api_key is not None else None}


def actor_restore(record: dict[str, Any]) -> Actor:
    """The sender as they were accepted: a key revoked or a user deactivated since does not
    undo a report they were allowed to send."""
    ip = record.get("ip")
    if record.get("api_key") is not None:
        key = ApiKey.objects.select_related("organization", "holder").get(pk=record["api_key"])
        return Actor.for_api_key(key, ip=ip)
    if record.get("user") is not None:
        user = User.objects.select_related("organization").get(pk=record["user"])
        return Actor.for_user(user, ip=ip)
    return Actor.anonymous(ip=ip)


def report_accept(*, submission: Submission, platform: str) -> AcceptedReport:
    """Store a checked report for the worker to file; answer with its code and secret.

    `platform` is the one the reporter named (the target is put in canonical form again when
    filed). Raises EvidenceNotStored, leaving nothing behind, when the storage refuses the files.
    """
    item = submission.item
    evidence = evidence_write(item.evidence)
    record = {
        "target_kind": item.target_kind, "target": item.target_raw, "platform": platform,
        "fraud_type": item.fraud_type, "description": item.description,
        "language": item.language, "reporter_email": item.reporter_email,
        "reporter_name": item.reporter_name, "reporter_phone": item.reporter_phone,
        "evidence": [{"file": row.file.name, **{name: getattr(row, name)
                                               for name in _EVIDENCE_FIELDS}}
                     for row in evidence],
    }
    secret = secrets.token_urlsafe(18)
    now = timezone.now()
    try:
        code = _inserts.run(_PendingRow(
            actor=actor_record(submission.actor), submission=record,
            secret_hash=hash_secret(secret), accepted_at=now))
    except BaseException:
        evidence_remove(evidence)
        raise
    _backlog_check_when_due()
    return AcceptedReport(tracking_code=code, secret=secret, canonical=item.canonical,
                          submission=record, accepted_at=now)


_BACKLOG_CHECK_SECONDS = 60.0
_last_backlog_check: float | None = None  # monotonic time of this process's last check


def _backlog_check_when_due() -> None:
    """Warn from the server too, at most once a minute per process, when accepted reports
    wait too long: housekeeping's warning is written by the worker, and when no worker runs at
    all it is the servers that see the reports pile up."""
    global _last_backlog_check
    if (_last_backlog_check is not None
            and time.monotonic() - _last_backlog_check < _BACKLOG_CHECK_SECONDS):
        return
    _last_backlog_check = time.monotonic()
    try:
        pending_reports_overdue()
    except Exception:  # the report is stored; a failed check must not fail its answer
        logger.exception("checking the backlog of accepted reports failed")


@dataclass(frozen=True)
class _PendingRow:
    actor: dict[str, Any]
    submission: dict[str, Any]
    secret_hash: str
    accepted_at: datetime


# Rows whose fresh code a report or an accepted report holds already are not inserted (nor
# returned): they are inserted again with new codes.
_INSERT_PENDING_POSTGRESQL = """
INSERT INTO reports_pendingreport
    (tracking_code, secret_hash, actor, submission, accepted_at, attempts, last_error, retry_at)
SELECT v.code, v.secret_hash, v.actor, v.submission, v.accepted_at, 0, '', v.accepted_at
FROM jsonb_to_recordset(%s::jsonb)
    AS v(code text, secret_hash text, actor jsonb, submission jsonb, accepted_at timestamptz)
WHERE NOT EXISTS (SELECT 1 FROM reports_report r WHERE r.tracking_code = v.code)
ON CONFLICT (tracking_code) DO NOTHING
RETURNING tracking_code
"""
_INSERT_PENDING_ONE = """
INSERT INTO reports_pendingreport
    (tracking_code, secret_hash, actor, submission, accepted_at, attempts, last_error, retry_at)
SELECT %s, %s, %s, %s, %s, 0, '', %s
WHERE NOT EXISTS (SELECT 1 FROM reports_report WHERE tracking_code = %s)
ON CONFLICT (tracking_code) DO NOTHING
RETURNING tracking_code
"""


def _pending_insert_many(rows: Sequence[_PendingRow]) -> list[str | Exception]:
    """Insert the rows of concurrent requests in one statement (one commit), each under a
    tracking code that no report and no accepted report has; the codes, in order.

    One INSERT through the ORM cost as much as the rest of the request, and one commit per
    report as much of PostgreSQL's time as the rest of its work.
    """
    codes: list[str | Exception] = [RuntimeError(
        f"no free tracking code in {_CODE_ATTEMPTS} attempts")] * len(rows)
    todo = list(range(len(rows)))
    for _attempt in range(_CODE_ATTEMPTS):
        fresh = _distinct_codes(todo)
        inserted = _insert_with_codes([(fresh[i], rows[i]) for i in todo])
        for index in todo:
            if fresh[index] in inserted:
                codes[index] = fresh[index]
        todo = [index for index in todo if fresh[index] not in inserted]
        if not todo:
            break
    return codes


def _distinct_codes(indexes: Sequence[int]) -> dict[int, str]:
    """A fresh code for each row, none twice: of two rows drawn the same code only one would be
    inserted, and both would be answered with it."""
    codes: dict[int, str] = {}
    drawn: set[str] = set()
    for index in indexes:
        code = tracking_code_new()
        while code in drawn:
            code = tracking_code_new()
        drawn.add(code)
        codes[index] = code
    return codes


def _insert_with_codes(rows: Sequence[tuple[str, _PendingRow]]) -> set[str]:
    if connection.vendor == "postgresql":
        # The rows as one JSON document: psycopg escapes array elements in Python, which for
        # the reports' texts cost more than everything else the statement needed.
        document = json.dumps([
            {"code": code, "secret_hash": row.secret_hash, "actor": row.actor,
             "submission": row.submission, "accepted_at": row.accepted_at.isoformat()}
            for code, row in rows])
        return {code for (code,) in fetch_prepared(_INSERT_PENDING_POSTGRESQL, [document])}
    inserted = set()
    with transaction.atomic():  # one commit for the round, as on PostgreSQL
        for code, row in rows:
            when = connection.ops.adapt_datetimefield_value(row.accepted_at)
            inserted |= {found for (found,) in fetch_prepared(_INSERT_PENDING_ONE, [
                code, row.secret_hash, json.dumps(row.actor), json.dumps(row.submission),
                when, when, code])}
    return inserted


# Concurrent requests of a server process store their reports together (core/combining.py).
_inserts: Combiner[_PendingRow, str] = Combiner(
    lambda rows: together_or_each(_pending_insert_many, rows, what="storing accepted reports"),
    max_batch=REPORT_BATCH_MAX)


@dataclass(frozen=True)
class FilingRound:
    filed: int
    failed: int


def pending_reports_file(*, limit: int = REPORT_BATCH_MAX) -> FilingRound:
    """File up to `limit` accepted reports that are due, oldest first, in one transaction.

    Rows another worker is filing are passed over. When the reports cannot be filed together,
    each is filed alone; one that fails alone stays with its error and is tried again later
    (RETRY_FIRST_SECONDS, doubling): a report is never dropped.
    """
    now = timezone.now()
    # Asked first outside a transaction: the worker polls this every second, and an idle poll
    # should take no lock (on SQLite every transaction takes the database's write lock).
    if not PendingReport.objects.filter(retry_at__lte=now).exists():
        return FilingRound(filed=0, failed=0)
    with transaction.atomic():
        rows = list(PendingReport.objects.select_for_update(skip_locked=True)
                    .filter(retry_at__lte=now).order_by("id")[:limit])
        if not rows:
            return FilingRound(filed=0, failed=0)
        ready: list[tuple[PendingReport, Submission, list[Evidence]]] = []
        failures: list[tuple[PendingReport, Exception]] = []
        for row in rows:
            try:
                submission, evidence = _restored(row)
            except Exception as refused:  # one unreadable row must not hold up the others
                failures.append((row, refused))
                continue
            ready.append((row, submission, evidence))
        filed = _file_together_or_alone(ready, failures)
        PendingReport.objects.filter(pk__in=[row.pk for row in filed]).delete()
        for row, error in failures:
            _postpone(row, error, now=now)
    return FilingRound(filed=len(filed), failed=len(failures))


def pending_reports_drain() -> FilingRound:
    """File every accepted report that is due (the worker's --batch run, deployments)."""
    filed = failed = 0
    while True:
        one = pending_reports_file()
        filed, failed = filed + one.filed, failed + one.failed
        if one.filed + one.failed < REPORT_BATCH_MAX:
            return FilingRound(filed=filed, failed=failed)


def _file_together_or_alone(
    ready: Sequence[tuple[PendingReport, Submission, list[Evidence]]],
    failures: list[tuple[PendingReport, Exception]],
) -> list[PendingReport]:
    """The rows whose reports were filed; a report that failed alone joins `failures`."""
    if not ready:
        return []

    def file_rows(items: Sequence[tuple[PendingReport, Submission, list[Evidence]]]
                  ) -> list[PendingReport]:
        with transaction.atomic():  # a savepoint: a failed try leaves the round's transaction
            submissions_file_stored(submissions=[s for _r, s, _e in items],
                                    evidence=[e for _r, _s, e in items])
        return [row for row, _s, _e in items]

    outcomes: list[PendingReport | Exception]
    try:
        outcomes = together_or_each(file_rows, ready, what="filing accepted reports")
    except Exception as exc:  # a round of one report, which failed
        outcomes = [exc]
    filed = []
    for (row, _s, _e), outcome in zip(ready, outcomes, strict=True):
        if isinstance(outcome, Exception):
            failures.append((row, outcome))
        else:
            filed.append(row)
    return filed


def _postpone(row: PendingReport, exc: Exception, *, now: datetime) -> None:
    logger.error("accepted report %s could not be filed (attempt %d): %s",
                 row.tracking_code, row.attempts + 1, exc)
    delay = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** min(row.attempts, 10))
    PendingReport.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000],
        retry_at=now + timedelta(seconds=delay))


def _restored(row: PendingReport) -> tuple[Submission, list[Evidence]]:
    """The submission as accepted; its target put in canonical form again (the same rules)."""
    data = row.submission
    fraud_type = fraud_type_get(key=data["fraud_type"])
    if fraud_type is None:
        raise DomainError(f"unknown fraud type {data['fraud_type'][:64]}")
    canonical = canonicalize_target(kind=data["target_kind"], raw=data["target"],
                                    platform=data["platform"])
    item = PreparedReport(
        target_kind=data["target_kind"], target_raw=data["target"], canonical=canonical,
        fraud_type=data["fraud_type"], severity=fraud_type.severity,
        description=data["description"], language=data["language"],
        reporter_email=data["reporter_email"], reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"], evidence=[],
    )
    evidence = [Evidence(file=e["file"], **{name: e[name] for name in _EVIDENCE_FIELDS})
                for e in data["evidence"]]
    accepted = AcceptedAs(tracking_code=row.tracking_code, secret_hash=row.secret_hash,
                          accepted_at=row.accepted_at)
    return Submission(actor=actor_restore(row.actor), item=item, accepted=accepted), evidence


def pending_reports_overdue(*, now: datetime | None = None) -> int:
    """Warn when accepted reports wait longer than FRAUDHUB_INTAKE_OVERDUE_SECONDS to be filed
    (the workers do not keep up, or some fail: see their `last_error`); how many do."""
    now = now or timezone.now()
    waiting = PendingReport.objects.filter(
        accepted_at__lt=now - timedelta(seconds=settings.FRAUDHUB_INTAKE_OVERDUE_SECONDS))
    count = waiting.count()
    if count:
        oldest = waiting.order_by("accepted_at").values_list("accepted_at", flat=True)[0]
        failing = waiting.exclude(last_error="").count()
        logger.warning("%d accepted reports wait to be filed for more than %d s (the oldest "
                       "since %s; %d failed to be filed): run more workers, or see the errors "
                       "under Pending reports in the admin", count,
                       settings.FRAUDHUB_INTAKE_OVERDUE_SECONDS, oldest.isoformat(), failing)
    return count


def pending_evidence_names() -> set[str]:
    """The evidence files of accepted reports: no Evidence row names them until filed."""
    return {evidence["file"]
            for submission in PendingReport.objects.values_list("submission", flat=True)
            .iterator(chunk_size=2000)
            for evidence in submission.get("evidence", ())}


def pending_report_as_report(row: PendingReport) -> Report:
    """An accepted report as its status page shows it until it is filed (never saved)."""
    data = row.submission
    canonical = canonicalize_target(kind=data["target_kind"], raw=data["target"],
                                    platform=data["platform"])
    return _unfiled(row.tracking_code, canonical, data, accepted_at=row.accepted_at)


def _unfiled(code: str, canonical: CanonicalTarget, data: dict[str, Any], *,
             accepted_at: datetime) -> Report:
    return Report(
        tracking_code=code,
        target=Target(kind=canonical.kind, indicator_type=canonical.indicator_type,
                      canonical=canonical.canonical, display=canonical.display,
                      platform=canonical.platform),
        target_kind=data["target_kind"], fraud_type=data["fraud_type"],
        language=data["language"], reporter_email=data["reporter_email"],
        status=ReportStatus.RECEIVED, created_at=accepted_at)
