"""The statement of reasons in words for reviewers, its codes unchanged for machines."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone, translation

from fraudhub.cases import statements
from fraudhub.cases.models import Outcome, ReportSource, Target, TargetKind
from fraudhub.cases.statement_display import CODE_LABELS, FIELD_LABELS, statement_rows
from fraudhub.core.actors import Actor
from fraudhub.taxonomy.selectors import fraud_type_list, policy_ground_list
from tests.cases.helpers import decide, file_report
from tests.conftest import ApiClient


def _every_statement() -> list[dict[str, object]]:
    """A statement for every outcome, source, target kind, ground, fraud type and automation."""
    account = Target(kind=TargetKind.ACCOUNT, canonical="facebook:1", indicator_type="x")
    post = Target(kind=TargetKind.POST, canonical="https://x.example/1", indicator_type="url")
    now = timezone.now()
    grounds = [g for g in policy_ground_list() if g.dsa_decision_ground]
    kinds = [fraud_type.key for fraud_type in fraud_type_list()]
    return [
        statements.build_statement(
            target=target, outcome=outcome, ground=grounds[index % len(grounds)],
            facts="Facts.", fraud_type=kinds[index % len(kinds)], source=source,
            decided_at=now, ends_at=now, automated_detection=automated,
            automated_decision=automated, appeal_until=now, supersedes_decision=1)
        for index, (target, outcome, source, automated) in enumerate(
            (target, outcome, source, automated)
            for target in (account, post) for outcome in Outcome.values
            for source in ReportSource.values for automated in (False, True))
    ]


def test_every_field_and_code_a_statement_can_hold_has_words() -> None:
    every = _every_statement()
    assert len(every) > len(Outcome.values) * len(ReportSource.values)
    fields = {field for statement in every for field in statement}
    codes = {str(item) for statement in every for value in statement.values()
             for item in (value if isinstance(value, list) else [value])
             if isinstance(item, str) and item.isupper() and "_" in item}
    assert fields - set(FIELD_LABELS) == set()
    assert codes - set(CODE_LABELS) == set()
    assert {"KEYWORD_PHISHING", "SOURCE_TRUSTED_NOTIFIER", "DECISION_ACCOUNT_TERMINATED",
            "DECISION_GROUND_ILLEGAL_CONTENT", "AUTOMATED_DECISION_FULLY"} <= codes


def test_every_field_and_code_is_translated_to_vietnamese() -> None:
    words = [*FIELD_LABELS.values(), *CODE_LABELS.values()]
    with translation.override("en"):
        english = [str(w) for w in words]
    with translation.override("vi"):
        vietnamese = [str(w) for w in words]
    assert [en for en, vi in zip(english, vietnamese, strict=True) if en == vi] == []


def test_rows_keep_the_code_beside_its_words_and_leave_out_empty_fields() -> None:
    statement = _every_statement()[0]
    with translation.override("en"):
        rows = {row.field: row for row in statement_rows(statement)}
    assert "decision_monetary" not in rows  # None: not shown
    assert rows["category"].label == "Category"
    assert [(v.text, v.code) for v in rows["redress"].values] == [
        ("Internal complaint (appeal)", "REDRESS_INTERNAL_MECHANISM"),
        ("Judicial redress (a court)", "REDRESS_JUDICIAL")]
    assert [(v.text, v.code) for v in rows["decision_facts"].values] == [("Facts.", "")]


@pytest.mark.django_db
def test_the_api_answers_the_statement_with_its_codes_in_any_language(
    reviewer_actor: Actor, api_client_for: Callable[..., ApiClient],
) -> None:
    filed = file_report()
    decide(reviewer_actor, filed.report.case_id)
    client = api_client_for("reviewer")
    answer = client.get(f"/api/v1/cases/{filed.report.case_id}",
                        headers={"Accept-Language": "vi"}).json()
    statement = answer["decisions"][0]["statement_of_reasons"]
    assert statement["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement["source_type"] == "SOURCE_ARTICLE_16"
    assert statement["territorial_scope"] == ["VN"]
