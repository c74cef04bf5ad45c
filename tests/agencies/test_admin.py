"""Agencies and their officers' keys made in Django admin go through the audited services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fraudhub.core.models import ApiKey, AuditEntry, Organization, OrganizationKind
from fraudhub.core.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(settings: Any) -> Client:
    settings.FRAUDHUB_REQUIRE_2FA = False
    user = make_user(Role.ADMIN, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_an_agency_added_in_admin_is_made_by_the_service(admin_client: Client) -> None:
    response = admin_client.post("/admin/core/organization/add/", {
        "name": "Sở Công an TP. Hồ Chí Minh", "kind": OrganizationKind.AGENCY,
        "contact_email": "pc02@example.gov.vn"})
    assert response.status_code == 302, response.content[:2000]
    agency = Organization.objects.get(name="Sở Công an TP. Hồ Chí Minh")
    assert (agency.kind, agency.contact_email) == ("agency", "pc02@example.gov.vn")
    assert AuditEntry.objects.filter(action="agency.create", object_id=str(agency.pk)).exists()


def test_an_officer_key_needs_an_agency_in_admin_too(admin_client: Client) -> None:
    platform = Organization.objects.create(name="Platform", kind=OrganizationKind.PLATFORM)
    refused = admin_client.post("/admin/core/apikey/add/", {
        "name": "stray", "role": Role.AGENCY_OFFICER, "scopes": "[]",
        "organization": platform.pk})
    assert refused.status_code == 200
    assert "belongs to an agency" in refused.content.decode()
    assert not ApiKey.objects.exists()
    agency = Organization.objects.create(name="Cục A05", kind=OrganizationKind.AGENCY)
    made = admin_client.post("/admin/core/apikey/add/", {
        "name": "A05 portal", "role": Role.AGENCY_OFFICER, "scopes": "[]",
        "organization": agency.pk})
    assert made.status_code == 302
    assert ApiKey.objects.get().organization == agency
