"""Access control and leaks across the API and the pages: who reaches what with how much of a
login, and what an answer tells about data the caller may not see."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models.signals import post_init
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.cases.models import Queue
from fraudhub.core.models import ApiKey, OrganizationKind, User
from fraudhub.core.roles import Role
from fraudhub.core.services import organization_create
from fraudhub.indicators.models import Distribution, Indicator, IndicatorStatus
from fraudhub.reports.models import Report, ReportSource
from fraudhub.reports.selectors import report_get_with_secret
from tests.conftest import SYSTEM, ApiClient, default_agency, make_user
from tests.indicators_db.factories import make_indicator
from tests.web.conftest import FACEBOOK_ACCOUNT, PASSWORD, current_code, file_web_report

pytestmark = pytest.mark.django_db

Factory = Callable[..., ApiClient]
WATCHED = "+84912000111"  # a number the authorities keep to themselves


def password_only(user: User) -> Client:
    """A browser that typed the password of `user` (who has a device) and not the code yet."""
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(REMOTE_ADDR="192.0.2.70")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    return client


def verify(client: Client, user: User) -> None:
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/accounts/2fa/verify/", {"code": current_code(device)})
    assert response.status_code == 302, response.content


# --- Django's admin asks for the second factor too -----------------------------------------


@pytest.fixture
def administrator() -> User:
    user = make_user(Role.ADMIN, "chief")
    assert user.is_staff and user.is_superuser
    return user


def test_the_admin_stays_closed_to_a_password_alone(administrator: User) -> None:
    client = password_only(administrator)

    for path in ("/admin/", "/admin/core/apikey/add/", "/admin/core/auditentry/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0] == f"/accounts/2fa/verify/?next={path}", path
    assert client.post("/admin/core/apikey/add/", {
        "name": "stolen", "role": Role.ADMIN, "scopes": "[]"}).status_code == 302
    assert not ApiKey.objects.exists()

    verify(client, administrator)
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_form_sends_to_the_two_step_login(administrator: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.71")
    shown = client.get("/admin/login/?next=/admin/core/user/")
    assert shown.status_code == 302
    assert shown["Location"] == "/accounts/login/?next=/admin/core/user/"
    # Its own form, which asked for the password only, logs nobody in any more.
    posted = client.post("/admin/login/", {"username": administrator.username,
                                           "password": PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_without_the_2fa_rule_still_opens(administrator: User, settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client()
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    chain = Client().get("/admin/", follow=True).redirect_chain
    assert chain[-1][0] == "/accounts/login/?next=/admin/"


def test_the_admin_follows_the_role_not_djangos_staff_flags() -> None:
    """An administrator moved to another role on the user page keeps Django's staff and
    superuser flags; a user flagged staff by mistake has them without being an administrator.
    Neither reads the audit log, the API keys or the reports there: the admin is for the
    `admin` role, as admin:audit:read and admin:apikey:manage are."""
    demoted = make_user(Role.ADMIN, "former-chief")
    demoted.role = Role.REVIEWER
    demoted.save()
    assert demoted.is_staff and demoted.is_superuser
    client = password_only(demoted)
    verify(client, demoted)
    assert client.get("/console/").status_code == 200  # a verified reviewer now
    for path in ("/admin/", "/admin/core/auditentry/", "/admin/core/apikey/",
                 "/admin/reports/report/"):
        chain = client.get(path, follow=True).redirect_chain
        assert chain[-1][0] == f"/accounts/login/?next={path}", path

    citizen = make_user(Role.CITIZEN, "flagged-staff")
    citizen.is_staff = citizen.is_superuser = True
    citizen.save()
    # A citizen owes no second factor: the password alone logs them in.
    browser = Client(REMOTE_ADDR="192.0.2.72")
    assert browser.post("/accounts/login/", {"username": citizen.username,
                                             "password": PASSWORD}).status_code == 302
    for path in ("/admin/", "/admin/core/auditentry/"):
        chain = browser.get(path, follow=True).redirect_chain
        assert chain[-1][0] == f"/accounts/login/?next={path}", path


# --- a session owing its second factor is anonymous on the public pages ---------------------


def test_a_password_alone_does_not_show_internal_indicators_on_the_check_page() -> None:
    make_indicator(WATCHED, status=IndicatorStatus.SUSPICIOUS,
                   distribution=Distribution.INTERNAL)
    reviewer = make_user(Role.REVIEWER, "desk")
    client = password_only(reviewer)

    half = client.get("/check/", {"q": "0912 000 111"})
    assert half.status_code == 200
    assert half.context["answer"].status == IndicatorStatus.NO_DATA

    verify(client, reviewer)
    full = client.get("/check/", {"q": "0912 000 111"})
    assert full.context["answer"].status == IndicatorStatus.SUSPICIOUS


def _file_on_the_web(client: Client) -> Any:
    return client.post("/report/", {
        "target_kind": "account", "target": FACEBOOK_ACCOUNT, "platform": "facebook",
        "fraud_type": "investment_stock_crypto", "good_faith": "on",
        "description": "Tài khoản mạo danh kêu gọi đầu tư tiền ảo.",
        "reporter_email": "", "reporter_name": "", "reporter_phone": ""})


def test_a_password_alone_does_not_file_reports_as_the_agency() -> None:
    officer = make_user(Role.AGENCY_OFFICER, "officer", org=default_agency())
    client = password_only(officer)
    response = _file_on_the_web(client)
    assert response.status_code == 201, response.content[:2000]
    assert Report.objects.get().source == ReportSource.CITIZEN  # not the authority queue


def test_an_officer_of_no_agency_does_not_file_into_the_authority_queue() -> None:
    """docs/agencies.md: an agency_officer key *or user* belongs to an agency. Keys are checked
    when made; a user is not (the admin's user page, user_create), and the role alone sent
    the user's reports in as the authority's, ahead of every citizen."""
    platform = organization_create(actor=SYSTEM, name="Platform Z",
                                   kind=OrganizationKind.PLATFORM)
    for username, org in (("officer-of-nothing", None), ("officer-of-a-platform", platform)):
        # Services and the admin refuse such a user now (tests/core/test_admin_audit.py);
        # one made before, or whose agency was deleted, may still exist.
        officer = make_user(Role.AGENCY_OFFICER, username, org=default_agency())
        User.objects.filter(pk=officer.pk).update(organization=org)
        officer.refresh_from_db()
        client = password_only(officer)
        verify(client, officer)
        response = _file_on_the_web(client)
        assert response.status_code == 201, response.content[:2000]
    reports = Report.objects.select_related("case").order_by("pk")
    assert [(r.source, r.case.queue if r.case else None) for r in reports] == [
        (ReportSource.CITIZEN, Queue.STANDARD)] * 2


# --- delisting tells nothing about values the requester may not look up ---------------------


def delisting(client: ApiClient, value: str) -> Any:
    return client.post("/api/v1/delisting", {
        "value": value, "requester_name": "Nguyễn Văn A", "requester_email": "a@example.com",
        "statement": "This number is mine since March."})


def test_delisting_answers_an_internal_value_as_unlisted_and_leaves_it_alone(
    anon_api: ApiClient, api_client_for: Factory,
) -> None:
    make_indicator(WATCHED, status=IndicatorStatus.SUSPICIOUS,
                   distribution=Distribution.INTERNAL)

    watched = delisting(anon_api, "0912 000 111")
    unknown = delisting(anon_api, "0912 000 222")

    assert watched.status_code == unknown.status_code == 409
    assert watched.json() == unknown.json()
    assert Indicator.objects.get(value=WATCHED).status == IndicatorStatus.SUSPICIOUS
    # A partner may not see it either; staff may, and ask for its review.
    assert delisting(api_client_for(Role.PARTNER), "0912 000 111").status_code == 409
    assert delisting(api_client_for(Role.REVIEWER), "0912 000 111").status_code == 201
    assert Indicator.objects.get(value=WATCHED).status == IndicatorStatus.VERIFYING


def test_delisting_of_a_partners_value_is_for_those_who_see_it(
    anon_api: ApiClient, api_client_for: Factory,
) -> None:
    make_indicator(WATCHED, status=IndicatorStatus.SCAM, distribution=Distribution.PARTNERS)

    assert delisting(anon_api, "0912 000 111").status_code == 409
    assert delisting(api_client_for(Role.PARTNER), "0912 000 111").status_code == 201


def test_the_delisting_page_answers_an_internal_value_as_unlisted() -> None:
    make_indicator(WATCHED, status=IndicatorStatus.SUSPICIOUS,
                   distribution=Distribution.INTERNAL)
    form = {"requester_name": "Nguyễn Văn A", "requester_email": "a@example.com",
            "statement": "This number is mine since March."}
    watched = Client(REMOTE_ADDR="192.0.2.72").post("/delisting/", {**form,
                                                                    "value": "0912 000 111"})
    unknown = Client(REMOTE_ADDR="192.0.2.72").post("/delisting/", {**form,
                                                                    "value": "0912 000 222"})
    assert watched.status_code == unknown.status_code == 409
    assert Indicator.objects.get(value=WATCHED).status == IndicatorStatus.SUSPICIOUS


# --- a report's secret: a wrong one answers like an unknown code ----------------------------


@pytest.fixture
def reports_built() -> Iterator[list[Report]]:
    """Every Report instance made while the test runs (built from a row or by hand)."""
    built: list[Report] = []

    def count(sender: type[Report], instance: Report, **kwargs: Any) -> None:
        built.append(instance)

    post_init.connect(count, sender=Report, weak=False)
    yield built
    post_init.disconnect(count, sender=Report)


def test_a_wrong_secret_reads_nothing_of_the_report(reports_built: list[Report]) -> None:
    """Building the report (with its target and case) for a wrong secret took measurably longer
    than answering an unknown code (~70 µs), which told which tracking codes exist."""
    filed = file_web_report()
    code = filed.report.tracking_code
    reports_built.clear()

    assert report_get_with_secret(tracking_code=code, secret="not-the-secret") is None
    assert report_get_with_secret(tracking_code="FH-22222-22222", secret=filed.secret) is None
    assert reports_built == []

    found = report_get_with_secret(tracking_code=code.lower(), secret=filed.secret)
    assert found is not None and found.pk == filed.report.pk
    assert found.target.canonical  # read with it, as the status pages show it


def test_report_status_answers_a_wrong_secret_as_an_unknown_code(anon_api: ApiClient) -> None:
    filed = file_web_report()
    wrong = anon_api.get(f"/api/v1/reports/{filed.report.tracking_code}",
                         headers={"X-Report-Secret": "not-the-secret"})
    unknown = anon_api.get("/api/v1/reports/FH-22222-22222",
                           headers={"X-Report-Secret": filed.secret})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


# --- evidence files --------------------------------------------------------------------------


def test_an_evidence_name_cannot_add_headers_or_become_a_page(settings: Any) -> None:
    from fraudhub.reports.evidence import EvidenceUpload
    from tests.conftest import png_bytes

    settings.FRAUDHUB_REQUIRE_2FA = False
    file_web_report(evidence=[EvidenceUpload(
        name='x"; filename=evil.html\r\nSet-Cookie: a=b\r\n\r\n<svg onload=alert(1)>.svg',
        content=png_bytes())])
    evidence = Report.objects.get().evidence.get()
    client = Client()
    client.force_login(make_user(Role.REVIEWER, "desk"))

    response = client.get(f"/console/evidence/{evidence.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert disposition.endswith(f'-{evidence.pk}.png"')
    assert "\r" not in disposition and "\n" not in disposition and "<" not in disposition
    assert disposition.count('"') == 2
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_a_forged_forwarded_address_does_not_dodge_the_lookup_limit(settings: Any) -> None:
    settings.FRAUDHUB_TRUST_X_FORWARDED_FOR = 1
    settings.FRAUDHUB_LOOKUP_RATE_LIMIT = 3
    settings.FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS = 0
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # The client writes any address it likes; our proxy appends the one it saw, last.
    statuses = [proxy.get("/api/v1/lookup", {"value": "0912345678"},
                          HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.4").status_code
                for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.parametrize(("proxies", "expected"), [
    (1, "198.51.100.9"), (2, "198.51.100.4"), (3, "203.0.113.66"),
    (4, "10.0.0.2"),  # fewer hops than proxies: not through all of them, the peer counts
])
def test_the_client_address_is_counted_from_the_right_per_proxy_of_ours(
    settings: Any, proxies: int, expected: str,
) -> None:
    from django.test import RequestFactory

    from fraudhub.core.http import client_ip

    settings.FRAUDHUB_TRUST_X_FORWARDED_FOR = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.4,198.51.100.9")
    assert client_ip(request) == expected


def test_failed_logins_behind_the_proxy_lock_out_the_guesser_not_everyone(
    settings: Any,
) -> None:
    settings.FRAUDHUB_TRUST_X_FORWARDED_FOR = 1
    settings.FRAUDHUB_REQUIRE_2FA = False
    make_user(Role.REVIEWER, "reviewer")
    guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _attempt in range(6):
        answer = guesser.post("/accounts/login/", {"username": "reviewer", "password": "nope"})
    assert answer.status_code == 429

    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    answer = owner.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert answer.status_code == 302
