"""More shortcuts of type guessing and phone reading, each pinned against its plain form.

Like test_fast_paths.py: every shortcut is compared with the computation it stands in for, on
tricky inputs and on generated ones, so that changing one without the other fails here.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest

from fraudhub.indicators.types import REGISTRY, InvalidIndicator, canonicalize, phone_rules
from fraudhub.indicators.types import base as base_module
from fraudhub.indicators.types import email as email_module
from fraudhub.indicators.types import phone as phone_module
from fraudhub.indicators.types.bank_account import BankAccountType
from fraudhub.indicators.types.base import fold, refang
from fraudhub.indicators.types.phone import parse_phone
from fraudhub.indicators.types.registry import _candidates, _guess_may_raise, unwrapped

from .extraction_corpus import CORPUS
from .test_fast_paths import (
    _candidates_slow,
    _outcome,
    _parse_slow,
    example_nationals,
    random_national,
)

# --- lazy candidates -----------------------------------------------------------------------


def _canonicalize_plain(raw: str) -> tuple[str, str]:
    """canonicalize as it was: every shape check first, then each candidate in turn."""
    raw = unwrapped(raw)
    first_error: InvalidIndicator | None = None
    for key in _candidates(raw):
        try:
            return key, REGISTRY[key].normalize(raw)
        except InvalidIndicator as exc:
            first_error = first_error or exc
    raise first_error or InvalidIndicator("not a recognised phone, account, link, e-mail or wallet")


def _guess(guess: object, raw: str) -> tuple[str, str] | str:
    assert callable(guess)
    try:
        result = guess(raw)
    except InvalidIndicator as exc:
        return f"raised: {exc}"
    assert isinstance(result, tuple)
    return result


_GUESS_CASES = [
    "0912345678", "0912.345.678", "84912345678", "+84 91 234 5678", "STK 0071000123456 VCB",
    "https://evil.com/x", "www.facebook.com/abc.def", "t.me/abcdef", "a@b.com", "mailto:a@b.com",
    "evil.com", "EVIL.COM", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "DE89 3704 0044 0532 0130 00",
    "iban:DE89370400440532013000", "telegram @abcdef", "0912345678/1", "1.2.3.4",
    # the domain check raises on these (a bracket or NFKC trick in a netloc), although the bank
    # or phone check comes first and accepts the digits: guessing must raise all the same
    "http://[0912345678", "//[0912345678", "http://0912345678]", "http://a\u2100b/0912345678",
    "http://[::1]/0912345678", "hxxp://[0912345678", "0912345678 http://[", "x://[0912345678",
]


@pytest.mark.parametrize("raw", _GUESS_CASES)
def test_guessing_stops_at_the_first_type_as_the_full_guess(raw: str) -> None:
    assert _guess(canonicalize, raw) == _guess(_canonicalize_plain, raw)


def test_guessing_on_corpus_and_generated_values() -> None:
    rng = random.Random(41)
    pieces = ["0912345678", "http://", "//", "[", "]", "\u2100", "@", "evil.com", "/", " ", ".",
              "STK", "VCB", "t.me/", "abc", ":", "+84", "\uff0f",
              "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]
    texts = [s.text for s in CORPUS] + [t for s in CORPUS for t in s.text.split()]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 6))) for _ in range(5000)]
    for raw in texts:
        assert _guess(canonicalize, raw) == _guess(_canonicalize_plain, raw), raw


def test_pre_check_of_raising_is_never_wrong() -> None:
    """Where the pre-check says a shape check cannot raise, the domain check does not."""
    rng = random.Random(43)
    alphabet = "0123456789/:[]()@.abx* \u2100\uff0f\u00e9h"
    domain = REGISTRY["domain"]
    for _ in range(20_000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16)))
        if not _guess_may_raise(raw):
            domain.looks_like(raw)  # must not raise


# --- a phone number's types in one pattern -------------------------------------------------


def test_any_type_pattern_is_any_type_matching() -> None:
    """_Country.any_type answers as trying each type's pattern in turn, for every calling code
    and every length (test_phone_rules.py compares is_valid itself with phonenumbers)."""
    rng = random.Random(47)
    checked = 0
    for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        country = phone_rules._country(code)
        if country is None:
            continue
        seeds = [str(n.national_number) for region in
                 phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]
                 for t in range(12)
                 if (n := phonenumbers.example_number_for_type(region, t)) is not None]
        for length in range(1, 18):
            for _ in range(6):
                national = rng.choice(seeds)[:length] if seeds and rng.random() < 0.7 else ""
                national += "".join(rng.choice("0123456789")
                                    for _ in range(length - len(national)))
                expected = any(desc.matches(national) for desc in country.types)
                assert country.any_type(national) == expected, (code, national)
                checked += expected
    assert checked > 300  # valid numbers were among them, not only misses


# --- digits led by the country code ---------------------------------------------------------


_REGIONS = ["VN", "DE", "FR", "IN", "ID", "PH", "TH", "MY", "GB", "US", "CA", "RU", "KZ", "IT",
            "AU", "CN", "JP", "BR", "PL", "SG", "AR", "MX"]


@pytest.mark.parametrize("region", _REGIONS)
def test_country_code_digits_read_as_parsing_reads_them(region: str) -> None:
    rng = random.Random(region + "cc")
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    code = str(metadata.country_code)
    seeds = example_nationals(region)
    used = 0
    for _ in range(3000):
        national = random_national(rng, seeds, seeded=0.6, most_extra=7)
        digits = rng.choice([code, code, code + "0", code + code, "0" + code, ""]) + national
        grouped = "".join(c + (rng.choice(" .-") if rng.random() < 0.2 else "")
                          for c in digits).rstrip(" .-")
        for text in (digits, grouped):
            fast = phone_module._country_code_fast(text, region)
            if fast is not None:
                used += 1
                assert fast == _parse_slow(text, region), (region, text)
            assert parse_phone(text, region) == _parse_slow(text, region), (region, text)
    if region == "VN":
        assert used > 100  # the shortcut is really taken for Vietnamese numbers


@pytest.mark.parametrize("text", [
    "84912345678", "84 912 345 678", "84.912.345.678", "849123456789", "8491234567",
    "840912345678", "8484912345678", "84", "848", "8400", "84 0 912 345 678", "84123",
    "84-28-3823-4567", "842838234567", "8419006060", "84 91 234 567 8", "٨٤912345678",
])
def test_vietnamese_country_code_spellings(text: str) -> None:
    # The shortcut either leaves the text to parsing (None) or reads it as parsing does.
    assert phone_module._country_code_fast(text, "VN") in (None, _parse_slow(text, "VN")), text
    assert parse_phone(text, "VN") == _parse_slow(text, "VN"), text


def test_e164_text_is_the_library_format() -> None:
    numbers = [phonenumbers.parse(text, "VN", keep_raw_input=keep) for keep in (False, True)
               for text in ("0912345678", "+39 06 1234 5678", "+39 0000 1234",
                            "+84 912 345 678 x12", "+1 415 555 2671", "+7 916 123 4567",
                            "+800 1234 5678", "1900 6060")]
    numbers += [phonenumbers.PhoneNumber(country_code=84, national_number=0),
                phonenumbers.PhoneNumber(country_code=39, national_number=612345678,
                                         italian_leading_zero=True, number_of_leading_zeros=2)]
    for number in numbers:
        assert phone_rules.format_e164(number) == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164), number


# --- small pre-checks ----------------------------------------------------------------------


def test_fold_of_ascii_text_is_the_table_fold() -> None:
    texts = [s.text for s in CORPUS] + ["STK 0071 VCB", "ABC xyz", "", "Đông Á", "ÀÉÎ", "İı"]
    for text in texts + [t.encode("ascii", "ignore").decode() for t in texts]:
        assert fold(text) == text.translate(base_module._FOLD_TABLE).lower(), text


@pytest.mark.parametrize("raw", [
    "a@b.com", " a@b.com ", "a[at]b.com", "a(@)b[.]com", "a@b[.]com", "mailto:x", "a@b", "@b.com",
    "a b@c.com", "a[at]b", "x[dot]y@z.com", "hxxp://a@b.com", "a@b.c\n", "STK 0071000123456 VCB",
])
def test_email_shape_check_refangs_as_before(raw: str) -> None:
    text = raw.strip()
    plain = text.lower().startswith("mailto:") or bool(
        email_module._SHAPE.match(text) or email_module._SHAPE.match(refang(text)))
    assert REGISTRY["email"].looks_like(raw) == plain


def test_account_check_is_the_bank_check_without_iban() -> None:
    bank = REGISTRY["bank_account"]
    assert isinstance(bank, BankAccountType)
    for raw in _GUESS_CASES + [s.text for s in CORPUS] + ["970436:0071000123456", "*:123456"]:
        assert bank.looks_like(raw) == (bank.looks_like_iban(raw)
                                        or bank.looks_like_account(raw)), raw


def test_candidates_of_text_with_whitespace_are_the_full_checks() -> None:
    """The whitespace shortcut of _iter_candidates: link, wallet and e-mail checks skipped."""
    rng = random.Random(53)
    pieces = [" ", "\t", "\u00a0", "\n", "mailto:", "MAILTO:", "btc:", "eth :", ":", "a@b.com",
              "https://x.com/", "www.x.vn", "x.com/a", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
              "0x" + "ab12" * 10, "STK", "0912345678", "[.]", "hxxp://", "@", "abc", "telegram"]
    texts = [t for s in CORPUS for t in (s.text, *s.text.split(" ", 2))]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 6))) for _ in range(8000)]
    for raw in texts:
        assert _outcome(_candidates, raw) == _outcome(_candidates_slow, raw), raw
