"""How reports and decisions feed the indicator database (called by the reports and cases apps)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fraudhub.cases.models import Case, Decision
from fraudhub.core.actors import Actor
from fraudhub.core.bulk import rows_update
from fraudhub.indicators.models import IndicatorStatus, SourceKind
from fraudhub.indicators.observing import Observation, indicators_observe_many
from fraudhub.indicators.services import (
    indicators_confirm,
    indicators_hold,
    indicators_reject,
    indicators_set_verifying,
    indicators_unconfirm,
)
from fraudhub.indicators.types import REGISTRY
from fraudhub.reports.models import Report, ReportIndicator


def case_indicator_values(case: Case) -> set[tuple[str, str]]:
    rows = ReportIndicator.objects.filter(report__case=case).values_list("type", "value")
    return {(t, v) for t, v in rows.distinct() if t in REGISTRY}


def decision_reference(decision: Decision) -> str:
    return f"decision:{decision.pk}"


def report_indicators_record(*, report_id: int) -> bool:
    """Sightings for a report's target and the values found in its text (idempotent job body)."""
    return reports_indicators_record(report_ids=[report_id]) == 1


# Only reports filed this recently are caught up by another's job: one whose recording fails
# (its own job gives up after its retries) stops being tried by every other job after this.
CATCH_UP_WINDOW = timedelta(hours=1)


def reports_indicators_record(*, report_ids: Sequence[int], catch_up: int = 0) -> int:
    """:func:`report_indicators_record` for the reports of one call, in one transaction.

    Reports already recorded (a job run twice) are skipped; answers how many were recorded.
    With `catch_up`, up to that many other reports filed within CATCH_UP_WINDOW and still
    waiting for their own job are recorded in the same transaction, oldest first (those another
    worker is recording are passed over): a backlog of small filings is worked off in large
    batches, whose cost per report is a fraction of a small one's. Their own jobs then find
    nothing left to do.
    """
    actor = Actor.system("intake")
    with transaction.atomic():
        pending = (Report.objects.select_related("reporter").prefetch_related("indicators")
                   .filter(indicators_recorded_at__isnull=True).order_by("pk"))
        reports = list(pending.select_for_update(of=("self",))
                       .filter(pk__in=list(report_ids)))
        if catch_up > 0:
            reports += list(pending.select_for_update(of=("self",), skip_locked=True)
                            .filter(created_at__gte=timezone.now() - CATCH_UP_WINDOW)
                            .exclude(pk__in=list(report_ids))[:catch_up])
        if not reports:
            return 0
        observations: list[Observation] = []
        kinds: list[str] = []
        owners: list[Report] = []
        for report in reports:
            identity = report.reporter.identity if report.reporter else ""
            for row in report.indicators.all():
                if row.type in REGISTRY:
                    observations.append(Observation(
                        type=row.type, value=row.value, fraud_type=report.fraud_type,
                        reporter_identity=identity, reference=report.tracking_code))
                    kinds.append(SourceKind.AUTHORITY if report.source == "authority"
                                 else SourceKind.REPORT)
                    owners.append(report)
        for kind in sorted(set(kinds)):  # one call per source kind, in a fixed order
            chosen = [i for i, k in enumerate(kinds) if k == kind]
            found = indicators_observe_many(actor=actor, source_kind=kind,
                                            observations=[observations[i] for i in chosen])
            owners_of_kind = [owners[i] for i in chosen]
            for report, indicator in zip(owners_of_kind, found, strict=True):
                if indicator.allowlisted or indicator.status == IndicatorStatus.SAFE:
                    report.possibly_spoofed = True
        now = timezone.now()
        for report in reports:
            report.indicators_recorded_at = now
        rows_update(objects=reports, fields=["possibly_spoofed", "indicators_recorded_at"])
    return len(reports)


def case_review_started(*, actor: Actor, case: Case, started: bool) -> None:
    indicators_set_verifying(actor=actor, values=case_indicator_values(case), verifying=started,
                             reference=f"case:{case.pk}")


def case_indicators_hold(*, case: Case) -> None:
    """Lock every indicator a decision on `case` feeds (its reports' values and those the
    open authority requests on it name), before the decision appends to the audit chain."""
    from fraudhub.agencies.services.outcomes import OPEN_TARGET_OUTCOMES

    named = case.request_targets.filter(outcome__in=OPEN_TARGET_OUTCOMES).values_list(
        "indicator_type", "canonical")
    indicators_hold(values=case_indicator_values(case) | {
        (t, v) for t, v in named if t in REGISTRY})


def decision_feeds_indicators(*, actor: Actor, decision: Decision) -> None:
    values = case_indicator_values(decision.case)
    if decision.outcome == "no_violation":
        indicators_reject(actor=actor, values=values, reference=decision_reference(decision))
    else:
        indicators_confirm(actor=actor, values=values, reference=decision_reference(decision),
                           source_kind=SourceKind.DECISION)


def decision_reversed(*, actor: Actor, old: Decision, new: Decision) -> None:
    values = case_indicator_values(old.case)
    if old.outcome != "no_violation":
        current = {decision_reference(d) for d in Decision.objects.filter(is_current=True)
                   .filter(case__reports__indicators__value__in=[v for _t, v in values])
                   .distinct()}
        indicators_unconfirm(actor=actor, values=values, reference=decision_reference(old),
                             still_current=current)
    decision_feeds_indicators(actor=actor, decision=new)
