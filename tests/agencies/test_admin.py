"""Agencies and their officers' keys made in Django admin go through the audited services."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fraudhub.agencies.models import ClockEvent, ClockEventKind, RequestTarget
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.errors import PermissionDenied, ValidationFailed
from fraudhub.core.models import ApiKey, AuditEntry, Organization, OrganizationKind
from fraudhub.core.roles import Role
from fraudhub.core.services import apikey_create, apikey_update, organization_create
from tests.agencies.helpers import file_request, make_agency, officer_of
from tests.conftest import SYSTEM, make_user

pytestmark = pytest.mark.django_db


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


def test_editing_a_key_in_admin_is_audited_and_cannot_change_its_powers(
    admin_client: Client,
) -> None:
    issued = apikey_create(actor=SYSTEM, name="bank feed", role=Role.PARTNER)
    url = f"/admin/core/apikey/{issued.api_key.pk}/change/"

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url, {
        "name": "bank feed (2027)", "expires_at_0": "2027-06-30", "expires_at_1": "00:00:00",
        "role": Role.ADMIN, "scopes": "[]"})

    assert 'name="role"' not in page  # shown, not editable
    assert response.status_code == 302, response.content[:2000]
    key = ApiKey.objects.get()
    assert (key.name, key.role) == ("bank feed (2027)", Role.PARTNER)
    assert key.expires_at is not None
    assert timezone.localtime(key.expires_at).date().isoformat() == "2027-06-30"
    entry = AuditEntry.objects.get(action="apikey.update")
    assert entry.old is not None and entry.new is not None
    assert (entry.object_id, entry.old["name"], entry.new["name"]) == (
        str(key.pk), "bank feed", "bank feed (2027)")
    assert entry.old["expires_at"] is None
    assert parse_datetime(entry.new["expires_at"]) == key.expires_at
    assert audit_verify().ok


def test_an_unchanged_key_saved_in_admin_writes_no_audit_row(admin_client: Client) -> None:
    issued = apikey_create(actor=SYSTEM, name="bank feed", role=Role.PARTNER)

    admin_client.post(f"/admin/core/apikey/{issued.api_key.pk}/change/",
                      {"name": "bank feed", "expires_at_0": "", "expires_at_1": ""})

    assert not AuditEntry.objects.filter(action="apikey.update").exists()


def test_only_admins_rename_keys_and_a_name_is_required() -> None:
    issued = apikey_create(actor=SYSTEM, name="bank feed", role=Role.PARTNER)
    reviewer = Actor.for_user(make_user(Role.REVIEWER, "rv"))

    with pytest.raises(PermissionDenied):
        apikey_update(actor=reviewer, api_key_id=issued.api_key.pk, name="x", expires_at=None)
    with pytest.raises(ValidationFailed):
        apikey_update(actor=SYSTEM, api_key_id=issued.api_key.pk, name="  ", expires_at=None)
    assert ApiKey.objects.get().name == "bank feed"


def test_an_organization_contact_changed_in_admin_is_audited(admin_client: Client) -> None:
    org = organization_create(actor=SYSTEM, name="Ngân hàng X", kind=OrganizationKind.PARTNER)

    response = admin_client.post(f"/admin/core/organization/{org.pk}/change/", {
        "name": "Ngân hàng X", "kind": OrganizationKind.PARTNER,
        "contact_email": "fraud-desk@bank.example"})

    assert response.status_code == 302, response.content[:2000]
    assert Organization.objects.get(pk=org.pk).contact_email == "fraud-desk@bank.example"
    entry = AuditEntry.objects.get(action="organization.update")
    assert (entry.old, entry.new) == ({"contact_email": ""},
                                      {"contact_email": "fraud-desk@bank.example"})


def _events_on_targets(count: int) -> None:
    """A request of `count` targets, each with a clock event of its own."""
    accounts = [f"https://www.facebook.com/profile.php?id=1000{n:08d}" for n in range(count)]
    filed = file_request(officer_of(make_agency(f"Cục {count}"), f"officer-{count}"),
                         targets=accounts)
    ClockEvent.objects.bulk_create(
        ClockEvent(request_id=filed.pk, target=target, kind=ClockEventKind.WARNING_50,
                   at=timezone.now())
        for target in RequestTarget.objects.filter(request_id=filed.pk))


def test_the_clock_event_list_in_admin_takes_the_same_queries_for_any_number_of_rows(
        admin_client: Client) -> None:
    _events_on_targets(2)

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get("/admin/agencies/clockevent/")
        assert response.status_code == 200
        return len(queries)

    few = statements()
    _events_on_targets(30)
    many = statements()

    # Each row's target and the target's request were read one by one: 200 queries a page.
    assert many == few


def test_a_request_s_page_in_admin_takes_the_same_queries_for_any_number_of_targets(
        admin_client: Client) -> None:
    def statements(count: int) -> int:
        accounts = [f"https://www.facebook.com/profile.php?id=2000{n:08d}" for n in range(count)]
        filed = file_request(officer_of(make_agency(f"Sở {count}"), f"officer-s{count}"),
                             targets=accounts)
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(f"/admin/agencies/agencyrequest/{filed.pk}/change/")
        assert response.status_code == 200
        assert accounts[-1].rsplit("=", 1)[1] in response.content.decode()
        return len(queries)

    statements(1)  # Django's content types are cached from the first page on
    few = statements(2)
    many = statements(30)

    # Each target of the inline list read its request again: 2,000 queries for 2,000 targets.
    assert many == few


def test_the_clock_event_list_in_admin_shows_the_newest_first(admin_client: Client) -> None:
    _events_on_targets(2)
    oldest, *_rest, newest = ClockEvent.objects.order_by("pk")

    html = admin_client.get("/admin/agencies/clockevent/").content.decode()

    assert html.index(f"/admin/agencies/clockevent/{newest.pk}/") < html.index(
        f"/admin/agencies/clockevent/{oldest.pk}/")


def test_a_request_s_page_in_admin_shows_the_first_targets_and_links_to_all(
        admin_client: Client) -> None:
    accounts = [f"https://www.facebook.com/profile.php?id=3000{n:08d}" for n in range(80)]
    filed = file_request(officer_of(make_agency("Cục 80"), "officer-80"), targets=accounts)

    page = admin_client.get(f"/admin/agencies/agencyrequest/{filed.pk}/change/")

    text = page.content.decode()
    shown = [account for account in accounts if account.rsplit("=", 1)[1] in text]
    assert shown == accounts[:50]
    link = f"/admin/agencies/requesttarget/?request__id__exact={filed.pk}"
    assert f'<a href="{link}">80 targets</a>' in text
    listed = admin_client.get(link)
    assert listed.status_code == 200
    # The targets' own list, filtered to the request, has the ones past the first 50.
    assert accounts[-1].rsplit("=", 1)[1] in listed.content.decode()
