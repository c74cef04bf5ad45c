"""Accountability figures against a hand-computed fixture: the agency dashboard, the
transparency report, their CSV and their pages and API.

The requests are filed through the real services; then received_at, acknowledged_at,
handled_at, deadline and paused_seconds are set on the rows to known values.

Agency A ("Cục An ninh mạng"), times in hours after each request's receipt (local time +07):

R1 suspend_account, investment_stock_crypto, received 2025-10-01 08:00, acknowledged after 1:
   actioned (handled 2, paused 0, deadline 24) -> 2 h, within; refused (30, 0, 24) -> 30 h, late;
   pending.
R2 remove_content, phishing_links_ads, 2025-10-15 08:00, acknowledged after 3:
   actioned (10, 4, 28) -> 6 h, within; partially actioned (40, 20, 44) -> 20 h, within.
R3 suspend_account, phishing_links_ads, 2025-11-03 08:00, acknowledged after 5:
   actioned (4, 0, 24) -> 4 h, within; needs_information (not handled).

Agency B: R4 remove_content, investment_stock_crypto, 2025-10-20 08:00, ack 7, one target
actioned 1/0/24 -> 1 yes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from fraudhub.agencies.models import AgencyRequest, RequestStatus, RequestTarget
from fraudhub.agencies.stats import (
    AccountabilityStats,
    BreakdownRow,
    agency_dashboard_stats,
    csv_safe,
    p90,
    stats_csv,
    transparency_stats,
)
from fraudhub.core.actors import Actor
from fraudhub.core.models import Organization
from fraudhub.core.roles import Role
from tests.agencies.helpers import file_request, make_agency, officer_of, session_client
from tests.conftest import ApiClient, make_user

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
H = timedelta(hours=1)


@dataclass
class Fixture:
    agency_a: Organization
    agency_b: Organization
    officer_a: Actor
    officer_b: Actor
    staff: Actor
    requests: dict[str, AgencyRequest]


def _account(n: int) -> str:
    return f"https://www.facebook.com/profile.php?id={100000000100 + n}"


# (outcome, handled after h, paused h, deadline after h); handled None: not handled
TargetSpec = tuple[str, float | None, float, float]


def _shape(request: AgencyRequest, *, kind: str, fraud_type: str, received: datetime,
           ack_hours: float, status: str, targets: list[TargetSpec]) -> None:
    AgencyRequest.objects.filter(pk=request.pk).update(
        kind=kind, fraud_type=fraud_type, received_at=received,
        acknowledged_at=received + ack_hours * H, deadline=received + 24 * H, status=status)
    rows = list(request.targets.order_by("line"))
    assert len(rows) == len(targets)
    for row, (outcome, handled, paused, deadline) in zip(rows, targets, strict=True):
        RequestTarget.objects.filter(pk=row.pk).update(
            outcome=outcome, handled_at=None if handled is None else received + handled * H,
            paused_seconds=int(paused * 3600), deadline=received + deadline * H, paused_at=None)


@pytest.fixture
def fx() -> Fixture:
    agency_a = make_agency("Cục An ninh mạng")
    agency_b = make_agency("Sở Công an tỉnh B")
    officer_a, officer_b = officer_of(agency_a), officer_of(agency_b)
    r1 = file_request(officer_a, targets=[_account(1), _account(2), _account(3)])
    r2 = file_request(officer_a, targets=[_account(4), _account(5)])
    r3 = file_request(officer_a, targets=[_account(6), _account(7)])
    r4 = file_request(officer_b, targets=[_account(8)])
    _shape(r1, kind="suspend_account", fraud_type="investment_stock_crypto",
           received=datetime(2025, 10, 1, 8, tzinfo=HCM), ack_hours=1,
           status=RequestStatus.IN_PROGRESS,
           targets=[("actioned", 2, 0, 24), ("refused", 30, 0, 24), ("pending", None, 0, 24)])
    _shape(r2, kind="remove_content", fraud_type="phishing_links_ads",
           received=datetime(2025, 10, 15, 8, tzinfo=HCM), ack_hours=3,
           status=RequestStatus.ACTIONED,
           targets=[("actioned", 10, 4, 28), ("partially_actioned", 40, 20, 44)])
    _shape(r3, kind="suspend_account", fraud_type="phishing_links_ads",
           received=datetime(2025, 11, 3, 8, tzinfo=HCM), ack_hours=5,
           status=RequestStatus.NEEDS_INFORMATION,
           targets=[("actioned", 4, 0, 24), ("needs_information", None, 0, 24)])
    _shape(r4, kind="remove_content", fraud_type="investment_stock_crypto",
           received=datetime(2025, 10, 20, 8, tzinfo=HCM), ack_hours=7,
           status=RequestStatus.ACTIONED, targets=[("actioned", 1, 0, 24)])
    staff = Actor.for_user(make_user(Role.SENIOR_REVIEWER, "senior-stats"))
    return Fixture(agency_a, agency_b, officer_a, officer_b, staff,
                   {"R1": r1, "R2": r2, "R3": r3, "R4": r4})


def _row(rows: list[BreakdownRow], key: str) -> BreakdownRow:
    found = [r for r in rows if r.key == key]
    assert len(found) == 1, [r.key for r in rows]
    return found[0]


def _by_status(stats: AccountabilityStats) -> dict[str, int]:
    return {s.key: s.requests for s in stats.by_status if s.requests}


# --- the definitions --------------------------------------------------------------------------


def test_p90_is_nearest_rank() -> None:
    assert p90([]) is None
    assert p90([5]) == 5
    assert p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 9  # ceil(9.0) - 1 = index 8
    assert p90([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]) == 10  # ceil(9.9) - 1 = index 9


# --- the agency's dashboard -------------------------------------------------------------------


def test_officer_dashboard_totals_are_the_hand_computed_ones(fx: Fixture) -> None:
    stats = agency_dashboard_stats(actor=fx.officer_a)

    total = stats.total
    assert (total.requests, total.targets, total.handled, total.handled_within_deadline) == (
        3, 7, 5, 4)
    assert total.share_within_deadline == pytest.approx(0.8)
    # handled: 2, 30, 6, 20, 4 hours -> sorted 2 4 6 20 30
    assert total.median_hours == pytest.approx(6)
    assert total.p90_hours == pytest.approx(30)
    assert total.acknowledged == 3
    assert total.median_acknowledge_hours == pytest.approx(3)
    assert _by_status(stats) == {"in_progress": 1, "actioned": 1, "needs_information": 1}
    assert stats.by_agency == []  # an officer sees no per-agency table


def test_breakdown_by_kind_fraud_type_and_month(fx: Fixture) -> None:
    stats = agency_dashboard_stats(actor=fx.officer_a)

    suspend = _row(stats.by_kind, "suspend_account").figures  # R1, R3: 2, 30, 4
    assert (suspend.requests, suspend.targets, suspend.handled,
            suspend.handled_within_deadline) == (2, 5, 3, 2)
    assert suspend.median_hours == pytest.approx(4)
    assert suspend.p90_hours == pytest.approx(30)
    assert suspend.share_within_deadline == pytest.approx(2 / 3)
    assert suspend.median_acknowledge_hours == pytest.approx(3)
    remove = _row(stats.by_kind, "remove_content").figures  # R2: 6, 20
    assert (remove.requests, remove.targets, remove.handled) == (1, 2, 2)
    assert remove.median_hours == pytest.approx(13)
    assert remove.p90_hours == pytest.approx(20)
    assert remove.share_within_deadline == pytest.approx(1.0)
    assert [r.key for r in stats.by_kind] == ["remove_content", "suspend_account"]

    invest = _row(stats.by_fraud_type, "investment_stock_crypto").figures  # R1: 2, 30
    assert (invest.requests, invest.targets, invest.handled) == (1, 3, 2)
    assert invest.median_hours == pytest.approx(16)
    assert invest.p90_hours == pytest.approx(30)
    assert invest.share_within_deadline == pytest.approx(0.5)
    phishing = _row(stats.by_fraud_type, "phishing_links_ads").figures  # R2, R3: 6, 20, 4
    assert (phishing.requests, phishing.targets, phishing.handled) == (2, 4, 3)
    assert phishing.median_hours == pytest.approx(6)
    assert phishing.p90_hours == pytest.approx(20)
    assert phishing.share_within_deadline == pytest.approx(1.0)

    october = _row(stats.by_month, "2025-10").figures  # R1, R2: 2, 30, 6, 20
    assert (october.requests, october.targets, october.handled,
            october.handled_within_deadline) == (2, 5, 4, 3)
    assert october.median_hours == pytest.approx(13)
    assert october.p90_hours == pytest.approx(30)
    assert october.share_within_deadline == pytest.approx(0.75)
    november = _row(stats.by_month, "2025-11").figures  # R3: 4
    assert (november.requests, november.targets, november.handled) == (1, 2, 1)
    assert november.median_hours == november.p90_hours == pytest.approx(4)
    assert [r.key for r in stats.by_month] == ["2025-10", "2025-11"]


def test_figures_agree_with_the_model_properties(fx: Fixture) -> None:
    handled = [t for t in RequestTarget.objects.filter(request__agency=fx.agency_a)
               if t.outcome in ("actioned", "partially_actioned", "refused")]
    assert sorted(t.seconds_to_action or 0 for t in handled) == [
        h * 3600 for h in (2, 4, 6, 20, 30)]
    assert sum(1 for t in handled if t.within_deadline) == 4


def test_month_follows_the_local_time_of_receipt(fx: Fixture) -> None:
    # 2025-11-01 01:00 in Hanoi is still October in UTC: the month is November.
    AgencyRequest.objects.filter(pk=fx.requests["R3"].pk).update(
        received_at=datetime(2025, 11, 1, 1, tzinfo=HCM))

    stats = agency_dashboard_stats(actor=fx.officer_a)

    assert _row(stats.by_month, "2025-11").figures.requests == 1


def test_date_range_on_receipt_inclusive(fx: Fixture) -> None:
    stats = agency_dashboard_stats(actor=fx.officer_a, date_from=date(2025, 10, 1),
                                   date_to=date(2025, 10, 15))

    assert stats.total.requests == 2  # R1 and R2, both days inclusive
    assert [r.key for r in stats.by_month] == ["2025-10"]
    later = agency_dashboard_stats(actor=fx.officer_a, date_from=date(2025, 10, 2))
    assert later.total.requests == 2  # R2, R3
    assert later.total.median_hours == pytest.approx(6)  # 6, 20, 4


def test_officer_counts_only_the_own_agency(fx: Fixture) -> None:
    b = agency_dashboard_stats(actor=fx.officer_b)
    assert (b.total.requests, b.total.targets, b.total.handled) == (1, 1, 1)
    assert b.total.median_hours == pytest.approx(1)

    # An officer naming another agency still sees nothing of it.
    a = agency_dashboard_stats(actor=fx.officer_a, agency_id=fx.agency_b.pk)
    assert a.total.requests == 0
    assert a.total.median_hours is None
    assert a.rows == []


def test_staff_dashboard_covers_every_agency_and_filters_by_one(fx: Fixture) -> None:
    stats = agency_dashboard_stats(actor=fx.staff)
    assert stats.total.requests == 4
    assert [r.label for r in stats.by_agency] == ["Cục An ninh mạng", "Sở Công an tỉnh B"]

    only_b = agency_dashboard_stats(actor=fx.staff, agency_id=fx.agency_b.pk)
    assert only_b.total.requests == 1
    assert only_b.total.median_acknowledge_hours == pytest.approx(7)


def test_nobody_else_sees_figures(fx: Fixture) -> None:
    partner = Actor.for_user(make_user(Role.PARTNER, "partner-stats"))
    assert agency_dashboard_stats(actor=partner).total.requests == 0
    assert transparency_stats(actor=fx.officer_a).total.requests == 0


# --- the transparency report ------------------------------------------------------------------


def test_transparency_across_agencies(fx: Fixture) -> None:
    stats = transparency_stats(actor=fx.staff)

    total = stats.total
    assert (total.requests, total.targets, total.handled, total.handled_within_deadline) == (
        4, 8, 6, 5)
    # time to acknowledge: 1, 3, 5, 7 hours; to comply (to action): 1, 2, 4, 6, 20, 30
    assert total.median_acknowledge_hours == pytest.approx(4)
    assert total.median_hours == pytest.approx(5)
    assert total.p90_hours == pytest.approx(30)
    a = _row(stats.by_agency, "Cục An ninh mạng").figures
    assert (a.requests, a.handled) == (3, 5)
    assert a.median_acknowledge_hours == pytest.approx(3)
    assert a.median_hours == pytest.approx(6)
    b = _row(stats.by_agency, "Sở Công an tỉnh B").figures
    assert (b.requests, b.median_acknowledge_hours, b.median_hours) == (1, 7, 1)
    remove = _row(stats.by_kind, "remove_content").figures  # R2 and R4
    assert remove.requests == 2
    assert remove.median_acknowledge_hours == pytest.approx(5)  # 3, 7
    assert remove.median_hours == pytest.approx(6)  # 1, 6, 20


def test_unacknowledged_requests_are_left_out_of_the_time_to_acknowledge(fx: Fixture) -> None:
    AgencyRequest.objects.filter(pk=fx.requests["R4"].pk).update(acknowledged_at=None)

    total = transparency_stats(actor=fx.staff).total

    assert total.acknowledged == 3
    assert total.median_acknowledge_hours == pytest.approx(3)


def test_figures_are_read_in_a_fixed_number_of_queries(
        fx: Fixture, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(3):
        transparency_stats(actor=fx.staff)


# --- CSV --------------------------------------------------------------------------------------


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_has_the_breakdown_rows(fx: Fixture) -> None:
    rows = _csv_rows(stats_csv(transparency_stats(actor=fx.staff)))

    total = rows[0]
    assert total["dimension"] == "total"
    assert (total["requests"], total["targets"], total["handled"],
            total["handled_within_deadline"]) == ("4", "8", "6", "5")
    assert total["share_within_deadline"] == "0.8333"
    assert (total["median_hours"], total["p90_hours"]) == ("5.00", "30.00")
    assert total["median_acknowledge_hours"] == "4.00"
    by_key = {(r["dimension"], r["key"]): r for r in rows}
    assert by_key[("status", "actioned")]["requests"] == "2"
    assert by_key[("month", "2025-10")]["requests"] == "3"
    assert by_key[("kind", "suspend_account")]["p90_hours"] == "30.00"
    assert by_key[("fraud_type", "investment_stock_crypto")]["median_hours"] == "2.00"  # 2, 30, 1
    agency = by_key[("agency", "Cục An ninh mạng")]
    assert (agency["requests"], agency["share_within_deadline"]) == ("3", "0.8000")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)",
                                  "\tx", "\r=1"])
def test_csv_safe_disarms_formulas(text: str) -> None:
    assert csv_safe(text) == "'" + text


def test_csv_safe_keeps_plain_text() -> None:
    assert csv_safe("Cục An ninh mạng") == "Cục An ninh mạng"
    assert csv_safe(None) == ""


def test_csv_escapes_an_agency_name_that_is_a_formula(fx: Fixture) -> None:
    Organization.objects.filter(pk=fx.agency_b.pk).update(name="=cmd|' /C calc'!A0")

    rows = _csv_rows(stats_csv(transparency_stats(actor=fx.staff)))

    agency_rows = [r for r in rows if r["dimension"] == "agency"]
    assert {r["key"] for r in agency_rows} == {"Cục An ninh mạng", "'=cmd|' /C calc'!A0"}
    assert all(not r["label"].startswith(("=", "+", "-", "@")) for r in rows)


# --- pages ------------------------------------------------------------------------------------


def test_dashboard_page_shows_the_own_figures(fx: Fixture, settings: Any) -> None:
    response = session_client(fx.officer_a, settings).get(reverse("agency_dashboard"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "2025-10" in body and "2025-11" in body
    assert "Sở Công an tỉnh B" not in body


def test_dashboard_page_csv_download(fx: Fixture, settings: Any) -> None:
    response = session_client(fx.officer_a, settings).get(
        reverse("agency_dashboard"), {"format": "csv", "date_from": "2025-10-01",
                                      "date_to": "2025-10-31"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response.content.decode("utf-8"))
    assert rows[0]["requests"] == "2"


def test_dashboard_page_bad_dates_are_a_form_error(fx: Fixture, settings: Any) -> None:
    client = session_client(fx.officer_a, settings)

    assert client.get(reverse("agency_dashboard"), {"date_from": "yesterday"}).status_code == 422
    reversed_period = client.get(reverse("agency_dashboard"),
                                 {"date_from": "2025-11-01", "date_to": "2025-10-01"})
    assert reversed_period.status_code == 422


def test_transparency_page_is_for_senior_staff(fx: Fixture, settings: Any) -> None:
    staff = session_client(fx.staff, settings).get(reverse("transparency"))
    assert staff.status_code == 200
    assert "Sở Công an tỉnh B" in staff.content.decode()
    csv_response = session_client(fx.staff, settings).get(reverse("transparency"),
                                                           {"format": "csv"})
    assert _csv_rows(csv_response.content.decode())[0]["requests"] == "4"

    assert session_client(fx.officer_a, settings).get(reverse("transparency")).status_code == 403
    reviewer = Actor.for_user(make_user(Role.REVIEWER, "reviewer-stats"))
    assert session_client(reviewer, settings).get(reverse("transparency")).status_code == 403
    assert Client().get(reverse("transparency")).status_code == 302  # to the login page


# --- API --------------------------------------------------------------------------------------


def test_api_dashboard_json(fx: Fixture, api_client_for: Callable[..., ApiClient]) -> None:
    api = api_client_for(Role.AGENCY_OFFICER, fx.agency_a)

    body = api.get("/api/v1/agency/dashboard").json()

    assert body["total"]["requests"] == 3
    assert body["total"]["median_hours"] == 6
    assert body["total"]["share_within_deadline"] == 0.8
    assert {r["key"]: r["figures"]["p90_hours"] for r in body["by_kind"]} == {
        "remove_content": 20, "suspend_account": 30}
    assert body["by_agency"] == []


def test_api_dashboard_filters_and_bad_input(
        fx: Fixture, api_client_for: Callable[..., ApiClient]) -> None:
    api = api_client_for(Role.AGENCY_OFFICER, fx.agency_a)

    november = api.get("/api/v1/agency/dashboard", date_from="2025-11-01").json()
    assert november["total"]["requests"] == 1
    bad = api.get("/api/v1/agency/dashboard", date_from="not a date")
    assert bad.status_code == 422
    backwards = api.get("/api/v1/agency/dashboard", date_from="2025-11-01", date_to="2025-10-01")
    assert backwards.status_code == 422
    assert "date_to" in backwards.json()["errors"]


def test_api_dashboard_csv(fx: Fixture, api_client_for: Callable[..., ApiClient]) -> None:
    response = api_client_for(Role.AGENCY_OFFICER, fx.agency_b).get(
        "/api/v1/agency/dashboard.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response.content.decode("utf-8"))
    assert rows[0]["requests"] == "1"


def test_api_transparency(fx: Fixture, api_client_for: Callable[..., ApiClient]) -> None:
    body = api_client_for(Role.SENIOR_REVIEWER).get("/api/v1/agency/transparency").json()

    assert body["total"]["median_acknowledge_hours"] == 4
    assert {r["key"]: r["figures"]["median_acknowledge_hours"] for r in body["by_agency"]} == {
        "Cục An ninh mạng": 3, "Sở Công an tỉnh B": 7}
    officer = api_client_for(Role.AGENCY_OFFICER, fx.agency_a)
    assert officer.get("/api/v1/agency/transparency").status_code == 403
