"""Staff answering targets on a later page of a long request stay on that page.

The request page shows its targets a page at a time (200 in production, 2 here so that a few
targets make several pages); after each answer the form came back to page 1.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fraudhub.agencies import views
from fraudhub.agencies.models import AgencyRequest, RequestTarget, TargetOutcome
from fraudhub.core.models import User
from tests.agencies.helpers import file_request, make_agency, officer_of
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db
PER_PAGE = 2


@pytest.fixture(autouse=True)
def _small_pages(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    monkeypatch.setattr(views, "TARGET_PAGE", PER_PAGE)


def _phones(n: int) -> list[str]:
    return [f"09123450{i:02d}" for i in range(n)]


@pytest.fixture
def filed() -> tuple[AgencyRequest, User]:
    officer = officer_of(make_agency(), "officer-paging")
    assert officer.user is not None
    return file_request(officer, kind="provide_information", targets=_phones(5)), officer.user


def _on_page_3(request: AgencyRequest) -> RequestTarget:
    """The fifth target, alone on page 3."""
    return request.targets.order_by("line")[4]


def _action(html: str, target: RequestTarget, action: str) -> str:
    found = re.search(rf'action="([^"]*/targets/{target.pk}/{action}[^"]*)"', html)
    assert found is not None, f"no {action} form for target {target.pk}"
    return found.group(1)


@pytest.mark.parametrize(("action", "data"), [
    ("ask", {"note": "Which calls?"}),
    ("refuse", {"refusal_reason": "insufficient_legal_basis", "note": "Not named."}),
    ("record", {"outcome": "actioned", "note": "Sent by secure mail."}),
])
def test_a_staff_answer_on_page_3_comes_back_to_page_3_at_the_target(
    filed: tuple[AgencyRequest, User], reviewer: User, action: str, data: dict[str, str],
) -> None:
    request, _officer = filed
    target = _on_page_3(request)
    base = f"/agency/requests/{request.pk}/"
    desk = logged_in_client(reviewer)
    page = desk.get(f"{base}?page=3").content.decode()
    url = _action(page, target, action)
    assert url == f"{base}targets/{target.pk}/{action}?page=3"

    response = desk.post(url, {f"t{target.pk}-{action}-{k}": v for k, v in data.items()})

    assert response.status_code == 303
    assert response["Location"] == f"{base}?page=3#target-{target.pk}"
    target.refresh_from_db()
    assert target.outcome != TargetOutcome.PENDING
    assert f'id="target-{target.pk}"' in desk.get(response["Location"]).content.decode()


def test_the_officers_answer_on_page_3_comes_back_to_page_3(
    filed: tuple[AgencyRequest, User], reviewer: User,
) -> None:
    request, officer = filed
    target = _on_page_3(request)
    base = f"/agency/requests/{request.pk}/"
    logged_in_client(reviewer).post(f"{base}targets/{target.pk}/ask?page=3",
                                    {f"t{target.pk}-ask-note": "Which calls?"})
    client = logged_in_client(officer)
    url = _action(client.get(f"{base}?page=3").content.decode(), target, "answer")

    response = client.post(url, {f"t{target.pk}-answer-answer": "Those of 20 November."})

    assert response.status_code == 303
    assert response["Location"] == f"{base}?page=3#target-{target.pk}"


def test_on_page_1_the_forms_and_the_redirect_carry_no_page(
    filed: tuple[AgencyRequest, User], reviewer: User,
) -> None:
    request, _officer = filed
    first = request.targets.order_by("line")[0]
    base = f"/agency/requests/{request.pk}/"
    desk = logged_in_client(reviewer)
    url = _action(desk.get(base).content.decode(), first, "ask")
    assert url == f"{base}targets/{first.pk}/ask"
    response = desk.post(url, {f"t{first.pk}-ask-note": "Which calls?"})
    assert response["Location"] == f"{base}#target-{first.pk}"


@pytest.mark.parametrize("page", [
    "//evil.example/", "https://evil.example/", "3%0d%0aLocation:%20https://evil.example/",
    "-3", "3.5", "\u0663", "99999999999",
])
def test_a_page_that_is_not_a_plain_number_leads_back_to_page_1_of_the_request(
    filed: tuple[AgencyRequest, User], reviewer: User, page: str,
) -> None:
    request, _officer = filed
    target = _on_page_3(request)
    base = f"/agency/requests/{request.pk}/"
    response = logged_in_client(reviewer).post(
        f"{base}targets/{target.pk}/ask?page={page}&next=https://evil.example/",
        {f"t{target.pk}-ask-note": "Which calls?"})
    assert response.status_code == 303
    assert response["Location"] == f"{base}#target-{target.pk}"


def test_a_form_with_errors_on_page_3_is_shown_on_page_3_at_its_target(
    filed: tuple[AgencyRequest, User], reviewer: User,
) -> None:
    request, _officer = filed
    target = _on_page_3(request)
    base = f"/agency/requests/{request.pk}/"
    desk: Client = logged_in_client(reviewer)
    response = desk.post(f"{base}targets/{target.pk}/refuse?page=3",
                         {f"t{target.pk}-refuse-refusal_reason": "other"})
    assert response.status_code == 422
    html = response.content.decode()
    row = html.split(f'id="target-{target.pk}"', 1)[1].split("</article>", 1)[0]
    assert "Explain the refusal." in row
    assert f'action="{base}targets/{target.pk}/refuse?page=3"' in row
