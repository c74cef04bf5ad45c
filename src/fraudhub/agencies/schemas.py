from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from fraudhub.agencies.models import RequestChannel, RequestKind, TargetOutcome
from fraudhub.cases.models import TargetKind
from fraudhub.core.http import one_of
from fraudhub.taxonomy.selectors import fraud_type_list


class LegalBasisIn(Schema):
    document_number: str = Field(max_length=100)
    date: date
    issuing_body: str = Field(max_length=200)
    signer: str = Field(max_length=200)
    document_pdf: str | None = Field(
        None, description="The signed document, a PDF in base64; it may follow the request "
        "(POST /agency/requests/{id}/document).")


class TargetIn(Schema):
    target: str
    kind: str = Field("", description="account, page, group, post, url, phone, bank_account, "
                      "crypto_wallet, email, other; guessed from the value when empty",
                      json_schema_extra=one_of(["", *TargetKind.values]))
    platform: str = ""


class RequestIn(Schema):
    kind: str = Field(description="remove_content, suspend_account, provide_information, "
                      "list_indicators", json_schema_extra=one_of(RequestKind.values))
    legal_basis: LegalBasisIn
    reason: str
    fraud_type: str = Field(description="A key from GET /api/v1/taxonomy",
                            json_schema_extra=one_of(ft.key for ft in fraud_type_list()))
    targets: list[str | TargetIn] | None = Field(
        None, description="The targets as a JSON array (strings or objects)")
    targets_csv: str | None = Field(
        None, description="Or as CSV text: a header with `target`, optional `kind`, `platform`")
    channel: str = Field("electronic", json_schema_extra=one_of(RequestChannel.values),
                         description="letter and phone: staff recording on an agency's behalf")
    contact_email: str = ""
    agency: str | None = Field(None, description="Staff recording a letter or call: the agency")
    received_at: datetime | None = Field(
        None, description="Staff recording a letter or call: when it arrived")


class DocumentIn(Schema):
    document_pdf: str


class InformationAnswerIn(Schema):
    answer: str


class TargetResponseIn(Schema):
    outcome: str = Field(
        description="refused, needs_information, actioned, partially_actioned",
        json_schema_extra=one_of(o for o in TargetOutcome.values if o != TargetOutcome.PENDING))
    refusal_reason: str = ""
    note: str = ""


class LegalBasisOut(Schema):
    document_number: str
    date: date
    issuing_body: str
    signer: str
    document_received_at: datetime | None
    document_sha256: str


class RejectedRowOut(Schema):
    line: int
    value: str
    error: str


class RequestTargetOut(Schema):
    id: int
    line: int
    target: str
    canonical: str
    kind: str
    platform: str
    status: str
    status_label: str
    refusal_reason: str
    note: str
    decision_outcome: str | None
    case_id: int | None
    deadline: datetime
    paused: bool
    information_question: str
    information_answer: str
    handled_at: datetime | None
    seconds_to_action: int | None
    within_deadline: bool | None


class RequestSummaryOut(Schema):
    id: int
    number: str
    agency: str
    kind: str
    channel: str
    recorded_on_behalf: bool
    status: str
    status_label: str
    fraud_type: str
    received_at: datetime
    acknowledged_at: datetime | None
    deadline: datetime
    completed_at: datetime | None
    target_count: int


class TargetCountsOut(Schema):
    """How many targets of the request have each status."""

    pending: int
    needs_information: int
    actioned: int
    partially_actioned: int
    refused: int


class RequestProgressOut(RequestSummaryOut):
    target_counts: TargetCountsOut


class RequestOut(RequestProgressOut):
    reason: str
    legal_basis: LegalBasisOut
    rejected_rows: list[RejectedRowOut]
    targets: list[RequestTargetOut] = Field(
        description="One page of the targets, by line (`limit`, `offset`; the first 100)")
    targets_next: str | None = Field(
        description="The next page on GET /agency/requests/{id}/targets; null on the last")
    response_pdf_url: str


class RequestTargetListOut(Schema):
    count: int = Field(description="The targets of the status asked (all when none)")
    results: list[RequestTargetOut]
    next: str | None = Field(description="The next page; null on the last")


class TargetAnswerOut(Schema):
    """A per-target answer: the target as it is now and the request's summary and counts."""

    request: RequestProgressOut
    target: RequestTargetOut


class RequestListOut(Schema):
    count: int
    results: list[RequestSummaryOut]
