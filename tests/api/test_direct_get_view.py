"""GET /api/v1/lookup is answered by a plain Django view (core.http.direct_get_view) in front of
ninja: its answers, errors and the other methods of the route must be exactly ninja's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, resolve

from fraudhub.api import api
from fraudhub.core.http import direct_get_view
from fraudhub.core.roles import Role
from fraudhub.indicators.models import IndicatorStatus
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db


def ninja_lookup_view() -> Callable[..., HttpResponse]:
    """ninja's own view of GET /api/v1/lookup, as served before the direct view."""
    [view] = [p.callback for p in api.urls[0]
              if isinstance(p, URLPattern) and p.name == "lookup"]
    return cast(Callable[..., HttpResponse], view)


def test_the_route_is_served_by_the_direct_view() -> None:
    match = resolve("/api/v1/lookup")

    assert match.func is not ninja_lookup_view()
    assert match.func.__qualname__.startswith("direct_get_view")


@pytest.mark.parametrize("query", [
    {"value": "0912 345 678"},
    {"value": "0071000123456"},
    {"value": "hxxps://evil[.]top/login", "type": "url"},
    {"value": "never-reported.example"},
    {"value": "0912 345 678", "type": "wallet-of-sorts"},  # 422 on the type
    {"value": ""},  # 422 on the value
    {"type": "phone"},  # value missing: 422
])
def test_answers_are_ninjas_answers(query: dict[str, str]) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=4)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SUSPICIOUS)
    factory = RequestFactory(REMOTE_ADDR="198.51.100.9")

    direct = resolve("/api/v1/lookup").func(factory.get("/api/v1/lookup", query))
    through_ninja = ninja_lookup_view()(factory.get("/api/v1/lookup", query))

    assert (direct.status_code, direct.content) == (
        through_ninja.status_code, through_ninja.content)
    assert direct["Content-Type"] == through_ninja["Content-Type"]
    assert direct["Content-Type"].startswith("application/json")


def test_a_bad_key_is_refused_as_ninja_refuses_it(anon_api: ApiClient) -> None:
    response = anon_api.get("/api/v1/lookup", headers={"Authorization": "Bearer nope"},
                            value="0912345678")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.usefixtures("fresh_quota_minute")
def test_a_key_counts_against_its_quota(api_client_for: Callable[..., ApiClient],
                                         settings: Any) -> None:
    settings.FRAUDHUB_API_KEY_QUOTA_PER_MINUTE = 2
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 0
    partner = api_client_for(Role.PARTNER)

    responses = [partner.get("/api/v1/lookup", value="0912345678") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert 1 <= int(responses[2]["Retry-After"]) <= 60


def test_other_methods_go_to_ninja(api_client_for: Callable[..., ApiClient]) -> None:
    partner = api_client_for(Role.PARTNER)

    bulk = partner.post("/api/v1/lookup", {"items": [{"value": "0912 345 678"}]})
    delete = partner.client.delete("/api/v1/lookup")

    assert bulk.status_code == 200
    assert [r["value"] for r in bulk.json()["results"]] == ["+84912345678"]
    assert delete.status_code == 405


def test_an_unexpected_error_is_not_swallowed() -> None:
    def broken(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("a bug")

    view = direct_get_view(api, broken, route="lookup")

    with pytest.raises(RuntimeError, match="a bug"):
        view(RequestFactory().get("/api/v1/lookup", {"value": "x"}))


def test_openapi_still_documents_the_lookup(anon_api: ApiClient) -> None:
    operation = anon_api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/lookup"]["get"]

    assert [p["name"] for p in operation["parameters"]] == ["value", "type"]
    assert operation["x-permission"] == "public:indicator:lookup"
