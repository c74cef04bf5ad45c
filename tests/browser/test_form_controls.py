"""Every control of the portal's forms wears the site's style on a phone: a date picker or a
filter left to the browser's default is a small grey box, hard to tap and unlike its neighbours."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import Settings

from fraudhub.agencies.services.organizations import agency_create
from fraudhub.core.actors import Actor
from fraudhub.core.roles import Role
from fraudhub.core.services import user_create
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SITE_BORDER = "rgb(125, 135, 153)"  # #7d8799 (--field-line), the border of the site's text fields


def _control(page: Any, selector: str) -> dict[str, Any]:
    return page.eval_on_selector(selector, """el => {
        const s = getComputedStyle(el), box = el.getBoundingClientRect();
        const field = el.closest('.field, .filters').getBoundingClientRect();
        return {border: s.borderTopColor, height: box.height, width: box.width,
                fieldWidth: field.width};
    }""")


def test_the_portals_dates_and_filter_wear_the_sites_style_on_a_phone(
    live_server: Any, browser: Any, settings: Settings
) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    system = Actor.system("test")
    agency = agency_create(actor=system, name="Cục A05 - Bộ Công an")
    user_create(actor=system, username="officer-lan", password=PASSWORD,
                role=Role.AGENCY_OFFICER, organization=agency)
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "officer-lan")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/agency/")

        status = _control(page, "#status-filter")
        assert status["border"] == SITE_BORDER
        assert status["height"] >= 44  # a comfortable tap target, like the buttons

        page.goto(f"{live_server.url}/agency/requests/new/")
        document_date = _control(page, "input[name=document_date]")
        assert document_date["border"] == SITE_BORDER
        assert document_date["height"] >= 40
        assert document_date["width"] == document_date["fieldWidth"]
    finally:
        context.close()
