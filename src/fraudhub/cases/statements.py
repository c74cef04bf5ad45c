"""Statements of reasons with the fields of EU DSA Art. 17 and the transparency database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from fraudhub.cases.models import ACCOUNT_KINDS, Outcome, ReportSource, Target
from fraudhub.taxonomy.selectors import DSA_CATEGORY, PolicyGround, fraud_type_get

_VISIBILITY = {
    Outcome.LABEL: ["DECISION_VISIBILITY_CONTENT_LABELLED"],
    Outcome.RESTRICT: ["DECISION_VISIBILITY_CONTENT_DEMOTED"],
    Outcome.REMOVE_CONTENT: ["DECISION_VISIBILITY_CONTENT_REMOVED"],
}
_ACCOUNT = {
    Outcome.SUSPEND: "DECISION_ACCOUNT_SUSPENDED",
    Outcome.TERMINATE: "DECISION_ACCOUNT_TERMINATED",
}
_SOURCE = {
    ReportSource.CITIZEN: "SOURCE_ARTICLE_16",
    ReportSource.PARTNER: "SOURCE_ARTICLE_16",
    ReportSource.TRUSTED_FLAGGER: "SOURCE_TRUSTED_NOTIFIER",
    ReportSource.AUTHORITY: "SOURCE_TYPE_OTHER_NOTIFICATION",
}
_CONTENT_TYPE = {"post": "CONTENT_TYPE_TEXT", "url": "CONTENT_TYPE_TEXT"}


def build_statement(
    *,
    target: Target,
    outcome: str,
    ground: PolicyGround,
    facts: str,
    fraud_type: str,
    source: str,
    decided_at: datetime,
    ends_at: datetime | None,
    automated_detection: bool,
    automated_decision: bool,
    appeal_until: datetime | None,
    supersedes_decision: int | None = None,
) -> dict[str, Any]:
    fraud = fraud_type_get(key=fraud_type)
    is_account = target.kind in ACCOUNT_KINDS
    statement: dict[str, Any] = {
        "decision_visibility": _VISIBILITY.get(Outcome(outcome), []),
        "decision_monetary": None,
        "decision_provision": None,
        "decision_account": _ACCOUNT.get(Outcome(outcome)),
        "decision_ground": ground.dsa_decision_ground or None,
        "illegal_content_legal_ground": (
            ground.reference if ground.dsa_decision_ground == "DECISION_GROUND_ILLEGAL_CONTENT"
            else None
        ),
        "incompatible_content_ground": (
            ground.reference
            if ground.dsa_decision_ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT" else None
        ),
        "ground_key": ground.key,
        "ground_name_en": ground.name_en,
        "ground_name_vi": ground.name_vi,
        "decision_facts": facts,
        "category": DSA_CATEGORY,
        "category_specification": [fraud.dsa_keyword] if fraud else [],
        "content_type": ["CONTENT_TYPE_OTHER"] if is_account
        else [_CONTENT_TYPE.get(target.kind, "CONTENT_TYPE_OTHER")],
        "account_type": "ACCOUNT_TYPE_PRIVATE" if is_account else None,
        "source_type": _SOURCE[ReportSource(source)],
        "automated_detection": automated_detection,
        "automated_decision": (
            "AUTOMATED_DECISION_FULLY" if automated_decision else "AUTOMATED_DECISION_NOT_AUTOMATED"
        ),
        "application_date": decided_at.date().isoformat(),
        "end_date": ends_at.date().isoformat() if ends_at else None,
        "territorial_scope": [settings.FRAUDHUB_DEFAULT_REGION],
        "redress": ["REDRESS_INTERNAL_MECHANISM", "REDRESS_JUDICIAL"],
        "appeal_until": appeal_until.isoformat() if appeal_until else None,
        "puid": f"{target.indicator_type}:{target.canonical}",
    }
    if supersedes_decision is not None:
        statement["supersedes_decision"] = supersedes_decision
    return statement
