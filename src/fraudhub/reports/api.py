from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from fraudhub.core.actors import Actor
from fraudhub.core.errors import DomainError, NotFound, ValidationFailed
from fraudhub.core.http import authorize, needs
from fraudhub.core.roles import Perm
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.models import Report, ReportStatus
from fraudhub.reports.schemas import (
    DecisionOut,
    ReportCreatedOut,
    ReporterContactIn,
    ReportIn,
    ReportStatusOut,
)
from fraudhub.reports.selectors import report_decision_view, report_get_with_secret
from fraudhub.reports.services import FiledReport, ReportInput, report_create

router = Router(tags=["reports"])


def _decode_evidence(payload: ReportIn) -> list[EvidenceUpload]:
    uploads = []
    for index, item in enumerate(payload.evidence):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(
                _("Evidence is not valid base64."),
                field_errors={f"evidence.{index}.content_base64": [_("Not valid base64.")]},
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


@router.post("/reports", response={201: ReportCreatedOut}, openapi_extra=needs(Perm.REPORT_CREATE))
def create_report(request: HttpRequest, payload: ReportIn) -> Status[ReportCreatedOut]:
    actor = authorize(request, Perm.REPORT_CREATE)
    contact = payload.reporter_contact
    try:
        filed = _create(actor, payload, contact)
    except DomainError as exc:
        # The service speaks of reporter_email/_name/_phone; the API caller sent them nested.
        exc.field_errors = {
            _API_FIELD_NAMES.get(field, field): messages
            for field, messages in exc.field_errors.items()
        }
        raise
    code = filed.report.tracking_code
    return Status(201, ReportCreatedOut(
        tracking_code=code, secret=filed.secret, status=filed.report.status,
        status_url=f"{settings.FRAUDHUB_BASE_URL}/report/status/{code}",
    ))


_API_FIELD_NAMES = {
    "reporter_email": "reporter_contact.email",
    "reporter_name": "reporter_contact.name",
    "reporter_phone": "reporter_contact.phone",
}


def _create(actor: Actor, payload: ReportIn, contact: ReporterContactIn | None) -> FiledReport:
    return report_create(
        actor=actor,
        data=ReportInput(
            target_kind=payload.target_kind, target=payload.target, platform=payload.platform,
            fraud_type=payload.fraud_type, description=payload.description,
            good_faith=payload.good_faith, language=payload.language,
            reporter_email=contact.email if contact else "",
            reporter_name=contact.name if contact else "",
            reporter_phone=contact.phone if contact else "",
            evidence=_decode_evidence(payload),
        ),
    )


@router.get("/reports/{tracking_code}", response=ReportStatusOut,
            openapi_extra={"x-permission": "holder of the report secret (X-Report-Secret)"})
def get_report(
    request: HttpRequest, tracking_code: str,
    x_report_secret: str = Header(default="", alias="X-Report-Secret"),
) -> ReportStatusOut:
    report = report_get_with_secret(tracking_code=tracking_code, secret=x_report_secret)
    if report is None:
        # The same answer for a wrong code and a wrong secret: codes are not enumerable.
        raise NotFound(_("No report with this tracking code and secret."))
    return status_out(report)
