"""The citizens' pages on a 320 px phone, with the keyboard: no sideways scrolling, tap targets
of 44 CSS px, a visible focus ring, and the focus where a screen reader user needs it."""

from __future__ import annotations

from typing import Any

import pytest

from fraudhub.indicators.models import IndicatorStatus
from tests.indicators_db.factories import make_indicator

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
    'a[href], button, input:not([type=hidden]), select, textarea')]
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
