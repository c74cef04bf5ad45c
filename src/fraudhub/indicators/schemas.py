"""In/Out schemas of the lookup and scan API. Every answer carries the same result fields."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import BaseModel

from fraudhub.core.http import one_of
from fraudhub.indicators.lookup import (
    BULK_MAX_ITEMS,
    SCAN_BATCH_MAX_CHARS,
    SCAN_BATCH_MAX_MESSAGES,
    SCAN_MAX_CHARS,
)
from fraudhub.indicators.types import TYPE_KEYS


class ResultOut(Schema):
    type: str = Field(description="Indicator type: phone, bank_account, url, domain, email, "
                                  "social_account or crypto_wallet.")
    value: str = Field(description="Canonical value (DESIGN.md), e.g. +84912345678.")
    display: str = Field(description="The value written for people.")
    status: str = Field(description="scam, suspicious, verifying, safe or no_data.")
    confidence: int = Field(ge=0, le=100)
    reporters: int = Field(ge=0, description="Distinct reporters.")
    fraud_types: list[str] = Field(description="Fraud type keys (GET /api/v1/taxonomy).")
    first_seen: datetime | None = Field(description="None for no_data.")
    last_seen: datetime | None = Field(description="None for no_data.")


class LookupOut(Schema):
    input: str
    type: str
    value: str
    display: str
    status: str = Field(description="The most alarming status among `results`.")
    message: str = Field(description="The answer in a sentence, in the caller's language.")
    results: list[ResultOut] = Field(
        description="One result; for a bank account given as digits alone, one per bank that "
                    "has the number (or one no_data result).")


# Bulk input is a plain pydantic model, not a ninja Schema: a Schema validates through a Django
# attribute getter, ten times slower on a thousand items.
class LookupItemIn(BaseModel):
    value: str
    type: str | None = Field(default=None, description="Guessed when not given.",
                             json_schema_extra=one_of([*TYPE_KEYS, None]))


class BulkLookupIn(BaseModel):
    items: list[LookupItemIn] = Field(max_length=BULK_MAX_ITEMS)


class BulkResultOut(Schema):
    input: str
    valid: bool
    error: str | None = Field(description="Why the item could not be read (valid=false).")
    type: str | None
    value: str | None
    display: str | None
    status: str | None
    confidence: int | None
    reporters: int | None
    fraud_types: list[str]
    first_seen: datetime | None
    last_seen: datetime | None


class BulkLookupOut(Schema):
    results: list[BulkResultOut] = Field(
        description="One per item, in order. A bank account given as digits alone that several "
                    "banks have is answered once: the worst status, all reporters and fraud "
                    "types, value *:<digits>.")


class ScanIn(BaseModel):  # a plain pydantic model, like BulkLookupIn: cheaper to validate
    text: str = Field(max_length=SCAN_MAX_CHARS)


class ScanMessageIn(BaseModel):
    text: str = Field(max_length=SCAN_MAX_CHARS)


class ScanBatchIn(BaseModel):
    messages: list[ScanMessageIn] = Field(
        min_length=1, max_length=SCAN_BATCH_MAX_MESSAGES,
        description=f"Up to {SCAN_BATCH_MAX_MESSAGES} messages of at most {SCAN_MAX_CHARS} "
                    f"characters, {SCAN_BATCH_MAX_CHARS} in all.")


class ScanIndicatorOut(ResultOut):
    input: str = Field(description="The indicator as written in the text.")


class ScanOut(Schema):
    indicators: list[ScanIndicatorOut]
    risk: int = Field(ge=0, le=100)
    reasons: list[str] = Field(description="Why, in the caller's language.")


class ScanBatchOut(Schema):
    results: list[ScanOut] = Field(description="One per message, in order.")
