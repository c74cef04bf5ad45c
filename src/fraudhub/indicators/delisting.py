"""Delisting: the owner of a listed value asks for review; a reviewer decides and explains."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StorageUnavailable,
    ValidationFailed,
)
from fraudhub.core.jobs import enqueue
from fraudhub.core.ratelimit import anonymous_rate_limit
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.core.uploads import (
    STORAGE_RETRY_AFTER_SECONDS,
    UploadNotStored,
    uploads_remove,
    uploads_write,
)
from fraudhub.indicators.models import (
    DelistingEvidence,
    DelistingRequest,
    DelistingStatus,
    Indicator,
    IndicatorStatus,
)
from fraudhub.indicators.selectors import visible_distributions
from fraudhub.indicators.services import indicator_transition
from fraudhub.indicators.types import InvalidIndicator, canonicalize
from fraudhub.reports.evidence import CheckedEvidence, EvidenceUpload, check_evidence

STATEMENT_MAX = 5_000
LISTED = (IndicatorStatus.SCAM, IndicatorStatus.SUSPICIOUS, IndicatorStatus.VERIFYING)


@dataclass(frozen=True)
class DelistingInput:
    value: str
    requester_name: str
    requester_email: str
    statement: str
    type: str | None = None
    language: str = "vi"
    evidence: list[EvidenceUpload] = field(default_factory=list)


def _validate(data: DelistingInput) -> dict[str, list[str]]:
    errors = nul_field_errors({"value": data.value, "requester_name": data.requester_name,
                               "requester_email": data.requester_email,
                               "statement": data.statement})
    if errors:
        return errors
    if not data.requester_name.strip():
        errors["requester_name"] = [_("Tell us who you are.")]
    try:
        EmailValidator()(data.requester_email)
    except DjangoValidationError:
        errors["requester_email"] = [_("Enter a valid e-mail address; the answer is sent there.")]
    if not data.statement.strip():
        errors["statement"] = [_("Explain why this value should not be listed.")]
    elif len(data.statement) > STATEMENT_MAX:
        errors["statement"] = [_("At most %(n)d characters.") % {"n": STATEMENT_MAX}]
    return errors


def delisting_request_create(*, actor: Actor, data: DelistingInput) -> DelistingRequest:
    errors = _validate(data)
    try:
        type_key, value = canonicalize(data.value, data.type or None)
    except (InvalidIndicator, ValueError) as exc:
        errors["value"] = [str(exc)]
    if errors:
        raise ValidationFailed(_("The request is not valid."), field_errors=errors)
    checked = check_evidence(data.evidence)
    anonymous_rate_limit(
        actor=actor, scope="delisting", limit=settings.FRAUDHUB_INTAKE_RATE_LIMIT,
        window_seconds=settings.FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS,
        message=gettext_lazy("Too many requests; try again in %(s)d seconds."))
    now = timezone.now()
    evidence = _evidence_write(checked)
    try:
        return _request_record(actor=actor, data=data, type_key=type_key, value=value,
                               evidence=evidence, checked=checked, now=now)
    except BaseException:
        uploads_remove(item.file for item in evidence)  # no row names them
        raise


def _evidence_write(checked: list[CheckedEvidence]) -> list[DelistingEvidence]:
    """The evidence files, written before the transaction; 503 when the storage fails."""
    evidence = [DelistingEvidence(original_name=item.name, content_type=item.content_type,
                                  extension=item.extension, size=len(item.content),
                                  sha256=item.sha256) for item in checked]
    try:
        uploads_write([(row.file, item.name, item.content)
                       for row, item in zip(evidence, checked, strict=True)])
    except UploadNotStored as exc:
        raise StorageUnavailable(
            _("Evidence files cannot be stored at the moment, so the request was not "
              "filed. Try again in a few minutes."),
            retry_after=STORAGE_RETRY_AFTER_SECONDS) from exc
    return evidence


def _request_record(*, actor: Actor, data: DelistingInput, type_key: str, value: str,
                    evidence: list[DelistingEvidence], checked: list[CheckedEvidence],
                    now: datetime) -> DelistingRequest:
    with transaction.atomic():
        # Only a value the requester may look up: one of another distribution (partners,
        # internal) answers as unlisted, as a lookup does, so that this form does not tell who
        # is being watched, nor move such a value to `verifying`.
        indicator = Indicator.objects.select_for_update().filter(
            type=type_key, value=value, distribution__in=visible_distributions(actor)).first()
        if indicator is None or indicator.removed_at is not None or indicator.status not in LISTED:
            raise Conflict(_("This value is not listed: there is nothing to remove."))
        try:
            with transaction.atomic():
                request = DelistingRequest.objects.create(
                    indicator=indicator, requester_name=data.requester_name.strip()[:200],
                    requester_email=data.requester_email.strip()[:254],
                    statement=data.statement, created_at=now,
                    language=data.language if data.language in ("vi", "en") else "vi",
                )
        except IntegrityError as exc:
            raise Conflict(_("You already asked for a review of this value.")) from exc
        for item in evidence:
            item.request = request
        DelistingEvidence.objects.bulk_create(evidence)
        audit_record(actor=actor, action="delisting.create", object_type="delisting",
                     object_id=request.pk,
                     new={"indicator": indicator.pk, "status": request.status,
                          "evidence": [c.sha256 for c in checked]})
        if indicator.status == IndicatorStatus.SUSPICIOUS:
            indicator_transition(actor=actor, indicator=indicator,
                                 status=IndicatorStatus.VERIFYING,
                                 reason=f"delisting request {request.pk}")
    return request


def delisting_decide(
    *, actor: Actor, request_id: int, accept: bool, reasons: str
) -> DelistingRequest:
    if not actor.has_perm(Perm.INDICATOR_MANAGE):
        raise PermissionDenied(_("You may not decide delisting requests."))
    errors = nul_field_errors({"reasons": reasons})
    if not errors and not reasons.strip():
        errors = {"reasons": [_("Explain the decision; the requester receives it.")]}
    if errors:
        raise ValidationFailed(_("The decision is not valid."), field_errors=errors)
    now = timezone.now()
    with transaction.atomic():
        request = DelistingRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound(_("No such request."))
        if request.status != DelistingStatus.OPEN:
            raise Conflict(_("This request has already been decided."))
        indicator = Indicator.objects.select_for_update().get(pk=request.indicator_id)
        request.status = DelistingStatus.ACCEPTED if accept else DelistingStatus.REJECTED
        request.decided_by = actor.identity
        request.decided_by_label = actor.label[:200]
        request.decided_at = now
        request.reasons = reasons
        request.save()
        audit_record(actor=actor, action="delisting.decide", object_type="delisting",
                     object_id=request.pk, old={"status": DelistingStatus.OPEN},
                     new={"status": request.status, "reasons": reasons[:500]})
        if accept:
            indicator.removed_at = now
            indicator.removed_by = actor.label[:200]
            indicator.removed_reason = f"delisting {request.pk}: {reasons}"[:2000]
            indicator.save(update_fields=["removed_at", "removed_by", "removed_reason",
                                          "updated_at"])
            indicator_transition(actor=actor, indicator=indicator, status=IndicatorStatus.NO_DATA,
                                 reason=f"delisted on request {request.pk}")
        elif indicator.status == IndicatorStatus.VERIFYING:
            indicator_transition(actor=actor, indicator=indicator,
                                 status=IndicatorStatus.SUSPICIOUS,
                                 reason=f"delisting request {request.pk} rejected")
        from fraudhub.indicators.tasks import send_delisting_outcome

        enqueue(send_delisting_outcome, request_id=request.pk)
    return request
