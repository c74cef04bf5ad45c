"""Fixtures of the web UI tests: browsers-in-a-client that log in like a person would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.core.actors import Actor
from fraudhub.core.models import User
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.services import FiledReport, ReportInput, report_create
from tests.conftest import filed_now, png_bytes

PASSWORD = "correct-horse-battery"
FACEBOOK_ACCOUNT = "https://www.facebook.com/profile.php?id=100012345678"


@pytest.fixture(autouse=True)
def _whole_login_window(settings: Any) -> None:
    """Start each test with 5 s of the login attempt limit's window left at least.

    The limit counts in fixed windows (FRAUDHUB_LOGIN_COOLOFF_MINUTES, aligned on the clock):
    a test that makes attempts and then expects a lockout failed when a window ended between
    the two (seen once in CI, at 08:30:00).
    """
    window = max(60, int(settings.AXES_COOLOFF_TIME * 3600))
    left = window - time.time() % window
    if left < 5:
        time.sleep(left + 0.01)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(bytes.fromhex(device.key)):06d}"


@pytest.fixture
def login_verified(db: None) -> Callable[[User], Client]:
    """A client logged in as `user` through the login and 2FA pages, with a confirmed device."""

    def make(user: User) -> Client:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = Client(REMOTE_ADDR="192.0.2.50")
        response = client.post("/accounts/login/",
                               {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content
        assert response["Location"].startswith("/accounts/2fa/verify/")
        response = client.post(response["Location"], {"code": current_code(device)})
        assert response.status_code == 302, response.content
        return client

    return make


def file_web_report(*, ip: str = "203.0.113.9", **overrides: Any) -> FiledReport:
    data: dict[str, Any] = {
        "target_kind": "account", "target": FACEBOOK_ACCOUNT, "platform": "facebook",
        "fraud_type": "investment_stock_crypto",
        "description": "Mời đầu tư tiền ảo, chuyển vào STK 0071000123456 Vietcombank, "
                       "gọi 0912 345 678.",
        "good_faith": True,
        "evidence": [EvidenceUpload(name="shot.png", content=png_bytes())],
    }
    data.update(overrides)
    return filed_now(report_create(actor=Actor.anonymous(ip=ip), data=ReportInput(**data)))
