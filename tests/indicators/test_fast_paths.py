"""The shortcuts of type guessing answer exactly as the full computations they stand in for.

Each shortcut (refang's pre-check, the digits-only candidate list, phone numbers built from
their digits, the IP pre-check, the registrable-domain cache) is compared here with the slow
path it replaces, on edge cases and on many generated values. No timing: speed is shown by
bench/lookup.py only.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable

import phonenumbers
import pytest

from fraudhub.indicators.lookup import e164_phone, read_query
from fraudhub.indicators.types import REGISTRY, InvalidIndicator
from fraudhub.indicators.types import base as base_module
from fraudhub.indicators.types.base import has_space, is_defanged, refang
from fraudhub.indicators.types.domain import parse_ip, registrable_domain
from fraudhub.indicators.types.phone import (
    _international_fast,
    _national_fast,
    e164_number,
    parse_phone,
)
from fraudhub.indicators.types.registry import _BANK, _DIGITISH, _candidates

# --- refang ------------------------------------------------------------------------------


def _refang_slow(text: str) -> str:
    text = base_module._DEFANG_SCHEME.sub(r"http\1", text.strip())
    text = base_module._DEFANG_SCHEME_SEP.sub("://", text)
    text = base_module._DEFANG_COLON.sub(":", text)
    text = base_module._DEFANG_DOT.sub(".", text)
    return base_module._DEFANG_AT.sub("@", text)


def _is_defanged_slow(text: str) -> bool:
    return bool(base_module._DEFANG_SCHEME.search(text.strip())
                or base_module._DEFANG_DOT.search(text)
                or base_module._DEFANG_COLON.search(text)
                or base_module._DEFANG_AT.search(text))


_DEFANG_CASES = [
    "", " ", "evil.com", " hxxps://evil[.]com ", "HXXP://a(.)b", "h**ps://x{.}y", "h__p://x",
    "hxp://x", "hxxps[:]//x", "x[at]y.com", "x(at)y", "x{at}y", "x[@]y", "x(@)y", "[::1]",
    "a[dot]b", "a(dot)b", "a{dot}b", "h", "hx", "hxxps", "Hxxps:", "https://ok.com/(x)",
    "tel:+84 (0) 912", "0912 (345) 678", "xxh[.]", "  h**p://x.com/[a]  ",
]


@pytest.mark.parametrize("text", _DEFANG_CASES)
def test_refang_pre_check_changes_nothing(text: str) -> None:
    assert refang(text) == _refang_slow(text)
    assert is_defanged(text) == _is_defanged_slow(text)


def test_refang_pre_check_on_generated_text() -> None:
    rng = random.Random(7)
    alphabet = "hHxX*_[](){}.:/@ atdoAT1"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        assert refang(text) == _refang_slow(text), text
        assert is_defanged(text) == _is_defanged_slow(text), text


def test_has_space_is_str_isspace() -> None:
    for text in ["", "a", "a b", "a\u00a0b", "a\u2003b", "a\tb", "\u200b", "ab\n"]:
        assert has_space(text) == any(c.isspace() for c in text)


# --- candidate types -----------------------------------------------------------------------


def _candidates_slow(raw: str) -> list[str]:
    """Every type's shape check in the registry's order, as before the digits-only shortcut."""
    url, social = REGISTRY["url"], REGISTRY["social_account"]
    found: list[str] = []
    if url.looks_like(raw):
        if social.looks_like(raw):
            found.append("social_account")
        found.append("url")
    elif social.looks_like(raw):
        found.append("social_account")
    for key, check in (("crypto_wallet", REGISTRY["crypto_wallet"].looks_like),
                       ("email", REGISTRY["email"].looks_like),
                       ("bank_account", _BANK.looks_like_iban),
                       ("phone", REGISTRY["phone"].looks_like)):
        if check(raw):
            found.append(key)
    if "bank_account" not in found and _BANK.looks_like(raw):
        found.append("bank_account")
    if REGISTRY["domain"].looks_like(raw):
        found.append("domain")
    return found


_DIGIT_CASES = [
    "0912345678", " 0912 345 678 ", "0912.345.678", "091-234-5678", "+84 91 234 5678",
    "84912345678", "(024) 3823 4567", "0912.345/678", "12/05/2025", "12.(3", "1.2.3.4",
    "1234567891234567891234567", "31234567891234567891234567", "0071000123456",
    "9596 2265 5969 6", "", "()", "(.)", "0912(.)345/678", "+", "1.2.3.4/5", "8.8.8.8",
    "0123/4567.89", "+1 (415) 555-2671", "19006060", "1800 1234",
]


@pytest.mark.parametrize("raw", _DIGIT_CASES)
def test_digits_only_candidates_are_the_full_checks(raw: str) -> None:
    assert _DIGITISH.fullmatch(raw.strip())
    assert _candidates(raw) == _candidates_slow(raw)


def _outcome(check: Callable[[str], list[str]], raw: str) -> list[str] | str:
    try:
        return check(raw)
    except InvalidIndicator as exc:  # a malformed host makes the domain check raise
        return f"raised: {exc}"


def test_candidates_on_generated_values() -> None:
    rng = random.Random(11)
    alphabets = ("0123456789 .-/()+", "0123456789 .-/()+:@abcx[]T", "0123456789")
    for _ in range(20_000):
        alphabet = rng.choice(alphabets)
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 36)))
        assert _outcome(_candidates, raw) == _outcome(_candidates_slow, raw), raw


# --- phone numbers built from their digits -------------------------------------------------


def _parse_slow(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _spellings(rng: random.Random, digits: str) -> list[str]:
    grouped, i = "", 0
    while i < len(digits):
        step = rng.randrange(1, 5)
        grouped += digits[i:i + step]
        i += step
        if i < len(digits):
            grouped += rng.choice(" .-")
    return [digits, grouped]


@pytest.mark.parametrize("region", ["VN", "DE", "FR", "IN", "ID", "PH", "TH", "MY", "GB", "US"])
def test_national_numbers_read_from_their_digits_as_parsing_reads_them(region: str) -> None:
    rng = random.Random(region)
    seeds = [str(n.national_number) for t in range(12)
             if (n := phonenumbers.example_number_for_type(region, t)) is not None]
    used = 0
    for _ in range(3000):
        national = rng.choice(seeds) if seeds and rng.random() < 0.5 else ""
        national = national[:rng.randrange(0, len(national) + 1)]
        national += "".join(rng.choice("0123456789") for _ in range(rng.randrange(0, 9)))
        for text in _spellings(rng, rng.choice(["0", "0", "00", "", "1", "9"]) + national):
            fast = _national_fast(text, region)
            if fast is not None:
                used += 1
                assert fast == _parse_slow(text, region), (region, text)
    if region == "VN":
        assert used > 100  # the shortcut is really taken for Vietnamese numbers


def test_common_vietnamese_spellings_take_the_shortcut() -> None:
    for text in ("0912345678", "0912 345 678", "0912.345.678", "091-234-5678",
                 "024 3823 4567"):
        number = _national_fast(text, "VN")
        assert number is not None and number == _parse_slow(text, "VN"), text
    for text in ("0012345678", "84912345678", "0912 345 678 ext 1", "0912  345678",
                 "٠٩١٢٣٤٥٦٧٨", "0912345678\n"):
        assert _national_fast(text, "VN") is None, text


@pytest.mark.parametrize("text", [
    "+84 91 234 5678", "+84.912.345.678", "+84-912-345-678", "+49 30 12345678",
    "+48 512 345 678", "+1 415 555 2671", "+84 0912 345 678", "+39 06 1234 5678",
    "+7 916 123 4567", "+44 20 7946 0018", "+84 1900 6060", "+8 4912345678",
])
def test_international_numbers_read_from_their_digits_as_parsing_reads_them(text: str) -> None:
    fast = _international_fast(text)
    if fast is not None:
        assert fast == _parse_slow(text, "VN")
    assert parse_phone(text) == _parse_slow(text, "VN")


def test_e164_is_matched_whole() -> None:
    assert e164_number("+84912345678") is not None
    # A trailing newline once passed the check and became part of the canonical value.
    assert e164_phone("+84912345678\n") is None
    assert read_query("+84912345678\n", None).value == "+84912345678"
    assert e164_number("+８４912345678") is None


# --- hosts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", [
    "1.2.3.4", "[::1]", "::1", "fe80::1%eth0", "2001:db8::1", "example.com", "", "1.2.3",
    "01.2.3.4", "１.２.３.４", "1.2.3.4.5", "256.1.1.1", "[1.2.3.4]", "xn--e1afmkfd.xn--p1ai",
    "١.٢.٣.٤", "12345",
])
def test_ip_pre_check_answers_as_ipaddress(host: str) -> None:
    try:
        expected: object = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        expected = None
    assert parse_ip(host) == expected


def test_registrable_domain_is_the_same_from_the_cache() -> None:
    for host in ("a.b.evil.com.vn", "github.io", "x.github.io", "localhost", "evil.zzzz"):
        first = registrable_domain(host)
        assert registrable_domain(host) == first
    assert registrable_domain("a.b.evil.com.vn") == "evil.com.vn"
    assert registrable_domain("x.github.io") == "x.github.io"
    assert registrable_domain("localhost") is None
