"""The reviewer console: who gets in, what the case page shows, and the actions on it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from fraudhub.cases.models import Case, CaseStatus, Decision, Outcome
from fraudhub.cases.services.claims import case_claim
from fraudhub.core.actors import Actor
from fraudhub.core.models import User
from fraudhub.core.roles import Role
from fraudhub.reports.models import Evidence, Report, ReportStatus
from tests.conftest import make_user
from tests.web.conftest import PASSWORD, file_web_report

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login() -> None:
    response = Client().get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/"


def test_reviewer_without_second_factor_is_sent_to_set_one_up(reviewer: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")
    # Logged in with the password only, the console stays closed.
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    html = setup.content.decode()
    assert "<svg" in html and "otpauth" not in html.split("<svg", 1)[0]


def test_reviewer_with_an_unverified_device_is_sent_to_verify(reviewer: User) -> None:
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = Client()
    client.force_login(reviewer)
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/verify/?next=/console/"
    not_a_code = client.post("/accounts/2fa/verify/?next=/console/", {"code": ""})
    assert not_a_code.status_code == 422


def test_setting_up_a_device_opens_the_console(reviewer: User) -> None:
    from django_otp.oath import totp

    client = Client()
    client.force_login(reviewer)
    assert client.get("/accounts/2fa/setup/?next=/console/").status_code == 200
    device = TOTPDevice.objects.get(user=reviewer)
    assert not device.confirmed
    not_a_code = client.post("/accounts/2fa/setup/?next=/console/", {"code": "12ab"})
    assert not_a_code.status_code == 422
    wrong = client.post("/accounts/2fa/setup/?next=/console/", {"code": "000000"})
    assert wrong.status_code == 401
    # A wrong code makes the device wait before the next try; a person would wait too.
    device.refresh_from_db()
    device.throttle_reset()
    code = f"{totp(bytes.fromhex(device.key)):06d}"
    response = client.post("/accounts/2fa/setup/?next=/console/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_without_the_2fa_rule_a_password_is_enough(reviewer: User, settings: Settings) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    settings.FRAUDHUB_DEMO_BANNER = True
    client = Client()
    response = client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response["Location"] == "/console/"
    html = client.get("/console/").content.decode()
    assert "second login factor is turned off" in html


def test_citizen_gets_403_on_the_console() -> None:
    citizen = make_user(Role.CITIZEN, "citizen")
    client = Client()
    client.force_login(citizen)
    assert client.get("/console/").status_code == 403
    assert client.get("/console/cases/1/").status_code == 403


def test_wrong_password_is_refused_and_lockout_shows_a_page(reviewer: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.99")
    response = client.post("/accounts/login/", {"username": "reviewer", "password": "nope"})
    assert response.status_code == 401
    assert "not correct" in response.content.decode()
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"username": "reviewer", "password": "nope"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    # Even the right password is refused while locked out.
    response = client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 429



def test_one_account_is_locked_after_attempts_from_many_addresses(
        reviewer: User, senior: User, settings: Settings) -> None:
    # axes counts per account and address: six guesses from six addresses lock nothing there.
    settings.FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT = 6
    for attempt in range(6):
        name = "REVIEWER" if attempt % 2 else "reviewer"  # one account, however it is typed
        response = Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}").post(
            "/accounts/login/", {"username": name, "password": "nope"})
        assert response.status_code == 401
    fresh = Client(REMOTE_ADDR="198.51.100.200")
    response = fresh.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    page = response.content.decode()
    assert "Too many login attempts" in page and "all addresses together" in page
    assert "_auth_user_id" not in fresh.session  # the right password did not let it in
    # Other accounts, from the same address, are not held.
    response = fresh.post("/accounts/login/", {"username": "senior", "password": PASSWORD})
    assert response.status_code == 302


def test_a_browser_that_logged_in_before_is_not_locked_out_by_attempts_from_elsewhere(
        reviewer: User, senior: User, settings: Settings) -> None:
    settings.FRAUDHUB_LOGIN_ACCOUNT_ATTEMPT_LIMIT = 6
    own = Client(REMOTE_ADDR="198.51.100.50")
    assert own.post("/accounts/login/", {"username": "reviewer",
                                         "password": PASSWORD}).status_code == 302
    assert "fraudhub_device" in own.cookies
    own.post("/accounts/logout/")
    # A browser that logged in to another account holds no device of this one.
    other = Client(REMOTE_ADDR="198.51.100.51")
    assert other.post("/accounts/login/", {"username": "senior",
                                           "password": PASSWORD}).status_code == 302
    for attempt in range(6):  # someone who knows the user name, from six addresses
        Client(REMOTE_ADDR=f"203.0.113.{attempt + 1}").post(
            "/accounts/login/", {"username": "reviewer", "password": "nope"})

    back = own.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    elsewhere = other.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    forged = Client(REMOTE_ADDR="198.51.100.52")
    forged.cookies["fraudhub_device"] = own.cookies["fraudhub_device"].value + "x"
    refused = forged.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})

    assert back.status_code == 302
    assert (elsewhere.status_code, refused.status_code) == (429, 429)


def test_queue_lists_cases_with_counts(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report()
    case = Case.objects.get()
    client = login_verified(reviewer)
    html = client.get("/console/").content.decode()
    assert f"/console/cases/{case.pk}/" in html
    assert "facebook" in html
    assert 'class="due ok"' in html
    other = client.get("/console/?queue=authority").content.decode()
    assert "This queue is empty." in other


def test_case_page_escapes_html_in_descriptions(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report(description='<script>alert("x")</script><img src=x onerror=alert(1)> lừa')
    case = Case.objects.get()
    html = login_verified(reviewer).get(f"/console/cases/{case.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_console_shows_invisible_direction_controls_instead_of_obeying_them(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    # "abc\u202egnp.exe" is displayed "abcexe.png": a reviewer must see what was written.
    file_web_report(target_kind="other", target="abc\u202egnp.exe", platform="",
                    description="Xem tệp abc\u202egnp.exe\u200b ngay")
    case = Case.objects.get()
    client = login_verified(reviewer)

    queue = client.get("/console/").content.decode()
    page = client.get(f"/console/cases/{case.pk}/").content.decode()

    assert "abc[U+202E]gnp.exe" in queue
    assert "abc[U+202E]gnp.exe" in page and "[U+200B]" in page
    assert "\u202e" not in queue and "\u202e" not in page
    assert Report.objects.get().description == "Xem tệp abc\u202egnp.exe\u200b ngay"


def test_evidence_is_downloaded_never_shown_inline(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report()
    evidence = Evidence.objects.get()
    client = login_verified(reviewer)
    response = client.get(f"/console/evidence/{evidence.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.png"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert client.get("/console/evidence/999999").status_code == 404


def test_citizen_may_not_download_evidence() -> None:
    file_web_report()
    client = Client()
    client.force_login(make_user(Role.CITIZEN, "citizen"))
    assert client.get(f"/console/evidence/{Evidence.objects.get().pk}").status_code == 403


def test_claim_decide_with_htmx(reviewer: User, login_verified: Callable[[User], Client]) -> None:
    filed = file_web_report()
    case = Case.objects.get()
    client = login_verified(reviewer)
    htmx = {"HX-Request": "true"}
    response = client.post(f"/console/cases/{case.pk}/claim", headers=htmx, follow=True)
    assert response.status_code == 200
    assert "You claimed this case" in response.content.decode()
    page = response.content.decode()
    assert "Record decision" in page
    # The days box gives the lengths the service takes (FRAUDHUB_TEMPORARY_LOCK_*_DAYS).
    assert "Only for a temporary suspension: 7 to 30 days." in page
    [days_box] = re.findall(r'<input type="number" name="days"[^>]*>', page)
    assert 'min="7"' in days_box and 'max="30"' in days_box

    bad = client.post(f"/console/cases/{case.pk}/decision", {
        "outcome": "suspend", "ground": "scam_fraud", "facts": "", "days": "14",
    }, headers=htmx)
    assert bad.status_code == 422

    response = client.post(f"/console/cases/{case.pk}/decision", {
        "outcome": "suspend", "ground": "scam_fraud", "days": "14",
        "facts": "The account asks for deposits into a personal bank account.",
    }, headers=htmx)
    assert response.status_code == 303
    decision = Decision.objects.get()
    assert (decision.outcome, decision.days) == (Outcome.SUSPEND, 14)
    assert Report.objects.get(pk=filed.report.pk).status == ReportStatus.ACTIONED
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "Decision recorded" in page and "Temporary suspension" in page


def test_days_are_not_sent_with_other_outcomes(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report()
    case = Case.objects.get()
    client = login_verified(reviewer)
    client.post(f"/console/cases/{case.pk}/claim")
    response = client.post(f"/console/cases/{case.pk}/decision", {
        "outcome": "label", "ground": "scam_fraud", "days": "14", "facts": "Misleading ads.",
    })
    assert response.status_code == 303
    assert Decision.objects.get().days is None


def test_facts_naming_a_reporter_are_refused_on_the_form(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report(reporter_name="Trần Văn Minh", reporter_phone="0912345678",
                    description="Mời đầu tư tiền ảo, gọi 0987 654 321.")
    case = Case.objects.get()
    client = login_verified(reviewer)
    client.post(f"/console/cases/{case.pk}/claim")

    response = client.post(f"/console/cases/{case.pk}/decision", {
        "outcome": "label", "ground": "scam_fraud",
        "facts": "Anh tran van minh chuyển 5 triệu vào tài khoản của trang.",
    })

    assert response.status_code == 422
    page = response.content.decode()
    assert "This names a reporter by name." in page
    # The reviewer's text stays in the form to be corrected.
    assert "Anh tran van minh chuyển 5 triệu" in page
    assert not Decision.objects.exists()


def test_appeal_reasons_naming_a_reporter_s_phone_are_refused_on_the_form(
    reviewer: User, senior: User, login_verified: Callable[[User], Client]
) -> None:
    from fraudhub.cases.models import Appeal, AppealStatus
    from fraudhub.cases.services.appeals import appeal_file_by_reporter
    from tests.cases.helpers import decide

    filed = file_web_report(reporter_phone="0912345678",
                            description="Mời đầu tư tiền ảo, gọi 0987 654 321.")
    case = Case.objects.get()
    decide(Actor.for_user(reviewer), case, outcome="no_violation")
    appeal = appeal_file_by_reporter(actor=Actor.anonymous(ip="203.0.113.9"),
                                     tracking_code=filed.report.tracking_code,
                                     secret=filed.secret, statement="It is a scam.")
    senior_client = login_verified(senior)
    senior_client.post(f"/console/cases/{case.pk}/claim")
    prefix = f"appeal-{appeal.pk}"

    response = senior_client.post(f"/console/cases/{case.pk}/appeals/{appeal.pk}/decision", {
        f"{prefix}-outcome": "upheld", f"{prefix}-reasons": "Gọi 84912345678: không có gì.",
    })

    assert response.status_code == 422
    assert "This names a reporter&#x27;s phone number." in response.content.decode()
    assert Appeal.objects.get().status == AppealStatus.OPEN


def test_claim_held_by_another_is_a_conflict(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report()
    case = Case.objects.get()
    other = make_user(Role.REVIEWER, "other-reviewer")
    case_claim(actor=Actor.for_user(other), case_id=case.pk)
    client = login_verified(reviewer)
    response = client.post(f"/console/cases/{case.pk}/claim", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "Already claimed by other-reviewer" in response.content.decode()
    assert Case.objects.get().status == CaseStatus.IN_REVIEW


def test_mark_reporter_in_bad_faith_closes_the_case(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    filed = file_web_report()
    case = Case.objects.get()
    client = login_verified(reviewer)
    reporter_id = filed.report.reporter_id
    url = f"/console/cases/{case.pk}/reporters/{reporter_id}/bad-faith"
    empty = client.post(url, {f"reporter-{reporter_id}-reason": "",
                              f"reporter-{reporter_id}-days": "30"})
    assert empty.status_code == 422
    response = client.post(url, {
        f"reporter-{reporter_id}-reason": "Files the same false report every day.",
        f"reporter-{reporter_id}-days": "30",
    })
    assert response.status_code == 303
    assert Report.objects.get().status == ReportStatus.CLOSED_BAD_FAITH
    assert Case.objects.get().status == CaseStatus.CLOSED


def test_reviewer_may_not_decide_appeals_but_senior_may(
    reviewer: User, senior: User, login_verified: Callable[[User], Client]
) -> None:
    from fraudhub.cases.models import Appeal, AppealStatus
    from fraudhub.cases.services.appeals import appeal_file_by_reporter
    from tests.cases.helpers import decide

    filed = file_web_report()
    case = Case.objects.get()
    decide(Actor.for_user(reviewer), case, outcome="no_violation")
    appeal = appeal_file_by_reporter(actor=Actor.anonymous(ip="203.0.113.9"),
                                     tracking_code=filed.report.tracking_code,
                                     secret=filed.secret, statement="It is a scam.")
    reviewer_client = login_verified(reviewer)
    page = reviewer_client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "It is a scam." in page and "Decide appeal" not in page
    url = f"/console/cases/{case.pk}/appeals/{appeal.pk}/decision"
    assert reviewer_client.post(url, {}).status_code == 403

    senior_client = login_verified(senior)
    senior_client.post(f"/console/cases/{case.pk}/claim")
    prefix = f"appeal-{appeal.pk}"
    response = senior_client.post(url, {
        f"{prefix}-outcome": "reversed", f"{prefix}-reasons": "The screenshots show deposits.",
        f"{prefix}-replacement_outcome": "suspend", f"{prefix}-replacement_ground": "scam_fraud",
        f"{prefix}-replacement_days": "7",
    })
    assert response.status_code == 303, response.content.decode()[:3000]
    assert Appeal.objects.get().status == AppealStatus.REVERSED
    current = Decision.objects.get(is_current=True)
    assert (current.outcome, current.days) == (Outcome.SUSPEND, 7)


def test_overdue_cases_are_shown_red(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    file_web_report()
    # Time passes: the case is now past its deadline.
    Case.objects.update(due_at=timezone.now() - timedelta(hours=2))
    html = login_verified(reviewer).get("/console/").content.decode()
    assert 'class="due late"' in html
    assert "overdue by 2" in html


@pytest.mark.parametrize(("language", "left", "overdue"), [
    ("vi", "còn 1\xa0ngày, 23\xa0giờ", "quá hạn 3\xa0giờ"),
    ("en", "1\xa0day, 23\xa0hours left", "overdue by 3\xa0hours"),
])
def test_due_times_are_worded_in_the_readers_language(
    reviewer: User, login_verified: Callable[[User], Client], language: str, left: str,
    overdue: str,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    file_web_report()
    case = Case.objects.get()
    client = login_verified(reviewer)
    client.cookies["django_language"] = language
    # Django's own Vietnamese catalog has no units for its timeuntil filter: "còn 1 day".
    Case.objects.update(due_at=timezone.now() + timedelta(days=1, hours=23, minutes=30))
    assert left in client.get("/console/").content.decode()
    assert left in client.get(f"/console/cases/{case.pk}/").content.decode()
    Case.objects.update(due_at=timezone.now() - timedelta(hours=3, minutes=10))
    assert overdue in client.get("/console/").content.decode()
    assert overdue in client.get(f"/console/cases/{case.pk}/").content.decode()


def test_actions_posted_under_another_case_are_404(
    reviewer: User, senior: User, login_verified: Callable[[User], Client]
) -> None:
    """An appeal decided, or a reporter marked, from the page of a case they are not part of
    (a stale tab, an edited form) is refused: the reviewer would act on what they do not see."""
    from fraudhub.cases.models import Appeal, AppealStatus
    from fraudhub.cases.services.appeals import appeal_file_by_reporter
    from tests.cases.helpers import decide

    filed = file_web_report()
    other = file_web_report(target="https://www.facebook.com/another.seller.vn",
                            description="Bán hàng giả, nhận tiền rồi chặn.")
    case, other_case = filed.report.case, other.report.case
    assert case is not None and other_case is not None and other_case.pk != case.pk
    decide(Actor.for_user(reviewer), case, outcome="no_violation")
    appeal = appeal_file_by_reporter(actor=Actor.anonymous(ip="203.0.113.9"),
                                     tracking_code=filed.report.tracking_code,
                                     secret=filed.secret, statement="It is a scam.")
    senior_client = login_verified(senior)
    prefix = f"appeal-{appeal.pk}"
    wrong = senior_client.post(f"/console/cases/{other_case.pk}/appeals/{appeal.pk}/decision", {
        f"{prefix}-outcome": "upheld", f"{prefix}-reasons": "Nothing new."})
    assert wrong.status_code == 404
    assert Appeal.objects.get().status == AppealStatus.OPEN

    # From another connection: anonymous reports of one address share their reporter.
    third = file_web_report(target="https://www.facebook.com/third.party.vn",
                            description="Giả danh công an gọi điện.",
                            reporter_email="someone@example.org", ip="198.51.100.23")
    assert third.report.case is not None
    reporter_id = third.report.reporter_id
    marked = login_verified(reviewer).post(
        f"/console/cases/{other_case.pk}/reporters/{reporter_id}/bad-faith", {
            f"reporter-{reporter_id}-reason": "Files false reports.",
            f"reporter-{reporter_id}-days": "30"})
    assert marked.status_code == 404
    assert Report.objects.get(pk=third.report.pk).status == ReportStatus.RECEIVED


def test_the_case_page_names_indicator_types_in_the_language(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    file_web_report()  # a Facebook account; the description names a bank account and a phone
    case = Case.objects.get()
    client = login_verified(reviewer)
    client.cookies["django_language"] = "vi"
    html = client.get(f"/console/cases/{case.pk}/").content.decode()
    indicators = html.split('<ul class="indicators">', 1)[1].split("</ul>", 1)[0]
    badges = re.findall(r'<span class="badge">([^<]*)</span>', indicators)
    assert sorted(badges) == ["Số điện thoại", "Tài khoản mạng xã hội", "Tài khoản ngân hàng"]



def test_a_group_is_named_in_the_readers_language_and_stored_in_english(
    reviewer: User, login_verified: Callable[[User], Client],
) -> None:
    from django.utils import translation

    with translation.override("vi"):  # filed from a Vietnamese page
        filed = file_web_report(target_kind="group",
                                target="https://www.facebook.com/groups/kiemtienonline247/")
    case = filed.report.case
    assert case is not None
    assert case.target.display == "Facebook group kiemtienonline247"  # one stored name
    client = login_verified(reviewer)
    for language, name in (("vi", "Nhóm Facebook kiemtienonline247"),
                           ("en", "Facebook group kiemtienonline247")):
        client.cookies["django_language"] = language
        assert name in client.get("/console/").content.decode()
        assert name in client.get(f"/console/cases/{case.pk}/").content.decode()
    status = Client()
    status.cookies["django_language"] = "vi"
    page = status.post(f"/report/status/{filed.report.tracking_code}",
                       {"secret": filed.secret}).content.decode()
    assert "Nhóm Facebook kiemtienonline247" in page


@pytest.mark.parametrize(("language", "opened", "claimed"), [
    ("vi", "Mở vụ việc", "Nhận xử lý"), ("en", "Case opened", "Claimed")])
def test_the_history_names_its_steps_in_the_readers_language(
    reviewer: User, login_verified: Callable[[User], Client], language: str, opened: str,
    claimed: str,
) -> None:
    filed = file_web_report()
    assert filed.report.case is not None
    client = login_verified(reviewer)
    client.cookies["django_language"] = language
    client.post(f"/console/cases/{filed.report.case.pk}/claim")
    html = client.get(f"/console/cases/{filed.report.case.pk}/").content.decode()
    history = html.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    # The audit log's key stays in the title, for whoever checks the log itself.
    assert f'<strong title="case.open">{opened}</strong>' in history
    assert f'<strong title="case.claim">{claimed}</strong>' in history


@pytest.mark.parametrize(
    ("language", "ground", "incompatible", "source", "keyword", "country", "no"), [
        ("vi", "Căn cứ của quyết định", "Nội dung trái với điều khoản sử dụng",
         "Thông báo của người dùng hoặc đối tác (Điều 16 DSA)", "Mô hình đa cấp, kim tự tháp",
         "Việt Nam", "Không"),
        ("en", "Ground of the decision", "Content incompatible with the terms and conditions",
         "Notice by a user or partner (DSA Art. 16)", "Pyramid schemes",
         "Viet Nam", "No"),
    ])
def test_the_statement_of_reasons_is_worded_in_the_readers_language_beside_its_codes(
    reviewer: User, login_verified: Callable[[User], Client], language: str, ground: str,
    incompatible: str, source: str, keyword: str, country: str, no: str,
) -> None:
    filed = file_web_report()  # a citizen's report: a notice under DSA Art. 16
    case = filed.report.case
    assert case is not None
    client = login_verified(reviewer)
    client.post(f"/console/cases/{case.pk}/claim")
    client.post(f"/console/cases/{case.pk}/decision", {
        "outcome": "suspend", "ground": "scam_fraud", "days": "14",
        "facts": "The account asks for deposits into a personal bank account."})
    client.cookies["django_language"] = language
    html = client.get(f"/console/cases/{case.pk}/").content.decode()
    statement = html.split('<dl class="facts compact statement">', 1)[1].split("</dl>", 1)[0]
    # Each field in words with its DSA name in the title; each code in words, the code after.
    assert f'<dt title="decision_ground">{ground}</dt>' in statement
    assert (f'{incompatible} <code class="dsa-code">DECISION_GROUND_INCOMPATIBLE_CONTENT</code>'
            in statement)
    assert f'{source} <code class="dsa-code">SOURCE_ARTICLE_16</code>' in statement
    # investment_stock_crypto, in the DSA's words
    assert f'{keyword} <code class="dsa-code">KEYWORD_PYRAMID_SCHEMES</code>' in statement
    assert f'{country} <code class="dsa-code">VN</code>' in statement
    assert f'{no} <code class="dsa-code">false</code>' in statement  # automated_detection
    names = re.findall(r"<dt [^>]*>([^<]*)</dt>", statement)
    assert len(names) >= 20
    assert [name for name in names if re.fullmatch(r"[a-z_0-9]+", name)] == []
    # What machines read keeps the transparency database's names and codes.
    stored = Decision.objects.get().statement
    assert stored["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert stored["source_type"] == "SOURCE_ARTICLE_16"
    assert stored["automated_detection"] is False


def test_the_case_page_says_what_tells_each_reporter_apart(
    reviewer: User, login_verified: Callable[[User], Client]
) -> None:
    """Reviewers weighing or suspending a reporter see whether it is a confirmed address or
    only a connection (which a mobile network's shared address makes many people)."""
    from fraudhub.reports.confirmation import report_confirm_token, report_email_confirm

    first = file_web_report(reporter_email="lan@example.org")
    case_id = first.report.case_id
    client = login_verified(reviewer)
    page = client.get(f"/console/cases/{case_id}/").content.decode()
    assert "connection (no confirmed address)" in page
    assert "confirmed e-mail address" not in page

    report_email_confirm(actor=Actor.anonymous(ip="192.0.2.5"),
                         token=report_confirm_token(first.report))
    page = client.get(f"/console/cases/{case_id}/").content.decode()
    assert "confirmed e-mail address" in page
