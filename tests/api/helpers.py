"""Small helpers shared by the API tests: filing reports and deciding cases over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fraudhub.cases.models import Case
from fraudhub.reports.models import Report
from tests.conftest import report_payload

REPORTS = "/api/v1/reports"
CASES = "/api/v1/cases"
APPEALS = "/api/v1/appeals"


def file_report(client: Any, **overrides: Any) -> dict[str, Any]:
    """POST a report (the shared default payload with `overrides`); it must be accepted."""
    response = client.post(REPORTS, report_payload(**overrides))
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def case_of(tracking_code: str) -> Case:
    case = Report.objects.get(tracking_code=tracking_code).case
    assert case is not None
    return case


def decision_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "outcome": "suspend",
        "ground": "scam_fraud",
        "facts": "The account asked several people to transfer money for a fake investment.",
        "days": 14,
    }
    body.update(overrides)
    return body


def claim_and_decide(client: Any, case_id: int, **overrides: Any) -> dict[str, Any]:
    claimed = client.post(f"{CASES}/{case_id}/claim")
    assert claimed.status_code == 200, claimed.content
    decided = client.post(f"{CASES}/{case_id}/decision", decision_body(**overrides))
    assert decided.status_code == 201, decided.content
    body: dict[str, Any] = decided.json()
    return body


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)
