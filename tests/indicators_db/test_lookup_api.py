"""GET /api/v1/lookup: normalization, banks, tombstones, distribution, errors, rate limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fraudhub.core.actors import Actor
from fraudhub.core.roles import Role
from fraudhub.indicators.models import Distribution, IndicatorStatus
from fraudhub.indicators.selectors import indicator_lookup
from tests.conftest import ApiClient
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db

Client = Callable[..., ApiClient]


def lookup(client: ApiClient, value: str, type_key: str | None = None) -> Any:
    params = {"value": value}
    if type_key:
        params["type"] = type_key
    return client.get("/api/v1/lookup", headers=None, **params)


def test_raw_phone_is_normalized_before_the_lookup(anon_api: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=7,
                   fraud_types=["fake_police_court"])

    response = lookup(anon_api, "0912 345 678")

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "phone"
    assert body["value"] == "+84912345678"
    assert body["status"] == "scam"
    assert "scam" in body["message"]
    [result] = body["results"]
    assert result["type"] == "phone"
    assert result["value"] == "+84912345678"
    assert result["display"] == "+84 912 345 678"
    assert result["status"] == "scam"
    assert result["confidence"] == 90
    assert result["reporters"] == 7
    assert result["fraud_types"] == ["fake_police_court"]
    assert result["first_seen"] and result["last_seen"]
    assert set(result) == {"type", "value", "display", "status", "confidence", "reporters",
                           "fraud_types", "first_seen", "last_seen"}


@pytest.mark.parametrize("raw", ["+84 912-345-678", "0084912345678", "(091) 234 5678",
                                 "tel:+84912345678", "84912345678"])
def test_every_way_of_writing_the_number_finds_it(anon_api: ApiClient, raw: str) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SUSPICIOUS)

    assert lookup(anon_api, raw, "phone").json()["results"][0]["status"] == "suspicious"


def test_digits_alone_find_the_account_at_every_bank(anon_api: ApiClient) -> None:
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM, reporters=3)
    make_indicator("970418:0071000123456", status=IndicatorStatus.SUSPICIOUS, reporters=1)
    make_indicator("970436:0071000999999", status=IndicatorStatus.SCAM)

    body = lookup(anon_api, "0071000123456").json()

    assert body["type"] == "bank_account"
    assert body["value"] == "*:0071000123456"
    assert body["status"] == "scam"
    assert [(r["value"], r["status"]) for r in body["results"]] == [
        ("970436:0071000123456", "scam"), ("970418:0071000123456", "suspicious")]
    assert body["results"][0]["display"] == "Vietcombank 0071000123456"
    assert "2" in body["message"]


def test_a_named_bank_finds_only_that_bank(anon_api: ApiClient) -> None:
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM)
    make_indicator("970418:0071000123456", status=IndicatorStatus.SUSPICIOUS)

    body = lookup(anon_api, "STK 0071000123456 Vietcombank").json()
    assert [(r["value"], r["status"]) for r in body["results"]] == [
        ("970436:0071000123456", "scam")]
    body = lookup(anon_api, "0071000123456", "bank_account").json()
    assert len(body["results"]) == 2


def test_digits_alone_that_no_bank_has_answer_no_data_once(anon_api: ApiClient) -> None:
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM)

    body = lookup(anon_api, "0071000765432", "bank_account").json()

    assert body["status"] == "no_data"
    [result] = body["results"]
    assert result["value"] == "*:0071000765432"
    assert result["status"] == "no_data"


def test_an_account_reported_without_its_bank_is_found_by_digits(anon_api: ApiClient) -> None:
    make_indicator("*:0071000123456", "bank_account", status=IndicatorStatus.SUSPICIOUS)

    [result] = lookup(anon_api, "0071000123456", "bank_account").json()["results"]
    assert result["value"] == "*:0071000123456"
    assert result["status"] == "suspicious"


def test_a_tombstoned_indicator_answers_no_data(anon_api: ApiClient) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, removed=True)
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM, removed=True)

    body = lookup(anon_api, "0912345678").json()
    assert body["status"] == "no_data"
    assert body["results"][0]["reporters"] == 0
    assert body["results"][0]["first_seen"] is None
    assert lookup(anon_api, "0071000123456").json()["results"][0]["status"] == "no_data"


def test_unknown_value_is_a_plain_200_no_data_answer(anon_api: ApiClient) -> None:
    response = lookup(anon_api, "https://never-reported.example.com/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "no_data"
    assert body["value"] == "https://never-reported.example.com/"
    assert body["message"].startswith("No data")
    [result] = body["results"]
    assert result == {
        "type": "url", "value": "https://never-reported.example.com/",
        "display": result["display"], "status": "no_data", "confidence": 0, "reporters": 0,
        "fraud_types": [], "first_seen": None, "last_seen": None,
    }


def test_no_data_message_in_vietnamese(anon_api: ApiClient) -> None:
    response = anon_api.get("/api/v1/lookup", value="0912345670",
                            headers={"Accept-Language": "vi"})
    assert response.status_code == 200
    assert response.json()["message"].startswith("Không có dữ liệu")


@pytest.mark.parametrize("raw", ["hello there", "12", "!!!", "   "])
def test_an_invalid_value_is_422_with_a_clear_message(anon_api: ApiClient, raw: str) -> None:
    response = lookup(anon_api, raw)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "phone number, bank account, link" in body["detail"] or body["errors"]["value"]
    assert body["errors"]["value"]


def test_a_value_that_is_not_of_the_given_type_is_422(anon_api: ApiClient) -> None:
    response = lookup(anon_api, "https://example.com/", "phone")
    assert response.status_code == 422
    assert response.json()["errors"]["value"] == ["not a valid phone number"]


def test_an_unknown_type_is_422_on_the_type_field(anon_api: ApiClient) -> None:
    response = lookup(anon_api, "0912345678", "fax")
    assert response.status_code == 422
    assert "phone" in response.json()["errors"]["type"][0]


def test_a_missing_value_is_422(anon_api: ApiClient) -> None:
    response = anon_api.get("/api/v1/lookup")
    assert response.status_code == 422
    assert response.json()["errors"] == {"value": ["Field required"]}
    assert response.json()["code"] == "validation_error"


def test_an_empty_value_is_422_and_a_repeated_parameter_uses_the_last(
        anon_api: ApiClient) -> None:
    assert anon_api.get("/api/v1/lookup?value=").status_code == 422
    response = anon_api.get("/api/v1/lookup?value=xx&value=0912345678")
    assert response.status_code == 200
    assert response.json()["value"] == "+84912345678"


def test_the_openapi_document_declares_the_lookup_parameters(anon_api: ApiClient) -> None:
    operation = anon_api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/lookup"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("value", "query", True), ("type", "query", False)]


def test_a_huge_value_is_422_not_500(anon_api: ApiClient) -> None:
    response = lookup(anon_api, "9" * 5000)
    assert response.status_code == 422


@pytest.mark.parametrize(("raw", "type_key", "value"), [
    ("0912 345 678", "phone", "+84912345678"),
    ("0071000123456", "bank_account", "*:0071000123456"),
    ("STK 0071000123456 Vietcombank", "bank_account", "970436:0071000123456"),
    ("hxxps://Ex[.]com", "url", "https://ex.com/"),
    ("evil.com.vn", "domain", "evil.com.vn"),
    ("Scammer@Example.COM", "email", "scammer@example.com"),
    ("t.me/Abc", "social_account", "telegram:abc"),
    ("https://www.facebook.com/profile.php?id=1000123", "social_account", "facebook:1000123"),
    ("0x52908400098527886E0F7030069857D2E4169EE7", "crypto_wallet",
     "eth:0x52908400098527886e0f7030069857d2e4169ee7"),
])
def test_the_type_is_guessed_when_not_given(
    anon_api: ApiClient, raw: str, type_key: str, value: str
) -> None:
    body = lookup(anon_api, raw).json()
    assert (body["type"], body["value"]) == (type_key, value)


def test_a_link_on_a_listed_site_carries_the_site_status(anon_api: ApiClient) -> None:
    make_indicator("qua-tang-tri-an.vn", "domain", status=IndicatorStatus.SCAM)
    make_indicator("google.com", "domain", status=IndicatorStatus.SAFE)

    body = lookup(anon_api, "https://nhan.qua-tang-tri-an.vn/dang-nhap?x=1").json()
    assert body["status"] == "scam"
    assert (body["results"][0]["type"], body["results"][0]["value"]) == (
        "domain", "qua-tang-tri-an.vn")
    # An allowlisted site does not make every link on it safe (a phishing form on a big
    # platform), only its home page.
    assert lookup(anon_api, "https://docs.google.com/forms/d/abc").json()["status"] == "no_data"
    assert lookup(anon_api, "https://www.google.com").json()["status"] == "safe"


# --- distribution --------------------------------------------------------------------------

SEES = {
    None: {"public"},
    Role.CITIZEN: {"public"},
    Role.PARTNER: {"public", "partners"},
    Role.REVIEWER: {"public", "partners", "internal"},
    Role.SENIOR_REVIEWER: {"public", "partners", "internal"},
    Role.AGENCY_OFFICER: {"public", "partners", "internal"},
    Role.ADMIN: {"public", "partners", "internal"},
}
NUMBERS = {"public": "+84912000001", "partners": "+84912000002", "internal": "+84912000003"}


@pytest.mark.parametrize("role", list(SEES), ids=[str(r) for r in SEES])
def test_distribution_levels_per_role(api_client_for: Client, role: Role | None) -> None:
    for level, number in NUMBERS.items():
        make_indicator(number, status=IndicatorStatus.SCAM, distribution=level)
    client = api_client_for(role)

    seen = {level for level, number in NUMBERS.items()
            if lookup(client, number).json()["status"] == "scam"}

    assert seen == SEES[role]


def test_distribution_also_limits_bulk_and_scan(api_client_for: Client) -> None:
    make_indicator("+84912000003", status=IndicatorStatus.SCAM,
                   distribution=Distribution.INTERNAL)
    partner, reviewer = api_client_for(Role.PARTNER), api_client_for(Role.REVIEWER)
    body = {"items": [{"value": "0912000003"}]}

    assert partner.post("/api/v1/lookup", body).json()["results"][0]["status"] == "no_data"
    assert reviewer.post("/api/v1/lookup", body).json()["results"][0]["status"] == "scam"
    text = {"text": "Gọi 0912 000 003 ngay"}
    assert partner.post("/api/v1/scan", text).json()["indicators"][0]["status"] == "no_data"
    assert reviewer.post("/api/v1/scan", text).json()["indicators"][0]["status"] == "scam"


def test_the_selector_takes_the_actor() -> None:
    make_indicator("+84912000002", status=IndicatorStatus.SCAM,
                   distribution=Distribution.PARTNERS)

    assert indicator_lookup(raw="0912000002", type_key=None,
                            actor=Actor.anonymous())[0].status == "no_data"
    assert indicator_lookup(raw="0912000002", type_key=None,
                            actor=Actor.system("t"))[0].status == "scam"


def test_a_single_lookup_is_one_query(anon_api: ApiClient) -> None:
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM)
    with CaptureQueriesContext(connection) as queries:
        indicator_lookup(raw="0071000123456", type_key=None, actor=Actor.anonymous())
    assert len(queries) == 1


def test_numbers_already_in_e164_read_exactly_as_the_phone_type_reads_them() -> None:
    """The bulk fast path for E.164 input agrees with canonicalize on every region's examples."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    from fraudhub.indicators.lookup import e164_phone
    from fraudhub.indicators.types import InvalidIndicator, canonicalize

    samples = ["+84912345678", "+841900545413", "+8419001234", "+840912345678", "+1123",
               "+12125550123", "+112125550123", "+390612345678", "+79161234567", "+89161234567"]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                     PhoneNumberType.TOLL_FREE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                samples.append(phonenumbers.format_number(number, PhoneNumberFormat.E164))
    fast = 0
    for sample in samples:
        quick = e164_phone(sample)
        for type_key in ("phone", None):
            try:
                expected: tuple[str, str] | None = canonicalize(sample, type_key)
            except InvalidIndicator:
                expected = None
            if quick is not None:
                assert expected == ("phone", quick), sample
        fast += quick is not None
    assert fast > len(samples) // 2


# --- anonymous rate limit ------------------------------------------------------------------


def test_anonymous_lookups_are_limited_per_ip(api_client_for: Client, settings: Any) -> None:
    settings.FRAUDHUB_LOOKUP_RATE_LIMIT = 3
    settings.FRAUDHUB_LOOKUP_RATE_WINDOW_SECONDS = 10**9  # no window ends during the test
    first, other_ip = api_client_for(None, ip="192.0.2.70"), api_client_for(None, ip="192.0.2.71")

    answers = [lookup(first, "0912345678").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = lookup(first, "0912345678")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 10**9
    assert refused.json()["code"] == "rate_limited"
    assert "try again" in refused.json()["detail"]
    # Another address has its own budget; an API key is held to its quota instead.
    assert lookup(other_ip, "0912345678").status_code == 200
    keyed = api_client_for(Role.PARTNER, ip="192.0.2.70")
    assert lookup(keyed, "0912345678").status_code == 200


def test_a_refusal_is_worded_in_the_callers_language(api_client_for: Client,
                                                     settings: Any) -> None:
    settings.FRAUDHUB_LOOKUP_RATE_LIMIT = 1
    settings.FRAUDHUB_LOOKUP_RATE_WINDOW_SECONDS = 10**9
    client = api_client_for(None, ip="192.0.2.73")
    assert lookup(client, "0912345678").status_code == 200

    in_vietnamese = client.get("/api/v1/lookup", headers={"Accept-Language": "vi"},
                               value="0912345678")
    in_english = client.get("/api/v1/lookup", headers={"Accept-Language": "en"},
                            value="0912345678")

    assert in_vietnamese.status_code == in_english.status_code == 429
    assert in_vietnamese.json()["detail"].startswith("Có quá nhiều lượt tra cứu")
    assert in_english.json()["detail"].startswith("Too many lookups from your address")


def test_invalid_anonymous_lookups_count_too(api_client_for: Client, settings: Any) -> None:
    settings.FRAUDHUB_LOOKUP_RATE_LIMIT = 2
    settings.FRAUDHUB_LOOKUP_RATE_WINDOW_SECONDS = 10**9
    client = api_client_for(None, ip="192.0.2.72")

    assert [lookup(client, "nonsense").status_code for _ in range(3)] == [422, 422, 429]


@pytest.mark.parametrize(("raw", "expected"), [
    ("SĐT: 0912 345 678", ("phone", "+84912345678")),
    ('"0912345678"', ("phone", "+84912345678")),
    ("0912 345 678 (Zalo)", ("phone", "+84912345678")),
    ("Phone: +1 (415) 555-2671", ("phone", "+14155552671")),
    ("Link: hxxps://qua-tang[.]vn/nhan", ("url", "https://qua-tang.vn/nhan")),
    ("email: Ab@Example.com", ("email", "ab@example.com")),
])
def test_a_value_pasted_with_its_label_is_looked_up(anon_api: ApiClient,
                                                    api_client_for: Callable[..., ApiClient],
                                                    raw: str, expected: tuple[str, str]) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    body = lookup(anon_api, raw).json()
    assert (body["type"], body["value"]) == expected
    assert body["status"] == ("scam" if expected[1] == "+84912345678" else "no_data")
    partner = api_client_for(Role.PARTNER)
    [item] = partner.post("/api/v1/lookup", {"items": [{"value": raw}]}).json()["results"]
    assert (item["valid"], item["type"], item["value"], item["input"]) == (True, *expected, raw)


@pytest.mark.parametrize("raw", ["gọi 0912345678 hoặc 0987654321", "Đơn hàng #123456789",
                                 "1.500.000đ", "Nguyễn Văn A"])
def test_text_with_no_value_or_several_is_refused(anon_api: ApiClient, raw: str) -> None:
    # Several values: which one was meant is not guessed (POST /api/v1/scan answers them all).
    response = lookup(anon_api, raw)
    assert response.status_code == 422
    assert "value" in response.json()["errors"]


@pytest.mark.parametrize(
    ("raw", "type_key", "english", "vietnamese"),
    [
        ("abc", "phone", "not a valid phone number", "không phải số điện thoại hợp lệ"),
        ("http://192.168.1.1/", None,
         "a private or local IP address is not a public web address",
         "địa chỉ IP nội bộ hoặc cục bộ không phải địa chỉ web công khai"),
        ("telegram:@a", "social_account", "not a valid Telegram account",
         "không phải tài khoản Telegram hợp lệ"),
        ("xyz qwerty", None, "not a recognised phone, account, link, e-mail or wallet",
         "không nhận ra là số điện thoại, số tài khoản, đường link, e-mail hay ví tiền mã hóa"),
    ],
    ids=["phone", "private-link", "platform-named", "unrecognised"],
)
def test_a_types_refusal_is_worded_in_the_callers_language(
        anon_api: ApiClient, raw: str, type_key: str | None, english: str,
        vietnamese: str) -> None:
    params = {"value": raw, **({"type": type_key} if type_key else {})}

    in_english = anon_api.get("/api/v1/lookup", headers={"Accept-Language": "en"}, **params)
    in_vietnamese = anon_api.get("/api/v1/lookup", headers={"Accept-Language": "vi"}, **params)

    assert in_english.status_code == in_vietnamese.status_code == 422
    assert in_english.json()["errors"]["value"] == [english]
    assert in_vietnamese.json()["errors"]["value"] == [vietnamese]


def test_a_row_whose_status_fell_to_no_data_answers_like_an_unknown_value(
        api_client_for: Client) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.NO_DATA, reporters=13,
                   fraud_types=["romance_scam"])
    make_indicator("970436:0071000123456", status=IndicatorStatus.NO_DATA, reporters=4)
    make_indicator("970418:0071000123456", status=IndicatorStatus.SCAM, reporters=2)
    partner = api_client_for(Role.PARTNER)
    never_seen = {"status": "no_data", "confidence": 0, "reporters": 0, "fraud_types": [],
                  "first_seen": None, "last_seen": None}

    single = lookup(partner, "0912345678").json()
    bulk = partner.post("/api/v1/lookup", {"items": [{"value": "0912345678"}]}).json()
    scan = partner.post("/api/v1/scan", {"text": "Gọi 0912 345 678"}).json()
    digits = lookup(partner, "0071000123456").json()

    for answer in (single["results"][0], bulk["results"][0], scan["indicators"][0]):
        assert {name: answer[name] for name in never_seen} == never_seen
    assert single["message"].startswith("No data")
    assert [r["value"] for r in digits["results"]] == ["970418:0071000123456"]  # only the bank
    assert digits["status"] == "scam"                                # that has it listed
