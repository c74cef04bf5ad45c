"""The portal's request page shows a page of targets: its cost does not grow with the request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fraudhub.core.roles import Role
from tests.agencies.helpers import file_request, make_agency, officer_of
from tests.conftest import logged_in_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    settings.FRAUDHUB_AGENCY_INLINE_TARGETS = 1000


def _links(n: int) -> list[str]:
    return [f"https://www.facebook.com/profile.php?id={400_000_000_000 + i}" for i in range(n)]


@pytest.mark.parametrize("role", [Role.AGENCY_OFFICER, Role.REVIEWER])
def test_the_request_page_shows_200_targets_a_page_in_a_fixed_number_of_queries(
    role: str
) -> None:
    counts = []
    for n in (5, 230):
        agency = make_agency(f"Agency {n}")
        officer = officer_of(agency, f"officer-{n}")
        request = file_request(officer, targets=_links(n))
        assert officer.user is not None
        user = officer.user if role == Role.AGENCY_OFFICER else make_user(role, f"desk-{n}")
        client = logged_in_client(user)
        client.get(f"/agency/requests/{request.pk}/")  # sessions and caches warm up
        with CaptureQueriesContext(connection) as queries:
            first = client.get(f"/agency/requests/{request.pk}/")
        counts.append(len(queries))
        text = first.content.decode()
        shown = [link for link in _links(n) if link.rsplit("=", 1)[1] in text]
        assert shown == _links(n)[:200]
    second = client.get(f"/agency/requests/{request.pk}/?page=2").content.decode()
    assert [link for link in _links(230) if link.rsplit("=", 1)[1] in second] == _links(230)[200:]
    assert counts[0] == counts[1]


def test_an_officer_of_another_agency_gets_404_on_any_page() -> None:
    request = file_request(officer_of(make_agency("Cục A"), "officer-a"), targets=_links(3))
    other = officer_of(make_agency("Sở B"), "officer-b")
    assert other.user is not None
    client = logged_in_client(other.user)
    assert client.get(f"/agency/requests/{request.pk}/?page=2").status_code == 404
