"""Reads of the cases domain: queues, case pages, appeals."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fraudhub.cases.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseStatus,
    Decision,
    Enforcement,
    Queue,
)
from fraudhub.cases.strikes import StrikeSummary, strike_summary
from fraudhub.core.models import AuditEntry
from fraudhub.reports.models import Evidence, Report, ReportIndicator

ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_REVIEW, CaseStatus.APPEALED)


def case_list(
    *, queue: str | None = None, status: str | None = None, limit: int = 100, offset: int = 0
) -> QuerySet[Case]:
    cases = Case.objects.select_related("target")
    if status:
        cases = cases.filter(status=status)
    else:
        cases = cases.filter(status__in=ACTIVE_STATUSES)
    if queue:
        cases = cases.filter(queue=queue)
    return cases.order_by("-priority", "due_at", "pk")[offset:offset + limit]


def queue_counts() -> dict[str, int]:
    counts = {q: 0 for q in Queue.values}
    for queue in Queue.values:
        counts[queue] = Case.objects.filter(queue=queue, status__in=ACTIVE_STATUSES).count()
    return counts


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    reports: list[Report]
    evidence: list[Evidence]
    indicators: list[tuple[str, str, int]]  # type, value, number of reports mentioning it
    decisions: list[Decision]
    appeals: list[Appeal]
    history: list[AuditEntry]
    strikes: StrikeSummary


def case_get(*, case_id: int) -> Case | None:
    return Case.objects.select_related("target").filter(pk=case_id).first()


def case_detail(*, case_id: int, report_limit: int = 500) -> CaseDetail | None:
    case = case_get(case_id=case_id)
    if case is None:
        return None
    reports = list(
        Report.objects.filter(case=case).select_related("reporter").order_by("created_at")[
            :report_limit
        ]
    )
    evidence = list(Evidence.objects.filter(report__case=case).order_by("pk")[:200])
    tallies: dict[tuple[str, str], set[int]] = {}
    for type_, value, report_id in ReportIndicator.objects.filter(report__case=case).values_list(
        "type", "value", "report_id"
    )[:20_000]:
        tallies.setdefault((type_, value), set()).add(report_id)
    indicators = sorted(
        ((t, v, len(ids)) for (t, v), ids in tallies.items()), key=lambda item: -item[2]
    )
    decisions = list(Decision.objects.filter(case=case).prefetch_related(
        Prefetch("enforcements", queryset=Enforcement.objects.order_by("created_at", "pk")))
        .order_by("decided_at"))
    appeals = list(Appeal.objects.filter(case=case).order_by("filed_at"))
    history = list(
        AuditEntry.objects.filter(object_type="case", object_id=str(case.pk)).order_by("seq")
    )
    return CaseDetail(
        case=case, reports=reports, evidence=evidence, indicators=indicators[:200],
        decisions=decisions, appeals=appeals, history=history,
        strikes=strike_summary(target=case.target, now=timezone.now()),
    )


def appeal_list(*, status: str | None = AppealStatus.OPEN) -> QuerySet[Appeal]:
    appeals = Appeal.objects.select_related("case__target", "decision")
    if status:
        appeals = appeals.filter(status=status)
    return appeals.order_by("filed_at")


def appeal_in_case(*, appeal_id: int, case_id: int) -> bool:
    """Whether the appeal is one of the case's (a form posted from another case's page is not)."""
    return Appeal.objects.filter(pk=appeal_id, case_id=case_id).exists()


def reporter_in_case(*, reporter_id: int, case_id: int) -> bool:
    """Whether the reporter filed one of the case's reports."""
    return Report.objects.filter(reporter_id=reporter_id, case_id=case_id).exists()


def evidence_get(*, evidence_id: int) -> Evidence | None:
    return Evidence.objects.select_related("report").filter(pk=evidence_id).first()


def enforcement_get(*, enforcement_id: int, case_id: int) -> Enforcement | None:
    """A delivery of one of the case's decisions (None for another case's)."""
    return Enforcement.objects.filter(pk=enforcement_id, decision__case_id=case_id).first()


def enforcement_list(*, status: str | None = None, limit: int = 100,
                     offset: int = 0) -> list[Enforcement]:
    """Deliveries of decisions to the platform, newest first (given up ones need a person)."""
    enforcements = Enforcement.objects.select_related("decision")
    if status:
        enforcements = enforcements.filter(status=status)
    return list(enforcements.order_by("-created_at", "-pk")[offset:offset + limit])

