"""What the retention tests share: a report with every contact field, and its appeal."""

from __future__ import annotations

from fraudhub.cases.models import Appeal, Decision
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.reports.models import Report
from fraudhub.reports.services import FiledReport
from tests.cases.helpers import decide, file_report

EMAIL, NAME, PHONE = "lan.nguyen@example.com", "Nguyễn Thị Lan", "0987 654 321"
OWNER_EMAIL = "owner@example.com"


def filed_with_contacts(language: str = "vi") -> FiledReport:
    return file_report(reporter_email=EMAIL, reporter_name=NAME, reporter_phone=PHONE,
                       language=language)


def contacts_of(report: Report) -> tuple[str, str, str]:
    """The report's contact fields as stored now (read into ``report`` too)."""
    report.refresh_from_db()
    return report.reporter_email, report.reporter_name, report.reporter_phone


def suspended_and_appealed(reviewer_actor: Actor, filed: FiledReport) -> tuple[Decision, Appeal]:
    """The report's case decided (suspend) and the decision appealed by the account's owner."""
    decision = decide(reviewer_actor, filed.report.case_id, "suspend", 14)
    appeal = appeal_file_by_owner_token(
        actor=Actor.anonymous(ip="203.0.113.99"), token=owner_appeal_token(decision),
        statement="My page.", contact_email=OWNER_EMAIL)
    return decision, appeal


def appeal_upheld(senior_actor: Actor, appeal: Appeal) -> Appeal:
    case_claim(actor=senior_actor, case_id=appeal.case_id)
    appeal_decide(actor=senior_actor, appeal_id=appeal.pk,
                  data=AppealDecisionInput(outcome="upheld", reasons="The evidence holds."))
    appeal.refresh_from_db()
    return appeal
