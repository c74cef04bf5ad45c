"""Input that once made the server answer 500 (found by fuzzing every endpoint): each must now
get a clear 4xx, or be accepted with what it means, and nothing half-stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fraudhub.agencies.models import AgencyRequest
from fraudhub.core.roles import Role
from fraudhub.core.text import ascii_digits
from fraudhub.indicators.types import InvalidIndicator, get_type
from fraudhub.reports.models import Evidence, Report
from tests.agencies.helpers import ACCOUNT_A, make_agency, request_json
from tests.conftest import ApiClient, evidence_item, make_user, report_payload

SUPERSCRIPT_TWO = "\u00b2"  # "²": str.isdigit() says yes, int() says no
BAD_PORT_LINKS = [f"http://example.com:{SUPERSCRIPT_TWO}/",
                  "http://example.com:\u0663\u0664/",  # Arabic-Indic digits
                  "http://example.com:" + "9" * 5000 + "/"]  # past int()'s 4,300 digits
AGENCY_REQUESTS = "/api/v1/agency/requests"


def raw_post(client: ApiClient, path: str, body: str) -> Any:
    """A body written by hand: the JSON escapes stay as the caller typed them."""
    return client.client.post(path, body, content_type="application/json",
                              headers=client._headers(None))


@pytest.fixture
def partner(api_client_for: Callable[..., ApiClient]) -> ApiClient:
    return api_client_for(Role.PARTNER)


@pytest.fixture
def officer_api(api_client_for: Callable[..., ApiClient]) -> ApiClient:
    return api_client_for(Role.AGENCY_OFFICER, make_agency("Cục A05"))


# --- digits that are not 0-9 ------------------------------------------------------------------


def test_only_ascii_digits_are_digits() -> None:
    assert ascii_digits("0123456789")
    assert not any(ascii_digits(text) for text in (SUPERSCRIPT_TWO, "\u0663", "\uff11", "①", ""))


@pytest.mark.parametrize("link", BAD_PORT_LINKS)
def test_a_port_of_other_digits_or_of_thousands_is_not_a_url(link: str) -> None:
    with pytest.raises(InvalidIndicator):
        get_type("url").normalize(link)


@pytest.mark.parametrize("link", BAD_PORT_LINKS[:2])
def test_a_lookup_of_such_a_link_answers_for_its_site(anon_api: ApiClient, partner: ApiClient,
                                                       link: str) -> None:
    single = anon_api.get("/api/v1/lookup", value=link)
    assert single.status_code == 200
    assert (single.json()["type"], single.json()["value"]) == ("domain", "example.com")
    bulk = partner.post("/api/v1/lookup", {"items": [{"value": link}]})
    assert [(r["valid"], r["type"]) for r in bulk.json()["results"]] == [(True, "domain")]


@pytest.mark.parametrize("link", BAD_PORT_LINKS)
def test_such_a_link_is_refused_or_passed_over_on_every_way_in(
    anon_api: ApiClient, partner: ApiClient, officer_api: ApiClient, link: str,
) -> None:
    assert anon_api.get("/api/v1/lookup", value=link, type="url").status_code == 422
    bulk = partner.post("/api/v1/lookup", {"items": [{"value": link, "type": "url"},
                                                     {"value": "0912345678"}]})
    assert bulk.status_code == 200
    assert [(r["valid"], r["type"]) for r in bulk.json()["results"]] == [
        (False, None), (True, "phone")]
    assert partner.post("/api/v1/scan", {"text": f"vào {link} ngay"}).status_code == 200
    refused = anon_api.post("/api/v1/reports", report_payload(target_kind="url", target=link,
                                                              platform=""))
    assert refused.status_code == 422
    filed = anon_api.post("/api/v1/reports",
                          report_payload(description=f"Họ gửi link {link} để nhận quà."))
    assert filed.status_code == 201, filed.content
    request = officer_api.post(AGENCY_REQUESTS, request_json(
        kind="remove_content", targets=[ACCOUNT_A, {"target": link, "kind": "url"}]))
    assert request.status_code == 201, request.content
    assert [row["line"] for row in request.json()["rejected_rows"]] == [2]


def test_a_page_number_of_other_digits_is_the_first_page(db: None, settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client()
    client.force_login(make_user(Role.AGENCY_OFFICER, "officer-page", make_agency("Cục B")))
    assert client.get("/agency/", {"page": SUPERSCRIPT_TWO}).status_code == 200
    assert client.get("/agency/", {"page": "9" * 5000}).status_code == 200


# --- lone UTF-16 surrogates -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/scan", '{"text": "x\\ud800"}'),
    ("/api/v1/lookup", '{"items": [{"value": "0912345678\\udfff"}]}'),
    ("/api/v1/lookup", '{"items": [{"value": "0912345678", "type": "\\ud800"}]}'),
    ("/api/v1/lookup", '{"items": [{"value": "https://example.com/\\uDBFF"}]}'),
])
def test_an_unpaired_surrogate_is_400_with_its_reason(partner: ApiClient, path: str,
                                                      body: str) -> None:
    response = raw_post(partner, path, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_text"
    assert "surrogate" in response.json()["detail"]


def test_an_agency_request_with_an_unpaired_surrogate_is_refused_and_not_stored(
    officer_api: ApiClient,
) -> None:
    for field, value in (("reason", '"fraud \\ud800"'),
                         ("targets", '["https://facebook.com/ok", {"target": "??\\ud800", '
                                     '"kind": "nope"}]')):
        body = request_json(kind="remove_content")
        body.pop(field)
        text = json.dumps(body)[:-1] + f', "{field}": {value}}}'
        response = raw_post(officer_api, AGENCY_REQUESTS, text)
        assert response.status_code == 400, (field, response.content)
    assert not AgencyRequest.objects.exists()


def test_a_surrogate_pair_is_one_character_and_is_kept(anon_api: ApiClient) -> None:
    body = report_payload(description="Lừa đảo \U0001f600 qua Zalo.")
    text = json.dumps(body)  # ensure_ascii: the emoji travels as "\ud83d\ude00"
    assert "\\ud83d\\ude00" in text
    response = raw_post(anon_api, "/api/v1/reports", text)
    assert response.status_code == 201
    assert Report.objects.get().description == "Lừa đảo \U0001f600 qua Zalo."


# --- periods and ids beyond what dates and databases hold -------------------------------------


@pytest.mark.parametrize("params", [
    {"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}, {"date_from": "1999-12-31"},
    {"agency_id": str(2**63)}, {"agency_id": "0"},
])
def test_the_dashboards_refuse_periods_and_ids_out_of_range(
    api_client_for: Callable[..., ApiClient], params: dict[str, str],
) -> None:
    admin = api_client_for(Role.ADMIN)
    for path in ("/api/v1/agency/dashboard", "/api/v1/agency/dashboard.csv",
                 "/api/v1/agency/transparency"):
        response = admin.client.get(path, params, headers=admin._headers(None))
        assert response.status_code == 422, (path, params, response.content)


def test_the_dashboard_pages_refuse_such_periods(db: None, settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client()
    client.force_login(make_user(Role.ADMIN, "admin-periods"))
    for path in ("/agency/dashboard/", "/console/transparency/"):
        assert client.get(path, {"date_to": "9999-12-31"}).status_code == 422
        assert client.get(path, {"date_from": "2025-01-01", "date_to": "2025-12-31"}
                          ).status_code == 200


def test_a_time_without_offset_is_the_servers_and_year_one_is_refused(
    api_client_for: Callable[..., ApiClient],
) -> None:
    make_agency("Cục C")
    admin = api_client_for(Role.ADMIN)
    local = timezone.localtime() - timedelta(hours=3)
    naive = local.replace(tzinfo=None, microsecond=0).isoformat()
    accepted = admin.post(AGENCY_REQUESTS, request_json(
        kind="remove_content", agency="Cục C", channel="letter", received_at=naive))
    assert accepted.status_code == 201, accepted.content
    assert AgencyRequest.objects.get().received_at == local.replace(microsecond=0)
    for far in ("0001-01-01T00:00:00+14:00", "1999-12-31T23:00:00Z"):
        refused = admin.post(AGENCY_REQUESTS, request_json(
            kind="remove_content", agency="Cục C", channel="letter", received_at=far))
        assert refused.status_code == 422, far
        assert "received_at" in refused.json()["errors"]
    assert AgencyRequest.objects.count() == 1


# --- files and forms from other systems -------------------------------------------------------


def test_a_csv_with_old_mac_line_ends_is_read_line_by_line(officer_api: ApiClient) -> None:
    response = officer_api.post(AGENCY_REQUESTS, request_json(
        kind="remove_content", targets=None,
        targets_csv="target\rhttps://t.me/cr_one\rhttps://t.me/cr_two\r"))
    assert response.status_code == 201, response.content
    assert [(t["line"], t["canonical"]) for t in response.json()["targets"]] == [
        (2, "telegram:cr_one"), (3, "telegram:cr_two")]


@pytest.mark.parametrize("path", ["/accounts/login/", "/report/", "/i18n/setlang/"])
def test_a_form_in_another_charset_is_400_not_a_crash(path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "abcdefghijklmnopqrstuvwxyzABCDEF"
    response = client.post(path, "a=1",
                           content_type="application/x-www-form-urlencoded; charset=latin-1")
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


def test_a_utf8_form_still_reaches_the_csrf_check() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", "a=1",
                           content_type="application/x-www-form-urlencoded; charset=UTF-8")
    assert response.status_code == 403


@pytest.mark.parametrize("contact", [0, "x", [], True])
def test_a_reporter_contact_that_is_not_an_object_is_422(anon_api: ApiClient,
                                                         contact: Any) -> None:
    response = anon_api.post("/api/v1/reports", report_payload(reporter_contact=contact))
    assert response.status_code == 422
    assert any(key.startswith("reporter_contact") for key in response.json()["errors"])
    assert not Report.objects.exists()


def test_an_evidence_file_named_only_nul_gets_the_default_name(anon_api: ApiClient) -> None:
    response = anon_api.post("/api/v1/reports",
                             report_payload(evidence=[evidence_item(name="\x00")]))
    assert response.status_code == 201, response.content
    assert Evidence.objects.get().original_name == "evidence-1"


def test_in_a_batch_too_a_contact_must_be_an_object(partner: ApiClient) -> None:
    reports = [report_payload(reporter_contact={"email": "a@example.org"}),
               report_payload(reporter_contact="a@example.org")]
    response = partner.post("/api/v1/reports/batch", {"reports": reports})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reports.1.reporter_contact"]
    assert not Report.objects.exists()
