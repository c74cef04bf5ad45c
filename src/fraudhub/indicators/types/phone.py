"""Telephone numbers in E.164, read with the phonenumbers library."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat

from .base import IndicatorType, InvalidIndicator

FALLBACK_REGION = "VN"

# Service numbers written without a trunk prefix that people in the region really dial.
# Anything else without "0", "+" or "00" is far more often a date, amount or reference.
_SERVICE_PREFIXES: dict[str, tuple[str, ...]] = {"VN": ("1800", "1900")}

_SHAPE = re.compile(r"^(?:tel:)?\+?[\d\s().\-/]{6,24}$", re.IGNORECASE)
_DIGITS = re.compile(r"\d")


def default_region() -> str:
    """The region for numbers written without a country code (setting FRAUDHUB_DEFAULT_REGION).

    Read on every call, not at import, so that settings overridden in tests take effect and this
    module works outside Django.
    """
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        try:
            region = getattr(settings, "FRAUDHUB_DEFAULT_REGION", None)
        except ImproperlyConfigured:
            region = None
    except ImportError:
        region = None
    return str(region).upper() if region else FALLBACK_REGION


def parse_phone(raw: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """A valid parsed number, or None."""
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    try:
        number = phonenumbers.parse(text, region or default_region())
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def plausible_local_digits(digits: str, region: str) -> bool:
    """Whether digits written without '+' look like a number dialled in ``region``.

    phonenumbers accepts e.g. "12032024" as a Vietnamese toll-free number; in text that is a date.
    A local number starts with the national trunk prefix or the country code, or is one of the
    region's service numbers.
    """
    if digits.startswith("00"):
        return True
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return True
    if metadata.national_prefix and digits.startswith(metadata.national_prefix):
        return True
    country_code = str(metadata.country_code)
    if digits.startswith(country_code) and len(digits) >= len(country_code) + 8:
        return True
    if digits.startswith(_SERVICE_PREFIXES.get(region, ())):
        return True
    return not metadata.national_prefix


class PhoneType(IndicatorType):
    key = "phone"
    label = "Phone number"

    def normalize(self, raw: str) -> str:
        number = parse_phone(raw)
        if number is None:
            raise InvalidIndicator("not a valid phone number")
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)

    def display(self, canonical: str) -> str:
        number = parse_phone(canonical)
        if number is None:
            return canonical
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)

    def looks_like(self, raw: str) -> bool:
        text = raw.strip()
        if not _SHAPE.match(text):
            return False
        digits = "".join(_DIGITS.findall(text))
        if not 7 <= len(digits) <= 15:
            return False
        body = text[4:] if text.lower().startswith("tel:") else text
        if body.lstrip().startswith("+"):
            return True
        return plausible_local_digits(digits, default_region())
