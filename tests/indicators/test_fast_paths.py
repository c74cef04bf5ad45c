"""The shortcuts of type guessing answer exactly as the full computations they stand in for.

Each shortcut (refang's pre-check, the digits-only candidate list, phone numbers built from
their digits, the IP pre-check, the registrable-domain cache, and extraction's rewritten
patterns and link pre-checks) is compared here with the slow path it replaces, on edge cases
and on many generated values. No timing: speed is shown by bench/lookup.py only.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Callable

import phonenumbers
import pytest

from fraudhub.indicators import extract as extract_module
from fraudhub.indicators import extract_numbers
from fraudhub.indicators.lookup import e164_phone, read_query
from fraudhub.indicators.types import REGISTRY, InvalidIndicator
from fraudhub.indicators.types import base as base_module
from fraudhub.indicators.types.bank_account import _alias_pattern, all_banks
from fraudhub.indicators.types.base import fold, fold_words, has_space, is_defanged, refang
from fraudhub.indicators.types.domain import parse_ip, registrable_domain
from fraudhub.indicators.types.phone import (
    _international_fast,
    _national_fast,
    e164_number,
    parse_phone,
)
from fraudhub.indicators.types.registry import _BANK, _DIGITISH, _LINK_SCHEME, _candidates

from .extraction_corpus import CORPUS

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
    digits_only = _DIGITISH.fullmatch(raw.strip()) is not None
    if not digits_only and (_LINK_SCHEME.match(raw.strip()) or url.looks_like(raw)):
        # A link, with its scheme or of a link's shape: a profile, a link or a site.
        return [*(["social_account"] if social.looks_like(raw) else []), "url",
                *(["domain"] if REGISTRY["domain"].looks_like(raw) else [])]
    if digits_only and parse_ip(raw.strip()) is not None:
        return []  # nor is an IPv4 address a phone number or an account
    if url.looks_like(raw):
        if social.looks_like(raw):
            found.append("social_account")
        found.append("url")
    elif social.looks_like(raw):
        found.append("social_account")
    if REGISTRY["crypto_wallet"].looks_like(raw):
        found.append("crypto_wallet")
    if REGISTRY["email"].looks_like(raw):  # an e-mail address or nothing
        return [*found, "email"]
    for key, check in (("bank_account", _BANK.looks_like_iban),
                       ("phone", REGISTRY["phone"].looks_like)):
        if check(raw):
            found.append(key)
    # Digits alone are an account at any bank; text with words must name a bank or an account.
    if "bank_account" not in found and (_BANK.looks_like_account(raw) if digits_only
                                        else _BANK.names_an_account(raw)):
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


def example_nationals(region: str) -> list[str]:
    """The national numbers of the library's example numbers of every type in ``region``."""
    return [str(n.national_number) for t in range(12)
            if (n := phonenumbers.example_number_for_type(region, t)) is not None]


def random_national(rng: random.Random, seeds: list[str], *, seeded: float,
                    most_extra: int) -> str:
    """A cut-off example number (with chance ``seeded``) followed by random digits."""
    national = rng.choice(seeds) if seeds and rng.random() < seeded else ""
    national = national[:rng.randrange(0, len(national) + 1)]
    return national + "".join(rng.choice("0123456789")
                              for _ in range(rng.randrange(0, most_extra)))


@pytest.mark.parametrize("region", ["VN", "DE", "FR", "IN", "ID", "PH", "TH", "MY", "GB", "US"])
def test_national_numbers_read_from_their_digits_as_parsing_reads_them(region: str) -> None:
    rng = random.Random(region)
    seeds = example_nationals(region)
    used = 0
    for _ in range(3000):
        national = random_national(rng, seeds, seeded=0.5, most_extra=9)
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


# --- extraction's patterns -----------------------------------------------------------------
# extract.py and find_banks write their patterns to open with a character (set) and look behind
# it, and prefix-share the bank names, so that the regex engine can skip along in C. Each is
# compared here with the plain form it stands for, written out as it was before.

_PLAIN_NUM = r"\d{1,3}(?:[.,  ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_PLAIN_PHONE_GROUP = r"(?:\(\d{1,4}\)|\d{1,13})"
_PLAIN = {
    "_WALLET": r"(?<![\w])(?:0x[0-9a-fA-F]{40}|(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}"
    r"|[13T][1-9A-HJ-NP-Za-km-z]{24,34})(?![\w])",
    "_IBAN": r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])",
    "_NRB": r"(?<![\w])\d{2}(?: ?\d{4}){6}(?![\w])",
    "_DATE": r"(?<![\d.,/-])(?:(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?:\d{4}|\d{2})"
    r"|\d{4}[./-](?P<m2>\d{1,2})[./-](?P<d2>\d{1,2})|(?P<m3>\d{1,2})/\d{4})(?![\d])",
    "_TIME": r"(?<!\d)\d{1,2}[:h]\d{2}(?::\d{2})?(?!\d)",
    "_MONEY": rf"(?<![\w.,])(?:(?:[$€£¥]|us\$|usd|eur|vnd|pln)\s?(?:{_PLAIN_NUM})"
    rf"|(?:{_PLAIN_NUM})\s?{extract_module._CUR_AFTER})(?![a-z0-9])",
    "_REFERENCE": r"(?<![a-z])(?:ma don hang|ma don|don hang|ma van don|van don|ma giao dich"
    r"|ma gd|ma tra cuu|ma ho so|ma khach hang|ma kh|ma otp|otp|ma xac nhan|ma xac thuc|ma so"
    r"|code|kod|pin|so hop dong|hop dong so|ma hop dong|hop dong|contract(?: no| number)?"
    r"|vertragsnummer|umowa|numer umowy|so hoa don|hoa don|bien lai|so seri|seri|bhxh|bhyt"
    r"|ma nhan vien|order(?: id| number| no)?|tracking(?: number| no)?|invoice(?: number| no)?"
    r"|transaction(?: id)?|ref(?:erence)?(?: no)?|booking(?: code)?|ticket"
    r"|bestellnummer|bestellung|auftragsnummer|rechnungsnummer|rechnung|sendungsnummer"
    r"|kundennummer|vorgangsnummer|numer zamowienia|nr zamowienia|zamowienie|zamowienia"
    r"|numer przesylki|nr przesylki|przesylka|numer faktury|faktura|cccd|cmnd|cmt|can cuoc"
    r"|so dinh danh|ma so thue|mst|ho chieu|passport|personalausweis|ausweisnummer|pesel|nip"
    r"|regon|ma the|so the|card number|kartennummer|numer karty|imei)"
    r"(?![a-z])[\s:#.\-]*(?:(?:la|is|ist|lautet|to|no|nr|so|number|nummer|numer)\b[\s:#.]*)?"
    r"(?P<ref>#?[a-z0-9][a-z0-9\-]{3,}(?: \d{2,})*)",
    "_ACCOUNT_KEYWORD": r"(?<![a-z])(?:so tai khoan|so tk|stk|tai khoan|tk"
    r"|account(?: number| no)?|acct|acc|a/c|konto(?:nummer)?|kontonr|nr konta|numer konta"
    r"|rachunek|rachunku|nr rachunku|iban|chuyen khoan|chuyen tien|ck)(?![a-z])",
    "_OTHER_ROLE": r"(?<![a-z])(?:goi|lien he|hotline|sdt|so dien thoai|dien thoai|dt|zalo"
    r"|call|phone|tel|whatsapp|anruf|anrufen|telefon|rufen|zadzwon|dzwon|sms|nhan tin|mat khau"
    r"|mk|password|pass|passwort|kennwort|haslo)(?![a-z])",
    "_DIGIT_RUN": r"(?<![\w.,+/#@$€£-])\d(?: ?\d){5,29}(?![\w/@#-]|[.,]\d)",
    "_PHONE": rf"(?<![\w+#@$€£¥.,-])(?:\(\+\d{{1,3}}\)\s?|\+\s?)?{_PLAIN_PHONE_GROUP}"
    rf"(?:[ .\-\u00a0]{{1,2}}{_PLAIN_PHONE_GROUP}){{0,7}}(?![\w@#%€$]|[.,]\d)",
}

_PIECES = (
    "ma don hang", "contract", "order", "id", "number", "no", "ref", "reference", "stk", "so tk",
    "tai khoan", "a/c", "konto", "kontonummer", "ck", "goi", "sdt", "dt", "pass", "password", "la",
    "nr", "cmt", "imei", "tel", "zalo", "ticket", "booking code", "#a123", "abc-12", "x",
    "$", "€", "£", "¥", "us$", "usd", "eur", "vnd", "pln", "u", "e", "v", "p", "d", "k", "tr",
    "trieu", "ngan", "ngan hang", "dong", "zl", "m", "btc", "dollars", "ty",
    "(", ")", "+", "(+84)", "+84", "(028)", "0912", "345", "678", "5.000.000", "1,200", "1 200",
    "12.5", "2", "23", "500", "4567", "120.000.000", "750 000", "999,999.50", "30.000,5",
    "1234 5678 9012 3456 7890 1234 5678 90", "00", "12/05/2025", "2025-05-12", "31.12.99",
    "05/2025", "13/13/2024", "0/5/2025", "9:30", "21h15", "12:00:59", "٣", "²",
    "0x" + "ab12" * 10, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "BC1QAR0SRRR7XFKVY5L643",
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9",
    "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "PL61109010140000071219812874",
    "61 1090 1014 0000 0712 1981 2874", "a", "A", "_", "é", "đ", "@",
)
_GLUE = ("", " ", " ", "  ", ".", ",", "-", ":", "#", "\n", "_", "/", "\u00a0", "a", "1", "é")


def _generated(rng: random.Random, count: int) -> list[str]:
    texts = []
    for _ in range(count):
        parts = [rng.choice(_PIECES) + rng.choice(_GLUE) for _ in range(rng.randint(1, 12))]
        texts.append("".join(parts))
    return texts


def _plain_date_claims(text: str) -> list[tuple[tuple[int, int], bool]]:
    claims = []
    for match in re.finditer(_PLAIN["_DATE"], text):
        day = int(match.group("d") or match.group("d2") or 1)
        month = int(match.group("m") or match.group("m2") or match.group("m3"))
        claims.append((match.span(), 1 <= day <= 31 and 1 <= month <= 12))
    return claims


# The patterns of the number passes, in extract_numbers; the others are in extract.
_NUMBER_PATTERNS = {"_ACCOUNT_KEYWORD", "_OTHER_ROLE", "_DIGIT_RUN", "_PHONE"}


def test_extraction_patterns_match_as_their_plain_forms() -> None:
    rng = random.Random(23)
    texts = [s.text for s in CORPUS] + _generated(rng, 4000)
    texts += [fold(text) for text in texts]
    for text in texts:
        for name, plain in _PLAIN.items():
            module = extract_numbers if name in _NUMBER_PATTERNS else extract_module
            pattern: re.Pattern[str] = getattr(module, name)
            group = "ref" if name == "_REFERENCE" else 0
            got = [m.span(group) for m in pattern.finditer(text)]
            assert got == [m.span(group) for m in re.finditer(plain, text)], (name, text)
        claims = [
            (m.span(), extract_module._date_is_plausible(m.group()))
            for m in extract_module._DATE.finditer(text)
        ]
        assert claims == _plain_date_claims(text), text


def test_link_pre_checks_pass_whenever_the_link_patterns_match() -> None:
    rng = random.Random(29)
    texts = [s.text for s in CORPUS] + _generated(rng, 500)
    texts += ["WwW.x.com", "hxxps[:]//x.y", "H**PS://A.B", "a[at]b.com", "A(AT)B.COM", "x(@)y.z"]
    for text in texts:
        if extract_module._URL.search(text):
            assert extract_module._may_hold_url(text), text
        if extract_module._EMAIL.search(text):
            assert extract_module._AT_SIGN.search(text), text


def _plain_alias_pattern() -> re.Pattern[str]:
    names = {
        fold_words(name)
        for bank in all_banks()
        for name in (bank.short_name, bank.code, bank.name, *bank.aliases)
    } - {""}
    ordered = sorted(names, key=len, reverse=True)
    parts = [r"[\s.\-]*".join(map(re.escape, name.split())) for name in ordered]
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])")


def test_bank_names_are_found_as_by_a_plain_alternation() -> None:
    plain = _plain_alias_pattern()
    names = sorted({fold_words(n) for b in all_banks() for n in (b.short_name, *b.aliases)} - {""})
    rng = random.Random(31)
    texts = [fold(s.text) for s in CORPUS]
    for _ in range(5000):
        pieces = []
        for _ in range(rng.randint(1, 6)):
            name = rng.choice(names)
            roll = rng.random()
            if roll < 0.3:
                name = name.replace(" ", rng.choice(["", ".", "-", " . ", "  "]))
            elif roll < 0.5:
                start = rng.randrange(len(name))
                name = name[start : rng.randrange(start, len(name) + 1)]
            elif roll < 0.6:
                name += rng.choice(["bank", " bank", "a", "1"])
            pieces.append(name + rng.choice(_GLUE))
        texts.append("".join(pieces))
    for text in texts:
        assert [m.span() for m in _alias_pattern().finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], text
