from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Router
from pydantic_core import to_json

from fraudhub.core.errors import DomainError, NotFound, ValidationFailed
from fraudhub.core.http import ErrorOut, authorize, needs
from fraudhub.core.roles import Perm
from fraudhub.indicators.selectors import api_key_quota
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.models import Report, ReportStatus
from fraudhub.reports.schemas import (
    DecisionOut,
    ReportBatchIn,
    ReportBatchOut,
    ReportBatchResultOut,
    ReportCreatedOut,
    ReportIn,
    ReportStatusOut,
)
from fraudhub.reports.selectors import report_decision_view, report_get_with_secret
from fraudhub.reports.services import (
    AcceptedReport,
    FiledReport,
    ReportInput,
    report_create,
    report_create_many,
)

router = Router(tags=["reports"])


def _decode_evidence(payload: ReportIn, prefix: str = "") -> list[EvidenceUpload]:
    uploads = []
    for index, item in enumerate(payload.evidence):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(
                _("Evidence is not valid base64."),
                field_errors={f"{prefix}evidence.{index}.content_base64": [_("Not valid base64.")]},
            ) from exc
        uploads.append(EvidenceUpload(name=item.filename, content=content))
    return uploads


def status_out(report: Report) -> ReportStatusOut:
    decision = report_decision_view(report=report)
    return ReportStatusOut(
        tracking_code=report.tracking_code,
        status=report.status,
        status_label=str(ReportStatus(report.status).label),
        target=report.target.display,
        target_kind=report.target_kind,
        fraud_type=report.fraud_type,
        created_at=report.created_at,
        decision=DecisionOut(**{k: getattr(decision, k) for k in DecisionOut.model_fields})
        if decision else None,
    )


@router.post("/reports", response={201: ReportCreatedOut},
             openapi_extra=needs(Perm.REPORT_CREATE, 400, 413, 422, 429))
def create_report(request: HttpRequest, payload: ReportIn) -> HttpResponse:
    actor = authorize(request, Perm.REPORT_CREATE)
    try:
        filed = report_create(actor=actor, data=_input_of(payload))
    except DomainError as exc:
        exc.field_errors = _api_field_errors(exc.field_errors)
        raise
    # Serialized here, not by ninja: the one answer every reporter waits for, and its four
    # strings cost ninja's response pipeline more than they take to write.
    return HttpResponse(to_json(_created(filed).model_dump()), status=201,
                        content_type="application/json")


@router.post("/reports/batch", response=ReportBatchOut,
             openapi_extra=needs(Perm.REPORT_BATCH_CREATE, 400, 413, 422, 429),
             summary="File many reports")
def create_reports(request: HttpRequest, payload: ReportBatchIn) -> ReportBatchOut:
    """Up to 100 reports in one call, for a bank, platform or authority forwarding the reports
    it received. Each is checked and answered on its own: the valid ones are filed (in one
    transaction), the invalid ones come back with their errors, and so do those whose evidence
    cannot be stored at the moment (code storage_unavailable: send them again later). Needs an
    API key; each call counts once against its quota."""
    actor = authorize(request, Perm.REPORT_BATCH_CREATE)
    api_key_quota(actor=actor)
    inputs: list[ReportInput | DomainError] = []
    for index, report_in in enumerate(payload.reports):
        try:
            inputs.append(_input_of(report_in, prefix=f"reports.{index}."))
        except DomainError as exc:
            inputs.append(exc)
    valid = [item for item in inputs if isinstance(item, ReportInput)]
    answers = iter(report_create_many(actor=actor, items=valid) if valid else [])
    results = []
    for index, checked in enumerate(inputs):
        answer = next(answers) if isinstance(checked, ReportInput) else checked
        if isinstance(answer, FiledReport):
            created = _created(answer)
            results.append(ReportBatchResultOut(
                index=index, created=True, tracking_code=created.tracking_code,
                secret=created.secret, status=created.status, status_url=created.status_url))
        else:
            results.append(ReportBatchResultOut(
                index=index, created=False, error=answer.message, code=answer.code,
                field_errors=_api_field_errors(answer.field_errors, prefix=f"reports.{index}.")))
    created_count = sum(r.created for r in results)
    return ReportBatchOut(results=results, created=created_count,
                          refused=len(results) - created_count)


def _created(filed: FiledReport | AcceptedReport) -> ReportCreatedOut:
    code = filed.tracking_code
    return ReportCreatedOut(
        tracking_code=code, secret=filed.secret, status=filed.status,
        status_url=f"{settings.FRAUDHUB_BASE_URL}/report/status/{code}",
    )


# The services speak of reporter_email/_name/_phone; the API caller sent them nested.
_API_FIELD_NAMES = {
    "reporter_email": "reporter_contact.email",
    "reporter_name": "reporter_contact.name",
    "reporter_phone": "reporter_contact.phone",
}


def _api_field_errors(errors: dict[str, list[str]], prefix: str = "") -> dict[str, list[str]]:
    return {
        (name if prefix and name.startswith(prefix)
         else prefix + _API_FIELD_NAMES.get(name, name)): messages
        for name, messages in errors.items()
    }


def _input_of(payload: ReportIn, prefix: str = "") -> ReportInput:
    contact = payload.reporter_contact
    return ReportInput(
        target_kind=payload.target_kind, target=payload.target, platform=payload.platform,
        fraud_type=payload.fraud_type, description=payload.description,
        good_faith=payload.good_faith, language=payload.language,
        reporter_email=contact.email if contact else "",
        reporter_name=contact.name if contact else "",
        reporter_phone=contact.phone if contact else "",
        evidence=_decode_evidence(payload, prefix),
    )


# The 404 with its ErrorOut model also declares that schema among the document's components,
# where every operation's error answers (see needs) refer to it.
@router.get("/reports/{tracking_code}", response={200: ReportStatusOut, 404: ErrorOut},
            openapi_extra=needs("holder of the report secret (X-Report-Secret)", 404,
                                public=True))
def get_report(
    request: HttpRequest, tracking_code: str,
    x_report_secret: str = Header(default="", alias="X-Report-Secret"),
) -> ReportStatusOut:
    report = report_get_with_secret(tracking_code=tracking_code, secret=x_report_secret)
    if report is None:
        # The same answer for a wrong code and a wrong secret: codes are not enumerable.
        raise NotFound(_("No report with this tracking code and secret."))
    return status_out(report)
