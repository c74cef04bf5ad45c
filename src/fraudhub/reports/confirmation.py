"""Confirming the e-mail address of a report: the receipt's link, and what following it does.

A report with an address is filed under its connection (see reports/identity.py). The receipt
carries a signed link; whoever follows it and presses the button has read the mailbox, and the
report then counts as that address's: the case counts its reporters and their reputation
again, the values it reported change reporter, and a suspension of the address (bad faith)
applies to it. Nothing moves on a GET: mail scanners open every link they deliver.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.cases.machines import REPORT_MACHINE
from fraudhub.cases.models import OPEN_CASE_STATUSES, Case
from fraudhub.cases.services.intake import (
    CaseClosedMeanwhile,
    CaseOpening,
    case_open_audit,
    cases_find_or_open,
)
from fraudhub.cases.services.reporters import cases_recount
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record, audit_record_many
from fraudhub.core.db import retry_deadlocks
from fraudhub.core.errors import NotFound, ValidationFailed
from fraudhub.indicators.observing import sightings_reattribute
from fraudhub.reports.filing import reporters_held
from fraudhub.reports.identity import email_digest, email_identity
from fraudhub.reports.models import PENDING_REPORT_STATUSES, Report, Reporter, ReportStatus
from fraudhub.taxonomy.selectors import fraud_type_get

CONFIRM_SALT = "fraudhub.reports.confirm-email"
# A case found open and decided before it could be locked is looked for again (as filing does).
_JOIN_ATTEMPTS = 5


def report_confirm_token(report: Report) -> str:
    return signing.dumps({"r": report.pk, "e": email_digest(report.reporter_email)},
                         salt=CONFIRM_SALT)


def report_confirm_url(report: Report) -> str:
    return f"{settings.FRAUDHUB_BASE_URL}/report/confirm/{report_confirm_token(report)}"


def _invalid_link() -> NotFound:
    return NotFound(_("This confirmation link is not valid or has expired. Use the link exactly "
                      "as you received it, within %(days)d days of your report.")
                    % {"days": settings.FRAUDHUB_REPORT_CONFIRM_DAYS})


def report_for_confirm_token(*, token: str) -> Report:
    """The report a confirmation link was mailed for; NotFound for any other link."""
    try:
        data: Any = signing.loads(token[:500], salt=CONFIRM_SALT,
                                  max_age=settings.FRAUDHUB_REPORT_CONFIRM_DAYS * 86400)
    except signing.BadSignature:  # also expired (SignatureExpired is one)
        raise _invalid_link() from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise _invalid_link()
    report = Report.objects.select_related("target").filter(pk=data["r"]).first()
    # The address is part of the link: a report whose address changed is not confirmed by a
    # link mailed to the old one.
    if (report is None or not report.reporter_email
            or email_digest(report.reporter_email) != data.get("e")):
        raise _invalid_link()
    return report


@dataclass(frozen=True)
class Confirmation:
    report: Report
    confirmed_before: bool  # the link was followed before: nothing changed this time
    suspended: bool  # the address is suspended for bad faith: the report was closed


@retry_deadlocks
def report_email_confirm(*, actor: Actor, token: str) -> Confirmation:
    """Make the report count as its e-mail address's, once its link was followed."""
    found = report_for_confirm_token(token=token)
    now = timezone.now()
    with transaction.atomic():
        # Case before report, as decisions take them; the reporters after, held FOR KEY SHARE
        # as filing holds them: a bad-faith marking of the address either waits for this and
        # closes the report with the address's others, or is seen here and closes it now.
        if found.case_id is not None:
            Case.objects.select_for_update().filter(pk=found.case_id).first()
        report = (Report.objects.select_for_update(of=("self",)).select_related("reporter")
                  .get(pk=found.pk))
        if report.email_confirmed_at is not None:
            return Confirmation(report=report, confirmed_before=True, suspended=False)
        if report.status not in (*PENDING_REPORT_STATUSES, ReportStatus.SUSPENDED):
            raise ValidationFailed(_("This report has been decided or closed already; it can no "
                                     "longer be confirmed. Your next report can be."))
        identity = email_identity(report.reporter_email)
        Reporter.objects.bulk_create([Reporter(identity=identity)], ignore_conflicts=True)
        reporter = reporters_held({identity})[identity]
        old_reporter = report.reporter
        suspended = (reporter.bad_faith_until is not None and reporter.bad_faith_until > now)
        old_values = {"reporter": old_reporter.pk if old_reporter else None,
                      "status": report.status}
        report.reporter = reporter
        report.email_confirmed_at = now
        update = ["reporter", "email_confirmed_at"]
        opened: Case | None = None
        if suspended and report.status in PENDING_REPORT_STATUSES:
            REPORT_MACHINE.check(report.status, ReportStatus.CLOSED_BAD_FAITH)
            report.status = ReportStatus.CLOSED_BAD_FAITH
            report.closed_at = now
            update += ["status", "closed_at"]
        elif not suspended and report.status == ReportStatus.SUSPENDED:
            # Filed while its connection was suspended (a mobile network's shared address may
            # stand for many people): its reporter, now known, is not.
            opened = _join_case(report, now=now)
            update += ["status", "case"]
        report.save(update_fields=update)
        moved = (sightings_reattribute(reference=report.tracking_code,
                                       old_identity=old_reporter.identity,
                                       new_identity=identity, now=now)
                 if old_reporter is not None else [])
        if report.case_id is not None:
            cases_recount(actor=actor, case_ids={report.case_id}, now=now,
                          why="its last report was closed: the reporter is suspended")
        if opened is not None:
            opened.refresh_from_db()
            audit_record_many(actor=actor, specs=[case_open_audit(opened)])
        audit_record(actor=actor, action="report.confirm_email", object_type="report",
                     object_id=report.pk, old=old_values,
                     new={"reporter": reporter.pk, "status": report.status,
                          "case": report.case_id, "indicators_recounted": moved})
    return Confirmation(report=report, confirmed_before=False, suspended=suspended)


def _join_case(report: Report, *, now: datetime) -> Case | None:
    """Put a report that was filed without a case into its target's open case (opened when
    there is none), held until the caller commits; answers the case when this opened it.

    The caller counts it in (cases_recount). The case found is locked as a decision locks it;
    one decided between being found and being locked is passed over for a new one.
    """
    fraud_type = fraud_type_get(key=report.fraud_type)
    opening = CaseOpening(source=report.source, fraud_type=report.fraud_type,
                          severity=fraud_type.severity if fraud_type else 0)
    for _attempt in range(_JOIN_ATTEMPTS):
        cases, opened = cases_find_or_open(targets=[report.target],
                                           openings={report.target_id: opening}, now=now)
        case = cases[report.target_id]
        held = Case.objects.select_for_update().filter(
            pk=case.pk, status__in=OPEN_CASE_STATUSES).first()
        if held is not None:
            REPORT_MACHINE.check(report.status, ReportStatus.RECEIVED)
            report.status = ReportStatus.RECEIVED
            report.case = held
            return held if held.pk in opened else None
    raise CaseClosedMeanwhile(report.target_id)
