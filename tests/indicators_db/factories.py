"""Indicator rows made directly, with the defaults the lead's services would give them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from fraudhub.indicators.models import Distribution, Indicator, IndicatorStatus
from fraudhub.indicators.types import canonicalize


def match_key(type_key: str, value: str) -> str:
    """The digits of a bank account (so digits alone find it at every bank), else the value."""
    if type_key == "bank_account" and not value.startswith("iban:"):
        return value.split(":", 1)[1]
    return value


def make_indicator(
    raw: str,
    type_key: str | None = None,
    *,
    status: str = IndicatorStatus.SUSPICIOUS,
    confidence: int | None = None,
    reporters: int = 1,
    fraud_types: list[str] | None = None,
    distribution: str = Distribution.PUBLIC,
    removed: bool = False,
    first_seen: datetime | None = None,
    last_seen: datetime | None = None,
    **extra: Any,
) -> Indicator:
    """An indicator for ``raw`` (normalized like any lookup input)."""
    found_type, value = canonicalize(raw, type_key)
    now = timezone.now()
    first = first_seen or now - timedelta(days=30)
    default_confidences: dict[str, int] = {
        IndicatorStatus.SCAM: 90, IndicatorStatus.SAFE: 100, IndicatorStatus.VERIFYING: 50}
    default_confidence = default_confidences.get(status, 40)
    conf = default_confidence if confidence is None else confidence
    return Indicator.objects.create(
        type=found_type, value=value, match_key=match_key(found_type, value), status=status,
        confidence=conf, base_confidence=conf, confidence_changed_at=now,
        first_seen=first, last_seen=last_seen or now - timedelta(days=1),
        fraud_types=fraud_types if fraud_types is not None else (
            [] if status == IndicatorStatus.SAFE else ["investment_stock_crypto"]),
        reporter_count=0 if status == IndicatorStatus.SAFE else reporters,
        distribution=distribution, allowlisted=status == IndicatorStatus.SAFE,
        removed_at=now if removed else None, removed_by="tests" if removed else "",
        removed_reason="owner proved the number is theirs" if removed else "",
        **extra,
    )
