"""Telephone numbers in E.164, read with the phonenumbers library."""

from __future__ import annotations

import functools
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy
from phonenumbers import PhoneMetadata

from .base import IndicatorType, InvalidIndicator
from .phone_rules import format_e164, format_international, is_valid

FALLBACK_REGION = "VN"

# Service numbers written without a trunk prefix that people in the region really dial.
# Anything else without "0", "+" or "00" is far more often a date, amount or reference.
_SERVICE_PREFIXES: dict[str, tuple[str, ...]] = {"VN": ("1800", "1900")}

# A number as written: a "tel:" or "sms:" link's target, or digits and their punctuation, with
# an extension ("ext. 12", "x12", "#12") that the canonical number leaves out.
_SHAPE = re.compile(r"^(?:tel:|sms:)?(?P<number>\+?[\d\s().\-/]{6,24})"
                    r"(?:\s*(?:ext\.?|x|#)\s*\d{1,6})?$", re.IGNORECASE)
_NON_DIGIT = re.compile(r"\D")


# LazySettings' own store of the settings it has read: each is put there on its first read and
# taken out when it is set or overridden (override_settings, monkeypatch), so it always holds
# the current value or nothing. Reading it spares the lazy proxy's Python-level attribute
# access, twice for every phone number guessed (0.4 µs each).
_READ_SETTINGS: dict[str, object] = object.__getattribute__(settings, "__dict__")


def default_region() -> str:
    """The region for numbers written without a country code (setting FRAUDHUB_DEFAULT_REGION).

    Read on every call, not at import, so that settings overridden in tests take effect and this
    module works outside Django.
    """
    region = _READ_SETTINGS.get("FRAUDHUB_DEFAULT_REGION")
    if isinstance(region, str) and region:
        return region.upper()
    try:
        region = getattr(settings, "FRAUDHUB_DEFAULT_REGION", None)
    except ImproperlyConfigured:
        region = None
    return str(region).upper() if region else FALLBACK_REGION


def parse_phone(raw: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """A valid parsed number, or None."""
    text = raw.strip()
    if text[:4].lower() in ("tel:", "sms:"):
        text = text[4:]
    region = region or default_region()
    if text[:1] == "+":
        number = _international_fast(text)
    else:
        number = _national_fast(text, region)
        if number is None:
            number = _country_code_fast(text, region)
    if number is not None:
        return number
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if is_valid(number) else None


# Digits in groups split by single spaces, dots or dashes: how people write a national number.
_GROUPED_DIGITS = re.compile(r"\d+(?:[ .\-]\d+)*")
_PLUS_GROUPED_DIGITS = re.compile(r"\+\d+(?:[ .\-]\d+)*")


def _ungrouped(text: str) -> str:
    """``text`` without the separators of _GROUPED_DIGITS (str.translate with a deleting table
    costs ten times as much on such short text)."""
    return text.replace(" ", "").replace(".", "").replace("-", "")


@functools.cache
def _trunk_prefix(region: str) -> tuple[str, int, re.Pattern[str] | None] | None:
    """(national prefix, country code, international prefix) when the region's numbers are
    written nationally as a plain literal prefix (VN: "0") with no rewriting rule, else None."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    if (not prefix or not prefix.isdigit() or metadata.national_prefix_transform_rule
            or metadata.country_code is None):
        return None
    idd = re.compile(metadata.international_prefix) if metadata.international_prefix else None
    return prefix, metadata.country_code, idd


_E164 = re.compile(r"\+[1-9]\d{6,14}")


def e164_number(text: str) -> phonenumbers.PhoneNumber | None:
    """The number ``text`` is when it is a valid number written exactly in E.164, else None.

    Bulk callers (banks, telcos) mostly send numbers already in E.164. For those this gives
    exactly what parsing gives, at a third of the cost: the number is built from its digits
    instead of parsed, then validated by phonenumbers. Whatever parsing could read differently
    -- a national part that starts with the national prefix or a leading zero -- is left to the
    full parse (None), as is every invalid number.
    """
    if not _E164.fullmatch(text) or not text.isascii():
        return None
    digits = text[1:]
    for size in (1, 2, 3):
        country_code = int(digits[:size])
        if country_code not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            continue
        national = digits[size:]
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, phonenumbers.region_code_for_country_code(country_code))
        if metadata is None or national.startswith("0"):
            return None
        prefix = metadata.national_prefix_for_parsing
        if prefix and re.match(prefix, national):
            return None
        number = phonenumbers.PhoneNumber(country_code=country_code,
                                          national_number=int(national))
        return number if is_valid(number) else None
    return None


def _international_fast(text: str) -> phonenumbers.PhoneNumber | None:
    """:func:`e164_number` for "+84 912 345 678": parsing drops the separators just so."""
    if not _PLUS_GROUPED_DIGITS.fullmatch(text):
        return None
    return e164_number("+" + _ungrouped(text[1:]))


def _national_fast(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The valid number that a national spelling ("0912 345 678") stands for, without parsing.

    phonenumbers.parse spends most of its time on what such text does not have (letters,
    extensions, country codes, carrier codes). For plain digit groups that start with the
    region's literal trunk prefix, parse strips that prefix and keeps the rest whenever the rest
    is a valid number; this builds that number directly and validates it. Anything else -- and
    any number this finds invalid -- goes through the full parse (None here), so the answer is
    always parse's. tests/indicators/test_phone.py compares the two on many numbers.
    """
    trunk = _trunk_prefix(region)
    if trunk is None or not _GROUPED_DIGITS.fullmatch(text):
        return None
    prefix, country_code, idd = trunk
    digits = _ungrouped(text)
    national = digits[len(prefix):]
    if (not digits.startswith(prefix) or not national or national[0] == "0"
            or not digits.isascii() or len(national) > 17
            or digits.startswith(str(country_code)) or (idd is not None and idd.match(digits))):
        return None
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
    return number if is_valid(number) else None


@functools.cache
def _own_code(region: str) -> tuple[str, re.Pattern[str] | None, list[int], frozenset[int]] | None:
    """What parse weighs to read digits that start with the region's own country code: the
    code, the general pattern, the possible and the local-only lengths. None where parse would
    read them with other rules than the ones _country_code_fast follows."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if (metadata is None or metadata.country_code is None or _trunk_prefix(region) is None
            or phonenumbers.region_code_for_country_code(metadata.country_code) != region):
        return None
    general = metadata.general_desc
    lengths = list(general.possible_length or ()) if general is not None else []
    if general is None or not lengths or lengths[0] == -1:
        return None
    pattern = general.national_number_pattern
    return (str(metadata.country_code), re.compile(pattern) if pattern else None, lengths,
            frozenset(general.possible_length_local_only or ()))


def _country_code_fast(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The valid number that digits led by the region's country code ("84912345678") stand
    for, without parsing; None to leave them to parse.

    Parse takes the code off when the digits do not fit the region's general pattern and the
    rest does, or when they are longer than any number of the region; then the rest is the
    national number (it has no national prefix or leading zero: such text is left to parse).
    The same test is made here, with the same metadata. tests/indicators/test_phone.py and
    test_guessing_shortcuts.py compare the two.
    """
    trunk, own = _trunk_prefix(region), _own_code(region)
    if trunk is None or own is None or not _GROUPED_DIGITS.fullmatch(text):
        return None
    prefix, country_code, idd = trunk
    code, general, lengths, local_lengths = own
    digits = _ungrouped(text)
    national = digits[len(code):]
    if (not digits.startswith(code) or len(national) < 2 or national.startswith(prefix)
            or national[0] == "0" or not digits.isascii() or len(national) > 17
            or (idd is not None and idd.match(digits))):
        return None
    # parse's _maybe_extract_country_code: "not valid before but valid now, or too long before"
    fits_before = general is not None and general.fullmatch(digits) is not None
    fits_after = general is not None and general.fullmatch(national) is not None
    too_long = (len(digits) not in local_lengths and lengths[0] < len(digits)
                and lengths[-1] < len(digits))
    if not ((not fits_before and fits_after) or too_long):
        return None
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
    return number if is_valid(number) else None


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
            raise InvalidIndicator(gettext_lazy("not a valid phone number"))
        return format_e164(number)

    def display(self, canonical: str) -> str:
        number = parse_phone(canonical)
        if number is None:
            return canonical
        return format_international(number)

    def looks_like(self, raw: str) -> bool:
        shape = _SHAPE.match(raw.strip())
        if shape is None:
            return False
        body = shape.group("number")
        digits = _NON_DIGIT.sub("", body)
        international = body.lstrip().startswith("+")
        # E.164 allows 15 digits, but phonenumbers knows valid longer ones (German numbers of
        # 16 and 17): written with "+", those are phone numbers, not accounts at any bank.
        if not 7 <= len(digits) <= (17 if international else 15):
            return False
        return international or plausible_local_digits(digits, default_region())
