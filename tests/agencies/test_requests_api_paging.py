"""A request of thousands of targets over the API: its answer carries a page of targets and
the counts by status, the targets are paged, and a per-target answer carries that target only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fraudhub.agencies.models import AgencyRequest
from fraudhub.agencies.services.outcomes import TargetResponse, request_target_respond
from fraudhub.core.actors import Actor
from fraudhub.core.roles import Role
from tests.agencies.helpers import file_request, make_agency, officer_of
from tests.conftest import ApiClient, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/agency/requests"


def _links(n: int) -> list[str]:
    return [f"https://www.facebook.com/profile.php?id={100_000_000_000 + i}" for i in range(n)]


def _filed(n: int, agency_name: str = "Cục A05") -> tuple[AgencyRequest, Actor]:
    agency = make_agency(agency_name)
    officer = officer_of(agency, f"officer-{agency_name[-3:]}-{n}")
    return file_request(officer, targets=_links(n), kind="provide_information"), officer


@pytest.fixture(autouse=True)
def _cases_in_the_request(settings: Any) -> None:
    # The cases are opened with the request (not by the job), so targets can be answered.
    settings.FRAUDHUB_AGENCY_INLINE_TARGETS = 1000


@pytest.fixture
def desk(api_client_for: Callable[..., ApiClient]) -> ApiClient:
    return api_client_for(Role.REVIEWER)


@pytest.fixture
def staff_actor() -> Actor:
    return Actor.for_user(make_user(Role.REVIEWER, "desk-paging"), ip="192.0.2.9")


def test_the_request_answers_a_first_page_of_targets_and_the_counts_by_status(
    desk: ApiClient, staff_actor: Actor
) -> None:
    request, _officer = _filed(130)
    first = request.targets.order_by("line").first()
    assert first is not None
    request_target_respond(actor=staff_actor, request_id=request.pk, target_id=first.pk,
                           data=TargetResponse(outcome="refused",
                                               refusal_reason="target_not_found"))

    body = desk.get(f"{URL}/{request.pk}").json()

    assert body["target_count"] == 130
    assert [t["line"] for t in body["targets"]] == list(range(1, 101))
    assert body["target_counts"] == {"pending": 129, "needs_information": 0, "actioned": 0,
                                     "partially_actioned": 0, "refused": 1}
    assert body["targets_next"].endswith(f"{URL}/{request.pk}/targets?limit=100&offset=100")
    page = desk.get(f"{URL}/{request.pk}", limit=20, offset=120).json()
    assert [t["line"] for t in page["targets"]] == list(range(121, 131))
    assert page["targets_next"] is None


def test_the_targets_are_listed_page_by_page_and_by_status(
    desk: ApiClient, staff_actor: Actor
) -> None:
    request, _officer = _filed(30)
    for item in request.targets.order_by("line")[:3]:
        request_target_respond(actor=staff_actor, request_id=request.pk, target_id=item.pk,
                               data=TargetResponse(outcome="refused",
                                                   refusal_reason="out_of_scope"))

    page = desk.get(f"{URL}/{request.pk}/targets", limit=10, offset=25).json()
    refused = desk.get(f"{URL}/{request.pk}/targets", status="refused").json()

    assert page["count"] == 30
    assert [t["line"] for t in page["results"]] == [26, 27, 28, 29, 30]
    assert page["next"] is None
    assert refused["count"] == 3
    assert [(t["line"], t["refusal_reason"]) for t in refused["results"]] == [
        (1, "out_of_scope"), (2, "out_of_scope"), (3, "out_of_scope")]
    first = desk.get(f"{URL}/{request.pk}/targets", limit=10).json()
    assert first["next"].endswith(f"{URL}/{request.pk}/targets?limit=10&offset=10")
    pending = desk.get(f"{URL}/{request.pk}/targets", status="pending", limit=10,
                       offset=10).json()
    assert pending["count"] == 27
    assert [t["line"] for t in pending["results"]] == list(range(14, 24))
    assert pending["next"].endswith("targets?status=pending&limit=10&offset=20")


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "done"}, "status"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit"),
    ({"offset": -1}, "offset"),
])
def test_a_bad_page_or_status_is_a_field_error(desk: ApiClient, params: dict[str, Any],
                                               field: str) -> None:
    request, _officer = _filed(2)
    for path in (f"{URL}/{request.pk}/targets", f"{URL}/{request.pk}"):
        if path.endswith(str(request.pk)) and field == "status":
            continue  # the request's answer takes no status
        response = desk.get(path, **params)
        assert response.status_code == 422, (path, response.content)
        assert field in response.json()["errors"]


def test_another_agencys_targets_answer_404(api_client_for: Callable[..., ApiClient]) -> None:
    request, _officer = _filed(3)
    other = api_client_for(Role.AGENCY_OFFICER, make_agency("Sở Công an tỉnh B"))
    own = api_client_for(Role.AGENCY_OFFICER, request.agency)

    assert other.get(f"{URL}/{request.pk}/targets").status_code == 404
    assert own.get(f"{URL}/{request.pk}/targets").json()["count"] == 3


def test_a_per_target_answer_carries_that_target_and_the_counts_not_every_target(
    desk: ApiClient, api_client_for: Callable[..., ApiClient]
) -> None:
    request, _officer = _filed(60)
    second = request.targets.get(line=2)

    asked = desk.post(f"{URL}/{request.pk}/targets/{second.pk}/outcome",
                      {"outcome": "needs_information", "note": "Which posts?"})
    assert asked.status_code == 200, asked.content
    body = asked.json()
    assert "targets" not in body
    assert body["target"]["id"] == second.pk
    assert (body["target"]["status"], body["target"]["information_question"]) == (
        "needs_information", "Which posts?")
    assert body["request"]["id"] == request.pk
    assert body["request"]["target_count"] == 60
    assert body["request"]["target_counts"]["needs_information"] == 1
    assert body["request"]["target_counts"]["pending"] == 59

    officer = api_client_for(Role.AGENCY_OFFICER, request.agency)
    answered = officer.post(f"{URL}/{request.pk}/targets/{second.pk}/information",
                            {"answer": "Those of 20 November."})
    assert answered.status_code == 200, answered.content
    assert answered.json()["target"]["information_answer"] == "Those of 20 November."
    assert answered.json()["request"]["target_counts"]["pending"] == 60


def _answer_of(client: ApiClient, n: int) -> tuple[int, int, int]:
    """Queries and targets of the request's answer, bytes of a per-target answer."""
    request, _officer = _filed(n, agency_name=f"Agency {n:03d}")
    item = request.targets.get(line=1)
    with CaptureQueriesContext(connection) as queries:
        shown = client.get(f"{URL}/{request.pk}")
    answered = client.post(f"{URL}/{request.pk}/targets/{item.pk}/outcome",
                           {"outcome": "refused", "refusal_reason": "target_not_found"})
    assert shown.status_code == answered.status_code == 200
    return len(queries), len(shown.json()["targets"]), len(answered.content)


def test_answers_do_not_grow_with_the_number_of_targets(
    desk: ApiClient
) -> None:
    few = _answer_of(desk, 5)
    many = _answer_of(desk, 150)

    assert many[0] == few[0]
    # A first page of 100 targets; a per-target answer is as long for 150 targets as for 5
    # (give or take the digits of the numbers in it).
    assert (few[1], many[1]) == (5, 100)
    assert abs(many[2] - few[2]) < 50
