from __future__ import annotations

import pytest

from fraudhub.indicators.types import (
    REGISTRY,
    TYPE_KEYS,
    IndicatorType,
    InvalidIndicator,
    UnknownIndicatorType,
    canonicalize,
    get_type,
    guess_type,
    normalize,
)
from fraudhub.indicators.types.registry import unwrapped


def test_registry_holds_every_type() -> None:
    assert set(TYPE_KEYS) == {
        "phone",
        "bank_account",
        "url",
        "domain",
        "email",
        "social_account",
        "crypto_wallet",
    }
    for key, indicator_type in REGISTRY.items():
        assert isinstance(indicator_type, IndicatorType)
        assert indicator_type.key == key
        assert indicator_type.label
    assert get_type("phone") is REGISTRY["phone"]


def test_unknown_type() -> None:
    with pytest.raises(UnknownIndicatorType):
        get_type("fax")
    with pytest.raises(ValueError, match="unknown indicator type"):
        normalize("fax", "123")
    with pytest.raises(UnknownIndicatorType):
        canonicalize("0912345678", "fax")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://evil.com/login", ("url", "https://evil.com/login")),
        ("hxxps://evil[.]com", ("url", "https://evil.com/")),
        ("evil.com/login", ("url", "https://evil.com/login")),
        ("https://m.facebook.com/profile.php?id=1000123", ("social_account", "facebook:1000123")),
        ("facebook.com/login", ("url", "https://facebook.com/login")),
        ("t.me/Abc", ("social_account", "telegram:abc")),
        ("facebook:1000123", ("social_account", "facebook:1000123")),
        ("telegram @abc", ("social_account", "telegram:abc")),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            ("crypto_wallet", "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
        ),
        (
            "eth:0xde709f2102306220921060314715629080e2fb77",
            ("crypto_wallet", "eth:0xde709f2102306220921060314715629080e2fb77"),
        ),
        ("Foo@Evil.com", ("email", "foo@evil.com")),
        ("DE89 3704 0044 0532 0130 00", ("bank_account", "iban:DE89370400440532013000")),
        ("iban:DE89370400440532013000", ("bank_account", "iban:DE89370400440532013000")),
        ("0912 345 678", ("phone", "+84912345678")),
        ("+84912345678", ("phone", "+84912345678")),
        ("0071000123456", ("bank_account", "*:0071000123456")),
        ("970436:0071000123456", ("bank_account", "970436:0071000123456")),
        ("Vietcombank 0071000123456", ("bank_account", "970436:0071000123456")),
        ("evil.com.vn", ("domain", "evil.com.vn")),
        ("www.evil.com", ("url", "https://www.evil.com/")),
    ],
)
def test_canonicalize_guesses_the_type(raw: str, expected: tuple[str, str]) -> None:
    assert canonicalize(raw) == expected
    assert guess_type(raw) == expected[0]
    # The canonical value is recognised as the same type again.
    assert canonicalize(expected[1]) == expected


@pytest.mark.parametrize("raw", ["", "hello world", "12345", "javascript:alert(1)", "foo.notatld"])
def test_canonicalize_rejects(raw: str) -> None:
    with pytest.raises(InvalidIndicator):
        canonicalize(raw)
    assert guess_type(raw) is None



@pytest.mark.parametrize(("raw", "reason"), [
    ("http://192.168.1.1/", "private or local IP"),
    ("http://192.168.100.200/login", "private or local IP"),
    ("hxxp://10[.]10[.]100[.]200/dang-nhap", "private or local IP"),
    ("https://example.notatld/0912345678", "no known public suffix"),
    ("192.168.1.1/admin", "private or local IP"),
    ("www.192.168.1.1", "no known public suffix"),
    ("example.notatld/0912345678", "no known public suffix"),
    ("ftp://1.2.3.4/0071000123456", "only http and https"),
    ("user@192.168.1.1", "no known public suffix"),
])
def test_a_refused_link_or_address_is_not_read_as_the_numbers_in_it(raw: str, reason: str
                                                                    ) -> None:
    # Each was once read as a bank account at any bank (19216811, 0912345678...).
    with pytest.raises(InvalidIndicator, match=reason):
        canonicalize(raw)


@pytest.mark.parametrize("raw", ["sms:0912345678", "SMS:+84912345678", "tel:0912 345 678",
                                 "+84 912 345 678 ext. 12", "0912345678 x12", "0912345678#12"])
def test_a_number_in_an_sms_link_or_with_an_extension_is_the_phone_number(raw: str) -> None:
    # Once read as an account at any bank; the extension is not part of the number's identity.
    assert canonicalize(raw) == ("phone", "+84912345678")


@pytest.mark.parametrize("raw", ["192.168.100.200", "10.100.200.250"])
def test_an_ip_address_is_not_a_phone_number_or_an_account(raw: str) -> None:
    assert guess_type(raw) is None
    # Numbers written with dots are still read.
    assert canonicalize("0912.345.678") == ("phone", "+84912345678")



@pytest.mark.parametrize("raw", ["SĐT: 0912345678", "Hotline: 1900 1234", "Đơn hàng #123456789",
                                 "1.500.000đ", "Phone: +1 (415) 555-2671", "Momo 0912345678"])
def test_one_number_among_words_is_no_account_unless_they_say_so(raw: str) -> None:
    # Each was answered as an account at any bank ("Phone: +1 (415) 555-2671" as *:5552671).
    assert guess_type(raw) != "bank_account"


@pytest.mark.parametrize(("raw", "canonical"), [
    ("Vietcombank 0071000123456", "970436:0071000123456"),
    ("STK: 0071000123456 - VCB - NGUYEN VAN A", "970436:0071000123456"),
    ("số tài khoản 0071000123456", "*:0071000123456"),
    ("Account no. 0071000123456", "*:0071000123456"),
    ("ngân hàng: 0071000123456", "*:0071000123456"),
    ("0071000123456", "*:0071000123456"),
])
def test_a_number_with_a_bank_or_an_account_word_is_an_account(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == ("bank_account", canonical)


def test_typed_canonicalize() -> None:
    assert canonicalize("http://a.b.evil.com.vn/x", "domain") == ("domain", "evil.com.vn")
    assert canonicalize("0912345678", "bank_account") == ("bank_account", "*:0912345678")


@pytest.mark.parametrize(
    ("raw", "type_key", "canonical"),
    [
        ("<https://evil.com/login>", "url", "https://evil.com/login"),  # from an e-mail client
        ('"https://evil.top/x"', "url", "https://evil.top/x"),
        ("“https://evil.top/x”", "url", "https://evil.top/x"),
        (" «evil.top» ", "domain", "evil.top"),
        ("(0912345678)", "phone", "+84912345678"),
        ("'0912 345 678'", "phone", "+84912345678"),
        ('<"https://evil.top/x">', "url", "https://evil.top/x"),
        ("(028) 3823 4567", "phone", "+842838234567"),  # a bracket that opens is no pair
    ],
)
def test_a_value_in_quotes_or_brackets_is_the_value_inside(raw: str, type_key: str,
                                                            canonical: str) -> None:
    assert canonicalize(raw) == (type_key, canonical)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://evil.top/x.", "https://evil.top/x"),  # the end of a sentence
        ("evil.top/dang-nhap,", "https://evil.top/dang-nhap"),
        ("https://evil.top/a)", "https://evil.top/a"),
        ("https://vi.wikipedia.org/wiki/A_(b)", "https://vi.wikipedia.org/wiki/A_(b)"),
    ],
)
def test_a_link_is_read_without_the_punctuation_after_it(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == ("url", canonical)
    assert canonicalize(raw, "url") == ("url", canonical)


def test_a_long_international_number_is_a_phone_not_an_account() -> None:
    # 16 digits: longer than E.164 allows, valid for phonenumbers (a German number).
    assert canonicalize("+4930623476959224") == ("phone", "+4930623476959224")


@pytest.mark.parametrize(("raw", "expected"), [
    ("(028) 3823 4567 (Zalo)", "(028) 3823 4567 (Zalo)"),  # two pairs, not one around it all
    ('"0912" "345678"', '"0912" "345678"'),
    ("[a] https://x.top/[b]", "[a] https://x.top/[b]"),
    ("<https://x.top/a>", "https://x.top/a"),
    ('« "0912345678" »', "0912345678"),
])
def test_only_a_pair_around_the_whole_value_is_taken_off(raw: str, expected: str) -> None:
    assert unwrapped(raw) == expected
