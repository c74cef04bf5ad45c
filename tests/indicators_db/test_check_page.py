"""The public /check/ page, through Django's test client."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from fraudhub.indicators.models import AllowlistEntry, IndicatorStatus
from tests.indicators_db.factories import make_indicator

pytestmark = pytest.mark.django_db


def check(q: str, client: Client | None = None, **headers: str) -> Any:
    return (client or Client(REMOTE_ADDR="192.0.2.80")).get("/check/", {"q": q},
                                                             headers=headers or None)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def report_link(response: Any) -> dict[str, list[str]]:
    href = response.context["report_url"]
    parts = urlsplit(href)
    assert parts.path == "/report/"
    return parse_qs(parts.query)


def test_the_empty_page_offers_one_box() -> None:
    response = Client().get("/check/")
    assert response.status_code == 200
    page = text(response)
    assert 'name="q"' in page
    assert "Check before you transfer" in page
    assert 'href="/check/"' in page  # in the navigation


def test_a_scam_number_says_do_not_transfer() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=9,
                   fraud_types=["fake_police_court"])

    response = check("0912 345 678")

    assert response.status_code == 200
    page = text(response)
    assert "Scam: do not transfer money" in page
    assert "+84 912 345 678" in page
    assert "call your bank" in page
    assert "9 people" in page
    assert "police" in page.lower()  # the fraud type's name
    assert report_link(response) == {"target_kind": ["phone"], "target": ["0912 345 678"]}


def test_a_safe_hotline_is_called_official_with_its_label() -> None:
    make_indicator("1900545413", "phone", status=IndicatorStatus.SAFE)
    AllowlistEntry.objects.create(type="phone", value="+841900545413",
                                  list_name="vn_bank_hotlines", label="Vietcombank hotline")

    page = text(check("1900 545 413"))

    assert "Official number or site" in page
    assert "Vietcombank hotline" in page
    assert "hang up and call this number yourself" in page


def test_a_suspicious_value_and_one_being_verified_warn() -> None:
    make_indicator("scam-shop.vn", "domain", status=IndicatorStatus.SUSPICIOUS, reporters=2)
    make_indicator("+84912000111", status=IndicatorStatus.VERIFYING)

    assert "reported as a possible scam" in text(check("scam-shop.vn"))
    assert "Being verified" in text(check("0912000111"))


def test_an_unknown_link_is_no_data_with_a_prefilled_report_button() -> None:
    response = check("https://khuyen-mai-la.example.net/nhan-qua")

    page = text(response)
    assert "No data" in page
    assert "does not mean that it is safe" in page
    assert report_link(response) == {
        "target_kind": ["url"], "target": ["https://khuyen-mai-la.example.net/nhan-qua"]}

    form = Client().get(response.context["report_url"])
    assert form.status_code == 200
    assert form.context["form"]["target_kind"].value() == "url"
    assert form.context["form"]["target"].value() == "https://khuyen-mai-la.example.net/nhan-qua"


@pytest.mark.parametrize(("q", "kind", "platform"), [
    ("0071000123456", "bank_account", None),
    ("scammer@example.com", "email", None),
    ("https://www.facebook.com/groups/123456789", "group", "facebook"),
    ("t.me/quatang", "account", "telegram"),
    ("evil-bank.com.vn", "url", None),
])
def test_the_report_button_names_the_right_kind(q: str, kind: str, platform: str | None
                                                ) -> None:
    query = report_link(check(q))
    assert query["target_kind"] == [kind]
    assert query.get("platform") == ([platform] if platform else None)


def test_digits_alone_list_every_bank_that_has_the_number() -> None:
    make_indicator("970436:0071000123456", status=IndicatorStatus.SCAM)
    make_indicator("970415:0071000123456", status=IndicatorStatus.SUSPICIOUS)

    page = text(check("0071000123456"))

    assert "Known at 2 banks" in page
    assert "Vietcombank 0071000123456" in page
    assert "VietinBank 0071000123456" in page


def test_a_tombstoned_value_reads_no_data() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, removed=True)
    assert check("0912345678").context["answer"].status == "no_data"


def test_what_cannot_be_read_is_explained_with_422() -> None:
    response = check("xin chào")
    assert response.status_code == 422
    page = text(response)
    assert "cannot be checked" in page or "can be checked" in page
    assert report_link(response)["target_kind"] == ["other"]


@pytest.mark.parametrize(
    ("language", "why"),
    [("en", "Why: a private or local IP address is not a public web address."),
     ("vi", "Lý do: địa chỉ IP nội bộ hoặc cục bộ không phải địa chỉ web công khai.")],
    ids=["en", "vi"])
def test_a_value_refused_by_its_type_says_why(language: str, why: str) -> None:
    client = Client(REMOTE_ADDR="192.0.2.83")
    client.cookies["django_language"] = language

    refused = check("http://192.168.1.1/", client)
    unrecognised = check("xin chào", client)

    assert refused.status_code == unrecognised.status_code == 422
    assert why in text(refused)
    assert why.split(":")[0] + ":" not in text(unrecognised)  # the headline says it all


def test_the_page_speaks_vietnamese() -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM)
    client = Client(REMOTE_ADDR="192.0.2.81")
    client.cookies["django_language"] = "vi"

    page = text(check("0912345678", client))

    assert "Lừa đảo: đừng chuyển tiền" in page
    assert "Kiểm tra trước khi chuyển tiền" in page


def test_anonymous_checks_are_rate_limited(settings: Any) -> None:
    settings.FRAUDHUB_LOOKUP_RATE_LIMIT = 2
    client = Client(REMOTE_ADDR="192.0.2.82")

    assert [check("0912345678", client).status_code for _ in range(2)] == [200, 200]
    refused = check("0912345678", client)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many checks" in text(refused)
    # The empty page costs nothing.
    assert client.get("/check/").status_code == 200


def test_prefill_of_the_report_form_ignores_unknown_parameters() -> None:
    response = Client().get("/report/", {"target_kind": "phone", "target": "0912 345 678",
                                         "fraud_type": "x", "description": "y"})
    form = response.context["form"]
    assert form["target_kind"].value() == "phone"
    assert form["target"].value() == "0912 345 678"
    assert not form["description"].value()
    assert not form.is_bound


def test_a_listed_group_is_named_in_the_readers_language() -> None:
    make_indicator("facebook:group/kiemtienonline247", "social_account",
                   status=IndicatorStatus.SCAM)
    client = Client(REMOTE_ADDR="192.0.2.84")
    for language, name in (("vi", "Nhóm Facebook kiemtienonline247"),
                           ("en", "Facebook group kiemtienonline247")):
        client.cookies["django_language"] = language
        assert name in text(check("https://www.facebook.com/groups/kiemtienonline247/", client))
