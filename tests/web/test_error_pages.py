"""The pages of requests that fail before or inside a view speak the visitor's language: Django's
own (CSRF refusal, 400, 500) are in English whatever the language and unstyled."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CSRF_TITLE = {"vi": "Không gửi được biểu mẫu", "en": "The form could not be sent"}
ERROR_500_TITLE = {"vi": "Đã xảy ra lỗi", "en": "Something went wrong"}
ERROR_400_TITLE = {"vi": "Không đọc được yêu cầu", "en": "The request could not be read"}


def client_in(language: str, *, enforce_csrf_checks: bool = False,
              raise_request_exception: bool = True) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks,
                    raise_request_exception=raise_request_exception, REMOTE_ADDR="198.51.100.21")
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_form_refused_by_the_csrf_check_is_explained_in_the_language(language: str) -> None:
    response = client_in(language, enforce_csrf_checks=True).post(
        "/report/", {"target": "0912345678"})
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert CSRF_TITLE[language] in html
    assert "CSRF verification failed" not in html
    assert "/static/fraudhub/site.css" in html
    # A new token comes with the page, so going back and sending the form again works.
    assert response.cookies["csrftoken"].value


@pytest.mark.urls("tests.web.error_urls")
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_server_error_page_is_in_the_language(language: str) -> None:
    response = client_in(language, raise_request_exception=False).get("/failing/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert ERROR_500_TITLE[language] in html
    assert "Server Error" not in html
    assert "/static/fraudhub/site.css" in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_bad_request_page_is_in_the_language(language: str) -> None:
    response = client_in(language).get("/", HTTP_HOST="not-this-site.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert ERROR_400_TITLE[language] in html
    assert "Bad Request" not in html
