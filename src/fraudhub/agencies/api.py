"""The authorities' priority channel over the API: file requests, follow them, answer questions."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fraudhub.agencies.models import AgencyRequest, RequestStatus, RequestTarget, TargetOutcome
from fraudhub.agencies.schemas import (
    DocumentIn,
    InformationAnswerIn,
    LegalBasisOut,
    RejectedRowOut,
    RequestIn,
    RequestListOut,
    RequestOut,
    RequestProgressOut,
    RequestSummaryOut,
    RequestTargetListOut,
    RequestTargetOut,
    TargetAnswerOut,
    TargetCountsOut,
    TargetResponseIn,
)
from fraudhub.agencies.selectors import (
    agency_request_get,
    agency_request_list,
    agency_request_target_counts,
    agency_request_target_get,
    agency_request_target_page,
)
from fraudhub.agencies.services.outcomes import (
    TargetResponse,
    request_target_answer,
    request_target_respond,
)
from fraudhub.agencies.services.requests import (
    LegalBasisInput,
    RequestInput,
    agency_request_attach_document,
    agency_request_create,
)
from fraudhub.agencies.target_list import RejectedRow, TargetRow, rows_from_csv, rows_from_json
from fraudhub.core.errors import NotFound, ValidationFailed
from fraudhub.core.http import authorize, needs, one_of
from fraudhub.core.models import Organization, OrganizationKind
from fraudhub.core.roles import Perm

router = Router(tags=["agencies"])


def decode_pdf(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(_("The document is not valid base64."),
                               field_errors={field: [_("Not valid base64.")]}) from exc


def summary_out(request: AgencyRequest) -> RequestSummaryOut:
    return RequestSummaryOut(
        id=request.pk, number=request.number, agency=request.agency.name, kind=request.kind,
        channel=request.channel, recorded_on_behalf=request.recorded_on_behalf,
        status=request.status, status_label=str(RequestStatus(request.status).label),
        fraud_type=request.fraud_type, received_at=request.received_at,
        acknowledged_at=request.acknowledged_at, deadline=request.deadline,
        completed_at=request.completed_at, target_count=request.target_count,
    )


def target_out(item: RequestTarget) -> RequestTargetOut:
    return RequestTargetOut(
        id=item.pk, line=item.line, target=item.display, canonical=item.canonical,
        kind=item.target_kind, platform=item.platform, status=item.outcome,
        status_label=str(TargetOutcome(item.outcome).label),
        refusal_reason=item.refusal_reason, note=item.note,
        decision_outcome=item.decision.outcome if item.decision else None,
        case_id=item.case_id, deadline=item.deadline, paused=item.paused_at is not None,
        information_question=item.information_question,
        information_answer=item.information_answer, handled_at=item.handled_at,
        seconds_to_action=item.seconds_to_action, within_deadline=item.within_deadline,
    )


def progress_out(request: AgencyRequest, counts: dict[str, int]) -> RequestProgressOut:
    return RequestProgressOut(**summary_out(request).model_dump(),
                              target_counts=TargetCountsOut(**counts))


# Targets in one answer: a request names up to FRAUDHUB_AGENCY_MAX_TARGETS (10,000), and an
# answer carrying all of them made following a request through the API quadratic.
TARGET_PAGE = 100
TARGET_PAGE_MAX = 500
MAX_OFFSET = 1_000_000


class TargetPage(Schema):
    limit: int = Field(TARGET_PAGE, description=f"1 to {TARGET_PAGE_MAX}")
    offset: int = 0


class TargetFilter(TargetPage):
    status: str = Field("", json_schema_extra=one_of(["", *TargetOutcome.values]),
                        description="Empty for every status.")


def _check_page(page: TargetPage, status: str = "") -> None:
    errors: dict[str, list[str]] = {}
    if status and status not in TargetOutcome.values:
        errors["status"] = [_("One of: %(s)s") % {"s": ", ".join(TargetOutcome.values)}]
    if not 1 <= page.limit <= TARGET_PAGE_MAX:
        errors["limit"] = [_("Between 1 and 500.")]
    if not 0 <= page.offset <= MAX_OFFSET:
        errors["offset"] = [_("Between 0 and %(n)d.") % {"n": MAX_OFFSET}]
    if errors:
        raise ValidationFailed(_("Invalid filter."), field_errors=errors)


def _next_page(request: AgencyRequest, *, count: int, limit: int, offset: int,
               status: str = "") -> str | None:
    if offset + limit >= count:
        return None
    query = urlencode({**({"status": status} if status else {}), "limit": limit,
                       "offset": offset + limit})
    return (f"{settings.FRAUDHUB_BASE_URL}/api/v1/agency/requests/{request.pk}/targets"
            f"?{query}")


def request_out(request: AgencyRequest, *, limit: int = TARGET_PAGE, offset: int = 0
                ) -> RequestOut:
    """The request, its counts by status and one page of its targets."""
    counts = agency_request_target_counts(request=request)
    page = agency_request_target_page(request=request, offset=offset, limit=limit)
    return RequestOut(
        **progress_out(request, counts).model_dump(),
        reason=request.reason,
        legal_basis=LegalBasisOut(
            document_number=request.legal_document_number, date=request.legal_document_date,
            issuing_body=request.legal_issuing_body, signer=request.legal_signer,
            document_received_at=request.legal_document_received_at,
            document_sha256=request.legal_document_sha256,
        ),
        rejected_rows=[RejectedRowOut(**row) for row in request.rejected_rows],
        targets=[target_out(item) for item in page],
        targets_next=_next_page(request, count=sum(counts.values()), limit=limit,
                                offset=offset),
        response_pdf_url=f"{settings.FRAUDHUB_BASE_URL}/api/v1/agency/requests/{request.pk}"
                         "/response.pdf",
    )


def target_answer_out(request: AgencyRequest, target_id: int) -> TargetAnswerOut:
    item = agency_request_target_get(request=request, target_id=target_id)
    if item is None:
        raise NotFound(_("No such target in this request."))
    return TargetAnswerOut(
        request=progress_out(request, agency_request_target_counts(request=request)),
        target=target_out(item))


def _target_rows(payload: RequestIn) -> list[TargetRow | RejectedRow]:
    if payload.targets is not None and payload.targets_csv is not None:
        raise ValidationFailed(_("Send the targets once: as a JSON array or as CSV."),
                               field_errors={"targets": [_("Give targets or targets_csv.")]})
    if payload.targets_csv is not None:
        return rows_from_csv(payload.targets_csv)
    items = [item if isinstance(item, str) else item.model_dump()
             for item in payload.targets or []]
    return rows_from_json(items)


def _agency_id(name: str | None) -> int | None:
    if name is None:
        return None
    agency = Organization.objects.filter(name=name, kind=OrganizationKind.AGENCY).first()
    if agency is None:
        raise ValidationFailed(_("The request is not valid."),
                               field_errors={"agency": [_("No such agency.")]})
    return agency.pk


ON_BEHALF_RULE = (f"{Perm.AGENCY_REQUEST_CREATE.value}, or {Perm.AGENCY_REQUEST_RECORD.value} "
                  "to record a letter or call on an agency's behalf (with `agency`)")
# Answering a question and sending the document: the agency's officers, or staff for them.
FOR_AGENCY_RULE = (f"{Perm.AGENCY_REQUEST_VIEW.value} of the request, and "
                   f"{Perm.AGENCY_REQUEST_CREATE.value} or {Perm.AGENCY_REQUEST_RECORD.value}")


@router.post("/agency/requests", response={201: RequestOut},
             openapi_extra=needs(ON_BEHALF_RULE, 400, 403, 413, 422))
def create_request(request: HttpRequest, payload: RequestIn) -> Status[RequestOut]:
    """File a request with its legal basis. Bad target rows come back by line; the rest stand."""
    on_behalf = payload.agency is not None or payload.received_at is not None
    actor = authorize(request, Perm.AGENCY_REQUEST_RECORD if on_behalf
                      else Perm.AGENCY_REQUEST_CREATE)
    legal = payload.legal_basis
    document = (decode_pdf(legal.document_pdf, "legal_basis.document_pdf")
                if legal.document_pdf else None)
    filed = agency_request_create(actor=actor, data=RequestInput(
        kind=payload.kind, reason=payload.reason, fraud_type=payload.fraud_type,
        legal_basis=LegalBasisInput(document_number=legal.document_number, date=legal.date,
                                    issuing_body=legal.issuing_body, signer=legal.signer),
        targets=_target_rows(payload), channel=payload.channel, document_pdf=document,
        contact_email=payload.contact_email, agency_id=_agency_id(payload.agency),
        received_at=payload.received_at,
    ))
    return Status(201, request_out(filed))


class RequestFilter(Schema):
    status: str = Field("", json_schema_extra=one_of(["", *RequestStatus.values]),
                        description="Empty for every status.")
    limit: int = 50
    offset: int = 0


@router.get("/agency/requests", response=RequestListOut,
            openapi_extra=needs(Perm.AGENCY_REQUEST_VIEW, 422))
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> RequestListOut:
    """The own agency's requests (platform staff: every agency's), newest first."""
    actor = authorize(request, Perm.AGENCY_REQUEST_VIEW)
    if filters.status and filters.status not in RequestStatus.values:
        raise ValidationFailed(_("Unknown status."), field_errors={
            "status": [_("One of: %(s)s") % {"s": ", ".join(RequestStatus.values)}]})
    rows, total = agency_request_list(actor=actor, status=filters.status,
                                      limit=max(1, min(filters.limit, 200)),
                                      offset=max(0, min(filters.offset, 10**9)))
    return RequestListOut(count=total, results=[summary_out(r) for r in rows])


def _visible(request: HttpRequest, perm: Perm, request_id: int) -> AgencyRequest:
    actor = authorize(request, perm)
    found = agency_request_get(actor=actor, request_id=request_id)
    if found is None:
        raise NotFound(_("No such request."))
    return found


@router.get("/agency/requests/{request_id}", response=RequestOut,
            openapi_extra=needs(Perm.AGENCY_REQUEST_VIEW, 404, 422))
def get_request(request: HttpRequest, request_id: int, page: Query[TargetPage]) -> RequestOut:
    """The request as it progresses: its targets' counts by status, and one page of targets
    (by line) with each one's status and time to action."""
    _check_page(page)
    return request_out(_visible(request, Perm.AGENCY_REQUEST_VIEW, request_id),
                       limit=page.limit, offset=page.offset)


@router.get("/agency/requests/{request_id}/targets", response=RequestTargetListOut,
            openapi_extra=needs(Perm.AGENCY_REQUEST_VIEW, 404, 422))
def list_targets(request: HttpRequest, request_id: int, filters: Query[TargetFilter]
                 ) -> RequestTargetListOut:
    """A request's targets by line, page by page, of one status when given."""
    _check_page(filters, filters.status)
    found = _visible(request, Perm.AGENCY_REQUEST_VIEW, request_id)
    counts = agency_request_target_counts(request=found)
    count = counts[filters.status] if filters.status else sum(counts.values())
    page = agency_request_target_page(request=found, offset=filters.offset,
                                      limit=filters.limit, status=filters.status)
    return RequestTargetListOut(
        count=count, results=[target_out(item) for item in page],
        next=_next_page(found, count=count, limit=filters.limit, offset=filters.offset,
                        status=filters.status))


@router.post("/agency/requests/{request_id}/document", response=RequestOut,
             openapi_extra=needs(FOR_AGENCY_RULE, 400, 403, 404, 413, 422))
def attach_document(request: HttpRequest, request_id: int, payload: DocumentIn) -> RequestOut:
    """The signed document (PDF, base64) of a request filed before it was at hand."""
    actor = authorize(request, Perm.AGENCY_REQUEST_VIEW)
    content = decode_pdf(payload.document_pdf, "document_pdf")
    updated = agency_request_attach_document(actor=actor, request_id=request_id, content=content)
    return request_out(updated)


@router.post("/agency/requests/{request_id}/targets/{target_id}/information",
             response=TargetAnswerOut,
             openapi_extra=needs(FOR_AGENCY_RULE, 400, 403, 404, 409, 413, 422))
def answer_information(request: HttpRequest, request_id: int, target_id: int,
                       payload: InformationAnswerIn) -> TargetAnswerOut:
    """Answer the platform's question on a target; its clock runs again. The answer carries
    the target and the request's counts, not its other targets."""
    actor = authorize(request, Perm.AGENCY_REQUEST_VIEW)
    request_target_answer(actor=actor, request_id=request_id, target_id=target_id,
                          answer=payload.answer)
    return target_answer_out(_visible(request, Perm.AGENCY_REQUEST_VIEW, request_id), target_id)


@router.post("/agency/requests/{request_id}/targets/{target_id}/outcome",
             response=TargetAnswerOut,
             openapi_extra=needs(Perm.AGENCY_REQUEST_RESPOND, 400, 404, 409, 413, 422))
def respond_to_target(request: HttpRequest, request_id: int, target_id: int,
                      payload: TargetResponseIn) -> TargetAnswerOut:
    """Platform staff: refuse a target, ask the agency for information, or record an answer
    to an information or listing request. Removal and suspension are decided on the case.
    The answer carries the target and the request's counts, not its other targets."""
    actor = authorize(request, Perm.AGENCY_REQUEST_RESPOND)
    request_target_respond(actor=actor, request_id=request_id, target_id=target_id,
                           data=TargetResponse(outcome=payload.outcome,
                                               refusal_reason=payload.refusal_reason,
                                               note=payload.note))
    return target_answer_out(_visible(request, Perm.AGENCY_REQUEST_RESPOND, request_id),
                             target_id)
