"""Lookups in the national anti-fraud database and message scans, at /api/v1/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Router
from pydantic_core import to_json

from fraudhub.core.errors import ValidationFailed
from fraudhub.core.http import authorize, needs
from fraudhub.core.roles import Perm
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.indicators.schemas import (
    BulkLookupIn,
    BulkLookupOut,
    LookupOut,
    ScanBatchIn,
    ScanBatchOut,
    ScanIn,
    ScanOut,
)
from fraudhub.indicators.selectors import (
    LookupResult,
    ScanAnswer,
    api_key_quota,
    indicator_check,
    indicator_lookup_many,
    indicator_scan,
    indicator_scan_many,
    lookup_throttle,
)
from fraudhub.indicators.types import TYPE_KEYS

router = Router(tags=["indicators"])

_RESULT_FIELDS = ("type", "value", "display", "status", "confidence", "reporters",
                  "fraud_types", "first_seen", "last_seen")


# GET /lookup reads its two query parameters itself rather than through a ninja Query schema:
# parsing them into a model was a tenth of the cost of the busiest public endpoint. They are
# declared here for the OpenAPI document, and checked as the schema would.
_LOOKUP_PARAMETERS = [
    {"in": "query", "name": "value", "required": True, "schema": {"type": "string"},
     "description": "Anything people write: a phone number, bank account, link, domain, "
                    "e-mail, social profile or wallet."},
    {"in": "query", "name": "type", "required": False,
     "schema": {"type": "string", "enum": list(TYPE_KEYS)},
     "description": "One of the indicator types; guessed when not given."},
]


def _lookup_params(request: HttpRequest) -> tuple[str, str | None]:
    value = request.GET.get("value")
    if value is None:
        raise ValidationFailed(_("The request is not valid."),
                               field_errors={"value": [_("Field required")]})
    return value, request.GET.get("type")


def lookup_message(status: str, display: str, results: list[LookupResult]) -> str:
    """The answer of a single lookup in one plain sentence."""
    reporters = sum(r.reporters or 0 for r in results)
    banks = sum(1 for r in results if r.found)
    if status == IndicatorStatus.NO_DATA:
        return _("No data: %(value)s has not been reported and is not on an allowlist. That "
                 "does not prove it is safe.") % {"value": display}
    if status == IndicatorStatus.SCAM:
        message = _("%(value)s is a confirmed scam. Do not call back, transfer money or open "
                    "its links.") % {"value": display}
    elif status == IndicatorStatus.SUSPICIOUS:
        message = ngettext(
            "%(value)s was reported by %(n)d person and is not confirmed yet. Be careful.",
            "%(value)s was reported by %(n)d people and is not confirmed yet. Be careful.",
            reporters) % {"value": display, "n": reporters}
    elif status == IndicatorStatus.VERIFYING:
        message = _("%(value)s is being verified after reports. Be careful.") % {
            "value": display}
    elif status == IndicatorStatus.SAFE:
        message = _("%(value)s is on an allowlist of official numbers and sites.") % {
            "value": display}
    else:
        message = str(IndicatorStatus(status).label) if status in IndicatorStatus.values \
            else status
    if banks > 1:
        message += " " + _("The number is known at %(n)d banks; see each result.") % {
            "n": banks}
    return message


def _row(result: LookupResult, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(result, name) for name in fields}


@router.get("/lookup", response=LookupOut, summary="Look up one value",
            openapi_extra={**needs(Perm.INDICATOR_LOOKUP, 422, 429),
                           "parameters": _LOOKUP_PARAMETERS})
def lookup(request: HttpRequest) -> HttpResponse:
    """Any raw input: a phone number, bank account, link, domain, e-mail, social profile or
    wallet. Anonymous callers are limited per IP address (429 with Retry-After)."""
    actor = authorize(request, Perm.INDICATOR_LOOKUP)
    raw, type_key = _lookup_params(request)
    lookup_throttle(actor=actor)
    answer = indicator_check(raw=raw, type_key=type_key, actor=actor)
    # Serialized directly (the declared LookupOut shape): this is the hot public endpoint.
    return HttpResponse(to_json({
        "input": answer.input, "type": answer.type, "value": answer.value,
        "display": answer.display, "status": answer.status,
        "message": lookup_message(answer.status, answer.display, answer.results),
        "results": [_row(r, _RESULT_FIELDS) for r in answer.results],
    }), content_type="application/json")


def _bulk_json(results: list[LookupResult]) -> HttpResponse:
    # Bulk answers are serialized straight from the selector's dataclasses by pydantic-core:
    # up to 1,000 rows a call at tens of thousands of values a second. LookupResult's fields
    # are exactly BulkResultOut's.
    return HttpResponse(to_json({"results": results}), content_type="application/json")


@router.post("/lookup", response=BulkLookupOut,
             openapi_extra=needs(Perm.INDICATOR_BULK_LOOKUP, 400, 413, 422, 429),
             summary="Look up many values")
def bulk_lookup(request: HttpRequest, payload: BulkLookupIn) -> HttpResponse:
    """Up to 1,000 values in one call, answered one result each in order. An item that cannot be
    read comes back `valid: false` with the reason; the others are answered normally. Needs an
    API key; every call counts once against the key's per-minute quota."""
    actor = authorize(request, Perm.INDICATOR_BULK_LOOKUP)
    api_key_quota(actor=actor)
    # Plain pairs, which the selector takes as they are: a frozen LookupItem costs two
    # object.__setattr__ calls an item, a thousand a call.
    results = indicator_lookup_many(
        items=[(item.value, item.type) for item in payload.items], actor=actor)
    return _bulk_json(results)


# ScanIndicatorOut's fields in its order (ResultOut's, then the text as written).
_SCAN_FIELDS = (*_RESULT_FIELDS, "input")


@router.post("/scan", response=ScanOut,
             openapi_extra=needs(Perm.INDICATOR_SCAN, 400, 413, 422, 429),
             summary="Scan a message")
def scan(request: HttpRequest, payload: ScanIn) -> HttpResponse:
    """Every indicator in a message (up to 10,000 characters) with its status, and the overall
    risk 0-100 with its reasons. Needs an API key; each call counts against its quota."""
    actor = authorize(request, Perm.INDICATOR_SCAN)
    api_key_quota(actor=actor)
    answer = indicator_scan(text=payload.text, actor=actor)
    # Serialized directly in the declared ScanOut shape, as the lookups are: validating the
    # answer back through the schema cost more than finding the indicators in the text.
    return HttpResponse(to_json(_scan_json(answer)), content_type="application/json")


def _scan_json(answer: ScanAnswer) -> dict[str, Any]:
    return {"indicators": [_row(r, _SCAN_FIELDS) for r in answer.indicators],
            "risk": answer.risk, "reasons": answer.reasons}


@router.post("/scan/batch", response=ScanBatchOut,
             openapi_extra=needs(Perm.INDICATOR_SCAN, 400, 413, 422, 429),
             summary="Scan many messages")
def scan_batch(request: HttpRequest, payload: ScanBatchIn) -> HttpResponse:
    """Up to 500 messages in one call (a day's transfer notes, a queue of chat messages),
    answered one result each in order, as ``POST /scan`` answers one. Their indicators are
    looked up together. Needs an API key; each call counts once against its quota."""
    actor = authorize(request, Perm.INDICATOR_SCAN)
    api_key_quota(actor=actor)
    answers = indicator_scan_many(texts=[m.text for m in payload.messages], actor=actor)
    return HttpResponse(to_json({"results": [_scan_json(a) for a in answers]}),
                        content_type="application/json")

