"""Acting on reporters: marking one as acting in bad faith (EU DSA Art. 23)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.cases.machines import CASE_MACHINE, REPORT_MACHINE
from fraudhub.cases.models import OPEN_CASE_STATUSES, Case, CaseStatus
from fraudhub.cases.priority import reprioritize
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.db import retry_deadlocks
from fraudhub.core.errors import NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.reports.models import PENDING_REPORT_STATUSES, Report, Reporter, ReportStatus

DEFAULT_SUSPENSION_DAYS = 90


def cases_recount(*, actor: Actor, case_ids: set[int], now: datetime, why: str) -> None:
    """Count again the live reports, reporters and reputation of open cases whose reports
    changed hands or closed (inside the caller's transaction, which holds those reports); a
    case left without a live report is closed, with ``why`` in its audit entry."""
    for case in Case.objects.select_for_update().filter(
        pk__in=case_ids, status__in=OPEN_CASE_STATUSES
    ).order_by("pk"):
        live = Report.objects.filter(case=case, status__in=PENDING_REPORT_STATUSES)
        case.report_count = live.count()
        reporter_ids = set(live.values_list("reporter_id", flat=True))
        case.reporter_count = len(reporter_ids)
        case.reputation_total = sum(
            Reporter.objects.filter(pk__in=reporter_ids).values_list("reputation", flat=True)
        )
        if case.report_count == 0:
            CASE_MACHINE.check(case.status, CaseStatus.CLOSED)
            case.status = CaseStatus.CLOSED
            case.claimed_by = ""
            case.claimed_by_label = ""
            case.claim_expires_at = None
            audit_record(actor=actor, action="case.close", object_type="case",
                         object_id=case.pk, new={"status": case.status, "why": why})
        else:
            reprioritize(case, now=now, source_raised=False)
        case.save()


@retry_deadlocks
def reporter_mark_bad_faith(
    *, actor: Actor, reporter_id: int, reason: str, days: int = DEFAULT_SUSPENSION_DAYS
) -> Reporter:
    """Suspend processing of a reporter's notices and close the ones still pending."""
    if not actor.has_perm(Perm.REPORTER_MARK_BAD_FAITH):
        raise PermissionDenied(_("You may not mark reporters."))
    if errors := nul_field_errors({"reason": reason}):
        raise ValidationFailed(_("The reason is not valid."), field_errors=errors)
    if not reason.strip():
        raise ValidationFailed(_("Give the reason."), field_errors={"reason": [_("Required.")]})
    if not 1 <= days <= 365:
        raise ValidationFailed(_("Suspension lasts 1 to 365 days."),
                               field_errors={"days": [_("1 to 365")]})
    now = timezone.now()
    with transaction.atomic():
        reporter = Reporter.objects.select_for_update().filter(pk=reporter_id).first()
        if reporter is None:
            raise NotFound(_("No such reporter."))
        old = {"bad_faith_until": reporter.bad_faith_until}
        reporter.bad_faith_until = now + timedelta(days=days)
        reporter.bad_faith_reason = reason[:2000]
        reporter.save(update_fields=["bad_faith_until", "bad_faith_reason"])
        pending = list(Report.objects.select_for_update().filter(
            reporter=reporter, status__in=PENDING_REPORT_STATUSES
        ))
        touched_cases: set[int] = set()
        for report in pending:
            REPORT_MACHINE.check(report.status, ReportStatus.CLOSED_BAD_FAITH)
            report.status = ReportStatus.CLOSED_BAD_FAITH
            report.closed_at = now
            if report.case_id:
                touched_cases.add(report.case_id)
        Report.objects.bulk_update(pending, ["status", "closed_at"])
        cases_recount(actor=actor, case_ids=touched_cases, now=now,
                      why="all reports closed in bad faith")
        audit_record(
            actor=actor, action="reporter.mark_bad_faith", object_type="reporter",
            object_id=reporter.pk, old=old,
            new={"bad_faith_until": reporter.bad_faith_until, "reason": reporter.bad_faith_reason,
                 "closed_reports": [r.pk for r in pending]},
        )
    return reporter
