"""Jobs of the reports app: each takes an id, reloads, and is safe to run twice."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from fraudhub.cases.targets import target_in_mail
from fraudhub.core.jobs import enqueue, jobs_done_along, retried, waiting_jobs_lock
from fraudhub.reports.confirmation import report_confirm_url
from fraudhub.reports.identity import is_connection_identity
from fraudhub.reports.models import Report
from fraudhub.reports.selectors import report_decision_view

logger = logging.getLogger(__name__)
# Reports whose sightings are recorded in one transaction: the indicator rows of a hundred
# reports stay locked for well under a second.
_RECORD_CHUNK = 100


def _status_url(report: Report) -> str:
    return f"{settings.FRAUDHUB_BASE_URL}/report/status/{report.tracking_code}"


# Kept for the jobs queued one per report before reports were filed in batches.
@task()
@retried(max_attempts=6, backoff_seconds=30)
def record_report_indicators(*, report_id: int) -> bool:
    from fraudhub.indicators.feeds import report_indicators_record

    return report_indicators_record(report_id=report_id)


@task()
@retried(max_attempts=6, backoff_seconds=30)
def record_reports_indicators(*, report_ids: list[int]) -> int:
    """The sightings of every report filed in one call, a transaction per chunk of reports.

    Each transaction fills its chunk with the reports of other jobs of this kind that are
    waiting, and marks those jobs done in it: a worker used to run every small filing's job on
    its own, most of them finding their reports already recorded by another's catch-up, at
    the cost of a whole job each (about two thirds of the worker's time under load).
    """
    from fraudhub.indicators.feeds import reports_indicators_record

    recorded = 0
    for start in range(0, len(report_ids), _RECORD_CHUNK):
        chunk = report_ids[start:start + _RECORD_CHUNK]
        try:
            with transaction.atomic():
                taken, more = _waiting_jobs_take(room=_RECORD_CHUNK - len(chunk))
                recorded += reports_indicators_record(
                    report_ids=[*chunk, *more], catch_up=_RECORD_CHUNK - len(chunk) - len(more))
                jobs_done_along(taken, note="recorded along with another job's reports")
        except Exception:
            # Another report taken along may be what failed: this job's own reports alone.
            logger.warning("recording with other waiting reports failed; recording %d alone",
                           len(chunk), exc_info=True)
            recorded += reports_indicators_record(report_ids=chunk)
    return recorded


def _waiting_jobs_take(*, room: int) -> tuple[list[str], list[int]]:
    """Waiting record_reports_indicators jobs whose reports fit in ``room``: (jobs, reports)."""
    taken: list[str] = []
    more: list[int] = []
    for job_id, kwargs in waiting_jobs_lock(record_reports_indicators, limit=room):
        ids = kwargs.get("report_ids")
        if (not isinstance(ids, list) or not ids
                or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
            continue  # not one this code enqueued: left to run (and fail) on its own
        if len(more) + len(ids) > room:
            break
        taken.append(job_id)
        more.extend(ids)
    return taken, more


@task()
def send_report_receipts(*, report_ids: list[int]) -> None:
    """The receipts of the reports filed in one call.

    A receipt that cannot be sent now gets a job of its own with its own retries, so a retry
    never mails again the reporters who already have theirs.
    """
    for report_id in report_ids:
        try:
            _send_receipt(report_id)
        except Exception:  # any failure: the single job retries it, with back-off
            logger.warning("receipt of report %s not sent now; retried on its own", report_id,
                           exc_info=True)
            enqueue(send_report_receipt, report_id=report_id)


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_report_receipt(*, report_id: int) -> None:
    _send_receipt(report_id)


def _mail_context(report: Report) -> dict[str, Any]:
    return {"report": report, "status_url": _status_url(report),
            **target_in_mail(kind=report.target.kind, display=report.target.display)}


def _send_receipt(report_id: int) -> None:
    report = (Report.objects.select_related("target", "reporter").filter(pk=report_id)
              .first())
    if report is None or not report.reporter_email:
        return
    with translation.override(report.language):
        context = _mail_context(report)
        if (report.email_confirmed_at is None and report.reporter is not None
                and is_connection_identity(report.reporter.identity)):
            # Only a report filed under its connection has anything to confirm: a logged-in
            # user's, an organization's or a key's is theirs already.
            context.update(confirm_url=report_confirm_url(report),
                           confirm_days=settings.FRAUDHUB_REPORT_CONFIRM_DAYS)
        subject = render_to_string("reports/email/receipt_subject.txt", context).strip()
        body = render_to_string("reports/email/receipt.txt", context)
    send_mail(subject, body, None, [report.reporter_email])


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_decision_notice(*, report_id: int, decision_id: int) -> None:
    report = Report.objects.select_related("target").filter(pk=report_id).first()
    if report is None or not report.reporter_email:
        return
    with translation.override(report.language):
        decision = report_decision_view(report=report)
        if decision is None or decision.decision_id != decision_id:
            return  # superseded since: a later notice carries the current decision
        context = {**_mail_context(report), "decision": decision}
        subject = render_to_string("reports/email/decision_subject.txt", context).strip()
        body = render_to_string("reports/email/decision.txt", context)
    send_mail(subject, body, None, [report.reporter_email])
