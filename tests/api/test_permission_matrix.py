"""Every /api/v1 endpoint against every role: who gets past authorization, who gets 401 or 403.

The expectation for the six roles comes from ROLE_PERMISSIONS, so the matrix follows the roles
when they change; anonymous callers hold the `public:` scope only. A few hand-written
expectations below catch a wrong ROLE_PERMISSIONS table, and the OpenAPI test catches an
endpoint that has no row here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from fraudhub.agencies.api import FOR_AGENCY_RULE, ON_BEHALF_RULE
from fraudhub.agencies.services.outcomes import TargetResponse, request_target_respond
from fraudhub.cases.api import OWNER_APPEAL_RULE
from fraudhub.cases.models import Case, Decision
from fraudhub.cases.services.appeals import appeal_file_for_owner
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.models import ApiKey, Organization, OrganizationKind
from fraudhub.core.roles import ROLE_PERMISSIONS, Perm, Role
from fraudhub.core.services import apikey_create, apikey_revoke, organization_create
from fraudhub.indicators.delisting import DelistingInput, delisting_request_create
from fraudhub.reports.services import ReportInput, report_create
from tests.agencies.helpers import PDF, file_request, request_json
from tests.conftest import SYSTEM, ApiClient, default_agency, make_user, report_payload

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]
# Anonymous callers act with the public scope of the permission names, nothing else.
ANONYMOUS_PERMS = frozenset(p for p in Perm if p.value.startswith("public:"))
SECRET_RULE = "holder of the report secret (X-Report-Secret)"


@dataclass
class World:
    """Real objects for every endpoint to act on, so allowed callers reach the service."""

    open_case_id: int
    reporter_id: int
    code: str
    secret: str
    no_violation_code: str
    no_violation_secret: str
    violation_decision_id: int
    owner_token: str
    appeal_id: int
    delisting_id: int
    agency_request_id: int
    pending_target_id: int
    waiting_target_id: int
    enforcement_id: int


def _file(target: str, ip: str, kind: str = "account") -> tuple[str, str, int]:
    filed = report_create(actor=Actor.anonymous(ip=ip), data=ReportInput(
        target_kind=kind, target=target, platform="facebook" if kind == "account" else "",
        fraud_type="investment_stock_crypto", description="Mời đầu tư, gọi 0912 345 678.",
        good_faith=True,
    ))
    assert filed.report.case_id is not None
    return filed.report.tracking_code, filed.secret, filed.report.case_id


def _decide(case_id: int, actor: Actor, outcome: str) -> Decision:
    case_claim(actor=actor, case_id=case_id)
    violation = outcome != "no_violation"
    return decision_create(actor=actor, case_id=case_id, data=DecisionInput(
        outcome=outcome, ground="scam_fraud" if violation else "not_violating",
        facts="Checked the profile and the transfers.", days=14 if outcome == "suspend" else None,
    ))


@pytest.fixture
def world(reviewer_actor: Actor, drain_jobs: Callable[[], int]) -> World:
    code, secret, open_case_id = _file("https://www.facebook.com/profile.php?id=100000000001",
                                       "192.0.2.1")
    nv_code, nv_secret, nv_case = _file("+84912000002", "192.0.2.2", kind="phone")
    _decide(nv_case, reviewer_actor, "no_violation")
    _c, _s, v_case = _file("https://www.facebook.com/profile.php?id=100000000003", "192.0.2.3")
    violation = _decide(v_case, reviewer_actor, "suspend")
    _c, _s, a_case = _file("https://www.facebook.com/profile.php?id=100000000004", "192.0.2.4")
    appealed = _decide(a_case, reviewer_actor, "suspend")
    appeal = appeal_file_for_owner(actor=SYSTEM, decision_id=appealed.pk,
                                   statement="This is my real account.")
    drain_jobs()  # the reports' values reach the indicator database through a job
    delisting = delisting_request_create(actor=SYSTEM, data=DelistingInput(
        value="0912 345 678", requester_name="Nguyễn Văn A", requester_email="a@example.com",
        statement="This is my shop's number."))
    reporter_id = Case.objects.get(pk=open_case_id).reports.get().reporter_id
    assert reporter_id is not None
    # A request of the agency that officers in the matrix belong to: one target still running,
    # one waiting for the agency's answer.
    officer = Actor.for_user(make_user(Role.AGENCY_OFFICER, "world-officer", default_agency()))
    agency_request = file_request(officer, targets=[
        "https://www.facebook.com/profile.php?id=100000000005",
        "https://www.facebook.com/profile.php?id=100000000006"])
    pending, waiting = agency_request.targets.order_by("line")
    request_target_respond(actor=SYSTEM, request_id=agency_request.pk, target_id=waiting.pk,
                           data=TargetResponse(outcome="needs_information",
                                               note="Which posts are meant?"))
    return World(
        open_case_id=open_case_id, reporter_id=reporter_id, code=code, secret=secret,
        no_violation_code=nv_code, no_violation_secret=nv_secret,
        violation_decision_id=violation.pk, owner_token=owner_appeal_token(violation),
        appeal_id=appeal.pk, delisting_id=delisting.pk, agency_request_id=agency_request.pk,
        pending_target_id=pending.pk, waiting_target_id=waiting.pk,
        enforcement_id=violation.enforcements.get().pk,
    )


Request = tuple[str, dict[str, Any] | None, dict[str, str]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as in the OpenAPI document
    rule: Perm | None  # the permission enforced; None: the report secret is the only credential
    states: str  # what the operation's x-permission says
    request: Callable[[World], Request]  # concrete path, JSON body, extra headers
    ok: int  # the answer a caller that is let through gets with the world's data
    variant: str = ""

    @property
    def key(self) -> str:
        suffix = f" [{self.variant}]" if self.variant else ""
        return f"{self.method} {self.path}{suffix}"


def _stated(perm: Perm) -> str:
    return perm.value


DECISION = {"outcome": "suspend", "ground": "scam_fraud", "facts": "Seen.", "days": 14}

ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/api/v1/taxonomy", Perm.TAXONOMY_READ, _stated(Perm.TAXONOMY_READ),
             lambda w: ("/api/v1/taxonomy", None, {}), 200),
    Endpoint("POST", "/api/v1/reports", Perm.REPORT_CREATE, _stated(Perm.REPORT_CREATE),
             lambda w: ("/api/v1/reports", report_payload(), {}), 201),
    Endpoint("POST", "/api/v1/reports/batch", Perm.REPORT_BATCH_CREATE,
             _stated(Perm.REPORT_BATCH_CREATE),
             lambda w: ("/api/v1/reports/batch", {"reports": [report_payload()]}, {}), 200),
    Endpoint("GET", "/api/v1/reports/{tracking_code}", None, SECRET_RULE,
             lambda w: (f"/api/v1/reports/{w.code}", None, {"X-Report-Secret": w.secret}), 200),
    Endpoint("POST", "/api/v1/reports/{tracking_code}/appeal", Perm.REPORT_CREATE, SECRET_RULE,
             lambda w: (f"/api/v1/reports/{w.no_violation_code}/appeal",
                        {"statement": "It is a scam, please look again."},
                        {"X-Report-Secret": w.no_violation_secret}), 201),
    Endpoint("GET", "/api/v1/cases", Perm.CASE_LIST, _stated(Perm.CASE_LIST),
             lambda w: ("/api/v1/cases", None, {}), 200),
    Endpoint("GET", "/api/v1/cases/{case_id}", Perm.CASE_VIEW, _stated(Perm.CASE_VIEW),
             lambda w: (f"/api/v1/cases/{w.open_case_id}", None, {}), 200),
    Endpoint("POST", "/api/v1/cases/{case_id}/claim", Perm.CASE_CLAIM, _stated(Perm.CASE_CLAIM),
             lambda w: (f"/api/v1/cases/{w.open_case_id}/claim", None, {}), 200),
    # Nobody in the matrix holds the claim: an allowed caller is told so (409).
    Endpoint("POST", "/api/v1/cases/{case_id}/release", Perm.CASE_CLAIM,
             _stated(Perm.CASE_CLAIM),
             lambda w: (f"/api/v1/cases/{w.open_case_id}/release", None, {}), 409),
    Endpoint("POST", "/api/v1/cases/{case_id}/decision", Perm.CASE_DECIDE,
             _stated(Perm.CASE_DECIDE),
             lambda w: (f"/api/v1/cases/{w.open_case_id}/decision", DECISION, {}), 409),
    Endpoint("POST", "/api/v1/reporters/{reporter_id}/bad-faith", Perm.REPORTER_MARK_BAD_FAITH,
             _stated(Perm.REPORTER_MARK_BAD_FAITH),
             lambda w: (f"/api/v1/reporters/{w.reporter_id}/bad-faith",
                        {"reason": "Files false reports about competitors.", "days": 30}, {}),
             200),
    Endpoint("POST", "/api/v1/appeals", Perm.APPEAL_FILE_FOR_OWNER,
             OWNER_APPEAL_RULE,
             lambda w: ("/api/v1/appeals", {"decision_id": w.violation_decision_id,
                                            "statement": "The owner says this is a mistake."},
                        {}), 201, variant="decision_id"),
    Endpoint("POST", "/api/v1/appeals", Perm.REPORT_CREATE,
             OWNER_APPEAL_RULE,
             lambda w: ("/api/v1/appeals", {"token": w.owner_token,
                                            "statement": "This is my account, not a scam."},
                        {}), 201, variant="token"),
    Endpoint("GET", "/api/v1/appeals", Perm.CASE_LIST, _stated(Perm.CASE_LIST),
             lambda w: ("/api/v1/appeals", None, {}), 200),
    Endpoint("GET", "/api/v1/enforcements", Perm.CASE_VIEW, _stated(Perm.CASE_VIEW),
             lambda w: ("/api/v1/enforcements?status=given_up", None, {}), 200),
    # The world's deliveries went through (local adapter): an allowed caller is told only a
    # given-up one is sent again (409).
    Endpoint("POST", "/api/v1/enforcements/{enforcement_id}/retry", Perm.CASE_DECIDE,
             _stated(Perm.CASE_DECIDE),
             lambda w: (f"/api/v1/enforcements/{w.enforcement_id}/retry", None, {}), 409),
    # Nobody in the matrix holds the claim on the appealed case: an allowed caller gets 409.
    Endpoint("POST", "/api/v1/appeals/{appeal_id}/decision", Perm.APPEAL_DECIDE,
             _stated(Perm.APPEAL_DECIDE),
             lambda w: (f"/api/v1/appeals/{w.appeal_id}/decision",
                        {"outcome": "upheld", "reasons": "The evidence holds."}, {}), 409),
]
ENDPOINTS += [
    Endpoint("POST", "/api/v1/delisting", Perm.DELISTING_CREATE, _stated(Perm.DELISTING_CREATE),
             lambda w: ("/api/v1/delisting", {
                 "value": "+84 912 345 678", "requester_name": "Chủ thuê bao",
                 "requester_email": "owner@example.com",
                 "statement": "I got this number from the telco last week."}, {}), 201),
    Endpoint("GET", "/api/v1/delisting", Perm.INDICATOR_MANAGE, _stated(Perm.INDICATOR_MANAGE),
             lambda w: ("/api/v1/delisting", None, {}), 200),
    Endpoint("POST", "/api/v1/delisting/{request_id}/decision", Perm.INDICATOR_MANAGE,
             _stated(Perm.INDICATOR_MANAGE),
             lambda w: (f"/api/v1/delisting/{w.delisting_id}/decision",
                        {"accept": False, "reasons": "Reports continue after the change."}, {}),
             200),
]
# Indicator lookups and scans (the national anti-fraud database).
ENDPOINTS += [
    Endpoint("GET", "/api/v1/lookup", Perm.INDICATOR_LOOKUP, _stated(Perm.INDICATOR_LOOKUP),
             lambda w: ("/api/v1/lookup?value=0912345678", None, {}), 200),
    Endpoint("POST", "/api/v1/lookup", Perm.INDICATOR_BULK_LOOKUP,
             _stated(Perm.INDICATOR_BULK_LOOKUP),
             lambda w: ("/api/v1/lookup", {"items": [{"value": "0912345678"},
                                                     {"value": "not a value"}]}, {}), 200),
    Endpoint("POST", "/api/v1/scan", Perm.INDICATOR_SCAN, _stated(Perm.INDICATOR_SCAN),
             lambda w: ("/api/v1/scan", {"text": "Gọi 0912 345 678, chuyển khoản ngay."}, {}),
             200),
    Endpoint("POST", "/api/v1/scan/batch", Perm.INDICATOR_SCAN, _stated(Perm.INDICATOR_SCAN),
             lambda w: ("/api/v1/scan/batch",
                        {"messages": [{"text": "Gọi 0912 345 678, chuyển khoản ngay."}]}, {}),
             200),
]
# The authorities' priority channel.
AGENCY_REQUESTS = "/api/v1/agency/requests"
ENDPOINTS += [
    Endpoint("POST", AGENCY_REQUESTS, Perm.AGENCY_REQUEST_CREATE, ON_BEHALF_RULE,
             lambda w: (AGENCY_REQUESTS, request_json(), {}), 201, variant="own agency"),
    Endpoint("POST", AGENCY_REQUESTS, Perm.AGENCY_REQUEST_RECORD, ON_BEHALF_RULE,
             lambda w: (AGENCY_REQUESTS, request_json(agency="Test Agency A05",
                                                      channel="letter"), {}),
             201, variant="on behalf"),
    Endpoint("GET", AGENCY_REQUESTS, Perm.AGENCY_REQUEST_VIEW, _stated(Perm.AGENCY_REQUEST_VIEW),
             lambda w: (AGENCY_REQUESTS, None, {}), 200),
    Endpoint("GET", AGENCY_REQUESTS + "/{request_id}", Perm.AGENCY_REQUEST_VIEW,
             _stated(Perm.AGENCY_REQUEST_VIEW),
             lambda w: (f"{AGENCY_REQUESTS}/{w.agency_request_id}", None, {}), 200),
    Endpoint("GET", AGENCY_REQUESTS + "/{request_id}/targets", Perm.AGENCY_REQUEST_VIEW,
             _stated(Perm.AGENCY_REQUEST_VIEW),
             lambda w: (f"{AGENCY_REQUESTS}/{w.agency_request_id}/targets", None, {}), 200),
    Endpoint("POST", AGENCY_REQUESTS + "/{request_id}/document", Perm.AGENCY_REQUEST_VIEW,
             FOR_AGENCY_RULE,
             lambda w: (f"{AGENCY_REQUESTS}/{w.agency_request_id}/document",
                        {"document_pdf": base64.b64encode(PDF).decode()}, {}), 200),
    Endpoint("POST", AGENCY_REQUESTS + "/{request_id}/targets/{target_id}/information",
             Perm.AGENCY_REQUEST_VIEW, FOR_AGENCY_RULE,
             lambda w: (f"{AGENCY_REQUESTS}/{w.agency_request_id}/targets/"
                        f"{w.waiting_target_id}/information",
                        {"answer": "The posts of 20 November."}, {}), 200),
    Endpoint("POST", AGENCY_REQUESTS + "/{request_id}/targets/{target_id}/outcome",
             Perm.AGENCY_REQUEST_RESPOND, _stated(Perm.AGENCY_REQUEST_RESPOND),
             lambda w: (f"{AGENCY_REQUESTS}/{w.agency_request_id}/targets/"
                        f"{w.pending_target_id}/outcome",
                        {"outcome": "refused", "refusal_reason": "target_not_found"}, {}), 200),
]
# Accountability: the response document, the dashboard, the transparency report.
ENDPOINTS += [
    Endpoint("GET", AGENCY_REQUESTS + "/{request_id}/response.pdf", Perm.AGENCY_REQUEST_VIEW,
             _stated(Perm.AGENCY_REQUEST_VIEW),
             lambda w: (f"{AGENCY_REQUESTS}/{w.agency_request_id}/response.pdf", None, {}), 200),
    Endpoint("GET", "/api/v1/agency/dashboard", Perm.AGENCY_DASHBOARD_READ,
             _stated(Perm.AGENCY_DASHBOARD_READ),
             lambda w: ("/api/v1/agency/dashboard", None, {}), 200),
    Endpoint("GET", "/api/v1/agency/dashboard.csv", Perm.AGENCY_DASHBOARD_READ,
             _stated(Perm.AGENCY_DASHBOARD_READ),
             lambda w: ("/api/v1/agency/dashboard.csv", None, {}), 200),
    Endpoint("GET", "/api/v1/agency/transparency", Perm.TRANSPARENCY_READ,
             _stated(Perm.TRANSPARENCY_READ),
             lambda w: ("/api/v1/agency/transparency", None, {}), 200),
]
ENDPOINTS_BY_KEY = {e.key: e for e in ENDPOINTS}


def perms_of(role: str) -> frozenset[Perm]:
    return ANONYMOUS_PERMS if role == ANONYMOUS else ROLE_PERMISSIONS[role]


def is_allowed(endpoint: Endpoint, role: str) -> bool:
    return endpoint.rule is None or endpoint.rule in perms_of(role)


def expected_answer(endpoint: Endpoint, role: str) -> tuple[int, str | None]:
    """(status, WWW-Authenticate) that `role` must get from `endpoint`."""
    if is_allowed(endpoint, role):
        return endpoint.ok, None
    if role == ANONYMOUS:
        return 401, "Bearer"
    return 403, None


def call(client: ApiClient, endpoint: Endpoint, world: World) -> Any:
    path, body, headers = endpoint.request(world)
    if endpoint.method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, body, headers=headers)


def client_for(api_client_for: Callable[..., ApiClient], role: str) -> ApiClient:
    # The partner of the matrix is the platform's own integration, the partner that may do
    # the most (owner appeals); tests/cases/test_appeals.py has a bank's key refused them.
    org = platform_integration() if role == Role.PARTNER else None
    return api_client_for(None if role == ANONYMOUS else role, org=org, ip="203.0.113.99")


def platform_integration() -> Organization:
    found = Organization.objects.filter(name="Platform integration").first()
    return found or organization_create(actor=SYSTEM, name="Platform integration",
                                        kind=OrganizationKind.PLATFORM)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.key for e in ENDPOINTS])
def test_matrix(
    api_client_for: Callable[..., ApiClient], world: World, endpoint: Endpoint, role: str
) -> None:
    response = call(client_for(api_client_for, role), endpoint, world)

    answer = (response.status_code, response.headers.get("WWW-Authenticate"))
    assert answer == expected_answer(endpoint, role), response.content


# --- hand-written expectations: catch a wrong ROLE_PERMISSIONS table -------------------------

HAND_WRITTEN = [
    # (role, endpoint, may call it)
    (ANONYMOUS, "POST /api/v1/reports", True),
    (ANONYMOUS, "GET /api/v1/taxonomy", True),
    (ANONYMOUS, "GET /api/v1/cases", False),
    (ANONYMOUS, "POST /api/v1/appeals [token]", True),
    (ANONYMOUS, "POST /api/v1/appeals [decision_id]", False),
    (Role.CITIZEN, "POST /api/v1/reports", True),
    (Role.CITIZEN, "GET /api/v1/cases", False),
    (Role.CITIZEN, "GET /api/v1/cases/{case_id}", False),
    (Role.CITIZEN, "POST /api/v1/cases/{case_id}/claim", False),
    (Role.CITIZEN, "POST /api/v1/reporters/{reporter_id}/bad-faith", False),
    (Role.CITIZEN, "POST /api/v1/appeals [decision_id]", False),
    (Role.PARTNER, "POST /api/v1/cases/{case_id}/decision", False),
    (Role.PARTNER, "GET /api/v1/cases", False),
    (Role.PARTNER, "POST /api/v1/appeals [decision_id]", True),
    (Role.PARTNER, "POST /api/v1/appeals/{appeal_id}/decision", False),
    (Role.AGENCY_OFFICER, "POST /api/v1/reports", True),
    (Role.AGENCY_OFFICER, "POST /api/v1/cases/{case_id}/decision", False),
    (Role.AGENCY_OFFICER, "POST /api/v1/appeals/{appeal_id}/decision", False),
    (Role.REVIEWER, "GET /api/v1/cases", True),
    (Role.REVIEWER, "POST /api/v1/cases/{case_id}/claim", True),
    (Role.REVIEWER, "POST /api/v1/cases/{case_id}/decision", True),
    (Role.REVIEWER, "POST /api/v1/appeals/{appeal_id}/decision", False),
    (Role.SENIOR_REVIEWER, "POST /api/v1/cases/{case_id}/decision", True),
    (Role.SENIOR_REVIEWER, "POST /api/v1/appeals/{appeal_id}/decision", True),
    (Role.ADMIN, "POST /api/v1/appeals/{appeal_id}/decision", True),
    (Role.ADMIN, "GET /api/v1/cases", True),
    (ANONYMOUS, "GET /api/v1/lookup", True),
    (ANONYMOUS, "POST /api/v1/lookup", False),
    (ANONYMOUS, "POST /api/v1/scan", False),
    (Role.CITIZEN, "GET /api/v1/lookup", True),
    (Role.CITIZEN, "POST /api/v1/lookup", False),
    (Role.CITIZEN, "POST /api/v1/scan", False),
    (Role.PARTNER, "POST /api/v1/lookup", True),
    (Role.PARTNER, "POST /api/v1/scan", True),
    (Role.AGENCY_OFFICER, "POST /api/v1/lookup", True),
    (Role.REVIEWER, "POST /api/v1/scan", True),
    (ANONYMOUS, "POST /api/v1/reports/batch", False),
    (Role.CITIZEN, "POST /api/v1/reports/batch", False),
    (Role.REVIEWER, "POST /api/v1/reports/batch", False),
    (Role.PARTNER, "POST /api/v1/reports/batch", True),
    (Role.AGENCY_OFFICER, "POST /api/v1/reports/batch", True),
    (Role.ADMIN, "POST /api/v1/reports/batch", True),
    (ANONYMOUS, "POST /api/v1/scan/batch", False),
    (Role.CITIZEN, "POST /api/v1/scan/batch", False),
    (Role.PARTNER, "POST /api/v1/scan/batch", True),
    (Role.AGENCY_OFFICER, "POST /api/v1/agency/requests [own agency]", True),
    (Role.AGENCY_OFFICER, "POST /api/v1/agency/requests [on behalf]", False),
    (Role.AGENCY_OFFICER, "POST /api/v1/agency/requests/{request_id}/targets/{target_id}/outcome",
     False),
    (Role.REVIEWER, "POST /api/v1/agency/requests [own agency]", False),
    (Role.REVIEWER, "POST /api/v1/agency/requests [on behalf]", True),
    (Role.REVIEWER, "POST /api/v1/agency/requests/{request_id}/targets/{target_id}/outcome",
     True),
    (Role.ADMIN, "POST /api/v1/agency/requests [own agency]", False),
    (Role.PARTNER, "GET /api/v1/agency/requests", False),
    (Role.CITIZEN, "GET /api/v1/agency/requests/{request_id}", False),
    (ANONYMOUS, "POST /api/v1/agency/requests [own agency]", False),
    (Role.AGENCY_OFFICER, "GET /api/v1/agency/requests/{request_id}/response.pdf", True),
    (Role.CITIZEN, "GET /api/v1/agency/requests/{request_id}/response.pdf", False),
    (ANONYMOUS, "GET /api/v1/agency/requests/{request_id}/response.pdf", False),
    (Role.AGENCY_OFFICER, "GET /api/v1/agency/dashboard", True),
    (Role.AGENCY_OFFICER, "GET /api/v1/agency/dashboard.csv", True),
    (Role.PARTNER, "GET /api/v1/agency/dashboard", False),
    (Role.REVIEWER, "GET /api/v1/agency/dashboard", True),
    (Role.AGENCY_OFFICER, "GET /api/v1/agency/transparency", False),
    (Role.REVIEWER, "GET /api/v1/agency/transparency", False),
    (Role.SENIOR_REVIEWER, "GET /api/v1/agency/transparency", True),
    (Role.ADMIN, "GET /api/v1/agency/transparency", True),
    (ANONYMOUS, "GET /api/v1/agency/transparency", False),
]


@pytest.mark.parametrize(("role", "key", "allowed"), HAND_WRITTEN,
                         ids=[f"{r}-{k}" for r, k, _a in HAND_WRITTEN])
def test_hand_written_expectations_agree_with_the_roles_table_and_the_api(
    api_client_for: Callable[..., ApiClient], world: World, role: str, key: str, allowed: bool
) -> None:
    endpoint = ENDPOINTS_BY_KEY[key]
    assert is_allowed(endpoint, role) is allowed

    response = call(client_for(api_client_for, role), endpoint, world)

    assert (response.status_code not in (401, 403)) is allowed
    assert response.status_code < 500


def test_only_senior_reviewers_and_admins_decide_appeals() -> None:
    assert {r for r in Role.values if Perm.APPEAL_DECIDE in ROLE_PERMISSIONS[r]} == {
        Role.SENIOR_REVIEWER, Role.ADMIN}


def test_every_role_has_a_row_in_the_roles_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role.values)


# --- the table covers the OpenAPI document -------------------------------------------------


def test_every_operation_in_openapi_has_a_matrix_row_and_states_its_permission(
    api_client_for: Callable[..., ApiClient],
) -> None:
    response = api_client_for(None).get("/api/v1/openapi.json")
    assert response.status_code == 200
    operations = {
        (method.upper(), path): op
        for path, ops in response.json()["paths"].items()
        for method, op in ops.items()
    }

    assert set(operations) == {(e.method, e.path) for e in ENDPOINTS}
    assert all(op.get("x-permission") for op in operations.values())
    assert {e.key: operations[(e.method, e.path)]["x-permission"] for e in ENDPOINTS} == {
        e.key: e.states for e in ENDPOINTS
    }
    # Where a row names a permission as its statement, that is the permission enforced.
    perm_values = {p.value for p in Perm}
    assert all(e.rule is not None and e.states == e.rule.value
               for e in ENDPOINTS if e.states in perm_values)


# --- keys: revoked, expired, malformed, scoped -----------------------------------------------


def _assert_401(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_key_gets_401(api_client_for: Callable[..., ApiClient]) -> None:
    client = api_client_for(Role.REVIEWER)
    assert client.get("/api/v1/cases").status_code == 200
    key = ApiKey.objects.get(prefix=client.key.split("_")[1])  # type: ignore[union-attr]

    apikey_revoke(actor=SYSTEM, api_key_id=key.pk)

    _assert_401(client.get("/api/v1/cases"))
    # Refused outright, not downgraded to an anonymous citizen on public endpoints either.
    _assert_401(client.get("/api/v1/taxonomy"))
    _assert_401(client.post("/api/v1/reports", report_payload()))


def test_an_expired_key_gets_401(api_client_for: Callable[..., ApiClient]) -> None:
    issued = apikey_create(actor=SYSTEM, name="short-lived", role=Role.PARTNER,
                           expires_at=timezone.now() + timedelta(hours=1))
    client = ApiClient(issued.raw_key)
    assert client.get("/api/v1/taxonomy").status_code == 200

    # An hour later: the key's own moment has passed, whether or not the process remembers it.
    later = timezone.now() + timedelta(hours=1, seconds=1)
    with mock.patch("fraudhub.core.selectors.timezone.now", return_value=later):
        _assert_401(client.get("/api/v1/cases"))
        _assert_401(client.get("/api/v1/taxonomy"))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Token abc", "Basic dXNlcjpwYXNzd29yZA==", "fh_abcdef12_xyz",
     "Bearer not-a-key", "Bearer fh_deadbeef_notthekey", "Bearer fh_", "Bearer fh__",
     "Bearer fh_" + "a" * 5000],
    ids=["bearer-only", "bearer-space", "token", "basic", "raw-key", "not-a-key",
         "unknown-prefix", "prefix-only", "empty-parts", "huge"],
)
def test_a_malformed_or_unknown_authorization_header_gets_401(header: str) -> None:
    client = ApiClient()

    for path in ("/api/v1/taxonomy", "/api/v1/cases"):
        _assert_401(client.get(path, headers={"Authorization": header}))


def test_a_real_key_with_a_wrong_secret_part_gets_401(
    api_client_for: Callable[..., ApiClient],
) -> None:
    client = api_client_for(Role.ADMIN)
    assert client.key is not None
    prefix = client.key.split("_")[1]

    _assert_401(ApiClient(f"fh_{prefix}_{'x' * 43}").get("/api/v1/cases"))


def test_a_scoped_key_loses_the_other_permissions_of_its_role(world: World) -> None:
    issued = apikey_create(actor=SYSTEM, name="read-only desk", role=Role.REVIEWER,
                           scopes=[Perm.CASE_LIST.value, Perm.CASE_VIEW.value])
    client = ApiClient(issued.raw_key)
    full = ApiClient(apikey_create(actor=SYSTEM, name="full", role=Role.REVIEWER,
                                   holder=make_user(Role.REVIEWER, "full-key-holder")).raw_key)

    assert client.get("/api/v1/cases").status_code == 200
    assert client.get(f"/api/v1/cases/{world.open_case_id}").status_code == 200
    assert client.post(f"/api/v1/cases/{world.open_case_id}/claim").status_code == 403
    assert client.post(f"/api/v1/cases/{world.open_case_id}/decision", DECISION).status_code \
        == 403
    assert client.post("/api/v1/reports", report_payload()).status_code == 403
    assert client.get("/api/v1/taxonomy").status_code == 403
    # The same role without scopes keeps them.
    assert full.post(f"/api/v1/cases/{world.open_case_id}/claim").status_code == 200
    assert full.get("/api/v1/taxonomy").status_code == 200
