"""POST /api/v1/scan/batch: many messages in one call, each answered as POST /scan answers it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fraudhub.core.roles import Role
from fraudhub.indicators import selectors
from fraudhub.indicators.lookup import SCAN_BATCH_MAX_MESSAGES, SCAN_MAX_CHARS
from fraudhub.indicators.models import Distribution, IndicatorStatus
from fraudhub.indicators.schemas import ScanBatchOut
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db

Client = Callable[..., ApiClient]

MESSAGES = [
    "Chúc mừng bạn trúng thưởng! Gọi ngay 0912 345 678 hoặc chuyển phí 500k vào "
    "STK 0071000123456 Vietcombank trong vòng 24 giờ.",
    "Hi mom, I lost my phone, this is my new number +84 98 765 4321, please send money.",
    "Hẹn gặp lúc 9h sáng mai ở quán cà phê nhé.",
    "Xem tại hxxps://qua-tang[.]vn/nhan hoặc gọi 0912-345-678.",
]


@pytest.fixture
def partner(api_client_for: Client) -> ApiClient:
    return api_client_for(Role.PARTNER)


def batch(client: ApiClient, texts: list[Any]) -> Any:
    return client.post("/api/v1/scan/batch", {"messages": [{"text": t} for t in texts]})


def test_each_message_is_answered_in_order_exactly_as_a_single_scan(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=12)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SUSPICIOUS, reporters=4)
    make_indicator("+84987654321", status=IndicatorStatus.VERIFYING)

    response = batch(partner, MESSAGES)

    assert response.status_code == 200
    results = response.json()["results"]
    singles = [partner.post("/api/v1/scan", {"text": t}).json() for t in MESSAGES]
    assert results == singles
    assert [r["risk"] for r in results][2] == 0
    assert [i["value"] for i in results[3]["indicators"]] == [
        "https://qua-tang.vn/nhan", "+84912345678"]
    assert results[3]["indicators"][1]["status"] == "scam"
    ScanBatchOut.model_validate(response.json())


def test_the_database_is_read_once_for_the_whole_batch(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    texts = [f"Gọi 0912 345 678 hoặc 09{i:08d} ngay" for i in range(200)]

    with CaptureQueriesContext(connection) as queries:
        response = batch(partner, texts)

    assert response.status_code == 200
    reads = [q for q in queries.captured_queries if "indicators_indicator" in q["sql"]]
    # SQLite: one statement for every type; PostgreSQL: one per type (phones only here).
    assert len(reads) == 1
    assert all(r["indicators"][0]["status"] == "scam" for r in response.json()["results"])


def test_a_large_batch_is_read_in_bounded_statements(
        partner: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "SCAN_BATCH_VALUES_PER_READ", 10)
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    texts = [f"Số 09{i + 1:08d} và 0912 345 678" for i in range(30)]  # 2 values each

    with CaptureQueriesContext(connection) as queries:
        response = batch(partner, texts)

    reads = [q for q in queries.captured_queries if "indicators_indicator" in q["sql"]]
    assert len(reads) == 6  # five messages (ten values) per read
    results = response.json()["results"]
    assert len(results) == 30
    assert all([i["status"] for i in r["indicators"]] == ["no_data", "scam"] for r in results)


def test_what_the_caller_may_not_see_reads_as_no_data(
        partner: ApiClient, api_client_for: Client) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM,
                   distribution=Distribution.INTERNAL)

    as_partner = batch(partner, ["Gọi 0912 345 678"]).json()["results"][0]
    as_reviewer = batch(api_client_for(Role.REVIEWER),
                        ["Gọi 0912 345 678"]).json()["results"][0]

    assert as_partner["indicators"][0]["status"] == "no_data"
    assert as_reviewer["indicators"][0]["status"] == "scam"


def test_an_over_long_message_is_named_and_nothing_is_answered(partner: ApiClient) -> None:
    response = batch(partner, ["ok", "x" * (SCAN_MAX_CHARS + 1)])

    assert response.status_code == 422
    assert "messages.1.text" in response.json()["errors"]


def test_too_many_messages_or_none_are_refused(partner: ApiClient) -> None:
    too_many = batch(partner, ["hi"] * (SCAN_BATCH_MAX_MESSAGES + 1))
    empty = batch(partner, [])

    assert too_many.status_code == 422
    assert empty.status_code == 422


def test_the_total_size_of_a_batch_is_bounded(
        partner: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "SCAN_BATCH_MAX_CHARS", 100)

    response = batch(partner, ["a" * 60, "b" * 60])

    assert response.status_code in (400, 422)
    assert "messages" in response.json()["errors"]


@pytest.mark.parametrize(("text", "status"), [
    ("\x00 gọi 0912 345 678", 200), ("\ud800", 400), (12345, 422), (None, 422)])
def test_hostile_or_wrong_texts_never_crash(partner: ApiClient, text: Any, status: int) -> None:
    response = partner.client.post(
        "/api/v1/scan/batch",
        data=json.dumps({"messages": [{"text": text}]}),
        content_type="application/json", headers=partner._headers(None))

    assert response.status_code == status


@pytest.mark.usefixtures("fresh_quota_minute")
def test_a_batch_counts_once_against_the_key_quota(
        partner: ApiClient, settings: Any) -> None:
    settings.FRAUDHUB_API_KEY_QUOTA_PER_MINUTE = 2

    answers = [batch(partner, MESSAGES).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
