"""Shortcuts of bulk lookups answer exactly as what they replace (no timing: see bench/).

The phone display's formats tried in one expression, the social hosts' ending pre-check, the
host of a canonical link read without urlsplit, and the default region read from the settings'
own store.
"""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import phonenumbers
import pytest
from django.test import override_settings

from fraudhub.indicators.lookup import _plain_host
from fraudhub.indicators.types.phone import default_region
from fraudhub.indicators.types.phone_rules import _country, format_international_digits
from fraudhub.indicators.types.social_account import _HOSTS, social_host


def _formats_one_by_one(country_code: int, national: str) -> str | None:
    """format_international_digits as it was: each format in turn."""
    country = _country(country_code)
    if country is None:
        return None
    for candidate in country.formats:
        if candidate.leading is not None and not candidate.leading.match(national):
            continue
        match = candidate.pattern.fullmatch(national)
        if match is not None:
            return country.prefix + candidate.template.format(*match.groups(""))
    return country.prefix + national


def test_every_country_formats_in_one_expression() -> None:
    countries = [code for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
                 if _country(code) is not None and _country(code).formats]  # type: ignore[union-attr]
    assert len(countries) > 150
    assert [code for code in countries
            if _country(code).formats_at_once is None] == []  # type: ignore[union-attr]


def test_formats_in_one_expression_as_one_by_one() -> None:
    rng = random.Random(11)
    compared = 0
    for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]:
            for kind in (phonenumbers.PhoneNumberType.MOBILE,
                         phonenumbers.PhoneNumberType.FIXED_LINE,
                         phonenumbers.PhoneNumberType.TOLL_FREE):
                example = phonenumbers.example_number_for_type(region, kind)
                if example is None:
                    continue
                national = str(example.national_number)
                variants = {national, national[:-1], national + "5", national[:-2],
                            national[:1] + "".join(rng.choice("0123456789")
                                                   for _ in national[1:])}
                for digits in variants:
                    if digits and digits[0] != "0":
                        assert format_international_digits(code, digits) == \
                            _formats_one_by_one(code, digits), (code, digits)
                        compared += 1
    assert compared > 1000


@pytest.mark.parametrize("host", [
    "facebook.com", "www.facebook.com", "m.facebook.com.", "FB.COM", "abc.t.me", "t.me",
    "netflix.com", "x.com", "nox.com", "example.com", "facebook.com.vn", "vi-vn.facebook.com",
    "instagr.am", "notfacebook.com", "a.b.c.youtube.com", "", ".", "t.me.evil.top",
])
def test_social_host_ending_pre_check(host: str) -> None:
    def without_pre_check(host: str) -> str | None:
        import re
        subdomain = re.compile(
            r"^(?:www|m|mbasic|web|touch|mobile|business|[a-z]{2}-[a-z]{2})\.")
        host = host.lower().rstrip(".")
        while True:
            if host in _HOSTS:
                return _HOSTS[host]
            if host.endswith(".t.me"):
                return "telegram"
            stripped = subdomain.sub("", host, count=1)
            if stripped == host:
                return None
            host = stripped

    assert social_host(host) == without_pre_check(host)


@pytest.mark.parametrize(("canonical", "read"), [
    ("https://example.com/", True), ("http://example.com:8080/a?b=c", True),
    ("https://xn--bcher-kva.de/x", True), ("https://1.2.3.4/x", True),
    ("https://a_b.example.com/?q=@:/", True), ("https://user@example.com/", False),
    ("https://user:pw@example.com:444/", False), ("https://[2001:db8::1]/", False),
    ("https://EXAMPLE.com/", False), ("https://example.com?x", False),
    ("ftp://example.com/", False),
])
def test_plain_host_is_urlsplit_hostname(canonical: str, read: bool) -> None:
    host = _plain_host(canonical)
    assert (host is not None) == read  # None: the caller splits the link
    if host is not None:
        assert host == urlsplit(canonical).hostname


def test_default_region_follows_overridden_and_patched_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    assert default_region() == settings.FRAUDHUB_DEFAULT_REGION.upper()
    with override_settings(FRAUDHUB_DEFAULT_REGION="de"):
        assert default_region() == "DE"
    assert default_region() == settings.FRAUDHUB_DEFAULT_REGION.upper()
    monkeypatch.setattr(settings, "FRAUDHUB_DEFAULT_REGION", "pl", raising=False)
    assert default_region() == "PL"
    monkeypatch.setattr(settings, "FRAUDHUB_DEFAULT_REGION", "", raising=False)
    assert default_region() == "VN"
