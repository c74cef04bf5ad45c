from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from fraudhub.cases.models import AppealStatus, Outcome
from fraudhub.core.http import one_of
from fraudhub.taxonomy.selectors import policy_ground_list

# The policy grounds a decision takes, as the services check them (422 otherwise).
GROUND_KEYS = [g.key for g in policy_ground_list()]


class CaseOut(Schema):
    id: int
    target: str
    target_value: str
    target_kind: str
    platform: str
    queue: str
    status: str
    priority: int
    report_count: int
    reporter_count: int
    fraud_type: str
    opened_at: datetime
    due_at: datetime
    claimed_by: str
    claim_expires_at: datetime | None
    proposed_outcome: str | None = None
    proposed_days: int | None = None
    proposal_reason: str = ""


class CaseReportOut(Schema):
    tracking_code: str
    status: str
    source: str
    fraud_type: str
    description: str
    target_raw: str
    created_at: datetime
    reporter_id: int | None
    reporter_reputation: int | None
    evidence_ids: list[int]


class IndicatorOut(Schema):
    type: str
    value: str
    reports: int


class EnforcementOut(Schema):
    id: int
    decision_id: int
    case_id: int
    action: str = Field(description="apply, or revert (after a reversal on appeal)")
    adapter: str
    status: str = Field(description="pending, retrying, delivered, or given_up (needs a "
                                    "person: POST /enforcements/{id}/retry)")
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str


class CaseDecisionOut(Schema):
    id: int
    outcome: str
    ground: str
    facts: str
    days: int | None
    ends_at: datetime | None
    decided_by: str
    decided_at: datetime
    is_current: bool
    statement_of_reasons: dict[str, object]
    enforcements: list[EnforcementOut] = Field(
        default_factory=list, description="Its deliveries to the platform, oldest first.")


class HistoryOut(Schema):
    at: datetime
    actor: str
    action: str
    old: dict[str, object] | None
    new: dict[str, object] | None


class CaseDetailOut(CaseOut):
    target_status: str
    reports: list[CaseReportOut]
    indicators: list[IndicatorOut]
    decisions: list[CaseDecisionOut]
    history: list[HistoryOut]
    strikes_30d: int
    strikes_90d: int
    temporary_locks: int


class DecisionIn(Schema):
    outcome: str = Field(description="no_violation, label, restrict, remove_content, suspend, "
                                     "terminate", json_schema_extra=one_of(Outcome.values))
    ground: str = Field(
        max_length=64, json_schema_extra=one_of(GROUND_KEYS),
        description="Policy ground key (src/fraudhub/taxonomy/data/policy_grounds.json; see "
                    "docs/api.md): not_violating for no_violation, another ground otherwise.")
    facts: str = Field(min_length=1, max_length=5_000)
    days: int | None = Field(default=None, description="Length of a suspension, 7-30")
    automated_detection: bool = False


class BadFaithIn(Schema):
    reason: str = Field(min_length=1, max_length=2_000)
    days: int = 90


class ReporterOut(Schema):
    id: int
    reputation: int
    upheld_count: int
    rejected_count: int
    bad_faith_until: datetime | None


class OwnerAppealIn(Schema):
    token: str | None = Field(default=None, max_length=500,
                              description="The signed appeal token given to the owner")
    decision_id: int | None = Field(default=None,
                                    description="For platforms forwarding an owner's appeal")
    statement: str = Field(min_length=1, max_length=5_000)
    contact_email: str = Field(default="", max_length=254)
    language: str = Field(default="vi", max_length=8, description="vi or en, for the answer")


class AppealOut(Schema):
    id: int
    case_id: int
    decision_id: int
    appellant_kind: str
    status: str
    statement: str
    filed_at: datetime
    decided_at: datetime | None
    reasons: str
    new_decision_id: int | None


class AppealDecisionIn(Schema):
    outcome: str = Field(description="upheld or reversed", json_schema_extra=one_of(
        [AppealStatus.UPHELD.value, AppealStatus.REVERSED.value]))
    reasons: str = Field(min_length=1, max_length=5_000)
    replacement_outcome: str | None = Field(
        default=None, json_schema_extra=one_of([*Outcome.values, None]),
        description="Reversing: the new decision's outcome (owner appeals: no_violation if "
                    "not given).")
    replacement_ground: str | None = Field(
        default=None, json_schema_extra=one_of([*GROUND_KEYS, None]),
        description="Reversing: the new decision's policy ground, as `ground` of a decision.")
    replacement_days: int | None = None
