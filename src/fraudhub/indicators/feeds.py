"""How reports and decisions feed the indicator database (called by the reports and cases apps)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fraudhub.cases.models import Case, Decision
from fraudhub.core.actors import Actor
from fraudhub.indicators.models import IndicatorStatus, SourceKind
from fraudhub.indicators.services import (
    Observation,
    indicators_confirm,
    indicators_observe,
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
    actor = Actor.system("intake")
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("reporter").filter(
            pk=report_id).first()
        if report is None or report.indicators_recorded_at is not None:
            return False
        rows = list(report.indicators.all())
        observed = indicators_observe(
            actor=actor,
            observations=[
                Observation(type=r.type, value=r.value, fraud_type=report.fraud_type,
                            reporter_identity=report.reporter.identity if report.reporter else "")
                for r in rows if r.type in REGISTRY
            ],
            source_kind=SourceKind.AUTHORITY if report.source == "authority" else SourceKind.REPORT,
            reference=report.tracking_code,
        )
        report.possibly_spoofed = any(
            i.allowlisted or i.status == IndicatorStatus.SAFE for i in observed)
        report.indicators_recorded_at = timezone.now()
        report.save(update_fields=["possibly_spoofed", "indicators_recorded_at"])
    return True


def case_review_started(*, actor: Actor, case: Case, started: bool) -> None:
    indicators_set_verifying(actor=actor, values=case_indicator_values(case), verifying=started,
                             reference=f"case:{case.pk}")


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
