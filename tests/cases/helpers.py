"""Building reports, cases and decisions through the real services."""

from __future__ import annotations

from typing import Any

from fraudhub.cases.models import Case, Decision
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.core.actors import Actor
from fraudhub.reports.services import FiledReport, ReportInput, report_create
from tests.conftest import filed_now


def file_report(
    *, target: str = "https://www.facebook.com/profile.php?id=100012345678",
    kind: str = "account", ip: str = "203.0.113.5", actor: Actor | None = None,
    **overrides: Any,
) -> FiledReport:
    data: dict[str, Any] = {
        "target_kind": kind, "target": target, "platform": "facebook",
        "fraud_type": "investment_stock_crypto",
        "description": "Lừa đầu tư, STK 0071000123456 Vietcombank, gọi 0912 345 678",
        "good_faith": True,
    }
    data.update(overrides)
    return filed_now(report_create(actor=actor or Actor.anonymous(ip=ip), data=ReportInput(**data)))


def decide(
    actor: Actor, case: Case | int | None, outcome: str = "suspend", days: int | None = 14,
    ground: str | None = None,
) -> Decision:
    # None: a report's case_id, typed optional (a report may be filed without a case).
    assert case is not None, "the report has no case to decide"
    case_id = case if isinstance(case, int) else case.pk
    case_claim(actor=actor, case_id=case_id)
    if outcome != "suspend":
        days = None
    return decision_create(actor=actor, case_id=case_id, data=DecisionInput(
        outcome=outcome,
        ground=ground or ("not_violating" if outcome == "no_violation" else "scam_fraud"),
        facts="Screenshots show the account asking for deposits.", days=days,
    ))
