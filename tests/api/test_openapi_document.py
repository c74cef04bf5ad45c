"""The OpenAPI document at /api/v1/openapi.json: error answers, fixed keys, optional keys.

Clients of banks, telcos and platforms are generated from it, so it must say what the server
really does: which errors each operation answers (one shared error body), which values a field
takes (the same lists the services check against), and where the API key is optional.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from ninja import Router

from fraudhub.agencies.api import router as agencies_router
from fraudhub.agencies.dashboard_api import router as dashboard_router
from fraudhub.agencies.models import RequestChannel, RequestKind, TargetOutcome
from fraudhub.cases.api import router as cases_router
from fraudhub.cases.models import (
    AppealStatus,
    CaseStatus,
    EnforcementStatus,
    Outcome,
    Queue,
    TargetKind,
)
from fraudhub.core.actors import Actor
from fraudhub.core.http import ERROR_ANSWERS
from fraudhub.core.roles import Perm, Role
from fraudhub.core.services import apikey_create
from fraudhub.indicators.api import router as indicators_router
from fraudhub.indicators.delisting_api import router as delisting_router
from fraudhub.indicators.models import DelistingStatus
from fraudhub.indicators.types import TYPE_KEYS
from fraudhub.reports.api import router as reports_router
from fraudhub.taxonomy.api import router as taxonomy_router
from fraudhub.taxonomy.selectors import fraud_type_list, policy_ground_list
from tests.conftest import SYSTEM, ApiClient, report_payload

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"
ERROR_REF = "#/components/schemas/ErrorOut"
ALLOWED_ERRORS = {400, 401, 403, 404, 409, 413, 422, 429, 503}
ROUTERS: list[Router] = [taxonomy_router, reports_router, cases_router, indicators_router,
                         delisting_router, agencies_router, dashboard_router]
# Public although their x-permission is a rule in words: the secret or token is the credential.
PUBLIC_BY_RULE = {
    ("GET", "/reports/{tracking_code}"),
    ("POST", "/reports/{tracking_code}/appeal"),
    ("POST", "/appeals"),
}
FRAUD_TYPES = [ft.key for ft in fraud_type_list()]
GROUNDS = [g.key for g in policy_ground_list()]

Operation = dict[str, Any]


@pytest.fixture
def document() -> dict[str, Any]:
    response = Client().get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], Operation]:
    return {(method.upper(), path.removeprefix(PREFIX)): op
            for path, ops in document["paths"].items() for method, op in ops.items()}


def _statuses(op: Operation) -> set[int]:
    return {int(status) for status in op["responses"]}


def _errors(op: Operation) -> set[int]:
    return {status for status in _statuses(op) if status >= 400}


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def _enum(schema: dict[str, Any]) -> list[Any]:
    values: list[Any] = schema["enum"]
    return values


def _parameter(op: Operation, name: str) -> dict[str, Any]:
    [schema] = [p["schema"] for p in op["parameters"] if p["name"] == name]
    found: dict[str, Any] = schema
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


# --- error answers -------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "errors"), [
    ("POST", "/cases/{case_id}/claim", {401, 403, 404, 409, 422, 503}),
    ("GET", "/cases", {401, 403, 422, 503}),
    ("POST", "/cases/{case_id}/decision", {400, 401, 403, 404, 409, 413, 422, 503}),
    # Public, and no parameters: 403 only for an API key scoped without taxonomy:read.
    ("GET", "/taxonomy", {401, 403, 503}),
    ("GET", "/lookup", {401, 403, 422, 429, 503}),
    ("POST", "/lookup", {400, 401, 403, 413, 422, 429, 503}),
    ("POST", "/reports", {400, 401, 403, 413, 422, 429, 503}),
    # No permission checked: the secret is the credential, and a wrong one is 404.
    ("GET", "/reports/{tracking_code}", {401, 404, 503}),
    ("POST", "/delisting", {400, 401, 403, 409, 413, 422, 429, 503}),
    ("POST", "/agency/requests", {400, 401, 403, 413, 422, 503}),
    ("GET", "/agency/requests/{request_id}", {401, 403, 404, 422, 503}),
    ("GET", "/agency/requests/{request_id}/response.pdf", {401, 403, 404, 422, 503}),
    ("GET", "/agency/dashboard", {401, 403, 422, 503}),
    ("GET", "/agency/dashboard.csv", {401, 403, 422, 503}),
])
def test_representative_operations_document_the_errors_they_answer(
    document: dict[str, Any], method: str, path: str, errors: set[int],
) -> None:
    assert _errors(_operations(document)[(method, path)]) == errors


def test_every_operation_documents_its_success_and_only_known_errors(
    document: dict[str, Any],
) -> None:
    operations = _operations(document)
    declared = {
        (method, path): {s for s in operation.response_models if isinstance(s, int) and s < 400}
        for router in ROUTERS
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }

    assert set(declared) == set(operations)
    for key, op in operations.items():
        successes = declared[key]
        assert successes, key
        assert successes <= _statuses(op), key
        assert _errors(op) <= ALLOWED_ERRORS, key
        assert _statuses(op) - _errors(op) == successes, key


def test_error_answers_refer_to_the_one_error_schema(document: dict[str, Any]) -> None:
    error = _component(document, "ErrorOut")
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert set(error["required"]) == {"detail", "code"}

    documented = 0
    for key, op in _operations(document).items():
        for status in _errors(op):
            answer = op["responses"][str(status)]
            assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, key
            assert answer["description"] == ERROR_ANSWERS[status][0], key
            if status in (429, 503):
                assert "Retry-After" in answer["headers"], key
            documented += 1
    assert documented > 100
    # Every reference in the document resolves (the error schema's included).
    names = set(document["components"]["schemas"])
    refs = set(_refs(document["paths"])) | set(_refs(document["components"]))
    assert ERROR_REF in refs
    assert {ref.removeprefix("#/components/schemas/") for ref in refs} <= names


def test_a_public_operation_answers_403_to_a_key_scoped_without_its_permission(
    document: dict[str, Any],
) -> None:
    issued = apikey_create(actor=SYSTEM, name="lookups only", role=Role.PARTNER,
                           scopes=[Perm.INDICATOR_LOOKUP.value])

    response = ApiClient(issued.raw_key).get(f"{PREFIX}/taxonomy")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert 403 in _errors(_operations(document)[("GET", "/taxonomy")])


def test_rate_limited_operations_document_429_and_others_do_not(
    document: dict[str, Any],
) -> None:
    limited = {key for key, op in _operations(document).items() if 429 in _errors(op)}

    assert limited == {
        ("GET", "/lookup"), ("POST", "/lookup"), ("POST", "/scan"), ("POST", "/scan/batch"),
        ("POST", "/reports"), ("POST", "/reports/batch"), ("POST", "/delisting"),
    }


# --- fixed keys ----------------------------------------------------------------------------


def test_report_fields_list_the_keys_the_intake_accepts(document: dict[str, Any]) -> None:
    report = _component(document, "ReportIn")["properties"]

    assert _enum(report["target_kind"]) == list(TargetKind.values)
    assert _enum(report["fraud_type"]) == FRAUD_TYPES
    assert FRAUD_TYPES
    assert _enum(report["good_faith"]) == [True]


def test_decision_fields_list_the_outcomes_and_policy_grounds(document: dict[str, Any]) -> None:
    decision = _component(document, "DecisionIn")["properties"]
    appeal = _component(document, "AppealDecisionIn")["properties"]

    assert _enum(decision["outcome"]) == list(Outcome.values)
    assert _enum(decision["ground"]) == GROUNDS
    assert "docs/policies.md" not in decision["ground"]["description"]
    assert _enum(appeal["outcome"]) == [AppealStatus.UPHELD, AppealStatus.REVERSED]
    assert _enum(appeal["replacement_outcome"]) == [*Outcome.values, None]
    assert _enum(appeal["replacement_ground"]) == [*GROUNDS, None]


def test_agency_request_fields_list_their_keys(document: dict[str, Any]) -> None:
    request = _component(document, "RequestIn")["properties"]
    target = _component(document, "TargetIn")["properties"]
    response = _component(document, "TargetResponseIn")["properties"]

    assert _enum(request["kind"]) == list(RequestKind.values)
    assert _enum(request["fraud_type"]) == FRAUD_TYPES
    assert _enum(request["channel"]) == list(RequestChannel.values)
    assert _enum(target["kind"]) == ["", *TargetKind.values]
    assert _enum(response["outcome"]) == [o for o in TargetOutcome.values
                                          if o != TargetOutcome.PENDING]


def test_indicator_types_and_list_filters_are_enums(document: dict[str, Any]) -> None:
    operations = _operations(document)

    assert _enum(_parameter(operations[("GET", "/lookup")], "type")) == list(TYPE_KEYS)
    assert _enum(_component(document, "LookupItemIn")["properties"]["type"]) == [
        *TYPE_KEYS, None]
    cases = operations[("GET", "/cases")]
    assert _enum(_parameter(cases, "queue")) == list(Queue.values)
    assert _enum(_parameter(cases, "status")) == list(CaseStatus.values)
    assert _enum(_parameter(operations[("GET", "/enforcements")], "status")) == list(
        EnforcementStatus.values)
    assert _enum(_parameter(operations[("GET", "/appeals")], "status")) == [
        "", *AppealStatus.values]
    assert _enum(_parameter(operations[("GET", "/delisting")], "status")) == list(
        DelistingStatus.values)


def test_a_value_outside_an_enum_is_still_refused_by_the_service(anon_api: ApiClient) -> None:
    response = anon_api.post(f"{PREFIX}/reports",
                             report_payload(target_kind="spaceship", fraud_type="nope"),
                             headers={"Accept-Language": "en"})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["target_kind"] == ["Unknown kind; one of: " + ", ".join(TargetKind.values)]
    assert errors["fraud_type"] == ["Unknown fraud type nope; see /api/v1/taxonomy."]


# --- optional keys -------------------------------------------------------------------------


def test_public_operations_declare_the_key_optional_and_others_require_it(
    document: dict[str, Any],
) -> None:
    anonymous = Actor.anonymous()
    permissions = {p.value for p in Perm}
    operations = _operations(document)
    expected = PUBLIC_BY_RULE | {
        key for key, op in operations.items()
        if op["x-permission"] in permissions and anonymous.has_perm(Perm(op["x-permission"]))
    }

    optional = {key for key, op in operations.items() if {} in op["security"]}

    assert optional == expected
    assert {("GET", "/taxonomy"), ("GET", "/lookup"), ("POST", "/reports"),
            ("GET", "/reports/{tracking_code}"), ("POST", "/delisting")} <= optional
    assert all({"ActorAuth": []} in op["security"] for op in operations.values())


def test_file_answers_keep_their_content_type_beside_the_errors(document: dict[str, Any]) -> None:
    operations = _operations(document)

    pdf = operations[("GET", "/agency/requests/{request_id}/response.pdf")]["responses"]
    csv = operations[("GET", "/agency/dashboard.csv")]["responses"]

    assert set(pdf["200"]["content"]) == {"application/pdf"}
    assert set(csv["200"]["content"]) == {"text/csv"}
