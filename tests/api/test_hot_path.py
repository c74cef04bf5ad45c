"""GET /api/v1/lookup answered before the middleware chain (fraudhub.core.hot_path): every
answer must be the one the whole chain gives, headers included, and every request the four
middleware's hooks do not fully stand for must go down the chain."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import Client

from fraudhub.core.hot_path import REVIEWED_MIDDLEWARE, HotPathMiddleware
from fraudhub.core.roles import Role
from fraudhub.indicators.models import IndicatorStatus
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db

Answer = tuple[int, dict[str, str], list[str], bytes]


@pytest.fixture(autouse=True)
def _listed() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=4)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SUSPICIOUS)


def entering_the_chain() -> Any:
    """A spy on the first middleware of the chain after the hot path (which calls only its
    hooks, never the middleware itself)."""
    return mock.patch.object(SecurityMiddleware, "__call__", autospec=True,
                             side_effect=SecurityMiddleware.__call__)


class Through:
    """Sends one request with the hot path on or off; says whether it went down the chain."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.requests = 0

    def __call__(self, hot: bool, *, method: str = "get", data: Any = None,
                 secure: bool = False, **headers: str) -> tuple[Answer, bool]:
        self.settings.FRAUDHUB_HOT_PATH = hot
        self.requests += 1
        # A new address each time: the two runs of a case must not share a rate-limit counter.
        client = Client(REMOTE_ADDR=f"198.51.100.{self.requests}",
                        raise_request_exception=False)
        with entering_the_chain() as chain:
            response = getattr(client, method)("/api/v1/lookup", data, secure=secure,
                                               headers=headers)
        answer = (response.status_code, dict(response.headers), sorted(response.cookies),
                  response.content)
        return answer, chain.call_count > 0


@pytest.fixture
def through(settings: Any) -> Through:
    return Through(settings)


HOT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("a listed number", {"data": {"value": "0912 345 678"}}),
    ("in Vietnamese", {"data": {"value": "0912 345 678"}, "Accept-Language": "vi"}),
    ("language by cookie", {"data": {"value": "0912345678"}, "Cookie": "django_language=vi"}),
    ("an account at any bank", {"data": {"value": "0071000123456"}}),
    ("a defanged link", {"data": {"value": "hxxps://evil[.]top/login", "type": "url"}}),
    ("nothing known", {"data": {"value": "never-reported.example"}}),
    ("an empty value", {"data": {"value": ""}}),
    ("no value", {"data": {"type": "phone"}}),
    ("an unknown type", {"data": {"value": "0912345678", "type": "wallet-of-sorts"}}),
    ("a NUL", {"data": {"value": "09\x0012"}}),
    ("a bad key", {"data": {"value": "0912345678"}, "Authorization": "Bearer nope"}),
    ("not a bearer key", {"data": {"value": "0912345678"}, "Authorization": "Basic eDp5"}),
]


@pytest.mark.parametrize(("case", "request_"), HOT_CASES, ids=[c for c, _ in HOT_CASES])
def test_answered_before_the_chain_as_the_chain_answers(through: Through, case: str,
                                                        request_: dict[str, Any]) -> None:
    hot, hot_went_down = through(True, **request_)
    chained, chain_went_down = through(False, **request_)

    assert hot == chained
    assert (hot_went_down, chain_went_down) == (False, True)


def test_a_listed_number_with_every_header_of_the_chain(through: Through) -> None:
    in_vietnamese: dict[str, Any] = {"data": {"value": "0912 345 678"}, "Accept-Language": "vi"}
    (status, headers, _cookies, body), went_down = through(True, **in_vietnamese)

    assert (status, went_down) == (200, False)
    assert b'"status":"scam"' in body
    assert headers["Content-Language"] == "vi"
    assert "Accept-Language" in headers["Vary"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Content-Length"] == str(len(body))


def test_an_api_key_lookup_is_answered_as_the_chain_answers(
        through: Through, api_client_for: Callable[..., ApiClient]) -> None:
    key = api_client_for(Role.PARTNER).key

    hot, hot_went_down = through(True, data={"value": "0912345678"},
                                 Authorization=f"Bearer {key}")
    chained, _ = through(False, data={"value": "0912345678"}, Authorization=f"Bearer {key}")

    assert hot == chained
    assert (hot[0], hot_went_down) == (200, False)


def test_the_rate_limit_is_answered_as_the_chain_answers(settings: Any) -> None:
    settings.FRAUDHUB_LOOKUP_RATE_LIMIT = 2
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 0
    answers = {}
    for hot, address in ((True, "203.0.113.1"), (False, "203.0.113.2")):
        settings.FRAUDHUB_HOT_PATH = hot
        client = Client(REMOTE_ADDR=address)
        answers[hot] = [client.get("/api/v1/lookup", {"value": "0912345678"})
                        for _ in range(3)]

    assert [r.status_code for r in answers[True]] == [200, 200, 429]
    assert [(r.status_code, r.content) for r in answers[True]] == [
        (r.status_code, r.content) for r in answers[False]]
    limited_hot, limited_chained = answers[True][2], answers[False][2]
    assert 1 <= int(limited_hot["Retry-After"]) <= 60
    assert set(limited_hot.headers) == set(limited_chained.headers)


def test_https_headers_are_the_chains(through: Through, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    hot, hot_went_down = through(True, data={"value": "0912345678"}, secure=True)
    chained, _ = through(False, data={"value": "0912345678"}, secure=True)

    assert hot == chained
    assert hot_went_down is False
    assert hot[1]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


CHAIN_CASES: list[tuple[str, dict[str, Any], int]] = [
    ("plain HTTP where HTTPS is required", {"data": {"value": "0912345678"}}, 301),
    ("a host not allowed", {"data": {"value": "0912345678"}, "Host": "evil.example"}, 400),
    ("a refused user agent", {"data": {"value": "0912345678"}, "User-Agent": "BadBot/1"}, 403),
    ("a malformed CSRF cookie", {"data": {"value": "0912345678"}, "Cookie": "csrftoken=x"},
     200),
    ("HEAD", {"method": "head", "data": {"value": "0912345678"}}, 405),
    ("a body", {"data": {"value": "0912345678"}, "Content-Type": "text/plain"}, 200),
]


@pytest.mark.parametrize(("case", "request_", "status"), CHAIN_CASES,
                         ids=[c for c, _, _ in CHAIN_CASES])
def test_what_the_hooks_do_not_stand_for_goes_down_the_chain(
        through: Through, settings: Any, case: str, request_: dict[str, Any],
        status: int) -> None:
    if case.startswith("plain HTTP"):
        settings.SECURE_SSL_REDIRECT = True
    settings.DISALLOWED_USER_AGENTS = [re.compile(r"^BadBot")]

    hot, hot_went_down = through(True, **request_)
    chained, _ = through(False, **request_)

    assert hot[0] == status
    assert hot_went_down is True
    assert hot[:3] == chained[:3]


def test_a_renewed_csrf_cookie_is_set_as_the_chain_sets_it(through: Through) -> None:
    (_status, _headers, cookies, _body), _ = through(
        True, data={"value": "0912345678"}, Cookie="csrftoken=x")

    assert cookies == ["csrftoken"]


def test_an_unexpected_error_is_a_500_with_the_chains_headers(through: Through) -> None:
    with mock.patch("fraudhub.indicators.api.indicator_check",
                    side_effect=RuntimeError("a bug")):
        hot, hot_went_down = through(True, data={"value": "0912345678"})
        chained, _ = through(False, data={"value": "0912345678"})

    assert hot[0] == 500
    assert hot_went_down is False
    assert hot == chained


def test_other_paths_and_methods_go_down_the_chain(
        api_client_for: Callable[..., ApiClient]) -> None:
    partner = api_client_for(Role.PARTNER)
    with entering_the_chain() as chain:
        bulk = partner.post("/api/v1/lookup", {"items": [{"value": "0912 345 678"}]})
        health = partner.client.get("/healthz")

    assert (bulk.status_code, health.status_code) == (200, 200)
    assert chain.call_count == 2


def test_middleware_is_the_reviewed_list(settings: Any) -> None:
    assert tuple(settings.MIDDLEWARE) == REVIEWED_MIDDLEWARE


def test_another_middleware_list_turns_it_off(settings: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    settings.MIDDLEWARE = [*REVIEWED_MIDDLEWARE,
                           "django.middleware.gzip.GZipMiddleware"]

    def view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("not reached")

    with caplog.at_level(logging.WARNING, logger="fraudhub.core.hot_path"):
        middleware = HotPathMiddleware(view)

    assert middleware.enabled is False
    assert "REVIEWED_MIDDLEWARE" in caplog.text


def test_switched_off_by_the_setting(settings: Any) -> None:
    settings.FRAUDHUB_HOT_PATH = False

    def view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("not reached")

    assert HotPathMiddleware(view).enabled is False
