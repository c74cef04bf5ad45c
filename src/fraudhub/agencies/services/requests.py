"""Filing an authority request: validation, the request and its targets, acknowledgement, cases."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.agencies.models import (
    AgencyRequest,
    ClockEvent,
    ClockEventKind,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RequestTarget,
)
from fraudhub.agencies.services.rollup import request_status_refresh
from fraudhub.agencies.target_list import RejectedRow, TargetRow, target_list_read
from fraudhub.cases.services.intake import case_open_for_authority, target_get_or_create
from fraudhub.cases.targets import CanonicalTarget
from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record, audit_record_many
from fraudhub.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed
from fraudhub.core.jobs import enqueue
from fraudhub.core.models import Organization, OrganizationKind
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.indicators.models import SourceKind
from fraudhub.indicators.services import Observation, indicators_observe
from fraudhub.indicators.types import REGISTRY
from fraudhub.taxonomy.selectors import fraud_type_get

REASON_MAX = 5_000
LEGAL_FIELD_MAX = {"document_number": 100, "issuing_body": 200, "signer": 200}
CASES_BATCH = 200

# Staff record letters and calls received earlier; none before the platform's time, and a far
# earlier time would not survive the time-zone arithmetic of deadlines and numbers.
RECEIVED_FIRST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LegalBasisInput:
    document_number: str
    date: date | None
    issuing_body: str
    signer: str


@dataclass(frozen=True)
class RequestInput:
    kind: str
    legal_basis: LegalBasisInput
    reason: str
    fraud_type: str
    targets: list[TargetRow | RejectedRow] = field(default_factory=list)
    channel: str = RequestChannel.ELECTRONIC
    document_pdf: bytes | None = None
    contact_email: str = ""
    # Only platform staff recording a letter or a call name the agency and when it arrived.
    agency_id: int | None = None
    received_at: datetime | None = None


def _check_document(content: bytes) -> str:
    """The SHA-256 of a signed document that is a PDF by content, within the size limit."""
    limit = settings.FRAUDHUB_AGENCY_DOCUMENT_MAX_BYTES
    if len(content) > limit:
        raise PayloadTooLarge(
            _("The signed document is larger than %(max)s.") % {"max": filesizeformat(limit)},
            field_errors={"legal_basis.document_pdf": [_("Too large.")]},
        )
    if not content.startswith(b"%PDF-"):
        raise ValidationFailed(
            _("The signed document must be a PDF."),
            field_errors={"legal_basis.document_pdf": [_("Not a PDF file.")]},
        )
    return hashlib.sha256(content).hexdigest()


def _agency_for(actor: Actor, data: RequestInput) -> tuple[Organization, bool]:
    """The agency the request is from, and whether staff file it on the agency's behalf."""
    if data.agency_id is not None or data.received_at is not None:
        if not actor.has_perm(Perm.AGENCY_REQUEST_RECORD):
            raise PermissionDenied(_("Only platform staff record requests for an agency."))
        agency = Organization.objects.filter(
            pk=data.agency_id or 0, kind=OrganizationKind.AGENCY).first()
        if agency is None:
            raise ValidationFailed(_("The request is not valid."),
                                   field_errors={"agency": [_("No such agency.")]})
        return agency, True
    if not actor.has_perm(Perm.AGENCY_REQUEST_CREATE):
        raise PermissionDenied(_("You may not file authority requests."))
    org = actor.organization
    if org is None or org.kind != OrganizationKind.AGENCY:
        raise PermissionDenied(_("Your account does not belong to an agency."))
    return org, False


def _validate(data: RequestInput, now: datetime, on_behalf: bool) -> dict[str, list[str]]:
    legal = data.legal_basis
    errors = nul_field_errors({
        "reason": data.reason, "fraud_type": data.fraud_type, "kind": data.kind,
        "legal_basis.document_number": legal.document_number,
        "legal_basis.issuing_body": legal.issuing_body, "legal_basis.signer": legal.signer,
        "contact_email": data.contact_email,
    })
    if errors:
        return errors
    if data.kind not in RequestKind.values:
        errors["kind"] = [_("Unknown kind; one of: %(k)s") % {"k": ", ".join(RequestKind.values)}]
    if data.channel not in RequestChannel.values:
        errors["channel"] = [_("Unknown channel; one of: %(c)s")
                             % {"c": ", ".join(RequestChannel.values)}]
    elif data.channel != RequestChannel.ELECTRONIC and not on_behalf:
        errors["channel"] = [_("Letters and calls are recorded by platform staff.")]
    if fraud_type_get(key=data.fraud_type) is None:
        errors["fraud_type"] = [_("Unknown fraud type; see GET /api/v1/taxonomy.")]
    if not data.reason.strip():
        errors["reason"] = [_("State the reason for the request.")]
    elif len(data.reason) > REASON_MAX:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": REASON_MAX}]
    for name, limit in LEGAL_FIELD_MAX.items():
        value = getattr(legal, name)
        if not value.strip():
            errors[f"legal_basis.{name}"] = [_("This field is required.")]
        elif len(value) > limit:
            errors[f"legal_basis.{name}"] = [_("At most %(n)d characters.") % {"n": limit}]
    if legal.date is None:
        errors["legal_basis.date"] = [_("This field is required.")]
    elif legal.date > timezone.localdate(now):
        errors["legal_basis.date"] = [_("The document cannot be dated in the future.")]
    elif legal.date < RECEIVED_FIRST.date():  # 0001-01-01: a date box left half filled in
        errors["legal_basis.date"] = [_("The document cannot be dated before the year 2000.")]
    if data.contact_email:
        try:
            EmailValidator()(data.contact_email)
        except DjangoValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    if data.received_at is not None and data.received_at > now:
        errors["received_at"] = [_("A request cannot be received in the future.")]
    elif data.received_at is not None and data.received_at < RECEIVED_FIRST:
        errors["received_at"] = [_("A request cannot be received before the year 2000.")]
    if not data.targets:
        errors["targets"] = [_("Name at least one target.")]
    elif len(data.targets) > settings.FRAUDHUB_AGENCY_MAX_TARGETS:
        errors["targets"] = [_("At most %(n)d targets in one request.")
                             % {"n": settings.FRAUDHUB_AGENCY_MAX_TARGETS}]
    return errors


def _new_target(request: AgencyRequest, line: int, raw: str, canonical: CanonicalTarget
                ) -> RequestTarget:
    return RequestTarget(
        request=request, line=line, raw=raw, target_kind=canonical.kind,
        indicator_type=canonical.indicator_type, canonical=canonical.canonical,
        display=canonical.display, platform=canonical.platform, deadline=request.deadline,
    )


def agency_request_create(*, actor: Actor, data: RequestInput) -> AgencyRequest:
    """File a request. Bad target rows are reported by line; the rest are accepted.

    Small requests get their cases at once; larger ones from a background job, so a request
    with thousands of targets is acknowledged in seconds.
    """
    now = timezone.now()
    if data.received_at is not None and timezone.is_naive(data.received_at):
        # A time without offset is the server's local time, as the web form's is.
        data = replace(data, received_at=timezone.make_aware(data.received_at))
    agency, on_behalf = _agency_for(actor, data)
    errors = _validate(data, now, on_behalf)
    if errors:
        raise ValidationFailed(_("The request is not valid."), field_errors=errors)
    document_sha = _check_document(data.document_pdf) if data.document_pdf else ""
    targets = target_list_read(data.targets, request_kind=data.kind)
    if not targets.accepted:
        raise ValidationFailed(
            _("No target in the request could be accepted."),
            field_errors={"targets": [f"{_('line')} {row.line}: {row.error}"
                                      for row in targets.rejected[:50]]},
        )
    received_at = data.received_at or now
    assert data.legal_basis.date is not None  # checked by _validate
    with transaction.atomic():
        request = AgencyRequest(
            number=f"pending-{uuid.uuid4().hex[:24]}", agency=agency, kind=data.kind,
            channel=data.channel, recorded_on_behalf=on_behalf, filed_by=actor.identity,
            filed_by_label=actor.label[:200], contact_email=data.contact_email,
            reason=data.reason, fraud_type=data.fraud_type,
            legal_document_number=data.legal_basis.document_number.strip(),
            legal_document_date=data.legal_basis.date,
            legal_issuing_body=data.legal_basis.issuing_body.strip(),
            legal_signer=data.legal_basis.signer.strip(),
            received_at=received_at, acknowledged_at=now,
            deadline=received_at + timedelta(hours=settings.FRAUDHUB_AUTHORITY_DEADLINE_HOURS),
            target_count=len(targets.accepted),
            rejected_rows=[row.as_dict() for row in targets.rejected],
        )
        request.save()
        request.number = f"AR-{received_at:%Y%m%d}-{request.pk:06d}"
        if data.document_pdf:
            request.legal_document.save(f"{request.number}.pdf", ContentFile(data.document_pdf),
                                        save=False)
            request.legal_document_sha256 = document_sha
            request.legal_document_received_at = now
        request.save()
        RequestTarget.objects.bulk_create(
            [_new_target(request, t.line, t.raw, t.canonical) for t in targets.accepted],
            batch_size=500,
        )
        ClockEvent.objects.bulk_create([
            ClockEvent(request=request, kind=ClockEventKind.RECEIVED, at=received_at,
                       facts={"channel": request.channel}),
            ClockEvent(request=request, kind=ClockEventKind.ACKNOWLEDGED, at=now,
                       facts={"number": request.number}),
        ])
        audit_record(
            actor=actor, action="agency_request.create", object_type="agency_request",
            object_id=request.pk,
            new={"number": request.number, "agency": agency.name, "kind": request.kind,
                 "channel": request.channel, "on_behalf": on_behalf,
                 "received_at": received_at, "deadline": request.deadline,
                 "targets": request.target_count, "rejected": len(targets.rejected),
                 "legal_document": request.legal_document_number,
                 "document_sha256": document_sha},
        )
        from fraudhub.agencies.tasks import create_request_cases, send_acknowledgement

        enqueue(send_acknowledgement, request_id=request.pk)
        if request.target_count <= settings.FRAUDHUB_AGENCY_INLINE_TARGETS:
            request_cases_create(request_id=request.pk)
        else:
            enqueue(create_request_cases, request_id=request.pk)
    request.refresh_from_db()
    return request


def request_cases_create(*, request_id: int, batch: int = CASES_BATCH) -> int:
    """Open (or join) the authority case of every target that has none yet; idempotent.

    Each batch is its own transaction, so a job stopped half-way resumes where it was.
    Returns how many targets got their case.
    """
    actor = Actor.system("agency-intake")
    done = 0
    while True:
        with transaction.atomic():
            request = AgencyRequest.objects.select_for_update().filter(pk=request_id).first()
            if request is None:
                return done
            pending = list(RequestTarget.objects.select_for_update()
                           .filter(request=request, case__isnull=True).order_by("line")[:batch])
            if not pending:
                if request.cases_ready_at is None:
                    request.cases_ready_at = timezone.now()
                    request.save(update_fields=["cases_ready_at"])
                    request_status_refresh(actor=actor, request=request)
                return done
            _open_cases(actor, request, pending)
            done += len(pending)


def _open_cases(actor: Actor, request: AgencyRequest, pending: list[RequestTarget]) -> None:
    now = timezone.now()
    fraud_type = fraud_type_get(key=request.fraud_type)
    severity = fraud_type.severity if fraud_type else 3
    specs: list[AuditSpec] = []
    observations: list[Observation] = []
    for item in pending:
        target = target_get_or_create(canonical=CanonicalTarget(
            kind=item.target_kind, indicator_type=item.indicator_type,
            canonical=item.canonical, display=item.display, platform=item.platform,
        ))
        case, created = case_open_for_authority(
            target=target, fraud_type=request.fraud_type, severity=severity,
            due_at=item.deadline, now=now,
        )
        item.target, item.case = target, case
        specs.append(AuditSpec(
            action="case.open" if created else "case.join_authority", object_type="case",
            object_id=case.pk,
            new={"target": target.canonical, "queue": case.queue, "due_at": case.due_at,
                 "agency_request": request.number, "line": item.line},
        ))
        if item.indicator_type in REGISTRY:
            observations.append(Observation(type=item.indicator_type, value=item.canonical,
                                             fraud_type=request.fraud_type,
                                             reporter_identity=f"org:{request.agency_id}"))
    RequestTarget.objects.bulk_update(pending, ["target", "case"])
    # Every target of an authority request is a sighting of it in the national database.
    indicators_observe(actor=actor, observations=observations, source_kind=SourceKind.AUTHORITY,
                       reference=request.number, organization=request.agency)
    audit_record_many(actor=actor, specs=specs)


def agency_request_attach_document(
    *, actor: Actor, request_id: int, content: bytes
) -> AgencyRequest:
    """The signed document that follows a request filed without it (or replaces it)."""
    from fraudhub.agencies.selectors import agency_request_visible

    if not actor.has_perm(Perm.AGENCY_REQUEST_CREATE) and not actor.has_perm(
            Perm.AGENCY_REQUEST_RECORD):
        raise PermissionDenied(_("You may not add documents to requests."))
    sha = _check_document(content)
    now = timezone.now()
    with transaction.atomic():
        request = agency_request_visible(actor=actor).select_for_update().filter(
            pk=request_id).first()
        if request is None:
            raise NotFound(_("No such request."))
        old = request.legal_document_sha256
        request.legal_document.save(f"{request.number}.pdf", ContentFile(content), save=False)
        request.legal_document_sha256 = sha
        request.legal_document_received_at = now
        request.save(update_fields=["legal_document", "legal_document_sha256",
                                    "legal_document_received_at"])
        ClockEvent.objects.create(request=request, kind=ClockEventKind.DOCUMENT, at=now,
                                  facts={"sha256": sha})
        audit_record(actor=actor, action="agency_request.document", object_type="agency_request",
                     object_id=request.pk, old={"document_sha256": old or None},
                     new={"document_sha256": sha})
    return request


__all__ = [
    "LegalBasisInput",
    "RequestInput",
    "RequestStatus",
    "agency_request_attach_document",
    "agency_request_create",
    "request_cases_create",
]
