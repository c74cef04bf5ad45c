"""Attaching a new report to the one open case of its target."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from fraudhub.cases.models import OPEN_CASE_STATUSES, Case, CaseStatus, ReportSource, Target
from fraudhub.cases.priority import due_for, higher_source, reprioritize
from fraudhub.cases.targets import CanonicalTarget
from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec


def target_get_or_create(*, canonical: CanonicalTarget) -> Target:
    target = Target.objects.filter(
        indicator_type=canonical.indicator_type, canonical=canonical.canonical
    ).first()
    if target is not None:
        return target
    try:
        with transaction.atomic():
            return Target.objects.create(
                kind=canonical.kind,
                indicator_type=canonical.indicator_type,
                canonical=canonical.canonical,
                display=canonical.display,
                platform=canonical.platform,
            )
    except IntegrityError:
        # Another request created it between our read and our insert.
        return Target.objects.get(
            indicator_type=canonical.indicator_type, canonical=canonical.canonical
        )


def case_attach_report(
    *,
    actor: Actor,
    target: Target,
    source: str,
    fraud_type: str,
    severity: int,
    new_reporter: bool,
    reporter_reputation: int,
    now: datetime,
) -> tuple[Case, bool]:
    """The open case of `target`, opened if needed, with this report counted in.

    Runs inside the caller's transaction; the case row is locked so concurrent reports on one
    target count correctly.
    """
    case = (
        Case.objects.select_for_update()
        .filter(target=target, status__in=OPEN_CASE_STATUSES)
        .first()
    )
    created = False
    if case is None:
        try:
            with transaction.atomic():
                case = Case(
                    target=target, status=CaseStatus.OPEN, fraud_type=fraud_type,
                    max_severity=severity, top_source=source, opened_at=now,
                )
                case.due_at = due_for(case)
                case.save()
                created = True
        except IntegrityError:
            case = Case.objects.select_for_update().get(
                target=target, status__in=OPEN_CASE_STATUSES
            )
    case.report_count += 1
    if new_reporter:
        case.reporter_count += 1
        case.reputation_total += reporter_reputation
    if severity > case.max_severity:
        case.max_severity = severity
        case.fraud_type = fraud_type
    raised = higher_source(case.top_source, source) != case.top_source
    case.top_source = higher_source(case.top_source, source)
    reprioritize(case, now=now, source_raised=created or raised)
    case.save(update_fields=[
        "report_count", "reporter_count", "reputation_total", "max_severity", "fraud_type",
        "top_source", "priority", "queue", "due_at",
    ])
    return case, created


def case_open_audit(case: Case) -> AuditSpec:
    """The audit record of a case opened by `case_attach_report`, for the caller to append."""
    return AuditSpec(
        action="case.open", object_type="case", object_id=case.pk,
        new={"target": case.target.canonical, "queue": case.queue, "due_at": case.due_at},
    )


def case_open_for_authority(
    *, target: Target, fraud_type: str, severity: int, due_at: datetime, now: datetime
) -> tuple[Case, bool]:
    """The open case of `target` in the authority queue, due no later than `due_at`.

    An authority's request joins a case citizens opened already (their reports stay counted);
    the case moves to the authority queue and its deadline is pulled in, never pushed out.
    Runs inside the caller's transaction, which writes the audit rows.
    """
    case = (
        Case.objects.select_for_update()
        .filter(target=target, status__in=OPEN_CASE_STATUSES)
        .first()
    )
    created = False
    if case is None:
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    target=target, status=CaseStatus.OPEN, fraud_type=fraud_type,
                    max_severity=severity, top_source=ReportSource.AUTHORITY, opened_at=now,
                    due_at=due_at,
                )
                created = True
        except IntegrityError:
            case = Case.objects.select_for_update().get(
                target=target, status__in=OPEN_CASE_STATUSES
            )
    if severity > case.max_severity:
        case.max_severity = severity
        case.fraud_type = fraud_type
    case.top_source = ReportSource.AUTHORITY
    reprioritize(case, now=now, source_raised=False)
    case.due_at = due_at if created else min(case.due_at, due_at)
    case.save(update_fields=["max_severity", "fraud_type", "top_source", "priority", "queue",
                             "due_at"])
    return case, created
