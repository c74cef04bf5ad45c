"""POST /api/v1/scan and the risk score of indicators/scan.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from fraudhub.core.roles import Role
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.indicators.scan import score
from fraudhub.indicators.selectors import LookupResult
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

Client = Callable[..., ApiClient]

MESSAGE = (
    "Chúc mừng bạn trúng thưởng! Gọi ngay 0912 345 678 hoặc chuyển phí 500k vào "
    "STK 0071000123456 Vietcombank, xem tại hxxps://qua-tang[.]vn/nhan trong vòng 24 giờ."
)


@pytest.fixture
def partner(api_client_for: Client) -> ApiClient:
    return api_client_for(Role.PARTNER)


def scan(client: ApiClient, text: Any, **headers: str) -> Any:
    return client.post("/api/v1/scan", {"text": text}, headers=headers or None)


@pytest.mark.django_db
def test_scan_answers_every_indicator_with_its_status_and_the_risk(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=12)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SUSPICIOUS, reporters=4)

    response = scan(partner, MESSAGE)

    assert response.status_code == 200
    body = response.json()
    assert [(i["type"], i["value"], i["status"]) for i in body["indicators"]] == [
        ("phone", "+84912345678", "scam"),
        ("bank_account", "970436:0071000123456", "suspicious"),
        ("url", "https://qua-tang.vn/nhan", "no_data"),
    ]
    assert body["indicators"][0]["input"] == "0912 345 678"
    assert body["indicators"][0]["reporters"] == 12
    assert set(body["indicators"][0]) == {
        "input", "type", "value", "display", "status", "confidence", "reporters",
        "fraud_types", "first_seen", "last_seen"}
    assert body["risk"] >= 90
    reasons = " ".join(body["reasons"])
    assert "+84 912 345 678 is a confirmed scam" in reasons
    assert "reported by 4 people" in reasons
    assert "transfer money" in reasons
    assert "urgently" in reasons


@pytest.mark.django_db
def test_the_answer_is_the_declared_scan_schema(partner: ApiClient) -> None:
    """The endpoint serializes its answer itself; it must still be exactly ScanOut."""
    from fraudhub.indicators.schemas import ScanOut

    made = make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=2,
                          fraud_types=["fake_police_court"])

    body = scan(partner, MESSAGE).json()

    parsed = ScanOut.model_validate(body)
    assert parsed.model_dump(mode="json").keys() == body.keys()
    first = parsed.indicators[0]
    assert list(body["indicators"][0]) == list(type(first).model_fields)
    assert (first.first_seen, first.last_seen) == (made.first_seen, made.last_seen)
    assert first.fraud_types == ["fake_police_court"]
    assert body["indicators"][2]["first_seen"] is None  # no_data


@pytest.mark.django_db
def test_reasons_follow_the_callers_language(partner: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)

    body = scan(partner, "Gọi 0912 345 678", **{"Accept-Language": "vi"}).json()

    assert body["reasons"] == ["+84 912 345 678 là lừa đảo đã được xác nhận."]


@pytest.mark.django_db
def test_a_repeated_indicator_is_listed_once(partner: ApiClient) -> None:
    body = scan(partner, "Gọi 0912345678, nhắc lại: 0912 345 678.").json()
    assert [i["value"] for i in body["indicators"]] == ["+84912345678"]


@pytest.mark.django_db
def test_an_innocent_message_is_low_risk(partner: ApiClient) -> None:
    body = scan(partner, "Chiều nay 15:30 họp ở phòng 204 nhé, nhớ mang laptop.").json()
    assert body == {"indicators": [], "risk": 0, "reasons": []}


@pytest.mark.django_db
def test_the_official_hotline_lowers_the_risk(partner: ApiClient) -> None:
    make_indicator("1900545413", "phone", status=IndicatorStatus.SAFE)

    body = scan(partner, "Quý khách cần hỗ trợ vui lòng gọi tổng đài 1900 545 413. Không "
                         "cung cấp mã OTP cho bất kỳ ai.").json()

    assert body["indicators"][0]["status"] == "safe"
    assert body["risk"] < 20
    assert any("official" in reason for reason in body["reasons"])


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_answered_with_nothing(partner: ApiClient, text: str) -> None:
    response = scan(partner, text)
    assert response.status_code == 200
    assert response.json() == {"indicators": [], "risk": 0, "reasons": []}


@pytest.mark.django_db
def test_text_up_to_ten_thousand_characters_is_scanned(partner: ApiClient) -> None:
    text = ("Lorem ipsum dolor sit amet. " * 400)[:9_980] + " 0912345678"
    assert len(text) <= 10_000
    body = scan(partner, text).json()
    assert [i["value"] for i in body["indicators"]] == ["+84912345678"]


@pytest.mark.django_db
def test_huge_text_is_422(partner: ApiClient) -> None:
    response = scan(partner, "a" * 10_001)
    assert response.status_code == 422
    assert "text" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"text": None}, {"text": ["a"]}])
def test_a_malformed_scan_request_is_422(partner: ApiClient, body: Any) -> None:
    assert partner.post("/api/v1/scan", body).status_code == 422


@pytest.mark.django_db
def test_scan_needs_a_key_with_the_scan_permission(api_client_for: Client) -> None:
    assert scan(api_client_for(None), "hi").status_code == 401
    assert scan(api_client_for(Role.CITIZEN), "hi").status_code == 403
    assert scan(api_client_for(Role.AGENCY_OFFICER), "hi").status_code == 200


# --- the score itself: a pure function -----------------------------------------------------


def result(status: str, reporters: int = 0, display: str = "X") -> LookupResult:
    return LookupResult(type="phone", value="+84912345678", status=status, reporters=reporters,
                        display=display)


@pytest.mark.parametrize(("results", "low", "high"), [
    ([], 0, 0),
    ([result("no_data")], 0, 0),
    ([result("scam")], 90, 100),
    ([result("suspicious", reporters=1)], 40, 50),
    ([result("suspicious", reporters=8)], 60, 70),
    ([result("verifying")], 35, 35),
    ([result("safe")], 0, 0),
    ([result("safe"), result("scam")], 90, 100),
])
def test_score_from_statuses(results: list[LookupResult], low: int, high: int) -> None:
    with translation.override("en"):
        risk, _reasons = score(results, "")
    assert low <= risk <= high


@pytest.mark.parametrize(("text", "reason"), [
    ("Vui lòng cung cấp mã OTP để xác thực", "one-time code"),
    ("Please send me the verification code you just received", "one-time code"),
    ("Chuyen khoan ngay 5 trieu de nhan hang", "transfer money"),
    ("Please transfer the processing fee today", "transfer money"),
    ("Tài khoản của bạn sẽ bị khóa trong vòng 24 giờ", "urgently"),
    ("URGENT: your account will be suspended", "urgently"),
    ("Chúc mừng bạn đã trúng thưởng xe máy", "prize"),
    ("Đây là Công an quận, bạn liên quan đến vụ án", "police"),
    ("Bấm vào link để cập nhật thông tin", "open a link"),
])
def test_words_of_scams_raise_the_risk_with_a_reason(text: str, reason: str) -> None:
    with translation.override("en"):
        risk, reasons = score([], text)
    assert risk > 0
    assert any(reason in r for r in reasons), reasons


def test_words_do_not_alone_reach_high_risk_and_combine_with_statuses() -> None:
    text = "Gấp! Cung cấp mã OTP và chuyển khoản phí xử lý ngay lập tức, trúng thưởng"
    with translation.override("en"):
        words_only, _r = score([], text)
        with_suspicious, _r = score([result("suspicious", reporters=5)], text)
        with_scam, _r = score([result("scam")], text)
    assert 40 <= words_only <= 60
    assert words_only < with_suspicious < with_scam <= 100


def test_meeting_someone_is_not_urgency() -> None:
    # Without diacritics "gặp" (meet) reads like "gấp" (urgent); it must not count.
    assert score([], "Hẹn gặp bạn ở quán cà phê lúc 3 giờ") == (0, [])
