"""Console additions: the trusted-flagger page, the authority panel of a case, queue colours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fraudhub.agencies.services.organizations import trusted_flagger_grant
from fraudhub.cases.models import Case, Queue
from fraudhub.core.actors import Actor
from fraudhub.core.models import AuditEntry, Organization, OrganizationKind, User
from fraudhub.core.roles import Role
from fraudhub.core.services import organization_create
from tests.agencies.helpers import file_request, make_agency
from tests.cases.helpers import decide, file_report
from tests.conftest import SYSTEM, logged_in_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False


@pytest.fixture
def admin() -> User:
    return make_user(Role.ADMIN, "admin-1")


def _flagger(name: str = "Chống lừa đảo NGO") -> tuple[Organization, Actor]:
    org = organization_create(actor=SYSTEM, name=name, kind=OrganizationKind.NGO)
    org = trusted_flagger_grant(actor=SYSTEM, organization_id=org.pk)
    member = Actor.for_user(make_user(Role.CITIZEN, f"member-{org.pk}", org), ip="192.0.2.77")
    return org, member


def _audit(org: Organization) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="organization", object_id=str(org.pk))
                .order_by("pk").values_list("action", flat=True))


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SENIOR_REVIEWER, Role.AGENCY_OFFICER,
                                  Role.CITIZEN, Role.PARTNER])
def test_only_admins_open_the_flaggers_page(role: str) -> None:
    org = organization_create(actor=SYSTEM, name="NGO", kind=OrganizationKind.NGO)
    client = logged_in_client(make_user(role, org=make_agency() if role == Role.AGENCY_OFFICER
                                  else None))
    assert client.get("/console/flaggers/").status_code == 403
    assert client.post("/console/flaggers/grant", {"organization": org.pk}).status_code == 403
    assert client.post(f"/console/flaggers/{org.pk}/suspend",
                       {f"org{org.pk}-reason": "x"}).status_code == 403
    assert _audit(org) == ["organization.create"]


def test_the_page_shows_each_flaggers_standing(admin: User) -> None:
    reviewer = Actor.for_user(make_user(Role.REVIEWER, "rev"), ip="192.0.2.71")
    _org, member = _flagger()
    for n, outcome in enumerate(["suspend", "no_violation", "no_violation"]):
        filed = file_report(actor=member,
                            target=f"https://facebook.com/profile.php?id={100077777770 + n}")
        decide(reviewer, filed.report.case_id or 0, outcome=outcome)
    html = logged_in_client(admin).get("/console/flaggers/").content.decode()
    assert "Chống lừa đảo NGO" in html
    assert "33%" in html and "below the threshold" in html
    assert "Suspend the status" in html


def test_admins_suspend_with_a_reason_and_grant_again(admin: User) -> None:
    org, _member = _flagger()
    client = logged_in_client(admin)
    empty = client.post(f"/console/flaggers/{org.pk}/suspend", {f"org{org.pk}-reason": "  "})
    assert empty.status_code == 422
    assert "This field is required." in empty.content.decode()
    response = client.post(f"/console/flaggers/{org.pk}/suspend",
                           {f"org{org.pk}-reason": "Most reports <b>not upheld</b>."})
    assert response.status_code == 303
    assert response["Location"] == "/console/flaggers/"
    org.refresh_from_db()
    assert not org.is_trusted_flagger and org.trusted_flagger_suspended_at is not None
    html = client.get("/console/flaggers/").content.decode()
    assert "Most reports &lt;b&gt;not upheld&lt;/b&gt;." in html
    assert "Grant again" in html
    # Suspending twice is a conflict shown on the page.
    again = client.post(f"/console/flaggers/{org.pk}/suspend", {f"org{org.pk}-reason": "x"})
    assert again.status_code == 409
    response = client.post("/console/flaggers/grant", {"organization": org.pk})
    assert response.status_code == 303
    org.refresh_from_db()
    assert org.is_trusted_flagger
    assert _audit(org) == ["organization.create", "trusted_flagger.grant",
                           "trusted_flagger.suspend", "trusted_flagger.grant"]
    assert client.post("/console/flaggers/999999/suspend",
                       {"org999999-reason": "x"}).status_code == 404


def test_admins_grant_the_status_to_any_organization(admin: User) -> None:
    bank = organization_create(actor=SYSTEM, name="Ngân hàng X", kind=OrganizationKind.PARTNER)
    client = logged_in_client(admin)
    html = client.get("/console/flaggers/").content.decode()
    assert f'<option value="{bank.pk}">Ngân hàng X' in html
    bad = client.post("/console/flaggers/grant", {"organization": "abc"})
    assert bad.status_code == 422
    response = client.post("/console/flaggers/grant", {"organization": bank.pk})
    assert response.status_code == 303
    bank.refresh_from_db()
    assert bank.is_trusted_flagger
    assert _audit(bank) == ["organization.create", "trusted_flagger.grant"]
    assert "Ngân hàng X is now a trusted flagger." in client.get("/console/flaggers/")\
        .content.decode()


def test_the_case_page_lists_the_authority_requests_on_it(reviewer: User) -> None:
    agency = make_agency("Cục A05")
    officer = Actor.for_user(make_user(Role.AGENCY_OFFICER, "officer-a", agency),
                             ip="192.0.2.72")
    filed = file_request(officer)
    item = filed.targets.order_by("line").first()
    assert item is not None and item.case_id is not None
    client = logged_in_client(reviewer)
    html = client.get(f"/console/cases/{item.case_id}/").content.decode()
    assert 'id="authority-requests"' in html
    assert f'href="/agency/requests/{filed.pk}/"' in html
    assert filed.number in html and "Cục A05" in html and "Pending" in html
    # A case nobody asked about has no panel.
    plain = file_report(target="https://facebook.com/profile.php?id=100099999999")
    html = client.get(f"/console/cases/{plain.report.case_id}/").content.decode()
    assert 'id="authority-requests"' not in html
    # The decision on the case sets the target's outcome, and the panel shows it.
    decide(Actor.for_user(reviewer, ip="192.0.2.73"), item.case_id, outcome="suspend")
    html = client.get(f"/console/cases/{item.case_id}/").content.decode()
    assert "Actioned" in html and 'class="due done"' in html


@pytest.mark.parametrize(("hours_used", "level"), [
    (2, "ok"), (13, "warn50"), (20, "warn80"), (25, "late")])
def test_authority_cases_have_four_colours_in_the_queue(
    reviewer: User, hours_used: int, level: str
) -> None:
    agency = make_agency("Cục A05")
    officer = Actor.for_user(make_user(Role.AGENCY_OFFICER, "officer-a", agency),
                             ip="192.0.2.72")
    file_request(officer, targets=["https://www.facebook.com/profile.php?id=100011112222"])
    now = timezone.now()
    Case.objects.filter(queue=Queue.AUTHORITY).update(
        opened_at=now - timedelta(hours=hours_used),
        due_at=now + timedelta(hours=24 - hours_used))
    html = logged_in_client(reviewer).get("/console/?queue=authority").content.decode()
    assert f'class="due {level}"' in html
