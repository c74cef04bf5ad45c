"""Building agencies, officers and requests through the real services."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from django.test import Client

from fraudhub.agencies.services.organizations import agency_create
from fraudhub.agencies.services.requests import LegalBasisInput, RequestInput, agency_request_create
from fraudhub.agencies.target_list import rows_from_json
from fraudhub.core.actors import Actor
from fraudhub.core.models import Organization
from fraudhub.core.roles import Role
from tests.conftest import SYSTEM, logged_in_client, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACCOUNT_A = "https://www.facebook.com/profile.php?id=100011112222"
ACCOUNT_B = "https://m.facebook.com/people/Nguyen-Van-B/100033334444/"


def session_client(actor: Actor, settings: Any) -> Client:
    """The web pages as `actor`'s user sees them, with the second factor switched off."""
    settings.FRAUDHUB_REQUIRE_2FA = False
    assert actor.user is not None
    return logged_in_client(actor.user)


def make_agency(name: str = "Cục A05 - Bộ Công an") -> Organization:
    return agency_create(actor=SYSTEM, name=name, contact_email="a05@example.gov.vn")


def officer_of(agency: Organization, username: str | None = None) -> Actor:
    user = make_user(Role.AGENCY_OFFICER, username or f"officer-{agency.pk}", agency)
    user.email = f"{user.username}@example.gov.vn"
    user.save(update_fields=["email"])
    return Actor.for_user(user, ip="192.0.2.50")


def legal_basis_json(**overrides: Any) -> dict[str, Any]:
    data = {"document_number": "123/CV-A05", "date": "2025-11-20",
            "issuing_body": "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
            "signer": "Đại tá Nguyễn Văn A",
            "document_pdf": base64.b64encode(PDF).decode()}
    data.update(overrides)
    return data


def request_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "suspend_account",
        "legal_basis": legal_basis_json(),
        "reason": "Tài khoản giả mạo lãnh đạo để lừa đảo đầu tư.",
        "fraud_type": "investment_stock_crypto",
        "targets": [ACCOUNT_A, {"target": ACCOUNT_B, "kind": "account"}],
    }
    data.update(overrides)
    return data


def file_request(actor: Actor, targets: list[Any] | None = None, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "kind": "suspend_account", "reason": "Giả mạo lãnh đạo.",
        "fraud_type": "investment_stock_crypto",
        "legal_basis": LegalBasisInput(document_number="45/QĐ-BTTTT", date=date(2025, 11, 1),
                                       issuing_body="Bộ Khoa học và Công nghệ",
                                       signer="Nguyễn Văn C"),
        "targets": rows_from_json(targets if targets is not None else [ACCOUNT_A, ACCOUNT_B]),
        "document_pdf": PDF,
    }
    data.update(overrides)
    return agency_request_create(actor=actor, data=RequestInput(**data))
