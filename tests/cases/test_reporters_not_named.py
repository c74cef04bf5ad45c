"""A decision's facts and an appeal's reasons never name a reporter to the reported party."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from fraudhub.cases.models import Case, Decision
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
)
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import (
    DecisionInput,
    decision_create,
    refuse_reporters_named,
)
from fraudhub.cases.services.enforcement import owner_appeal_token
from fraudhub.core.actors import Actor
from fraudhub.core.errors import ValidationFailed
from tests.cases.helpers import decide, file_report

pytestmark = pytest.mark.django_db


def test_facts_that_name_a_reporter_s_address_are_refused(reviewer_actor: Actor) -> None:
    filed = file_report(reporter_email="Lan.Nguyen@example.vn")
    case_id = filed.report.case_id
    assert case_id is not None
    case_claim(actor=reviewer_actor, case_id=case_id)

    with pytest.raises(ValidationFailed) as refused:
        decision_create(actor=reviewer_actor, case_id=case_id, data=DecisionInput(
            outcome="label", ground="scam_fraud",
            facts="As lan.nguyen@EXAMPLE.vn reported, the page asks for deposits."))

    assert "reporter" in refused.value.field_errors["facts"][0]
    assert not Decision.objects.exists()
    decision_create(actor=reviewer_actor, case_id=case_id, data=DecisionInput(
        outcome="label", ground="scam_fraud", facts="The page asks for deposits."))
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(("contact", "reasons", "named"), [
    ({"reporter_email": "minh@example.vn"}, "minh@example.vn sent the transfer receipts.",
     "reporter"),
    ({"reporter_phone": "0912345678",
      "description": "Lừa đầu tư, STK 0071000123456 Vietcombank, gọi 0987 654 321"},
     "The owner of +84 912 345 678 sent the receipts.", "phone number"),
])
def test_appeal_reasons_that_name_a_reporter_are_refused(
        reviewer_actor: Actor, senior_actor: Actor, contact: dict[str, Any], reasons: str,
        named: str) -> None:
    filed = file_report(**contact)
    decision = decide(reviewer_actor, filed.report.case_id, "label")
    appeal = appeal_file_by_owner_token(actor=Actor.anonymous(),
                                        token=owner_appeal_token(decision), statement="Not me.")
    case_claim(actor=senior_actor, case_id=appeal.case_id)

    with pytest.raises(ValidationFailed) as refused:
        appeal_decide(actor=senior_actor, appeal_id=appeal.pk, data=AppealDecisionInput(
            outcome="upheld", reasons=reasons))

    assert named in refused.value.field_errors["reasons"][0]
    appeal.refresh_from_db()
    assert appeal.status == "open"


# --- phone numbers and names -----------------------------------------------------------------

REPORTER_PHONE = "0912345678"
REPORTER_NAME = "Nguyễn Thị Lan"
# The default report text names the scammer's number, which is the reporter's here.
DESCRIPTION = "Lừa đầu tư, STK 0071000123456 Vietcombank, gọi 0987 654 321"


def _refusal(actor: Actor, facts: str, **reporter: Any) -> ValidationFailed | None:
    """Files a report by ``reporter`` (contact fields), claims its case and decides it with
    ``facts``: the refusal, or None when the decision was taken."""
    filed = file_report(description=DESCRIPTION, **reporter)
    case_id = filed.report.case_id
    assert case_id is not None
    case_claim(actor=actor, case_id=case_id)
    try:
        decision_create(actor=actor, case_id=case_id, data=DecisionInput(
            outcome="label", ground="scam_fraud", facts=facts))
    except ValidationFailed as refused:
        assert not Decision.objects.exists()
        return refused
    assert Decision.objects.count() == 1
    return None


@pytest.mark.parametrize("written", [
    "0912 345 678", "+84 912 345 678", "84912345678", "0912.345.678", "(+84) 912-345-678",
    # Read as a bank account or as no indicator at all, and still the reporter's number.
    "STK 0912345678", "912 345 678",
])
def test_facts_that_name_a_reporter_s_phone_in_any_spelling_are_refused(
        reviewer_actor: Actor, written: str) -> None:
    refused = _refusal(reviewer_actor, f"The caller at {written} confirmed the deposits.",
                       reporter_phone=REPORTER_PHONE)

    assert refused is not None
    [message] = refused.field_errors["facts"]
    assert "phone number" in message
    assert REPORTER_PHONE not in message and "912" not in message


def test_facts_with_another_phone_are_accepted(reviewer_actor: Actor) -> None:
    assert _refusal(reviewer_actor, "The page lists 0912 345 679 and 0987 654 321 to call.",
                    reporter_phone=REPORTER_PHONE) is None


def test_a_reporter_phone_that_is_no_valid_number_is_compared_by_its_digits(
        reviewer_actor: Actor) -> None:
    refused = _refusal(reviewer_actor, "Call 12-3456-7890 for the tickets.",
                       reporter_phone="(123) 4567 890")

    assert refused is not None
    assert "phone number" in refused.field_errors["facts"][0]


@pytest.mark.parametrize("written", [
    "Nguyễn Thị Lan", "NGUYEN THI LAN", "nguyen thi lan", "Nguyễn-Thị  Lan", "NGUYỄN, thị. lan",
])
def test_facts_that_name_a_reporter_are_refused_with_or_without_diacritics(
        reviewer_actor: Actor, written: str) -> None:
    refused = _refusal(reviewer_actor, f"As {written} reported, the page asks for deposits.",
                       reporter_name=f"  {REPORTER_NAME} ")

    assert refused is not None
    [message] = refused.field_errors["facts"]
    assert "by name" in message
    assert "Lan" not in message and "Nguy" not in message


def test_a_name_inside_another_word_is_accepted(reviewer_actor: Actor) -> None:
    assert _refusal(reviewer_actor, "Nguyễn Thị Lanh runs the page that asks for deposits.",
                    reporter_name=REPORTER_NAME) is None


def test_a_single_long_word_name_is_checked_as_a_whole_word(reviewer_actor: Actor) -> None:
    assert _refusal(reviewer_actor, "Chị phuong sent the receipts.",
                    reporter_name="Phương") is not None
    assert _refusal(reviewer_actor, "The shop Phuongnam asks for deposits.",
                    reporter_name="Phương") is None


def test_a_single_short_name_is_not_checked(reviewer_actor: Actor) -> None:
    assert _refusal(reviewer_actor, "Lan's page asks for deposits.", reporter_name="Lan") is None


def test_every_kind_named_is_reported_on_the_field(reviewer_actor: Actor) -> None:
    refused = _refusal(reviewer_actor, "lan@example.vn, 0912 345 678: Nguyen Thi Lan.",
                       reporter_email="lan@example.vn", reporter_phone=REPORTER_PHONE,
                       reporter_name=REPORTER_NAME)

    assert refused is not None
    messages = refused.field_errors["facts"]
    assert len(messages) == 3
    assert ["e-mail address" in messages[0], "phone number" in messages[1],
            "by name" in messages[2]] == [True, True, True]


def test_the_check_reads_a_case_s_reporters_in_one_query(
        django_assert_num_queries: DjangoAssertNumQueries) -> None:
    first = file_report(description=DESCRIPTION, reporter_phone=REPORTER_PHONE)
    assert first.report.case_id is not None
    case = Case.objects.get(pk=first.report.case_id)
    for number in range(3):
        file_report(description=DESCRIPTION, ip=f"203.0.113.{20 + number}",
                    reporter_name=f"Trần Văn Minh {number}", reporter_email=f"m{number}@x.vn")

    with django_assert_num_queries(1), pytest.raises(ValidationFailed):
        refuse_reporters_named(field="facts", text="Trần Văn Minh 2 said so.", case=case)
    with django_assert_num_queries(1):
        refuse_reporters_named(field="facts", text="Trần Văn Minh said so.", case=case)


