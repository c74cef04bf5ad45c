"""The citizens' pages on a 320 px phone, with the keyboard: no sideways scrolling, tap targets
of 44 CSS px, a visible focus ring, and the focus where a screen reader user needs it."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.roles import Role
from fraudhub.core.services import API_KEY_NAME_MAX, apikey_create
from fraudhub.indicators.models import IndicatorStatus
from fraudhub.reports.confirmation import report_confirm_token
from tests.cases.helpers import decide
from tests.conftest import SYSTEM, make_user
from tests.indicators_db.factories import make_indicator
from tests.web.conftest import PASSWORD, current_code, file_web_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_PHONE = {"width": 320, "height": 640}
PAGES = ["/", "/report/", "/report/status/", "/report/status/FH-AAAAA-BBBBB", "/check/",
         "/check/?q=0912345678", "/delisting/", "/accounts/login/", "/no-such-page/"]

# Controls and links smaller than 44x44 CSS px. A link inside a sentence is exempt (WCAG
# 2.5.5), and a checkbox counts with its label, which is what a finger taps.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, input, select, textarea, summary')]
  .filter(e => {
    const r = e.getBoundingClientRect();
    if (!r.width || r.right <= 0 || e.type === 'hidden') return false;  // the skip link at rest
    if (e.tagName === 'A' && e.closest('p, li, dd') && !e.classList.contains('button')) {
      return false;
    }
    const box = e.closest('label') ? e.closest('label').getBoundingClientRect() : r;
    return box.height < 44 || box.width < 44;
  })
  .map(e => `${e.tagName} ${e.id || e.className} ${(e.innerText || e.name || '').trim()}`)"""

FOCUSABLE = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => e.getBoundingClientRect().width > 0)"""


def _focus_ring(page: Any, index: int) -> str:
    return str(page.evaluate(f"""() => {{
        const e = ({FOCUSABLE})()[{index}];
        e.focus({{focusVisible: true}});
        const s = getComputedStyle(e);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? 'ok' :
            `${{e.tagName}} ${{e.id || e.className}} ${{(e.innerText || e.name || '').trim()}}`;
    }}"""))


def _phone_with_a_listed_number(browser: Any) -> tuple[Any, Any]:
    """A Vietnamese phone's browser page, with a scam number in the database to check."""
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=14,
                   fraud_types=["fake_police_court"])
    context = browser.new_context(viewport=SMALLEST_PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_the_public_pages_fit_a_320_px_phone_with_big_targets_and_visible_focus(
    live_server: Any, browser: Any
) -> None:
    context, page = _phone_with_a_listed_number(browser)
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert page.evaluate(SMALL_TARGETS) == [], path
        page.focus("a.skip")
        skip_height = "document.querySelector('a.skip').getBoundingClientRect().height"
        assert page.evaluate(skip_height) >= 44
        # Keyboard focus as a keyboard gives it: through the page with Tab.
        page.keyboard.press("Tab")
        count = page.evaluate(f"({FOCUSABLE})().length")
        rings = {_focus_ring(page, index) for index in range(count)}
        assert rings == {"ok"}, (path, rings)
    context.close()


def test_after_a_refused_report_and_a_check_the_focus_is_on_what_to_read(
    live_server: Any, browser: Any
) -> None:
    context, page = _phone_with_a_listed_number(browser)

    page.goto(f"{live_server.url}/report/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Lỗi: ")
    # A summary's link takes the keyboard to its field.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_target"
    page.keyboard.press("Enter")
    page.keyboard.type("0912 345 678")
    assert page.input_value("#id_target") == "0912 345 678"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.goto(f"{live_server.url}/check/")
    page.fill("#id_q", "0912 345 678")
    page.keyboard.press("Enter")
    page.wait_for_selector("#check-result")
    assert page.evaluate("document.activeElement.id") == "check-result-heading"
    assert "đừng chuyển tiền" in page.evaluate("document.activeElement.innerText")
    # The report button is reached from the answer with the keyboard alone.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "report-button":
            break
    assert page.evaluate("document.activeElement.id") == "report-button"
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_target")
    assert page.input_value("#id_target") == "0912 345 678"
    context.close()


# --- pages behind a link, a decision, a secret or a login ----------------------------------

# The longest name a key may have, in one word: it must wrap, not push the page sideways.
LONG_KEY_NAME = ("TrustAndSafetyDeskTriageScript" * 4)[:API_KEY_NAME_MAX]


# What sticks out to the right of a 320 px screen, or out of its own box (a word too long to
# wrap), to say what pushed the page sideways.
BEYOND_THE_SCREEN = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right + window.scrollX > 320
               || e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName}.${e.className} ${(e.innerText || '').slice(0, 40)}`)"""


def _where_the_focus_is(page: Any) -> int:
    return int(page.evaluate(f"({FOCUSABLE})().indexOf(document.activeElement)"))


def _fits_and_walks(page: Any, label: str, opens_on: str = "") -> None:
    """At 320 px: no sideways scrolling, targets of 44 px, the page opens on ``opens_on`` with
    a ring round it, and Tab goes through every control in reading order, each with a ring."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, \
        (label, page.evaluate(BEYOND_THE_SCREEN))
    assert page.evaluate(SMALL_TARGETS) == [], label
    if opens_on:
        assert page.evaluate("document.activeElement.id") == opens_on, label
        ring = "parseFloat(getComputedStyle(document.activeElement).outlineWidth)"
        assert page.evaluate(ring) >= 2, label
    count = page.evaluate(f"({FOCUSABLE})().length")
    page.focus("a.skip")
    visited = [_where_the_focus_is(page)]
    for _control in range(count - 1):
        page.keyboard.press("Tab")
        visited.append(_where_the_focus_is(page))
    assert visited == list(range(count)), (label, visited)
    rings = {_focus_ring(page, index) for index in range(count)}
    assert rings == {"ok"}, (label, rings)


def test_the_reporter_s_and_the_owner_s_pages_fit_a_phone_and_work_with_the_keyboard(
    live_server: Any, browser: Any, reviewer_actor: Any
) -> None:
    filed = file_web_report(reporter_email="reporter@example.com")
    decide(reviewer_actor, filed.report.case_id, outcome="no_violation")
    owned = file_web_report(target="https://www.facebook.com/profile.php?id=100099999999",
                            ip="203.0.113.77")
    token = owner_appeal_token(decide(reviewer_actor, owned.report.case_id))
    unconfirmed = file_web_report(reporter_email="other@example.com", ip="203.0.113.78")
    context = browser.new_context(viewport=SMALLEST_PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    page.goto(f"{base}/report/status/{filed.report.tracking_code}")
    page.fill("#id_secret", filed.secret)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_statement")
    _fits_and_walks(page, "status with a decision")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _fits_and_walks(page, "appeal refused", opens_on="error-summary")
    page.fill("#id_statement", "It is clearly a scam.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#appeal-filed")
    _fits_and_walks(page, "appeal filed", opens_on="appeal-filed")

    page.goto(f"{base}/appeal/{token}")
    _fits_and_walks(page, "owner appeal")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _fits_and_walks(page, "owner appeal refused", opens_on="error-summary")
    page.goto(f"{base}/appeal/forged-token")
    _fits_and_walks(page, "owner appeal, invalid link", opens_on="error-summary")

    page.goto(f"{base}/report/confirm/{report_confirm_token(unconfirmed.report)}")
    _fits_and_walks(page, "e-mail confirmation")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#confirm-answer")
    _fits_and_walks(page, "e-mail confirmed", opens_on="confirm-answer")

    page.goto(f"{base}/delisting/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _fits_and_walks(page, "delisting refused", opens_on="error-summary")
    context.close()


def test_the_second_factor_and_my_api_keys_fit_a_phone_and_work_with_the_keyboard(
    live_server: Any, browser: Any
) -> None:
    user = make_user(Role.REVIEWER, "lan")
    apikey_create(actor=SYSTEM, name=LONG_KEY_NAME, role=Role.REVIEWER, holder=user)
    context = browser.new_context(viewport=SMALLEST_PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "lan")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".qr svg")
    _fits_and_walks(page, "2FA setup", opens_on="id_code")
    # The picture's name, and the key written out in full on the phone's screen.
    assert page.get_by_role("img", name="Mã QR của khóa được viết ra bên dưới").is_visible()
    assert page.locator("#secret-key").is_visible()
    page.fill("#id_code", "12")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _fits_and_walks(page, "2FA setup refused", opens_on="error-summary")
    page.fill("#id_code", current_code(TOTPDevice.objects.get(user=user)))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/console/**")

    page.goto(f"{base}/console/api-keys/")
    page.locator("table.apikeys summary").click()  # the list of permissions, opened
    _fits_and_walks(page, "my API keys")
    page.locator("#new-key button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _fits_and_walks(page, "my API keys refused", opens_on="error-summary")
    page.fill("#id_name", LONG_KEY_NAME)
    page.fill("#id_password", PASSWORD)
    page.locator("#new-key button[type=submit]").click()
    page.wait_for_selector("#api-key")
    page.locator("main details summary").click()
    _fits_and_walks(page, "the new key, shown once")

    page.locator("header form button[type=submit]").first.click()  # log out
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "lan")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_code")
    _fits_and_walks(page, "2FA verify", opens_on="id_code")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    _fits_and_walks(page, "2FA verify refused", opens_on="error-summary")

    stranger = browser.new_context(viewport=SMALLEST_PHONE, locale="vi-VN")
    other = stranger.new_page()
    other.set_default_timeout(15_000)
    for _attempt in range(6):
        other.goto(f"{base}/accounts/login/")
        other.fill("#id_username", "lan")
        other.fill("#id_password", "nope")
        other.locator("main form button[type=submit]").click()
        other.wait_for_load_state()
    assert other.title().startswith("Lỗi: ")
    _fits_and_walks(other, "locked out", opens_on="error-summary")
    stranger.close()
    context.close()
