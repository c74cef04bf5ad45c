from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from fraudhub.core.errors import ValidationFailed
from fraudhub.core.http import authorize, needs, one_of
from fraudhub.core.roles import Perm
from fraudhub.indicators.delisting import DelistingInput, delisting_decide, delisting_request_create
from fraudhub.indicators.models import DelistingRequest, DelistingStatus
from fraudhub.indicators.types import TYPE_KEYS
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.schemas import EvidenceIn

router = Router(tags=["delisting"])


class DelistingIn(Schema):
    value: str = Field(min_length=1, max_length=2048, description="The listed value, as written")
    type: str | None = Field(default=None, max_length=20,
                             json_schema_extra=one_of([*TYPE_KEYS, None]),
                             description="Indicator type; guessed when not given.")
    requester_name: str = Field(min_length=1, max_length=200)
    requester_email: str = Field(max_length=254)
    statement: str = Field(min_length=1, max_length=5_000)
    language: str = Field(default="vi", max_length=8)
    evidence: list[EvidenceIn] = Field(default_factory=list)


class DelistingOut(Schema):
    id: int
    type: str
    value: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    reasons: str


class DelistingDecisionIn(Schema):
    accept: bool
    reasons: str = Field(min_length=1, max_length=5_000)


def _out(request: DelistingRequest) -> DelistingOut:
    return DelistingOut(id=request.pk, type=request.indicator.type,
                        value=request.indicator.value, status=request.status,
                        created_at=request.created_at, decided_at=request.decided_at,
                        reasons=request.reasons)


@router.post("/delisting", response={201: DelistingOut},
             openapi_extra=needs(Perm.DELISTING_CREATE, 400, 409, 413, 422, 429))
def request_delisting(request: HttpRequest, payload: DelistingIn) -> Status[DelistingOut]:
    actor = authorize(request, Perm.DELISTING_CREATE)
    uploads = []
    for index, item in enumerate(payload.evidence):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(_("Evidence is not valid base64."), field_errors={
                f"evidence.{index}.content_base64": [_("Not valid base64.")]}) from exc
        uploads.append(EvidenceUpload(name=item.filename, content=content))
    created = delisting_request_create(actor=actor, data=DelistingInput(
        value=payload.value, type=payload.type, requester_name=payload.requester_name,
        requester_email=payload.requester_email, statement=payload.statement,
        language=payload.language, evidence=uploads,
    ))
    return Status(201, _out(created))


@router.get("/delisting", response=list[DelistingOut],
            openapi_extra=needs(Perm.INDICATOR_MANAGE, 422))
def list_delisting(
    request: HttpRequest,
    status: Annotated[str, Field(json_schema_extra=one_of(DelistingStatus.values))] = "open",
) -> list[DelistingOut]:
    authorize(request, Perm.INDICATOR_MANAGE)
    if status not in DelistingStatus.values:
        raise ValidationFailed(_("Invalid filter."), field_errors={
            "status": [_("One of: %(v)s") % {"v": ", ".join(DelistingStatus.values)}]})
    requests = (DelistingRequest.objects.select_related("indicator").filter(status=status)
                .order_by("created_at")[:500])
    return [_out(r) for r in requests]


@router.post("/delisting/{request_id}/decision", response=DelistingOut,
             openapi_extra=needs(Perm.INDICATOR_MANAGE, 400, 404, 409, 413, 422))
def decide_delisting(
    request: HttpRequest, request_id: int, payload: DelistingDecisionIn
) -> DelistingOut:
    actor = authorize(request, Perm.INDICATOR_MANAGE)
    decided = delisting_decide(actor=actor, request_id=request_id, accept=payload.accept,
                               reasons=payload.reasons)
    return _out(DelistingRequest.objects.select_related("indicator").get(pk=decided.pk))
