"""POST /api/v1/reports and GET /api/v1/reports/{code}: intake, evidence, grouping, limits."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from fraudhub.cases.models import Case
from fraudhub.reports.models import Evidence, Report
from fraudhub.taxonomy.selectors import fraud_type_list
from tests.api.helpers import CASES, REPORTS, file_report
from tests.conftest import evidence_item, png_bytes, report_payload

pytestmark = pytest.mark.django_db

Client = Callable[..., Any]
VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def _errors(response: Any) -> dict[str, list[str]]:
    body = response.json()
    errors: dict[str, list[str]] = body.get("errors", {})
    return errors


def _post_raw(client: Any, body: bytes | str, content_type: str = "application/json") -> Any:
    return client.client.post(REPORTS, body, content_type=content_type,
                              headers=client._headers(None))


# --- filing and reading back -------------------------------------------------------------------


def test_filing_a_report_answers_201_with_tracking_code_secret_and_status(
    api_client_for: Client,
) -> None:
    response = api_client_for(None).post(REPORTS, report_payload())

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"FH-[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", body["tracking_code"])
    assert len(body["secret"]) >= 20
    assert body["status"] == "received"
    assert body["status_url"].endswith(f"/report/status/{body['tracking_code']}")
    report = Report.objects.get(tracking_code=body["tracking_code"])
    # Only a hash of the secret is kept.
    assert body["secret"] not in report.secret_hash
    assert report.secret_hash == hashlib.sha256(body["secret"].encode()).hexdigest()
    assert report.case is not None and report.good_faith is True


def test_the_secret_holder_sees_the_status(api_client_for: Client) -> None:
    filed = file_report(api_client_for(None))

    response = api_client_for(None).get(f"{REPORTS}/{filed['tracking_code']}",
                                        headers={"X-Report-Secret": filed["secret"]})

    assert response.status_code == 200
    body = response.json()
    assert body["tracking_code"] == filed["tracking_code"]
    assert body["status"] == "received"
    assert body["status_label"]
    assert body["target_kind"] == "account"
    assert body["fraud_type"] == "investment_stock_crypto"
    assert body["decision"] is None


def test_a_wrong_secret_and_an_unknown_code_get_the_same_404(api_client_for: Client) -> None:
    filed = file_report(api_client_for(None))
    client = api_client_for(None)

    wrong_secret = client.get(f"{REPORTS}/{filed['tracking_code']}",
                              headers={"X-Report-Secret": "not-the-secret"})
    no_secret = client.get(f"{REPORTS}/{filed['tracking_code']}")
    unknown_code = client.get(f"{REPORTS}/FH-ZZZZZ-ZZZZZ",
                              headers={"X-Report-Secret": filed["secret"]})

    assert wrong_secret.status_code == 404
    assert unknown_code.status_code == 404
    assert no_secret.status_code == 404
    assert wrong_secret.content == unknown_code.content == no_secret.content
    assert filed["tracking_code"] not in wrong_secret.content.decode()


# --- evidence --------------------------------------------------------------------------------


def test_png_evidence_is_stored_with_its_sha256(api_client_for: Client) -> None:
    content = png_bytes((64, 48))

    filed = file_report(api_client_for(None),
                        evidence=[evidence_item(content, name="../../etc/passwd.png")])

    evidence = Evidence.objects.get(report__tracking_code=filed["tracking_code"])
    digest = hashlib.sha256(content).hexdigest()
    assert evidence.sha256 == digest
    assert evidence.size == len(content)
    assert evidence.content_type == "image/png"
    assert evidence.extension == "png"
    # Stored under its hash, never under the name the client gave.
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}.png"
    with evidence.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"just some text pretending to be a picture\n"),
        ("page.png", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("page.html", b"<html><body>hello</body></html>"),
        # A PNG signature followed by garbage is not a whole image either.
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20),
    ],
    ids=["text-renamed-png", "html-renamed-png", "html", "truncated-png"],
)
def test_evidence_that_is_not_an_image_or_pdf_is_refused(
    api_client_for: Client, name: str, content: bytes
) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(evidence=[evidence_item(png_bytes()),
                                          evidence_item(content, name=name)])
    )

    assert response.status_code == 422
    assert "evidence.1" in _errors(response)
    assert Report.objects.count() == 0 and Evidence.objects.count() == 0


def test_a_text_file_as_first_evidence_is_named_evidence_0(api_client_for: Client) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(evidence=[evidence_item(b"hello world", name="a.png")])
    )

    assert response.status_code == 422
    assert list(_errors(response)) == ["evidence.0"]
    assert _errors(response)["evidence.0"][0]


@pytest.mark.parametrize("content_base64", ["not base64 at all!!", "QUJD=x", "ÄÖÜ", "QQ"])
def test_invalid_base64_is_refused_with_a_field_message(
    api_client_for: Client, content_base64: str
) -> None:
    response = api_client_for(None).post(
        REPORTS,
        report_payload(evidence=[{"filename": "x.png", "content_base64": content_base64}]),
    )

    assert response.status_code == 422
    assert "evidence.0.content_base64" in _errors(response)
    assert Report.objects.count() == 0


def test_more_than_five_evidence_files_are_refused(api_client_for: Client) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(evidence=[evidence_item(png_bytes()) for _ in range(6)])
    )

    assert response.status_code == 422
    assert "evidence" in _errors(response)
    assert Report.objects.count() == 0


def test_five_evidence_files_are_accepted(api_client_for: Client) -> None:
    files = [evidence_item(png_bytes((10 + i, 10))) for i in range(5)]

    filed = file_report(api_client_for(None), evidence=files)

    assert Evidence.objects.filter(report__tracking_code=filed["tracking_code"]).count() == 5


def test_an_evidence_file_over_the_size_limit_gets_413(
    api_client_for: Client, settings: Any
) -> None:
    small, big = png_bytes((2, 2)), png_bytes((300, 300))
    settings.FRAUDHUB_EVIDENCE_MAX_BYTES = len(small) + 10
    assert len(big) > settings.FRAUDHUB_EVIDENCE_MAX_BYTES

    response = api_client_for(None).post(
        REPORTS, report_payload(evidence=[evidence_item(small), evidence_item(big)])
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "evidence.1" in _errors(response)
    assert Report.objects.count() == 0


def test_a_body_over_the_limit_gets_413_before_it_is_parsed(
    api_client_for: Client, settings: Any
) -> None:
    settings.FRAUDHUB_MAX_BODY_BYTES = 4096
    client = api_client_for(None)
    valid = json.dumps(report_payload(description="x" * 5000))
    not_json = "{" * 5000

    too_big_valid = _post_raw(client, valid)
    too_big_garbage = _post_raw(client, not_json)
    # Just under the limit, the same garbage is parsed and refused as bad JSON instead.
    small_garbage = _post_raw(client, "{" * 100)

    assert too_big_valid.status_code == 413
    assert too_big_garbage.status_code == 413
    assert too_big_garbage.json()["code"] == "payload_too_large"
    assert 400 <= small_garbage.status_code < 500 and small_garbage.status_code != 413
    assert Report.objects.count() == 0


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fraud_type": "no_such_fraud"}, "fraud_type"),
        ({"target_kind": "spaceship"}, "target_kind"),
        ({"target_kind": "url", "target": "ht!tp://exa mple"}, "target"),
        ({"target_kind": "url", "target": "not a url"}, "target"),
        ({"target_kind": "phone", "target": "12"}, "target"),
        ({"target_kind": "phone", "target": "call me maybe"}, "target"),
        ({"good_faith": False}, "good_faith"),
        ({"good_faith": None}, "good_faith"),
        ({"description": ""}, "description"),
        ({"description": "   \n\t "}, "description"),
        ({"description": "x" * 10_001}, "description"),
        ({"target": ""}, "target"),
        ({"platform": "myspace"}, "platform"),
        ({"language": "fr"}, "language"),
    ],
    ids=["fraud_type", "target_kind", "url-scheme", "url-words", "phone-short", "phone-words",
         "good_faith-false", "good_faith-null", "description-empty", "description-blank",
         "description-long", "target-empty", "platform", "language"],
)
def test_invalid_fields_get_422_naming_the_field(
    api_client_for: Client, overrides: dict[str, Any], field: str
) -> None:
    response = api_client_for(None).post(REPORTS, report_payload(**overrides))

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert field in _errors(response)
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("accept_language", "is_vietnamese"), [("vi", True), ("en", False)], ids=["vi", "en"])
def test_field_messages_are_in_the_callers_language(
    api_client_for: Client, accept_language: str, is_vietnamese: bool
) -> None:
    response = api_client_for(None).post(REPORTS, report_payload(good_faith=False),
                                         headers={"Accept-Language": accept_language})

    assert response.status_code == 422
    message = " ".join(_errors(response)["good_faith"]).lower()
    assert bool(VIETNAMESE_LETTERS & set(message)) is is_vietnamese


@pytest.mark.parametrize(
    ("accept_language", "reason"),
    [("vi", "không phải số điện thoại hợp lệ"), ("en", "not a valid phone number")],
    ids=["vi", "en"])
def test_a_target_refused_by_its_type_says_why_in_the_callers_language(
    api_client_for: Client, accept_language: str, reason: str
) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(target_kind="phone", target="12", platform=""),
        headers={"Accept-Language": accept_language})

    assert response.status_code == 422
    [message] = _errors(response)["target"]
    assert message.endswith(reason)
    assert Report.objects.count() == 0


def test_missing_good_faith_gets_422_naming_it(api_client_for: Client) -> None:
    payload = report_payload()
    del payload["good_faith"]

    response = api_client_for(None).post(REPORTS, payload)

    assert response.status_code == 422
    assert "good_faith" in _errors(response)


def test_a_bad_reporter_email_is_named_by_its_field_in_the_payload(
    api_client_for: Client,
) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(reporter_contact={"email": "not-an-address"})
    )

    assert response.status_code == 422
    # The caller sent reporter_contact.email; that is the field the error must name.
    assert "reporter_contact.email" in _errors(response)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"a string"', "application/json"),
        ("42", "application/json"),
        ("null", "application/json"),
        ("true", "application/json"),
        (b"\xff\xfe\x00{", "application/json"),
        ('{"target_kind": "account"}', "text/plain"),
        ("target_kind=account&target=x", "application/x-www-form-urlencoded"),
        ('{"evidence": "not a list", "good_faith": true}', "application/json"),
        ('{"evidence": [42], "good_faith": true}', "application/json"),
        ('{"reporter_contact": [], "good_faith": true}', "application/json"),
        ('{"description": {"nested": true}}', "application/json"),
    ],
    ids=["broken", "empty", "empty-list", "list", "string", "number", "null", "true",
         "not-utf8", "text-plain", "form", "evidence-str", "evidence-int", "contact-list",
         "description-object"],
)
def test_malformed_bodies_get_4xx_never_500(
    api_client_for: Client, body: str | bytes, content_type: str
) -> None:
    response = _post_raw(api_client_for(None), body, content_type)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert Report.objects.count() == 0


ODD_TEXTS = {
    "rtl-marks": "\u202eكلمة\u202c \u200f\u200e مرحبا 0912 345 678 \u2067x\u2069",
    "nul-byte": "before\x00after",
    "emoji": "💸💸 đầu tư 🚀 lãi 300% 👨‍👩‍👧‍👦 🇻🇳",
    "combining": "Ti\u1ebfng Vi\u0323\u0302t \u0301\u0301\u0301 Z\u0351\u0352\u0353",
    "long-10000": ("Lừa đảo 💰 " * 1000)[:10_000],
    "lone-surrogate": "broken \ud800 pair",
    "control-chars": "\x01\x02\x1b[31mred\x1b[0m\x7f",
    "bom-and-zwj": "\ufeff\u200d\u2060 hidden",
}


@pytest.mark.parametrize("text", ODD_TEXTS.values(), ids=ODD_TEXTS.keys())
def test_odd_unicode_description_is_stored_exactly_or_refused_never_500(
    api_client_for: Client, text: str
) -> None:
    response = api_client_for(None).post(REPORTS, report_payload(description=text))

    stored = [r.description for r in Report.objects.all()]
    outcome = ("stored", stored) if response.status_code == 201 else (
        "refused", response.status_code // 100, stored)
    assert outcome in (("stored", [text]), ("refused", 4, []))


@pytest.mark.parametrize("text", ODD_TEXTS.values(), ids=ODD_TEXTS.keys())
def test_odd_unicode_target_and_name_are_stored_exactly_or_refused_never_500(
    api_client_for: Client, text: str
) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(target_kind="other", target=text[:2000], platform="",
                                reporter_contact={"name": text[:200]}),
    )

    stored = [(r.target_raw, r.reporter_name) for r in Report.objects.all()]
    outcome = ("stored", stored) if response.status_code == 201 else (
        "refused", response.status_code // 100, stored)
    assert outcome in (("stored", [(text[:2000], text[:200].strip())]), ("refused", 4, []))


LONG_TARGETS = {
    "url-long-path": ("url", "https://example.com/" + "a" * 2000),
    "url-long-query": ("url", "https://example.com/search?q=" + "x" * 1500),
    "post-long-id": ("post", "https://www.facebook.com/groups/123/posts/" + "9" * 1900),
}


@pytest.mark.parametrize(("kind", "target"), LONG_TARGETS.values(), ids=LONG_TARGETS.keys())
def test_a_long_target_within_the_schema_limit_is_stored_or_refused_never_500(
    api_client_for: Client, kind: str, target: str
) -> None:
    assert len(target) <= 2048  # the schema's own limit for `target`

    response = api_client_for(None).post(
        REPORTS, report_payload(target_kind=kind, target=target, platform=""))

    stored = [r.target_raw for r in Report.objects.all()]
    outcome = ("stored", stored) if response.status_code == 201 else (
        "refused", response.status_code // 100, stored)
    assert outcome in (("stored", [target]), ("refused", 4, []))


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", f"{REPORTS}/FH-%00"), ("GET", f"{REPORTS}/FH-ABCDE-%00%00%00"),
     ("POST", f"{REPORTS}/FH-%00/appeal")],
    ids=["status", "status-padded", "appeal"],
)
def test_a_nul_byte_in_the_tracking_code_is_a_404_not_a_500(
    api_client_for: Client, method: str, path: str
) -> None:
    client = api_client_for(None)
    headers = {"X-Report-Secret": "some-secret"}

    response = (client.get(path, headers=headers) if method == "GET"
                else client.post(path, {"statement": "Please look again."}, headers=headers))

    assert response.status_code == 404


def test_a_description_of_exactly_10000_characters_is_kept_whole(api_client_for: Client) -> None:
    text = "😀" * 9_999 + "."
    assert len(text) == 10_000

    filed = file_report(api_client_for(None), description=text)

    assert Report.objects.get(tracking_code=filed["tracking_code"]).description == text


def test_a_nul_byte_in_the_evidence_name_does_not_break_intake(api_client_for: Client) -> None:
    response = api_client_for(None).post(
        REPORTS, report_payload(evidence=[evidence_item(png_bytes(), name="a\x00b.png")])
    )

    assert response.status_code == 201
    assert Evidence.objects.get().original_name == "ab.png"


# --- grouping reports into cases -------------------------------------------------------------


def test_three_forms_of_one_facebook_profile_land_in_one_case(api_client_for: Client) -> None:
    urls = [
        "https://www.facebook.com/profile.php?id=100012345678",
        "https://m.facebook.com/profile.php?id=100012345678&ref=bookmarks",
        "https://www.facebook.com/people/Some-Name/100012345678/",
    ]
    for index, url in enumerate(urls):
        file_report(api_client_for(None, ip=f"203.0.113.{index + 1}"), target=url)

    response = api_client_for("reviewer").get(CASES)

    assert response.status_code == 200
    cases = response.json()
    assert len(cases) == 1
    assert cases[0]["report_count"] == 3
    assert cases[0]["reporter_count"] == 3
    assert cases[0]["target_value"] == "facebook:100012345678"
    assert Case.objects.count() == 1


def test_two_spellings_of_one_phone_number_are_one_case(api_client_for: Client) -> None:
    client = api_client_for(None)
    file_report(client, target_kind="phone", target="0912 345 678", platform="")
    file_report(client, target_kind="phone", target="+84912345678", platform="")

    cases = api_client_for("reviewer").get(CASES).json()

    assert [(c["target_value"], c["target_kind"], c["report_count"]) for c in cases] == [
        ("+84912345678", "phone", 2)
    ]
    # The same person reporting twice is still one reporter.
    assert cases[0]["reporter_count"] == 1


def test_different_targets_are_different_cases(api_client_for: Client) -> None:
    client = api_client_for(None)
    file_report(client, target_kind="phone", target="0912 345 678", platform="")
    file_report(client, target_kind="phone", target="0912 345 679", platform="")

    cases = api_client_for("reviewer").get(CASES).json()

    assert sorted(c["target_value"] for c in cases) == ["+84912345678", "+84912345679"]


# --- rate limit ------------------------------------------------------------------------------


def test_anonymous_intake_over_the_limit_gets_429_with_retry_after(
    api_client_for: Client, settings: Any
) -> None:
    settings.FRAUDHUB_INTAKE_RATE_LIMIT = 3
    # One window that cannot roll over during the test.
    settings.FRAUDHUB_INTAKE_RATE_WINDOW_SECONDS = 10**9
    client = api_client_for(None, ip="198.51.100.50")
    for _ in range(3):
        file_report(client)

    refused = client.post(REPORTS, report_payload(description="the fourth one"))

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 10**9
    assert Report.objects.count() == 3
    assert not Report.objects.filter(description="the fourth one").exists()
    assert Case.objects.get().report_count == 3
    # Another address and an authenticated partner are not held to that address's limit.
    file_report(api_client_for(None, ip="198.51.100.51"))
    file_report(api_client_for("partner", ip="198.51.100.50"))
    assert Report.objects.count() == 5


# --- taxonomy --------------------------------------------------------------------------------


def test_taxonomy_lists_26_types_with_vietnamese_and_english_names(
    api_client_for: Client,
) -> None:
    response = api_client_for(None).get("/api/v1/taxonomy")

    assert response.status_code == 200
    types = response.json()
    assert len(types) == 26
    assert len({t["key"] for t in types}) == 26
    assert {t["key"] for t in types} >= {"investment_stock_crypto", "romance_scam", "other",
                                         "impersonation_official_brand"}
    assert all(t["name_vi"].strip() and t["name_en"].strip() for t in types)
    assert all(t["name_vi"] != t["name_en"] for t in types)
    # Vietnamese names are written in Vietnamese (with its diacritics), English ones are not.
    assert all(any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", t["name_vi"]))
               for t in types)
    assert all(t["dsa_category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD" for t in types)
    assert {t["key"] for t in types} == {ft.key for ft in fraud_type_list()}


# --- receipt ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("language", "is_vietnamese"), [("vi", True), ("en", False)], ids=["vi", "en"]
)
def test_the_receipt_is_mailed_after_the_jobs_run_in_the_reports_language(
    api_client_for: Client, drain_jobs: Callable[[], int], language: str, is_vietnamese: bool
) -> None:
    filed = file_report(api_client_for(None), language=language,
                        reporter_contact={"email": "victim@example.org", "name": "Lan"})
    assert mail.outbox == []

    drain_jobs()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["victim@example.org"]
    text = (message.subject + "\n" + str(message.body)).lower()
    assert filed["tracking_code"].lower() in text
    assert filed["secret"].lower() not in text
    assert bool(VIETNAMESE_LETTERS & set(text)) is is_vietnamese


@pytest.mark.parametrize(("kind", "target", "named"), [
    ("other", "x\r\n\r\nURGENT: your bank account is locked. Call 0900000000 or log in at "
     "http://evil.example/login", False),
    ("url", "https://evil-bank.top/login", False),
    ("phone", "0912 345 678", True),
])
def test_a_receipt_repeats_no_text_or_link_a_reporter_wrote(
    api_client_for: Client, drain_jobs: Callable[[], int], kind: str, target: str, named: bool
) -> None:
    # The address is nobody's verified one: a receipt quoting the target would let anybody have
    # FraudHub mail their own words or phishing link to anyone.
    filed = file_report(api_client_for(None), target_kind=kind, target=target, platform="",
                        language="en", reporter_contact={"email": "victim@example.org"})

    drain_jobs()

    [message] = mail.outbox
    assert filed["tracking_code"] in message.body
    assert "evil" not in message.body and "URGENT" not in message.body
    assert ("+84 912 345 678" in message.body) is named


def test_no_receipt_without_an_email(
    api_client_for: Client, drain_jobs: Callable[[], int]
) -> None:
    file_report(api_client_for(None))

    drain_jobs()

    assert mail.outbox == []


# --- tracking codes that clash ---------------------------------------------------------------


def test_a_single_report_whose_code_clashes_is_filed_again_whole_with_a_new_code(
    api_client_for: Client,
) -> None:
    from unittest import mock

    from fraudhub.reports import filing

    client = api_client_for(None)
    taken = file_report(client)["tracking_code"]
    draws = iter([taken, "FH-AAAAA-BBBBB"])

    with mock.patch.object(filing, "tracking_code_new", lambda: next(draws)):
        filed = file_report(client, evidence=[evidence_item()])

    assert filed["tracking_code"] == "FH-AAAAA-BBBBB"
    report = Report.objects.get(tracking_code="FH-AAAAA-BBBBB")
    # The failed attempt left nothing: one count on the case, one evidence row and its file.
    assert report.case is not None and report.case.report_count == 2
    assert Report.objects.count() == 2
    [evidence] = Evidence.objects.all()
    assert evidence.report_id == report.pk and evidence.file.storage.exists(evidence.file.name)


def test_codes_that_keep_clashing_fail_the_report_and_leave_no_file_behind(
    api_client_for: Client, settings: Any,
) -> None:
    from pathlib import Path
    from unittest import mock

    from fraudhub.reports import filing

    client = api_client_for(None)
    taken = file_report(client)["tracking_code"]

    with mock.patch.object(filing, "tracking_code_new", lambda: taken), \
            pytest.raises(filing.IntegrityError):
        client.post(REPORTS, report_payload(evidence=[evidence_item()]))

    assert Report.objects.count() == 1
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
