"""An officer files a request with two targets; a reviewer suspends one account by deciding its
case and refuses the other on the request page; the officer sees both outcomes and downloads
the response document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.agencies.models import AgencyRequest, TargetOutcome
from fraudhub.agencies.services.organizations import agency_create
from fraudhub.core.actors import Actor
from fraudhub.core.models import User
from fraudhub.core.roles import Role
from fraudhub.core.services import user_create
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
ACCOUNT_1 = "https://www.facebook.com/profile.php?id=100011112222"
ACCOUNT_2 = "https://www.facebook.com/profile.php?id=100033334444"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FACTS = "The account impersonates a minister and solicits deposits, as the ministry states."


def _login(context: Any, base: str, path: str, user: User) -> Any:
    """Open `path`, get sent to the login page, log in with password and TOTP, come back."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}{path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("text=Enter your code")
    page.fill("#id_code", f"{totp(bytes.fromhex(device.key)):06d}")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}{path}")
    return page


def test_officer_files_reviewer_acts_officer_reads_the_outcomes(
    live_server: Any, browser: Any, tmp_path: Path, screens: Path
) -> None:
    base = live_server.url
    system = Actor.system("test")
    agency = agency_create(actor=system, name="Cục A05 - Bộ Công an")
    officer = user_create(actor=system, username="officer-lan", password=PASSWORD,
                          role=Role.AGENCY_OFFICER, organization=agency)
    reviewer = user_create(actor=system, username="reviewer-minh", password=PASSWORD,
                           role=Role.REVIEWER)

    # --- the officer files the request, with its signed document ---
    officer_context = browser.new_context(viewport=DESKTOP, locale="en-US",
                                          accept_downloads=True)
    page = _login(officer_context, base, "/agency/requests/new/", officer)
    page.select_option("#id_kind", "suspend_account")
    page.select_option("#id_fraud_type", "investment_stock_crypto")
    page.fill("#id_reason", "Tài khoản giả mạo Bộ trưởng để kêu gọi đầu tư.")
    page.fill("#id_document_number", "123/CV-A05")
    page.fill("#id_document_date", "2025-11-20")
    page.fill("#id_issuing_body", "Cục An ninh mạng và phòng, chống tội phạm công nghệ cao")
    page.fill("#id_signer", "Đại tá Nguyễn Văn A")
    signed = tmp_path / "cv-123.pdf"
    signed.write_bytes(PDF)
    page.set_input_files("#id_document_pdf", str(signed))
    page.fill("#id_targets", f"{ACCOUNT_1}\n{ACCOUNT_2}\n")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_selector("text=was received")
    number = page.inner_text("#request-number").strip()
    assert number.startswith("AR-")
    assert page.get_by_text("Download the signed document (PDF)").is_visible()
    request = AgencyRequest.objects.get(number=number)
    first, second = request.targets.order_by("line")
    assert first.case_id is not None
    page.screenshot(path=str(screens / "agency-request-filed.png"), full_page=True)

    # --- a reviewer suspends the first account on its case ---
    staff_context = browser.new_context(viewport=DESKTOP, locale="en-US")
    desk = _login(staff_context, base, f"/agency/requests/{request.pk}/", reviewer)
    desk.click(f"#target-{first.pk} a[href='/console/cases/{first.case_id}/']")
    desk.wait_for_selector("text=Nobody is working on this case.")
    assert desk.locator("#authority-requests").get_by_text(number).is_visible()
    desk.get_by_role("button", name="Claim").click()
    desk.wait_for_selector("text=You claimed this case")
    desk.select_option("#id_outcome", "suspend")
    desk.fill("#id_days", "30")
    desk.select_option("#id_ground", "scam_fraud")
    desk.fill("#id_facts", FACTS)
    desk.get_by_role("button", name="Record decision").click()
    desk.wait_for_selector("text=Decision recorded: Temporary suspension.")
    first.refresh_from_db()
    assert first.outcome == TargetOutcome.ACTIONED

    # --- ... and refuses the second on the request page ---
    desk.goto(f"{base}/agency/requests/{request.pk}/")
    row = desk.locator(f"#target-{second.pk}")
    row.locator("summary", has_text="Refuse").click()
    row.locator(f"#id_t{second.pk}-refuse-refusal_reason").select_option("target_not_found")
    row.locator(f"#id_t{second.pk}-refuse-note").fill("No account with this id exists any more.")
    row.get_by_role("button", name="Refuse this target").click()
    desk.wait_for_selector("text=Target 2: Refused.")

    # --- the officer reloads, sees both outcomes, and downloads the response ---
    page.reload()
    assert page.inner_text("#request-status").strip() == "Partially actioned"
    assert page.locator(f"#target-{first.pk} .outcome-badge").inner_text() == "Actioned"
    assert page.locator(f"#target-{first.pk}").get_by_text("Temporary suspension").is_visible()
    assert page.locator(f"#target-{second.pk} .outcome-badge").inner_text() == "Refused"
    assert page.locator(f"#target-{second.pk}").get_by_text("Target not found").is_visible()
    assert page.locator(f"#target-{second.pk}").get_by_text(
        "No account with this id exists any more.").is_visible()
    # Nothing of the desk's tools is offered to the officer.
    assert page.locator("a[href^='/console/cases/']").count() == 0
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(screens / f"agency-request-{name}.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("#response-pdf")
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")

    officer_context.close()
    staff_context.close()
