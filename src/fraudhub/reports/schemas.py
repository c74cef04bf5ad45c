from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator

from fraudhub.cases.models import TargetKind
from fraudhub.core.http import one_of
from fraudhub.reports.filing import REPORT_BATCH_MAX
from fraudhub.taxonomy.selectors import fraud_type_list


class EvidenceIn(Schema):
    filename: str = Field(default="", max_length=255)
    content_base64: str = Field(description="The file, base64-encoded (images or PDF).")


class ReporterContactIn(Schema):
    email: str = Field(default="", max_length=254)
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # ninja's schemas also read attributes of any value: 0, "x" or [] would pass as a
        # contact with every field empty, and the reporter's contact would be dropped unsaid.
        given = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(given, dict | ReporterContactIn):
            raise ValueError("reporter_contact must be an object with email, name and phone")
        return value


class ReportIn(Schema):
    target_kind: str = Field(
        description="account, page, group, post, url, phone, bank_account, crypto_wallet, "
        "email or other", json_schema_extra=one_of(TargetKind.values),
    )
    target: str = Field(min_length=1, max_length=2048, description="URL or identifier")
    platform: str = Field(default="", max_length=40)
    fraud_type: str = Field(max_length=64, description="A key from GET /api/v1/taxonomy",
                            json_schema_extra=one_of(ft.key for ft in fraud_type_list()))
    description: str = Field(min_length=1, max_length=10_000)
    evidence: list[EvidenceIn] = Field(default_factory=list)
    reporter_contact: ReporterContactIn | None = None
    good_faith: bool = Field(
        description="Required: true. The reporter believes the report is accurate (DSA Art. 16).",
        json_schema_extra=one_of([True]),
    )
    language: str = Field(default="vi", max_length=8)


class ReportBatchIn(Schema):
    reports: list[ReportIn] = Field(
        min_length=1, max_length=REPORT_BATCH_MAX,
        description=f"Up to {REPORT_BATCH_MAX} reports, each as POST /api/v1/reports takes one.")


class ReportCreatedOut(Schema):
    tracking_code: str
    secret: str = Field(description="Shown once; needed to see the report's status.")
    status: str
    status_url: str


class ReportBatchResultOut(Schema):
    index: int = Field(description="Position of the report in the request.")
    created: bool
    tracking_code: str | None = None
    secret: str | None = Field(default=None, description="Shown once, as for a single report.")
    status: str | None = None
    status_url: str | None = None
    error: str | None = Field(default=None, description="Why the report was refused.")
    code: str | None = Field(
        default=None, description="The refusal's error code: validation_error (correct the "
        "report), storage_unavailable (its evidence cannot be stored now; nothing of it was "
        "kept: send it again later).")
    field_errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages by field, named as in the request "
        "(reports.<index>.<field>).")


class ReportBatchOut(Schema):
    results: list[ReportBatchResultOut] = Field(description="One per report, in order.")
    created: int
    refused: int


class DecisionOut(Schema):
    outcome: str
    outcome_label: str
    ground: str
    ground_label: str
    facts: str
    reasons: str
    decided_at: datetime
    ends_at: datetime | None
    automated: bool
    can_appeal: bool
    appeal_until: datetime


class ReportStatusOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    target: str
    target_kind: str
    fraud_type: str
    created_at: datetime
    decision: DecisionOut | None


class ReporterAppealIn(Schema):
    statement: str = Field(min_length=1, max_length=5_000)
