"""The public pages: every one renders in both languages; filing and following a report."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from fraudhub.cases.models import Case
from fraudhub.reports.models import Report
from tests.conftest import png_bytes
from tests.web.conftest import FACEBOOK_ACCOUNT, file_web_report

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/report/",
    "/report/status/",
    "/report/status/FH-AAAAA-BBBBB",
    "/accounts/login/",
]

# One phrase per language that the page must show: the nav link to the report form.
NAV_REPORT = {"en": "Report fraud", "vi": "Báo cáo lừa đảo"}


def client_in(language: str) -> Client:
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_renders_in_each_language(path: str, language: str) -> None:
    response = client_in(language).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert NAV_REPORT[language] in html
    assert "/static/fraudhub/htmx.min.js" in html
    assert "//cdn" not in html.lower()  # no script or style from a CDN host


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_forged_appeal_link_is_refused_before_the_owner_types(language: str) -> None:
    response = client_in(language).get("/appeal/not-a-real-token")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert "<textarea" not in html


def test_language_switcher_sets_the_language() -> None:
    client = client_in("en")
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/report/"})
    assert response.status_code == 302
    assert response["Location"] == "/report/"
    assert "Gửi báo cáo" in client.get("/report/").content.decode()


def test_fraud_types_follow_the_language() -> None:
    en = client_in("en").get("/report/").content.decode()
    vi = client_in("vi").get("/report/").content.decode()
    assert 'value="investment_stock_crypto"' in en and 'value="investment_stock_crypto"' in vi
    assert en != vi


def _valid_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "target_kind": "account", "target": FACEBOOK_ACCOUNT, "platform": "facebook",
        "fraud_type": "investment_stock_crypto",
        "description": "Họ bảo chuyển tiền vào STK 0071000123456 Vietcombank, gọi 0912 345 678.",
        "reporter_email": "", "reporter_name": "", "reporter_phone": "",
        "good_faith": "on",
    }
    data.update(overrides)
    return data


def test_report_form_shows_field_errors_and_keeps_input() -> None:
    description = "Kẻ gian gọi từ số lạ <b>khẩn cấp</b>"
    response = client_in("en").post("/report/", _valid_post(
        target_kind="phone", target="not a phone", description=description,
        reporter_name="Nguyễn Văn A",
    ))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert "not valid" in html.lower()
    # What the citizen typed is still there (escaped), so nothing has to be typed again.
    assert "Kẻ gian gọi từ số lạ &lt;b&gt;khẩn cấp&lt;/b&gt;</textarea>" in html
    assert 'value="not a phone"' in html
    assert 'value="Nguyễn Văn A"' in html
    assert Report.objects.count() == 0


def test_a_description_that_fits_the_box_fits_the_form() -> None:
    # 5,000 lines in a text area of maxlength 10,000: browsers send each line end as CRLF.
    description = "Họ gọi tôi\r\n" * 909 + "x"  # 10,909 characters sent, 10,000 typed

    response = client_in("en").post("/report/", _valid_post(description=description))

    assert response.status_code == 201
    assert Report.objects.get().description == description.replace("\r\n", "\n")


def test_report_form_requires_good_faith_in_vietnamese() -> None:
    data = _valid_post()
    del data["good_faith"]
    response = client_in("vi").post("/report/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Trường này là bắt buộc." in html or "bắt buộc" in html
    assert "Họ bảo chuyển tiền vào STK 0071000123456" in html


def test_report_form_rejects_a_file_that_is_not_an_image() -> None:
    fake = SimpleUploadedFile("shot.png", b"<html><script>x</script></html>", "image/png")
    response = client_in("en").post("/report/", {**_valid_post(), "evidence": [fake]})
    assert response.status_code == 422
    assert "not an image or PDF" in response.content.decode()


def test_filing_a_report_shows_code_and_secret_once() -> None:
    shot = SimpleUploadedFile("shot.png", png_bytes(), "image/png")
    response = client_in("en").post("/report/", {**_valid_post(), "evidence": [shot]})
    assert response.status_code == 201
    html = response.content.decode()
    report = Report.objects.get()
    assert report.tracking_code in html
    secret = re.search(r'id="report-secret">([^<]+)<', html)
    assert secret is not None
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert report.evidence.count() == 1
    assert report.language == "en"

    status = client_in("en").post(f"/report/status/{report.tracking_code}",
                                  {"secret": secret.group(1)})
    assert status.status_code == 200
    assert "Received, waiting for review" in status.content.decode()


def test_rate_limited_report_says_when_to_retry(settings: Settings) -> None:
    settings.FRAUDHUB_INTAKE_RATE_LIMIT = 1
    client = client_in("en")
    assert client.post("/report/", _valid_post()).status_code == 201
    response = client.post("/report/", _valid_post())
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many reports" in response.content.decode()


def test_status_page_with_a_wrong_secret_says_so() -> None:
    filed = file_web_report()
    response = client_in("en").post(f"/report/status/{filed.report.tracking_code}",
                                    {"secret": "wrong"})
    assert response.status_code == 404
    assert "No report with this tracking code and secret" in response.content.decode()


def test_status_lookup_form_finds_the_report_in_vietnamese() -> None:
    filed = file_web_report()
    response = client_in("vi").post("/report/status/", {
        "tracking_code": filed.report.tracking_code.lower(), "secret": filed.secret,
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert filed.report.tracking_code in html
    assert "Chưa có quyết định" in html


def test_reporter_appeals_a_no_violation_decision(reviewer_actor: object) -> None:
    from tests.cases.helpers import decide

    filed = file_web_report()
    case = Case.objects.get()
    decide(reviewer_actor, case, outcome="no_violation")  # type: ignore[arg-type]
    client = client_in("en")
    page = client.post(f"/report/status/{filed.report.tracking_code}", {"secret": filed.secret})
    assert "Appeal the decision" in page.content.decode()
    response = client.post(f"/report/status/{filed.report.tracking_code}/appeal",
                           {"secret": filed.secret, "statement": "It is clearly a scam."})
    assert response.status_code == 201
    assert "Your appeal was filed" in response.content.decode()
    again = client.post(f"/report/status/{filed.report.tracking_code}/appeal",
                        {"secret": filed.secret, "statement": "Again."})
    assert again.status_code == 409


def test_owner_appeal_with_a_bad_link_is_refused() -> None:
    response = client_in("en").post("/appeal/forged-token", {"statement": "Not me."})
    assert response.status_code == 404
    assert "This appeal link is not valid." in response.content.decode()


def test_owner_appeal_with_a_signed_link(reviewer_actor: object) -> None:
    from fraudhub.cases.services.enforcement import owner_appeal_token
    from tests.cases.helpers import decide

    file_web_report()
    decision = decide(reviewer_actor, Case.objects.get())  # type: ignore[arg-type]
    token = owner_appeal_token(decision)
    client = client_in("vi")
    assert client.get(f"/appeal/{token}").status_code == 200
    response = client.post(f"/appeal/{token}", {"statement": "Đây là tài khoản thật của tôi.",
                                                "contact_email": "owner@example.com"})
    assert response.status_code == 201
    assert "owner@example.com" in response.content.decode()


def test_an_oversized_evidence_file_is_413_with_the_form_kept(settings: Settings) -> None:
    settings.FRAUDHUB_EVIDENCE_MAX_BYTES = 1024
    shot = SimpleUploadedFile("big.png", png_bytes((400, 400)) + b"\0" * 2048, "image/png")
    response = client_in("en").post("/report/", {**_valid_post(), "evidence": [shot]})
    assert response.status_code == 413
    html = response.content.decode()
    assert "larger than" in html
    assert "Họ bảo chuyển tiền vào STK 0071000123456" in html
    assert Report.objects.count() == 0


def test_the_status_page_does_not_take_the_secret_from_the_address() -> None:
    # Addresses end up in access logs and the browser's history.
    filed = file_web_report()
    response = client_in("en").get(f"/report/status/{filed.report.tracking_code}",
                                   {"secret": filed.secret})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_secret"' in html
    assert "Received, waiting for review" not in html


@pytest.mark.parametrize("path", [
    "/report/status/%00", "/report/status/%E2%80%AEexe.gnp", "/report/status/" + "A" * 5000,
    "/report/status/<script>alert(1)</script>", "/report/status/FH-00000-00000/appeal",
])
def test_a_status_address_that_holds_no_tracking_code_is_a_plain_404(path: str) -> None:
    response = client_in("en").get(path)

    assert response.status_code == 404
    body = response.content.decode()
    assert 'name="secret"' not in body  # not the status page, with the text as its "code"
    assert "<script>alert" not in body


def test_a_status_address_of_a_well_formed_code_asks_for_the_secret() -> None:
    response = client_in("en").get("/report/status/FH-ABCDE-23456")

    assert response.status_code == 200
    assert "FH-ABCDE-23456" in response.content.decode()
