"""Every example in DESIGN.md's "Indicators: canonical forms" table."""

from __future__ import annotations

import pytest

from fraudhub.indicators.types import canonicalize, normalize


@pytest.mark.parametrize(
    ("type_key", "raw", "canonical"),
    [
        ("phone", "0912 345 678", "+84912345678"),
        ("bank_account", "STK 0071000123456 Vietcombank", "970436:0071000123456"),
        ("url", "hxxps://Ex[.]com", "https://ex.com/"),
        ("domain", "http://a.b.evil.com.vn/x", "evil.com.vn"),
        ("email", "Someone@Example.COM", "someone@example.com"),
        ("social_account", "facebook.com/profile.php?id=1000123", "facebook:1000123"),
        ("social_account", "t.me/Abc", "telegram:abc"),
        (
            "crypto_wallet",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "eth:0x52908400098527886e0f7030069857d2e4169ee7",
        ),
    ],
)
def test_design_table(type_key: str, raw: str, canonical: str) -> None:
    assert normalize(type_key, raw) == canonical
    # Canonical values are fixed points: normalizing them again changes nothing.
    assert normalize(type_key, canonical) == canonical


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", ("phone", "+84912345678")),
        ("STK 0071000123456 Vietcombank", ("bank_account", "970436:0071000123456")),
        ("hxxps://Ex[.]com", ("url", "https://ex.com/")),
        ("a.b.evil.com.vn", ("domain", "evil.com.vn")),
        ("Someone@Example.COM", ("email", "someone@example.com")),
        ("facebook.com/profile.php?id=1000123", ("social_account", "facebook:1000123")),
        ("t.me/Abc", ("social_account", "telegram:abc")),
        (
            "0x52908400098527886E0F7030069857D2E4169EE7",
            ("crypto_wallet", "eth:0x52908400098527886e0f7030069857d2e4169ee7"),
        ),
    ],
)
def test_design_table_untyped(raw: str, expected: tuple[str, str]) -> None:
    assert canonicalize(raw) == expected
