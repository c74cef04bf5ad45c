from __future__ import annotations

import pytest

from fraudhub.indicators.types import InvalidIndicator, get_type
from fraudhub.indicators.types.phone import default_region

PHONE = get_type("phone")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("(024) 3823 4567", "+842438234567"),
        ("028 3822 1234", "+842838221234"),
        ("0912.345.678", "+84912345678"),
        ("091-234-5678", "+84912345678"),
        ("+84 91 234 5678", "+84912345678"),
        ("(+84) 912 345 678", "+84912345678"),
        ("+84 (0) 912 345 678", "+84912345678"),
        ("tel:+84912345678", "+84912345678"),
        ("1900 6060", "+8419006060"),
        ("+49 30 12345678", "+493012345678"),
        ("+48 512 345 678", "+48512345678"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_valid(raw: str, canonical: str) -> None:
    assert PHONE.normalize(raw) == canonical


@pytest.mark.parametrize(
    "raw", ["", "abc", "12345", "0123456789", "+84 1234", "0071000123456", "+999 123 456 789"]
)
def test_invalid(raw: str) -> None:
    with pytest.raises(InvalidIndicator, match="phone"):
        PHONE.normalize(raw)


def test_display_and_same() -> None:
    assert PHONE.display("+84912345678") == "+84 912 345 678"
    assert PHONE.same("0912 345 678", "+84 91 234 5678")
    assert not PHONE.same("0912 345 678", "0912 345 679")
    assert not PHONE.same("garbage", "garbage")


def test_looks_like() -> None:
    assert PHONE.looks_like("0912 345 678")
    assert PHONE.looks_like("+49 30 12345678")
    assert PHONE.looks_like("1900 6060")
    # A date written without separators is a valid Vietnamese toll-free number to phonenumbers;
    # as untyped input it is no phone.
    assert not PHONE.looks_like("12032024")
    assert not PHONE.looks_like("hello")


def test_default_region_falls_back_without_configured_settings() -> None:
    assert len(default_region()) == 2


def test_default_region_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    monkeypatch.setattr(settings, "FRAUDHUB_DEFAULT_REGION", "de", raising=False)
    assert default_region() == "DE"
    assert PHONE.normalize("030 12345678") == "+493012345678"
