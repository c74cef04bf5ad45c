"""Browser-session middleware is passed over for the API and /healthz, and only there."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from pytest_django import Settings

from fraudhub.core import middleware
from fraudhub.core.roles import Role
from tests.conftest import make_user

# Each middleware and what it sets on the request it passes on.
_SETS = [
    (middleware.SessionMiddleware, "session"),
    (middleware.AuthenticationMiddleware, "user"),
    (middleware.MessageMiddleware, "_messages"),
]


def _seen_by_view(middleware_class: type, path: str, attribute: str) -> bool:
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(hasattr(request, attribute))
        return HttpResponse("ok")

    request = RequestFactory().get(path)
    if attribute != "session":  # what SessionMiddleware, before it, would have set
        request.session = SessionBase()
    middleware_class(view)(request)
    return seen == [True]


@pytest.mark.parametrize(("middleware_class", "attribute"), _SETS)
@pytest.mark.parametrize("path", ["/api/v1/lookup", "/api/v1/reports", "/healthz"])
def test_machine_paths_pass_over_browser_middleware(middleware_class: type, attribute: str,
                                                    path: str) -> None:
    assert not _seen_by_view(middleware_class, path, attribute)


@pytest.mark.parametrize(("middleware_class", "attribute"), _SETS)
@pytest.mark.parametrize("path", ["/", "/report/", "/check/", "/admin/", "/apiary/"])
def test_browser_paths_get_browser_middleware(middleware_class: type, attribute: str,
                                              path: str) -> None:
    assert _seen_by_view(middleware_class, path, attribute)


def test_otp_middleware_verifies_the_user_of_browser_paths_only() -> None:
    from django.contrib.auth.models import AnonymousUser

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(hasattr(request.user, "is_verified")))

    for path, verified in (("/review/", "True"), ("/api/v1/cases", "False")):
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        assert middleware.OTPMiddleware(view)(request).content.decode() == verified


@pytest.mark.django_db
def test_the_api_ignores_a_logged_in_browser_session(client: object, admin_user: object) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    client.force_login(admin_user)  # type: ignore[arg-type]
    # A session cookie is not an API credential: the API answers as to an anonymous caller.
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/healthz").json() == {"status": "ok"}
    assert "sessionid" not in client.get("/healthz").cookies


@pytest.mark.django_db
def test_early_refusals_are_in_the_callers_language_not_the_last_requests(
        settings: Settings) -> None:
    # Django's LocaleMiddleware activates a request's language and leaves it active in the
    # thread; a refusal made before it ran would speak the language of the thread's last request.
    settings.FRAUDHUB_MAX_BODY_BYTES = 100
    client = Client()
    assert client.get("/check/", headers={"Accept-Language": "vi"}).status_code == 200

    english = client.post("/api/v1/reports", "x" * 200, content_type="application/json",
                          headers={"Accept-Language": "en"})
    vietnamese = client.post("/api/v1/reports", "x" * 200, content_type="application/json",
                             headers={"Accept-Language": "vi"})
    nul_in_address = client.get("/check/?q=%00", headers={"Accept-Language": "en"})

    assert english.status_code == vietnamese.status_code == 413
    assert english.json()["detail"] == "The request is too large (limit 100 bytes)."
    assert vietnamese.json()["detail"] != english.json()["detail"]
    assert nul_in_address.status_code == 400
    assert "The address contains a NUL character." in nul_in_address.content.decode()


def test_static_files_are_the_same_for_every_language() -> None:
    response = Client().get("/static/fraudhub/htmx.min.js", headers={"Accept-Language": "vi"})

    assert response.status_code == 200
    assert "Accept-Language" not in response.get("Vary", "")
    assert "Content-Language" not in response


@pytest.mark.django_db
def test_a_refused_request_is_logged_in_one_line_without_a_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    citizen = make_user(Role.CITIZEN, "citizen-log")
    client = Client()
    client.force_login(citizen)

    with caplog.at_level("WARNING", logger="django.request"):
        refused = client.get("/console/")

    assert refused.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /console/"
    assert record.exc_info is None and getattr(record, "status_code", None) == 403
