"""Confidence rules of the indicator database: lifetimes, starting values, decay."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

# How long evidence about a value stays meaningful. Links and domains are thrown away by
# scammers within weeks; phone numbers are recycled by telcos within months; bank accounts and
# wallets live longer.
LIFETIME_DAYS: dict[str, int] = {
    "url": 30,
    "domain": 90,
    "phone": 180,
    "email": 180,
    "social_account": 180,
    "bank_account": 365,
    "crypto_wallet": 365,
}
DEFAULT_LIFETIME_DAYS = 180

CONFIRMED_CONFIDENCE = 90
AUTHORITY_CONFIDENCE = 95
FALSE_POSITIVE_PENALTY = 40
# Decay is recomputed in steps, so the stored value is never more than a day stale.
DECAY_STEP = timedelta(days=1)


def lifetime(type_key: str) -> timedelta:
    return timedelta(days=LIFETIME_DAYS.get(type_key, DEFAULT_LIFETIME_DAYS))


def reported_confidence(reporters: int) -> int:
    """Unconfirmed reports: more distinct reporters, more confidence, never 'confirmed'."""
    return min(70, round(20 + 12 * math.log2(1 + max(0, reporters))))


def decayed(base: int, *, changed_at: datetime, now: datetime, type_key: str) -> int:
    """Linear decay from `base` to 0 over the type's lifetime since the last change."""
    age = (now - changed_at) / lifetime(type_key)
    return max(0, min(100, math.floor(base * (1 - age))))
