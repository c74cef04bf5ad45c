"""Jobs of the reports app: each takes an id, reloads, and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from fraudhub.core.jobs import retried
from fraudhub.reports.models import Report
from fraudhub.reports.selectors import report_decision_view


def _status_url(report: Report) -> str:
    return f"{settings.FRAUDHUB_BASE_URL}/report/status/{report.tracking_code}"


@task()
@retried(max_attempts=6, backoff_seconds=30)
def record_report_indicators(*, report_id: int) -> bool:
    from fraudhub.indicators.feeds import report_indicators_record

    return report_indicators_record(report_id=report_id)


@task()
@retried(max_attempts=6, backoff_seconds=60)
def send_report_receipt(*, report_id: int) -> None:
    report = Report.objects.select_related("target").filter(pk=report_id).first()
    if report is None or not report.reporter_email:
        return
    with translation.override(report.language):
        context = {"report": report, "status_url": _status_url(report)}
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
        context = {"report": report, "decision": decision, "status_url": _status_url(report)}
        subject = render_to_string("reports/email/decision_subject.txt", context).strip()
        body = render_to_string("reports/email/decision.txt", context)
    send_mail(subject, body, None, [report.reporter_email])
