"""The public "check before you transfer" page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fraudhub.cases.models import TargetKind
from fraudhub.cases.targets import PLATFORMS
from fraudhub.core.decorators import actor_for
from fraudhub.core.errors import RateLimited
from fraudhub.indicators.lookup import MAX_RAW_LENGTH, LookupResult
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.indicators.selectors import (
    CheckAnswer,
    ValueNotCheckable,
    allowlist_labels,
    indicator_check,
    lookup_throttle,
)
from fraudhub.taxonomy.selectors import fraud_type_get

# The kind of report that fits each indicator type (the report form's "What are you reporting?").
_REPORT_KIND = {
    "phone": TargetKind.PHONE,
    "bank_account": TargetKind.BANK_ACCOUNT,
    "url": TargetKind.URL,
    "domain": TargetKind.URL,
    "email": TargetKind.EMAIL,
    "crypto_wallet": TargetKind.CRYPTO_WALLET,
    "social_account": TargetKind.ACCOUNT,
}


@dataclass(frozen=True)
class ResultView:
    """One answer as the page shows it."""

    result: LookupResult
    status_label: str
    fraud_type_names: list[str]
    allowlist_label: str


def report_url(raw: str, answer: CheckAnswer | None) -> str:
    """The report form, prefilled with what was checked."""
    params = {"target_kind": TargetKind.OTHER.value, "target": raw.strip()}
    if answer is not None:
        kind = _REPORT_KIND.get(answer.type, TargetKind.OTHER)
        platform = ""
        if answer.type == "social_account":
            platform, _sep, rest = answer.value.partition(":")
            if rest.startswith("group/"):
                kind = TargetKind.GROUP
            elif rest.startswith("page/"):
                kind = TargetKind.PAGE
            platform = platform if platform in PLATFORMS else "other"
        params["target_kind"] = kind.value
        if platform:
            params["platform"] = platform
    return f"{reverse('report_new')}?{urlencode(params)}"


def _status_label(status: str | None) -> str:
    status = status or IndicatorStatus.NO_DATA
    return str(IndicatorStatus(status).label) if status in IndicatorStatus.values else status


def _views(answer: CheckAnswer) -> list[ResultView]:
    labels = allowlist_labels(answer.results)
    out = []
    for result in answer.results:
        names = []
        for key in result.fraud_types:
            fraud_type = fraud_type_get(key=key)
            names.append(fraud_type.name() if fraud_type else key)
        out.append(ResultView(
            result=result,
            status_label=_status_label(result.status),
            fraud_type_names=names,
            allowlist_label=labels.get((result.type or "", result.value or ""), ""),
        ))
    return out


@never_cache
@require_safe
def check(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")[: MAX_RAW_LENGTH + 1]
    context: dict[str, Any] = {"q": raw.strip(), "max_length": MAX_RAW_LENGTH}
    if not raw.strip():
        return render(request, "indicators/check.html", context)
    actor = actor_for(request)
    try:
        lookup_throttle(actor=actor)
        answer = indicator_check(raw=raw, type_key=None, actor=actor)
    except RateLimited as exc:
        context["rate_limited"] = exc.retry_after
        response = render(request, "indicators/check.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ValueNotCheckable as exc:
        context["error"] = exc.message
        context["refusal"] = exc.refusal
        context["report_url"] = report_url(raw, None)
        return render(request, "indicators/check.html", context, status=422)
    context.update({
        "answer": answer,
        # The answer in words for the page's title, which is what a screen reader says first.
        "answer_label": _status_label(answer.status),
        "results": _views(answer),
        "several": len(answer.results) > 1,
        "report_url": report_url(raw, answer),
    })
    return render(request, "indicators/check.html", context)
