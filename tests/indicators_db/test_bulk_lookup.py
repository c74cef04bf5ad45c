"""POST /api/v1/lookup: order, size limit, partial failure, quota, who may call it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fraudhub.core.actors import Actor
from fraudhub.core.roles import Role
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.indicators.selectors import LookupItem, indicator_lookup_many
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db

Client = Callable[..., ApiClient]
BULK_FIELDS = {"input", "valid", "error", "type", "value", "display", "status", "confidence",
               "reporters", "fraud_types", "first_seen", "last_seen"}


@pytest.fixture
def partner(api_client_for: Client) -> ApiClient:
    return api_client_for(Role.PARTNER)


def bulk(client: ApiClient, items: list[dict[str, Any]]) -> Any:
    return client.post("/api/v1/lookup", {"items": items})


def test_results_come_back_one_per_item_in_order(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=4)
    make_indicator("https://qua-tang.vn/nhan", status=IndicatorStatus.SUSPICIOUS)
    items = [
        {"value": "https://unknown.example.org/"},
        {"value": "0912 345 678", "type": "phone"},
        {"value": "hxxps://qua-tang[.]vn/nhan"},
        {"value": "0912 345 678"},
    ]

    response = bulk(partner, items)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["input"] for r in results] == [i["value"] for i in items]
    assert [r["status"] for r in results] == ["no_data", "scam", "suspicious", "scam"]
    assert all(set(r) == BULK_FIELDS for r in results)
    assert results[1]["value"] == "+84912345678"
    assert results[1]["reporters"] == 4
    assert results[1]["valid"] is True and results[1]["error"] is None
    assert results[0]["first_seen"] is None


def test_invalid_items_are_marked_without_failing_the_rest(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    items = [
        {"value": "0912345678"},
        {"value": "not an indicator at all"},
        {"value": "0912345678", "type": "fax"},
        {"value": "https://example.com/", "type": "phone"},
        {"value": ""},
        {"value": "x" * 3000},
        {"value": "0912345678", "type": "phone"},
    ]

    results = bulk(partner, items).json()["results"]

    assert [r["valid"] for r in results] == [True, False, False, False, False, False, True]
    assert [r["status"] for r in results] == ["scam", None, None, None, None, None, "scam"]
    invalid = results[1]
    assert invalid["input"] == "not an indicator at all"
    assert invalid["error"]
    assert invalid["type"] is None and invalid["value"] is None
    assert "phone" in results[2]["error"]  # the known types are listed
    assert results[3]["error"] == "not a valid phone number"


def test_digits_alone_in_bulk_answer_once_with_the_worst_bank(partner: ApiClient) -> None:
    make_indicator("970436:0071000123456", status=IndicatorStatus.SUSPICIOUS, reporters=2,
                   fraud_types=["romance_scam"])
    make_indicator("970418:0071000123456", status=IndicatorStatus.SCAM, reporters=3,
                   fraud_types=["investment_stock_crypto"])

    [result] = bulk(partner, [{"value": "0071000123456", "type": "bank_account"}]).json()[
        "results"]

    assert result["value"] == "*:0071000123456"
    assert result["status"] == "scam"
    assert result["reporters"] == 5
    assert result["fraud_types"] == ["investment_stock_crypto", "romance_scam"]


def test_a_thousand_items_are_answered(partner: ApiClient) -> None:
    for n in range(0, 1000, 100):
        make_indicator(f"+849120{n:05d}", status=IndicatorStatus.SCAM)
    items = [{"value": f"09120{n:05d}", "type": "phone"} for n in range(1000)]

    response = bulk(partner, items)

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1000
    assert [i for i, r in enumerate(results) if r["status"] == "scam"] == list(
        range(0, 1000, 100))


def test_more_than_a_thousand_items_is_422(partner: ApiClient) -> None:
    items = [{"value": f"09120{n:05d}"} for n in range(1001)]

    response = bulk(partner, items)

    assert response.status_code == 422
    assert "items" in response.json()["errors"]


@pytest.mark.parametrize("body", [{}, {"items": "0912345678"}, {"items": [{"type": "phone"}]},
                                  {"items": [{"value": 912345678}]}, []])
def test_a_malformed_request_is_422(partner: ApiClient, body: Any) -> None:
    assert partner.post("/api/v1/lookup", body).status_code == 422


def test_an_empty_list_is_an_empty_answer(partner: ApiClient) -> None:
    assert bulk(partner, []).json() == {"results": []}


def test_bulk_reads_each_type_once_not_each_item() -> None:
    for n in range(50):
        make_indicator(f"+84912{n:06d}", status=IndicatorStatus.SCAM)
        make_indicator(f"970436:00710{n:08d}", status=IndicatorStatus.SCAM)
    items = [LookupItem(f"+84912{n:06d}", "phone") for n in range(300)]
    items += [LookupItem(f"00710{n:08d}", "bank_account") for n in range(300)]
    items += [LookupItem(f"970436:00710{n:08d}", "bank_account") for n in range(300)]

    with CaptureQueriesContext(connection) as queries:
        results = indicator_lookup_many(items=items, actor=Actor.system("t"))

    # One SELECT per type: phones; bank accounts by value and by digits together. (SQLite gets
    # them as one statement, PostgreSQL one by one.)
    selects = [q["sql"] for q in queries.captured_queries for _ in range(q["sql"].count("SELECT"))]
    assert len(selects) == 2
    assert sum(r.status == "scam" for r in results) == 150


def test_answers_carry_the_rows_values_and_aware_dates() -> None:
    made = make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=5,
                          fraud_types=["romance_scam", "fake_police_court"])

    [result] = indicator_lookup_many(items=[("+84912345678", "phone")], actor=Actor.system("t"))

    assert (result.type, result.value, result.status, result.confidence, result.reporters) == (
        "phone", "+84912345678", "scam", made.confidence, 5)
    assert result.fraud_types == ["romance_scam", "fake_police_court"]
    assert result.first_seen == made.first_seen and result.first_seen.tzinfo is not None
    assert result.last_seen == made.last_seen


def test_a_repeated_value_is_read_once_and_answered_each_time(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    results = bulk(partner, [{"value": "0912345678"}] * 3 + [{"value": "x"}] * 2).json()[
        "results"]
    assert [r["status"] for r in results] == ["scam", "scam", "scam", None, None]


# --- who may call, and the quota -----------------------------------------------------------


def test_anonymous_callers_get_401(anon_api: ApiClient) -> None:
    response = bulk(anon_api, [{"value": "0912345678"}])
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_citizen_key_gets_403(api_client_for: Client) -> None:
    response = bulk(api_client_for(Role.CITIZEN), [{"value": "0912345678"}])
    assert response.status_code == 403
    assert "partner:indicator:bulk_lookup" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REVIEWER, Role.SENIOR_REVIEWER,
                                  Role.AGENCY_OFFICER, Role.ADMIN])
def test_partners_and_staff_may_call_it(api_client_for: Client, role: str) -> None:
    assert bulk(api_client_for(role), [{"value": "0912345678"}]).status_code == 200


@pytest.mark.usefixtures("fresh_quota_minute")
def test_each_key_has_its_own_quota(api_client_for: Client, settings: Any) -> None:
    settings.FRAUDHUB_API_KEY_QUOTA_PER_MINUTE = 3
    first, second = api_client_for(Role.PARTNER), api_client_for(Role.PARTNER)
    items = [{"value": "0912345678"}] * 10  # a call counts once, whatever its size

    answers = [bulk(first, items).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = bulk(first, items)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "quota of 3 calls a minute" in refused.json()["detail"]
    # Scans and single lookups by the same key draw on the same quota.
    assert first.post("/api/v1/scan", {"text": "hi"}).status_code == 429
    assert first.get("/api/v1/lookup", value="0912345678").status_code == 429
    assert bulk(second, items).status_code == 200


def test_invalid_items_are_explained_in_the_callers_language(partner: ApiClient) -> None:
    items = [{"value": "https://example.com/", "type": "phone"},
             {"value": "ftp://example.com/x", "type": "url"}]

    english = partner.post("/api/v1/lookup", {"items": items},
                           headers={"Accept-Language": "en"}).json()
    vietnamese = partner.post("/api/v1/lookup", {"items": items},
                              headers={"Accept-Language": "vi"}).json()

    assert [r["error"] for r in english["results"]] == [
        "not a valid phone number", "only http and https addresses are accepted"]
    assert [r["error"] for r in vietnamese["results"]] == [
        "không phải số điện thoại hợp lệ", "chỉ nhận địa chỉ http và https"]
