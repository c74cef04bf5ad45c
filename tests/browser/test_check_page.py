"""A citizen checks a number, a hotline and a link on /check/ before transferring money."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fraudhub.indicators.models import IndicatorStatus
from tests.browser.conftest import DESKTOP, PHONE
from tests.indicators_db.factories import make_indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNKNOWN_LINK = "hxxps://nhan-qua-tri-an[.]example.net/dang-nhap"


def _check(page: Any, value: str) -> None:
    page.fill("#id_q", value)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_selector("#check-result")


def _fits_the_screen(page: Any) -> None:
    # Usable on a phone: nothing wider than the viewport, so no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_check_a_scam_number_a_safe_hotline_and_an_unknown_link(
    live_server: Any, browser: Any, screens: Path
) -> None:
    make_indicator("+84912345678", status=IndicatorStatus.SCAM, reporters=14,
                   fraud_types=["fake_police_court"])
    make_indicator("1900545413", "phone", status=IndicatorStatus.SAFE)
    base = live_server.url

    # --- a scam number, on a phone, in Vietnamese ---
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Kiểm tra", exact=True).click()  # from the navigation
    page.wait_for_selector("#id_q")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    _check(page, "0912 345 678")
    result = page.locator("#check-result")
    assert result.get_attribute("data-status") == "scam"
    assert "Lừa đảo: đừng chuyển tiền" in result.inner_text()
    assert "+84 912 345 678" in result.inner_text()
    assert "14 người" in result.inner_text()
    _fits_the_screen(page)
    page.screenshot(path=str(screens / "check-scam-phone.png"), full_page=True)
    context.close()

    # --- the bank's official hotline, in English ---
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/check/")
    _check(page, "1900 545 413")
    result = page.locator("#check-result")
    assert result.get_attribute("data-status") == "safe"
    assert "Official number or site" in result.inner_text()
    assert "call this number yourself" in result.inner_text()
    _fits_the_screen(page)
    page.screenshot(path=str(screens / "check-safe-phone.png"), full_page=True)

    # --- an unknown link: no data, and the button files a report about it ---
    _check(page, UNKNOWN_LINK)
    result = page.locator("#check-result")
    assert result.get_attribute("data-status") == "no_data"
    assert "No data" in result.inner_text()
    assert "does not mean that it is safe" in result.inner_text()
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screens / "check-no-data-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.locator("#report-button").click()
    page.wait_for_selector("#id_target")
    assert page.url.startswith(f"{base}/report/?")
    assert page.input_value("#id_target_kind") == "url"
    assert page.input_value("#id_target") == UNKNOWN_LINK
    _fits_the_screen(page)
    context.close()
