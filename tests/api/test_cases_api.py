"""The review desk over the API: queues, claims, decisions, statements of reasons, appeals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fraudhub.cases.models import Appeal, Case, Decision, Strike, Target
from fraudhub.core.models import Organization
from fraudhub.reports.models import Report
from tests.api.helpers import (
    APPEALS,
    CASES,
    REPORTS,
    case_of,
    claim_and_decide,
    decision_body,
    file_report,
    when,
)
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

Factory = Callable[..., ApiClient]
CASE_FIELDS = {"id", "target", "target_kind", "queue", "status", "priority", "report_count",
               "due_at"}
PROFILE = "https://www.facebook.com/profile.php?id=100012345678"


def _errors(response: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = response.json().get("errors", {})
    return errors


def _report_status(code: str, secret: str) -> dict[str, Any]:
    response = ApiClient().get(f"{REPORTS}/{code}", headers={"X-Report-Secret": secret})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


# --- listing ---------------------------------------------------------------------------------


def test_case_list_has_the_documented_fields(api_client_for: Factory) -> None:
    filed = file_report(api_client_for(None))

    response = api_client_for("reviewer").get(CASES)

    assert response.status_code == 200
    [case] = response.json()
    assert set(case) >= CASE_FIELDS
    assert case["id"] == case_of(filed["tracking_code"]).pk
    assert case["target_kind"] == "account"
    assert case["target"]
    assert case["queue"] == "standard"
    assert case["status"] == "open"
    assert case["report_count"] == 1
    assert isinstance(case["priority"], int) and 0 <= case["priority"] <= 100
    assert when(case["due_at"]) > timezone.now()


def test_queue_and_status_filters(api_client_for: Factory) -> None:
    citizen_code = file_report(api_client_for(None))["tracking_code"]
    authority_code = file_report(api_client_for("agency_officer"), target_kind="phone",
                                 target="0987 654 321", platform="")["tracking_code"]
    decided_code = file_report(api_client_for(None), target_kind="phone",
                               target="0912 000 111", platform="")["tracking_code"]
    reviewer = api_client_for("reviewer")
    claim_and_decide(reviewer, case_of(decided_code).pk, outcome="label", days=None)
    assert reviewer.post(f"{CASES}/{case_of(citizen_code).pk}/claim").status_code == 200

    def ids(**params: str) -> set[int]:
        response = reviewer.get(CASES, headers=None, **params)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()}

    citizen, authority = case_of(citizen_code).pk, case_of(authority_code).pk
    decided = case_of(decided_code).pk
    assert ids() == {citizen, authority}  # active cases only by default
    assert ids(queue="authority") == {authority}
    assert ids(queue="standard") == {citizen}
    assert ids(queue="appeals") == set()
    assert ids(status="in_review") == {citizen}
    assert ids(status="open") == {authority}
    assert ids(status="decided") == {decided}
    assert ids(status="open", queue="standard") == set()


def _account_cases(count: int, *, first: int, strikes: int) -> list[Case]:
    """`count` open account cases, each target with `strikes` upheld violations this week."""
    now = timezone.now()
    targets = Target.objects.bulk_create(
        Target(kind="account", indicator_type="social_account", canonical=f"facebook:{n}",
               display=f"facebook.com/{n}", platform="facebook")
        for n in range(first, first + count))
    cases = Case.objects.bulk_create(
        Case(target=target, fraud_type="investment_stock_crypto", opened_at=now,
             due_at=now + timedelta(hours=48)) for target in targets)
    for case in cases:
        for n in range(strikes):
            old = Case.objects.create(target=case.target, status="decided",
                                      fraud_type="investment_stock_crypto", opened_at=now,
                                      due_at=now)
            decision = Decision.objects.create(
                case=old, outcome="label", ground="scam_fraud", facts="f", decided_by="user:1",
                decided_by_label="r", decided_at=now - timedelta(days=n), statement={})
            Strike.objects.create(target=case.target, decision=decision,
                                  created_at=now - timedelta(days=n))
    return cases


def test_the_case_list_reads_strikes_in_a_fixed_number_of_queries(
        api_client_for: Factory) -> None:
    reviewer = api_client_for("reviewer")
    _account_cases(2, first=0, strikes=5)
    assert reviewer.get(CASES).status_code == 200  # the key is cached from here on

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = reviewer.get(CASES)
        assert response.status_code == 200
        return len(queries)

    two = statements()
    _account_cases(20, first=100, strikes=5)
    many = statements()

    # Three queries a case (its strikes in two windows, its locks) made a page of 500 cases
    # 1,500 queries.
    assert many == two
    listed = reviewer.get(CASES).json()
    assert len(listed) == 22
    assert {(c["proposed_outcome"], c["proposed_days"]) for c in listed} == {("suspend", 7)}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"queue": "vip"}, "queue"), ({"status": "done"}, "status"),
     ({"queue": "STANDARD"}, "queue"), ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"),
     ({"offset": "-1"}, "offset"), ({"limit": "ten"}, "limit")],
    ids=["queue", "status", "queue-case", "limit-0", "limit-501", "offset-negative",
         "limit-text"],
)
def test_invalid_filters_get_422(api_client_for: Factory, params: dict[str, str],
                                 field: str) -> None:
    response = api_client_for("reviewer").get(CASES, headers=None, **params)

    assert response.status_code == 422
    assert field in _errors(response)


HUGE = 10**20  # beyond any 64-bit database integer


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "answers"),
    [
        ("reviewer", "GET", f"{CASES}?offset={HUGE}", None, (200, 422)),
        ("reviewer", "GET", f"{CASES}/{HUGE}", None, (404,)),
        ("reviewer", "POST", f"{CASES}/{HUGE}/claim", None, (404,)),
        ("reviewer", "POST", f"{CASES}/{HUGE}/decision",
         {"outcome": "label", "ground": "scam_fraud", "facts": "x"}, (404,)),
        ("reviewer", "POST", f"/api/v1/reporters/{HUGE}/bad-faith", {"reason": "x"}, (404,)),
        ("senior_reviewer", "POST", f"{APPEALS}/{HUGE}/decision",
         {"outcome": "upheld", "reasons": "x"}, (404,)),
        ("admin", "POST", APPEALS, {"decision_id": HUGE, "statement": "x"}, (404, 422)),
    ],
    ids=["offset", "case", "claim", "decision", "bad-faith", "appeal-decision",
         "owner-appeal"],
)
def test_a_huge_number_is_not_a_server_error(
    api_client_for: Factory, role: str, method: str, path: str, body: dict[str, Any] | None,
    answers: tuple[int, ...],
) -> None:
    client = api_client_for(role)

    response = client.get(path) if method == "GET" else client.post(path, body)

    assert response.status_code in answers


def test_cases_are_ordered_by_priority(api_client_for: Factory) -> None:
    # The single report comes first, so neither age nor id would put the other case ahead.
    single = file_report(api_client_for(None, ip="203.0.113.200"), target_kind="phone",
                         target="0912 345 679", platform="")
    for n in range(5):
        many = file_report(api_client_for(None, ip=f"203.0.113.{n + 1}"))

    cases = api_client_for("reviewer").get(CASES).json()

    crowded, lonely = case_of(many["tracking_code"]).pk, case_of(single["tracking_code"]).pk
    assert [c["id"] for c in cases] == [crowded, lonely]
    assert cases[0]["reporter_count"] == 5 and cases[1]["reporter_count"] == 1
    assert cases[0]["priority"] > cases[1]["priority"]
    priorities = [c["priority"] for c in cases]
    assert priorities == sorted(priorities, reverse=True)


def test_an_authority_report_is_due_in_24_hours_and_a_citizen_report_in_48(
    api_client_for: Factory,
) -> None:
    file_report(api_client_for("agency_officer"), target_kind="phone", target="0987 654 321",
                platform="")
    file_report(api_client_for("citizen"))

    cases = {c["target_kind"]: c for c in api_client_for("reviewer").get(CASES).json()}

    authority, citizen = cases["phone"], cases["account"]
    assert authority["queue"] == "authority"
    assert when(authority["due_at"]) - when(authority["opened_at"]) == timedelta(hours=24)
    assert citizen["queue"] == "standard"
    assert when(citizen["due_at"]) - when(citizen["opened_at"]) == timedelta(hours=48)


def test_an_authority_report_on_a_citizen_case_pulls_the_deadline_in(
    api_client_for: Factory,
) -> None:
    file_report(api_client_for(None))
    file_report(api_client_for("agency_officer"),
                target="https://m.facebook.com/profile.php?id=100012345678")

    [case] = api_client_for("reviewer").get(CASES).json()

    assert case["report_count"] == 2
    assert case["queue"] == "authority"
    assert when(case["due_at"]) - when(case["opened_at"]) == timedelta(hours=24)


# --- claims ----------------------------------------------------------------------------------


def test_a_claimed_case_cannot_be_claimed_by_another_reviewer_until_the_claim_expires(
    api_client_for: Factory,
) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    reviewer_a, reviewer_b = api_client_for("reviewer"), api_client_for("reviewer")

    claimed = reviewer_a.post(f"{CASES}/{case_id}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["status"] == "in_review"
    assert claimed.json()["claimed_by"]
    assert when(claimed.json()["claim_expires_at"]) > timezone.now()
    refused = reviewer_b.post(f"{CASES}/{case_id}/claim")
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    # The holder may renew.
    assert reviewer_a.post(f"{CASES}/{case_id}/claim").status_code == 200

    Case.objects.filter(pk=case_id).update(
        claim_expires_at=timezone.now() - timedelta(minutes=1))

    assert reviewer_b.post(f"{CASES}/{case_id}/claim").status_code == 200
    assert reviewer_a.post(f"{CASES}/{case_id}/decision", decision_body()).status_code == 409
    assert reviewer_b.post(f"{CASES}/{case_id}/decision", decision_body()).status_code == 201


def test_release_returns_the_case_to_the_queue(api_client_for: Factory) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    reviewer_a, reviewer_b = api_client_for("reviewer"), api_client_for("reviewer")
    assert reviewer_a.post(f"{CASES}/{case_id}/claim").status_code == 200

    assert reviewer_b.post(f"{CASES}/{case_id}/release").status_code == 409
    released = reviewer_a.post(f"{CASES}/{case_id}/release")

    assert released.status_code == 200
    assert released.json()["status"] == "open"
    assert released.json()["claimed_by"] == ""
    assert reviewer_b.post(f"{CASES}/{case_id}/claim").status_code == 200


def test_an_unknown_case_is_404(api_client_for: Factory) -> None:
    reviewer = api_client_for("reviewer")

    assert reviewer.get(f"{CASES}/999999").status_code == 404
    assert reviewer.post(f"{CASES}/999999/claim").status_code == 404
    assert reviewer.post(f"{CASES}/999999/decision", decision_body()).status_code == 404


# --- decisions -------------------------------------------------------------------------------


def test_deciding_without_a_claim_is_409(api_client_for: Factory) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk

    response = api_client_for("reviewer").post(f"{CASES}/{case_id}/decision", decision_body())

    assert response.status_code == 409
    assert not Decision.objects.exists()


def test_a_suspension_is_decided_and_shown_to_the_reporter(api_client_for: Factory) -> None:
    filed = file_report(api_client_for(None))
    case_id = case_of(filed["tracking_code"]).pk
    reviewer = api_client_for("reviewer")
    assert reviewer.post(f"{CASES}/{case_id}/claim").status_code == 200

    response = reviewer.post(f"{CASES}/{case_id}/decision", decision_body(days=14))

    assert response.status_code == 201
    decision = response.json()
    assert decision["outcome"] == "suspend" and decision["days"] == 14
    assert decision["is_current"] is True
    assert when(decision["ends_at"]) - when(decision["decided_at"]) == timedelta(days=14)
    status = _report_status(filed["tracking_code"], filed["secret"])
    assert status["status"] == "actioned"
    assert status["decision"]["outcome"] == "suspend"
    assert status["decision"]["reasons"].strip()
    assert decision_body()["facts"] in status["decision"]["reasons"]
    # The reporter may not appeal an action taken; the owner may.
    assert status["decision"]["can_appeal"] is False
    assert Case.objects.get(pk=case_id).status == "decided"


BAD_DECISIONS = [
    ({"outcome": "ban_forever"}, "outcome"),
    ({"outcome": "suspend", "days": None}, "days"),
    ({"outcome": "suspend", "days": 3}, "days"),
    ({"outcome": "suspend", "days": 31}, "days"),
    ({"outcome": "suspend", "days": -14}, "days"),
    ({"outcome": "label", "days": 14}, "days"),
    ({"outcome": "suspend", "days": "fourteen"}, "days"),
    ({"facts": ""}, "facts"),
    ({"facts": "   "}, "facts"),
    ({"facts": "x" * 5_001}, "facts"),
    ({"outcome": "no_violation", "ground": "scam_fraud", "days": None}, "ground"),
    ({"outcome": "label", "ground": "not_violating", "days": None}, "ground"),
    ({"ground": "no_such_ground"}, "ground"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_DECISIONS,
                         ids=[f"{f}-{i}" for i, (_o, f) in enumerate(BAD_DECISIONS)])
def test_bad_decisions_get_422_naming_the_field(
    api_client_for: Factory, overrides: dict[str, Any], field: str
) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    reviewer = api_client_for("reviewer")
    assert reviewer.post(f"{CASES}/{case_id}/claim").status_code == 200

    response = reviewer.post(f"{CASES}/{case_id}/decision", decision_body(**overrides))

    assert response.status_code == 422
    assert field in _errors(response)
    assert not Decision.objects.exists()
    assert Case.objects.get(pk=case_id).status == "in_review"


@pytest.mark.parametrize("outcome", ["suspend", "terminate"])
def test_a_phone_number_cannot_be_suspended_or_terminated(
    api_client_for: Factory, outcome: str
) -> None:
    code = file_report(api_client_for(None), target_kind="phone", target="0912 345 678",
                       platform="")["tracking_code"]
    case_id = case_of(code).pk
    reviewer = api_client_for("reviewer")
    assert reviewer.post(f"{CASES}/{case_id}/claim").status_code == 200

    response = reviewer.post(f"{CASES}/{case_id}/decision",
                             decision_body(outcome=outcome,
                                           days=14 if outcome == "suspend" else None))

    assert response.status_code == 422
    assert "outcome" in _errors(response)
    assert not Decision.objects.exists()


def test_facts_naming_a_reporter_s_phone_get_422_on_the_facts(api_client_for: Factory) -> None:
    code = file_report(api_client_for(None), description="Lừa đầu tư, gọi 0987 654 321.",
                       reporter_contact={"name": "Nguyễn Thị Lan", "phone": "0912345678"})[
        "tracking_code"]
    case_id = case_of(code).pk
    reviewer = api_client_for("reviewer")
    assert reviewer.post(f"{CASES}/{case_id}/claim").status_code == 200

    response = reviewer.post(f"{CASES}/{case_id}/decision", decision_body(
        facts="The reporter (+84 912 345 678) sent the transfer receipts."))

    assert response.status_code == 422
    [message] = _errors(response)["facts"]
    assert "phone number" in message and "912" not in response.content.decode()
    assert not Decision.objects.exists()
    assert reviewer.post(f"{CASES}/{case_id}/decision", decision_body(
        facts="The page at 0987 654 321 asks for deposits.")).status_code == 201


def test_deciding_twice_is_409(api_client_for: Factory) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    reviewer = api_client_for("reviewer")
    claim_and_decide(reviewer, case_id)

    again = reviewer.post(f"{CASES}/{case_id}/decision", decision_body(outcome="label",
                                                                       days=None))
    claim_again = reviewer.post(f"{CASES}/{case_id}/claim")

    assert again.status_code == 409
    assert claim_again.status_code == 409
    assert Decision.objects.count() == 1


def test_case_detail_shows_reports_indicators_and_history(api_client_for: Factory) -> None:
    first = file_report(api_client_for(None, ip="203.0.113.1"))
    second = file_report(api_client_for(None, ip="203.0.113.2"),
                         description="Gọi lại số +84 912 345 678 để nhận lãi.")
    case_id = case_of(first["tracking_code"]).pk
    reviewer = api_client_for("reviewer")
    claim_and_decide(reviewer, case_id)

    response = reviewer.get(f"{CASES}/{case_id}")

    assert response.status_code == 200
    detail = response.json()
    assert set(detail) >= CASE_FIELDS | {"reports", "indicators", "history", "decisions"}
    assert [r["tracking_code"] for r in detail["reports"]] == [first["tracking_code"],
                                                              second["tracking_code"]]
    assert all(r["status"] == "actioned" for r in detail["reports"])
    indicators = {(i["type"], i["value"]): i["reports"] for i in detail["indicators"]}
    assert indicators[("phone", "+84912345678")] == 2
    assert indicators[("bank_account", "970436:0071000123456")] == 1
    assert indicators[("social_account", "facebook:100012345678")] == 2
    actions = [h["action"] for h in detail["history"]]
    assert actions[0] == "case.open"
    assert "case.claim" in actions and "decision.create" in actions
    assert all(h["actor"] for h in detail["history"])
    assert [d["outcome"] for d in detail["decisions"]] == ["suspend"]


def test_the_statement_of_reasons_has_the_dsa_fields(api_client_for: Factory) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    facts = "Three people paid into the same account after the profile's investment pitch."

    decision = claim_and_decide(api_client_for("reviewer"), case_id, facts=facts,
                                automated_detection=True)

    statement = decision["statement_of_reasons"]
    assert statement["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement["category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
    assert statement["automated_detection"] is True
    assert statement["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert statement["decision_facts"] == facts
    assert statement["territorial_scope"] == ["VN"]
    assert statement["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert statement["source_type"] == "SOURCE_ARTICLE_16"
    assert [k.startswith("KEYWORD_") for k in statement["category_specification"]] == [True]
    assert statement["end_date"] == when(decision["ends_at"]).date().isoformat()
    stored = api_client_for("reviewer").get(f"{CASES}/{case_id}").json()["decisions"]
    assert stored[0]["statement_of_reasons"] == statement


def test_an_illegal_content_ground_names_its_legal_ground(api_client_for: Factory) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk

    decision = claim_and_decide(api_client_for("reviewer"), case_id, ground="illegal_fraud_vn",
                                outcome="remove_content", days=None)

    statement = decision["statement_of_reasons"]
    assert statement["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert statement["illegal_content_legal_ground"]
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]


# --- appeals ---------------------------------------------------------------------------------


def _no_violation_case(api_client_for: Factory, decider: ApiClient) -> tuple[dict[str, Any], int]:
    filed = file_report(api_client_for(None))
    case_id = case_of(filed["tracking_code"]).pk
    claim_and_decide(decider, case_id, outcome="no_violation", ground="not_violating",
                     days=None)
    return filed, case_id


def _reporter_appeal(filed: dict[str, Any], secret: str | None = None) -> Any:
    return ApiClient(ip="203.0.113.77").post(
        f"{REPORTS}/{filed['tracking_code']}/appeal",
        {"statement": "I lost money to this account; please look again."},
        headers={"X-Report-Secret": secret if secret is not None else filed["secret"]},
    )


def test_a_reporter_appeals_a_no_violation_decision_and_a_senior_reverses_it(
    api_client_for: Factory,
) -> None:
    reviewer = api_client_for("reviewer")
    filed, case_id = _no_violation_case(api_client_for, reviewer)
    assert _report_status(filed["tracking_code"], filed["secret"])["decision"]["can_appeal"]

    filed_appeal = _reporter_appeal(filed)

    assert filed_appeal.status_code == 201
    appeal = filed_appeal.json()
    assert appeal["appellant_kind"] == "reporter" and appeal["status"] == "open"
    assert appeal["case_id"] == case_id
    case = reviewer.get(f"{CASES}/{case_id}").json()
    assert (case["queue"], case["status"]) == ("appeals", "appealed")
    assert [c["id"] for c in reviewer.get(CASES, queue="appeals").json()] == [case_id]
    assert [a["id"] for a in reviewer.get(APPEALS).json()] == [appeal["id"]]
    # A reviewer cannot decide appeals at all, even holding the claim.
    assert reviewer.post(f"{CASES}/{case_id}/claim").status_code == 200
    refused = reviewer.post(f"{APPEALS}/{appeal['id']}/decision",
                            {"outcome": "reversed", "reasons": "x"})
    assert refused.status_code == 403
    assert reviewer.post(f"{CASES}/{case_id}/release").status_code == 200

    senior = api_client_for("senior_reviewer")
    assert senior.post(f"{CASES}/{case_id}/claim").status_code == 200
    decided = senior.post(f"{APPEALS}/{appeal['id']}/decision", {
        "outcome": "reversed", "reasons": "The transfers prove the scam.",
        "replacement_outcome": "label", "replacement_ground": "scam_fraud",
    })

    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "reversed"
    assert decided.json()["new_decision_id"] is not None
    status = _report_status(filed["tracking_code"], filed["secret"])
    assert status["decision"]["outcome"] == "label"
    assert status["status"] == "actioned"
    assert Case.objects.get(pk=case_id).status == "decided"


def test_the_reviewer_who_decided_cannot_decide_the_appeal(api_client_for: Factory) -> None:
    first_senior, second_senior = (api_client_for("senior_reviewer"),
                                   api_client_for("senior_reviewer"))
    filed, case_id = _no_violation_case(api_client_for, first_senior)
    appeal_id = _reporter_appeal(filed).json()["id"]
    assert first_senior.post(f"{CASES}/{case_id}/claim").status_code == 200

    own = first_senior.post(f"{APPEALS}/{appeal_id}/decision",
                            {"outcome": "upheld", "reasons": "I was right."})

    assert own.status_code == 403
    assert Appeal.objects.get(pk=appeal_id).status == "open"
    assert first_senior.post(f"{CASES}/{case_id}/release").status_code == 200
    assert second_senior.post(f"{CASES}/{case_id}/claim").status_code == 200
    other = second_senior.post(f"{APPEALS}/{appeal_id}/decision",
                               {"outcome": "upheld", "reasons": "Nothing shows a scam."})
    assert other.status_code == 200
    assert other.json()["status"] == "upheld"
    assert other.json()["new_decision_id"] is None
    assert Case.objects.get(pk=case_id).status == "decided"
    assert _report_status(filed["tracking_code"], filed["secret"])["decision"][
        "outcome"] == "no_violation"


def test_appeal_reasons_naming_a_reporter_get_422_on_the_reasons(
    api_client_for: Factory,
) -> None:
    filed = file_report(api_client_for(None),
                        reporter_contact={"name": "Nguyễn Thị Lan", "phone": "0912345678"})
    case_id = case_of(filed["tracking_code"]).pk
    claim_and_decide(api_client_for("reviewer"), case_id, outcome="no_violation",
                     ground="not_violating", days=None)
    appeal_id = _reporter_appeal(filed).json()["id"]
    senior = api_client_for("senior_reviewer")
    assert senior.post(f"{CASES}/{case_id}/claim").status_code == 200

    response = senior.post(f"{APPEALS}/{appeal_id}/decision", {
        "outcome": "upheld", "reasons": "NGUYEN THI LAN sent nothing that shows a scam."})

    assert response.status_code == 422
    [message] = _errors(response)["reasons"]
    assert "by name" in message and "LAN" not in response.content.decode()
    assert Appeal.objects.get(pk=appeal_id).status == "open"


def test_deciding_an_appeal_needs_the_claim(api_client_for: Factory) -> None:
    filed, _case_id = _no_violation_case(api_client_for, api_client_for("reviewer"))
    appeal_id = _reporter_appeal(filed).json()["id"]

    response = api_client_for("senior_reviewer").post(
        f"{APPEALS}/{appeal_id}/decision", {"outcome": "upheld", "reasons": "Fine."})

    assert response.status_code == 409


def test_reporter_appeal_refusals(api_client_for: Factory) -> None:
    reviewer = api_client_for("reviewer")
    undecided = file_report(api_client_for(None), target_kind="phone", target="0912 111 222",
                            platform="")
    actioned = file_report(api_client_for(None))
    claim_and_decide(reviewer, case_of(actioned["tracking_code"]).pk)
    filed, _case_id = _no_violation_case(api_client_for, reviewer)

    assert _reporter_appeal(filed, secret="wrong").status_code == 404
    assert _reporter_appeal(undecided).status_code == 409
    assert _reporter_appeal(actioned).status_code == 409
    assert _reporter_appeal(filed).status_code == 201
    assert _reporter_appeal(filed).status_code == 409  # one open appeal per side
    assert Appeal.objects.count() == 1


def test_a_partner_files_an_owner_appeal_by_decision_id(
    api_client_for: Factory, platform_org: Organization,
) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    decision = claim_and_decide(api_client_for("reviewer"), case_id)
    partner = api_client_for("partner", org=platform_org)

    response = partner.post(APPEALS, {"decision_id": decision["id"],
                                      "statement": "The owner says the account was hacked.",
                                      "contact_email": "owner@example.org"})

    assert response.status_code == 201, response.content
    appeal = response.json()
    assert appeal["appellant_kind"] == "owner" and appeal["decision_id"] == decision["id"]
    case = Case.objects.get(pk=case_id)
    assert (case.queue, case.status) == ("appeals", "appealed")
    senior = api_client_for("senior_reviewer")
    assert senior.post(f"{CASES}/{case_id}/claim").status_code == 200
    reversed_ = senior.post(f"{APPEALS}/{appeal['id']}/decision",
                            {"outcome": "reversed", "reasons": "Hacked, now recovered."})
    assert reversed_.status_code == 200
    new_decision = Decision.objects.get(pk=reversed_.json()["new_decision_id"])
    assert new_decision.outcome == "no_violation" and new_decision.is_current
    assert Decision.objects.get(pk=decision["id"]).is_current is False


def test_an_owner_appeal_on_a_no_violation_decision_is_409(
    api_client_for: Factory, platform_org: Organization,
) -> None:
    case_id = case_of(file_report(api_client_for(None))["tracking_code"]).pk
    decision = claim_and_decide(api_client_for("reviewer"), case_id, outcome="no_violation",
                                ground="not_violating", days=None)

    response = api_client_for("partner", org=platform_org).post(
        APPEALS, {"decision_id": decision["id"], "statement": "Nothing happened to me."})

    assert response.status_code == 409
    assert not Appeal.objects.exists()
    assert Case.objects.get(pk=case_id).status == "decided"


def test_appeal_list_filters_by_status_and_refuses_unknown_ones(api_client_for: Factory) -> None:
    filed, _case_id = _no_violation_case(api_client_for, api_client_for("reviewer"))
    appeal_id = _reporter_appeal(filed).json()["id"]
    reviewer = api_client_for("reviewer")

    assert [a["id"] for a in reviewer.get(APPEALS, status="open").json()] == [appeal_id]
    assert reviewer.get(APPEALS, status="upheld").json() == []
    bogus = reviewer.get(APPEALS, status="bogus")
    assert bogus.status_code == 422
    assert "status" in _errors(bogus)


def test_a_nul_byte_in_the_appeal_status_filter_is_refused_not_a_500(
    api_client_for: Factory,
) -> None:
    response = api_client_for("reviewer").get(f"{APPEALS}?status=open%00")

    assert response.status_code == 422


def test_a_nul_byte_in_an_appeal_statement_is_stored_exactly_or_refused_never_500(
    api_client_for: Factory,
) -> None:
    filed, _case_id = _no_violation_case(api_client_for, api_client_for("reviewer"))
    statement = "I lost money\x00 to this account."

    response = ApiClient().post(f"{REPORTS}/{filed['tracking_code']}/appeal",
                                {"statement": statement},
                                headers={"X-Report-Secret": filed["secret"]})

    stored = [a.statement for a in Appeal.objects.all()]
    outcome = ("stored", stored) if response.status_code == 201 else (
        "refused", response.status_code // 100, stored)
    assert outcome in (("stored", [statement]), ("refused", 4, []))


def test_an_owner_appeal_needs_a_token_or_a_decision(
    api_client_for: Factory, platform_org: Organization,
) -> None:
    partner = api_client_for("partner", org=platform_org)

    missing = partner.post(APPEALS, {"statement": "Please."})
    bad_token = partner.post(APPEALS, {"token": "forged:token", "statement": "Please."})
    unknown = partner.post(APPEALS, {"decision_id": 987654, "statement": "Please."})

    assert missing.status_code == 422
    assert bad_token.status_code == 404
    assert unknown.status_code == 404
    assert Report.objects.count() == 0
