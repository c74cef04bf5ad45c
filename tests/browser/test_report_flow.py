"""A citizen reports a scam account; a reviewer suspends it; the citizen reads the decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw

from fraudhub.core.actors import Actor
from fraudhub.core.services import user_create
from fraudhub.reports.inbox import FilingRound, pending_reports_drain
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT = "https://www.facebook.com/profile.php?id=100012345678"
DESCRIPTION = (
    "Tài khoản này mời đầu tư chứng khoán quốc tế, hứa lãi 30%/tháng. Họ bảo chuyển tiền vào "
    "STK 0071000123456 Vietcombank và gọi Zalo 0912 345 678 để được hướng dẫn."
)
FACTS = "The account solicits deposits into a personal bank account with promised returns."
PASSWORD = "correct-horse-battery"


def _screenshot_png(path: Path) -> Path:
    image = Image.new("RGB", (360, 640), (245, 245, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 340, 90), fill=(30, 90, 200))
    draw.text((30, 40), "Lai 30%/thang - chuyen khoan ngay", fill=(255, 255, 255))
    image.save(path, format="PNG")
    return path


def _shoot(page: Any, path: Path) -> None:
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(path.with_name(f"{path.stem}-{name}.png")), full_page=True)


def test_citizen_report_reviewer_suspends_citizen_reads_decision(
    live_server: Any, browser: Any, tmp_path: Path, screens: Path
) -> None:
    base = live_server.url

    # --- the citizen files the report, on a phone ---
    citizen = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = citizen.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/report/")
    # The page must run the real htmx and style sheet, served by the site itself.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.get_by_role("button", name="EN", exact=True).click()  # the language switcher
    page.wait_for_selector("text=Send report")
    _shoot(page, screens / "report-form")
    page.select_option("#id_target_kind", "account")
    page.fill("#id_target", ACCOUNT)
    page.select_option("#id_platform", "facebook")
    page.select_option("#id_fraud_type", "investment_stock_crypto")
    page.fill("#id_description", DESCRIPTION)
    page.set_input_files("#id_evidence", str(_screenshot_png(tmp_path / "chat.png")))
    page.check("#id_good_faith")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_selector("text=Thank you, your report was received")
    tracking_code = page.inner_text("#tracking-code").strip()
    secret = page.inner_text("#report-secret").strip()
    assert tracking_code.startswith("FH-")
    assert len(secret) >= 20
    page.screenshot(path=str(screens / "report-created-phone.png"), full_page=True)
    # The report was accepted; the worker files it into its case, as `fraudhub worker` does.
    assert pending_reports_drain() == FilingRound(filed=1, failed=0)

    # --- a reviewer logs in with password and TOTP, and decides ---
    reviewer = user_create(actor=Actor.system("test"), username="reviewer-anh",
                           password=PASSWORD, role="reviewer")
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    staff = browser.new_context(viewport=DESKTOP, locale="en-US")
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    desk.goto(f"{base}/accounts/login/")
    desk.fill("#id_username", "reviewer-anh")
    desk.fill("#id_password", PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.wait_for_selector("text=Enter your code")
    desk.fill("#id_code", f"{totp(bytes.fromhex(device.key)):06d}")
    desk.get_by_role("button", name="Verify").click()
    desk.wait_for_selector("text=Review console")
    _shoot(desk, screens / "queue")

    desk.locator("a[href^='/console/cases/']").first.click()
    desk.wait_for_selector("text=Nobody is working on this case.")
    assert desk.get_by_text("STK 0071000123456 Vietcombank", exact=False).is_visible()
    assert desk.get_by_text("chat.png").is_visible()

    desk.get_by_role("button", name="Claim").click()  # htmx swaps the case page in place
    desk.wait_for_selector("text=You claimed this case")
    assert desk.get_by_text("Claimed by reviewer-anh").is_visible()
    _shoot(desk, screens / "case-claimed")
    desk.select_option("#id_outcome", "suspend")
    desk.fill("#id_days", "14")
    desk.select_option("#id_ground", "scam_fraud")
    desk.fill("#id_facts", FACTS)
    desk.get_by_role("button", name="Record decision").click()
    desk.wait_for_selector("text=Decision recorded: Temporary suspension.")
    assert desk.locator(".decision .outcome-suspend").first.inner_text() == "Temporary suspension"
    _shoot(desk, screens / "case")

    # --- the citizen comes back with the code and the secret ---
    page.goto(f"{base}/report/status/{tracking_code}")
    page.fill("#id_secret", secret)
    page.get_by_role("button", name="Show status").click()
    page.wait_for_selector("text=Statement of reasons")
    assert page.locator(".decision .outcome").inner_text() == "Temporary suspension"
    assert page.get_by_text("Action taken").is_visible()
    reasons = page.locator(".reasons").inner_text()
    assert reasons.startswith("Temporary suspension.")
    assert FACTS in reasons
    assert page.get_by_text("Suspension ends").is_visible()
    assert not page.get_by_text("Appeal the decision").is_visible()
    _shoot(page, screens / "status")

    citizen.close()
    staff.close()
