"""API keys that may decide act for a person: the four-eyes rule holds across console and API."""

from __future__ import annotations

import html
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fraudhub.core import apikey_cache
from fraudhub.core.actors import Actor
from fraudhub.core.errors import ValidationFailed
from fraudhub.core.models import ApiKey, AuditEntry, OrganizationKind, User
from fraudhub.core.roles import Role
from fraudhub.core.services import (
    apikey_create,
    organization_create,
    user_audited_values,
    user_save_audited,
)
from tests.api.helpers import APPEALS, CASES, REPORTS, case_of, claim_and_decide, file_report
from tests.conftest import SYSTEM, ApiClient, make_user

pytestmark = pytest.mark.django_db


def _key(role: str, holder: User | None, **extra: Any) -> ApiClient:
    return ApiClient(apikey_create(actor=SYSTEM, name=f"{role} key", role=role, holder=holder,
                                   **extra).raw_key)


def _appealed_case(decider: ApiClient) -> tuple[int, int]:
    """A case `decider` decided "no violation", appealed by its reporter: (case, appeal)."""
    filed = file_report(ApiClient())
    case_id = case_of(filed["tracking_code"]).pk
    claim_and_decide(decider, case_id, outcome="no_violation", ground="not_violating",
                     days=None)
    appeal = ApiClient(ip="203.0.113.77").post(
        f"{REPORTS}/{filed['tracking_code']}/appeal",
        {"statement": "I lost money to this account; please look again."},
        headers={"X-Report-Secret": filed["secret"]})
    assert appeal.status_code == 201, appeal.content
    return case_id, appeal.json()["id"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SENIOR_REVIEWER, Role.ADMIN])
def test_a_key_that_may_decide_is_not_issued_without_a_holder(role: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        apikey_create(actor=SYSTEM, name="desk", role=role)
    assert "holder" in refused.value.field_errors
    assert not ApiKey.objects.exists()


def test_a_key_narrowed_to_reading_needs_no_holder() -> None:
    reader = _key(Role.REVIEWER, None, scopes=["desk:case:list", "desk:case:view"])
    assert reader.get(CASES).status_code == 200


def test_a_key_does_no_more_than_its_holder() -> None:
    platform = organization_create(actor=SYSTEM, name="Platform T&S",
                                   kind=OrganizationKind.PLATFORM)
    reviewer = make_user(Role.REVIEWER, "an", org=platform)
    with pytest.raises(ValidationFailed, match="invalid API key") as refused:
        apikey_create(actor=SYSTEM, name="x", role=Role.SENIOR_REVIEWER, holder=reviewer)
    assert "desk:appeal:decide" in refused.value.field_errors["holder"][0]
    gone = make_user(Role.REVIEWER, "binh")
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationFailed, match="invalid API key"):
        apikey_create(actor=SYSTEM, name="x", role=Role.REVIEWER, holder=gone)
    other_org = organization_create(actor=SYSTEM, name="Bank B", kind=OrganizationKind.PARTNER)
    with pytest.raises(ValidationFailed, match="invalid API key") as elsewhere:
        apikey_create(actor=SYSTEM, name="x", role=Role.REVIEWER, holder=reviewer,
                      organization=other_org)
    assert "another organization" in elsewhere.value.field_errors["holder"][0]
    assert not ApiKey.objects.exists()


def test_a_senior_cannot_decide_with_a_key_the_appeal_of_a_case_decided_in_person() -> None:
    senior = make_user(Role.SENIOR_REVIEWER, "chi")
    own_key, colleague_key = (_key(Role.SENIOR_REVIEWER, senior),
                              _key(Role.SENIOR_REVIEWER, make_user(Role.SENIOR_REVIEWER, "dung")))
    case_id, appeal_id = _appealed_case(own_key)
    assert own_key.post(f"{CASES}/{case_id}/claim").status_code == 200

    own = own_key.post(f"{APPEALS}/{appeal_id}/decision",
                       {"outcome": "upheld", "reasons": "I was right."})
    second_key = _key(Role.SENIOR_REVIEWER, senior)  # a second key of the same person
    again = second_key.post(f"{APPEALS}/{appeal_id}/decision",
                            {"outcome": "upheld", "reasons": "I was right."})

    assert (own.status_code, again.status_code) == (403, 403)
    assert own_key.post(f"{CASES}/{case_id}/release").status_code == 200
    assert colleague_key.post(f"{CASES}/{case_id}/claim").status_code == 200
    other = colleague_key.post(f"{APPEALS}/{appeal_id}/decision",
                               {"outcome": "upheld", "reasons": "Nothing shows a scam."})
    assert other.status_code == 200, other.content
    entry = AuditEntry.objects.filter(action="appeal.decide").get()
    assert entry.actor_label == "dung (apikey:senior_reviewer key)"


def test_a_key_issued_before_holders_existed_reads_but_does_not_decide() -> None:
    legacy = apikey_create(actor=SYSTEM, name="old desk", role=Role.REVIEWER,
                           holder=make_user(Role.REVIEWER, "em"))
    ApiKey.objects.filter(pk=legacy.api_key.pk).update(holder=None)
    apikey_cache.clear()
    client = ApiClient(legacy.raw_key)
    case_id = case_of(file_report(ApiClient())["tracking_code"]).pk

    assert client.get(CASES).status_code == 200
    assert client.post(f"{CASES}/{case_id}/claim").status_code == 200
    refused = client.post(f"{CASES}/{case_id}/decision",
                          {"outcome": "label", "ground": "scam_fraud", "facts": "f"})

    assert refused.status_code == 403
    assert "acts for no person" in refused.json()["detail"]


def test_a_key_follows_its_holder_role_and_account() -> None:
    holder = make_user(Role.SENIOR_REVIEWER, "giang")
    key = _key(Role.SENIOR_REVIEWER, holder)
    case_id, appeal_id = _appealed_case(_key(Role.REVIEWER, make_user(Role.REVIEWER, "ha")))
    assert key.post(f"{CASES}/{case_id}/claim").status_code == 200

    holder.role = Role.REVIEWER  # moved off appeals
    holder.save()
    apikey_cache.clear()  # what FRAUDHUB_API_KEY_CACHE_SECONDS later does in every process
    demoted = key.post(f"{APPEALS}/{appeal_id}/decision",
                       {"outcome": "upheld", "reasons": "Fine."})
    holder.is_active = False
    holder.save()
    apikey_cache.clear()
    left = key.get(CASES)

    assert demoted.status_code == 403
    assert "desk:appeal:decide" in demoted.json()["detail"]
    assert left.status_code == 401


def test_the_cli_issues_a_key_to_a_person_and_lists_its_holder() -> None:
    make_user(Role.SENIOR_REVIEWER, "khanh")
    with pytest.raises(CommandError, match="--user USERNAME"):
        call_command("apikey", "create", "--name", "desk", "--role", "senior_reviewer",
                     stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("apikey", "create", "--name", "desk", "--role", "senior_reviewer",
                     "--user", "nobody", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("apikey", "create", "--name", "desk", "--role", "senior_reviewer",
                 "--user", "khanh", stdout=out, stderr=StringIO())
    listing = StringIO()
    call_command("apikey", "list", stdout=listing)

    key = ApiKey.objects.get()
    assert key.holder is not None and key.holder.username == "khanh"
    assert listing.getvalue().split("\t")[4] == "khanh"
    assert ApiClient(out.getvalue().splitlines()[-1]).get(CASES).status_code == 200
    created = AuditEntry.objects.get(action="apikey.create")
    assert created.new == {**(created.new or {}), "holder": key.holder.pk}
    # The operator's shell, not a person: the one path issuing a deciding key to another.
    assert (created.actor_kind, created.actor_label) == ("system", "system:cli")


def test_the_admin_issues_a_deciding_key_to_the_acting_administrator_alone(
        admin_client: Any, root: User) -> None:
    """Whoever issues a key sees it once: an administrator who issued a senior reviewer's
    deciding key could decide that reviewer's appeals as them (four eyes, one person)."""
    reviewer = make_user(Role.REVIEWER, "lam")
    without = admin_client.post("/admin/core/apikey/add/", {"name": "desk",
                                                            "role": Role.REVIEWER})
    for_another = admin_client.post("/admin/core/apikey/add/", {
        "name": "desk", "role": Role.REVIEWER, "holder": reviewer.pk})
    assert (without.status_code, for_another.status_code) == (200, 200)
    assert "acts for a person" in without.content.decode()
    assert ("A key that decides acts as its holder; the holder creates it under My API keys, "
            "or an operator with `fraudhub apikey create --user`."
            in html.unescape(for_another.content.decode()))
    assert not ApiKey.objects.exists()

    reading = admin_client.post("/admin/core/apikey/add/", {
        "name": "desk reads", "role": Role.REVIEWER, "holder": reviewer.pk,
        "scopes": '["desk:case:list", "desk:case:view"]'})
    own = admin_client.post("/admin/core/apikey/add/", {
        "name": "my desk", "role": Role.SENIOR_REVIEWER, "holder": root.pk})

    assert (reading.status_code, own.status_code) == (302, 302)
    assert {(k.name, k.holder) for k in ApiKey.objects.all()} == {
        ("desk reads", reviewer), ("my desk", root)}
    audited = AuditEntry.objects.filter(action="apikey.create").order_by("seq")
    assert [(e.actor_label, (e.new or {})["holder"]) for e in audited] == [
        ("root", reviewer.pk), ("root", root.pk)]


def test_no_service_call_of_a_person_issues_a_deciding_key_to_someone_else() -> None:
    """The rule is the service's, not only the admin form's: any path but the operator's."""
    admin = Actor.for_user(make_user(Role.ADMIN, "sang"))
    senior = make_user(Role.SENIOR_REVIEWER, "tam")
    with pytest.raises(ValidationFailed) as refused:
        apikey_create(actor=admin, name="x", role=Role.SENIOR_REVIEWER, holder=senior)
    assert "the holder creates it under My API keys" in refused.value.field_errors["holder"][0]
    assert not ApiKey.objects.exists()
    read_only = apikey_create(actor=admin, name="x", role=Role.SENIOR_REVIEWER, holder=senior,
                              scopes=["desk:case:list"])
    assert read_only.api_key.holder == senior


def test_a_holder_changed_in_this_process_is_seen_at_once_though_the_key_is_remembered(
        settings: Any) -> None:
    """Deactivating or demoting a person takes effect at once where it is done, as revoking a
    key does: the remembered key carried the holder as they were."""
    settings.FRAUDHUB_API_KEY_CACHE_SECONDS = 60
    holder = make_user(Role.SENIOR_REVIEWER, "minh")
    key = _key(Role.SENIOR_REVIEWER, holder)
    case_id, appeal_id = _appealed_case(_key(Role.REVIEWER, make_user(Role.REVIEWER, "nga")))
    assert key.post(f"{CASES}/{case_id}/claim").status_code == 200  # the key is remembered

    before = user_audited_values(holder)
    holder.role = Role.REVIEWER
    user_save_audited(actor=SYSTEM, user=holder, before=before)
    demoted = key.post(f"{APPEALS}/{appeal_id}/decision",
                       {"outcome": "upheld", "reasons": "Fine."})
    before = user_audited_values(holder)
    holder.is_active = False
    user_save_audited(actor=SYSTEM, user=holder, before=before)
    left = key.get(CASES)

    assert demoted.status_code == 403
    assert left.status_code == 401


def test_a_key_does_not_follow_its_holder_to_another_agency() -> None:
    """An officer moved from one agency to another keeps no window on the first one's
    requests through a key issued while there."""
    first = organization_create(actor=SYSTEM, name="Police A", kind=OrganizationKind.AGENCY)
    second = organization_create(actor=SYSTEM, name="Police B", kind=OrganizationKind.AGENCY)
    officer = make_user(Role.AGENCY_OFFICER, "oanh", org=first)
    key = _key(Role.AGENCY_OFFICER, officer)
    assert key.get("/api/v1/agency/requests").status_code == 200

    before = user_audited_values(officer)
    officer.organization = second
    user_save_audited(actor=SYSTEM, user=officer, before=before)
    apikey_cache.clear()  # whatever any process remembered

    assert key.get("/api/v1/agency/requests").status_code == 401


def test_a_key_is_issued_for_its_holder_organization_only() -> None:
    """A person of no organization is not given a key that speaks for one."""
    bank = organization_create(actor=SYSTEM, name="Bank C", kind=OrganizationKind.PARTNER)
    staff = make_user(Role.REVIEWER, "phuong")
    with pytest.raises(ValidationFailed) as refused:
        apikey_create(actor=SYSTEM, name="x", role=Role.REVIEWER, holder=staff,
                      organization=bank)
    assert "holder" in refused.value.field_errors


def test_a_demoted_holder_key_does_not_keep_the_role_it_was_issued_in() -> None:
    """A key of the admin role issued to an administrator of a bank stops speaking for
    account owners when that person becomes the bank's partner user."""
    bank = organization_create(actor=SYSTEM, name="Bank D", kind=OrganizationKind.PARTNER)
    person = make_user(Role.ADMIN, "quang", org=bank)
    key = _key(Role.ADMIN, person, organization=bank, scopes=["platform:appeal:create"])
    filed = file_report(ApiClient())
    case_id = case_of(filed["tracking_code"]).pk
    decided = claim_and_decide(_key(Role.REVIEWER, make_user(Role.REVIEWER, "rang")), case_id)

    before = user_audited_values(person)
    person.role = Role.PARTNER
    user_save_audited(actor=SYSTEM, user=person, before=before)
    apikey_cache.clear()
    appealed = key.post(APPEALS, {"decision_id": decided["id"],
                                  "statement": "This account is mine and was not a scam."})

    assert appealed.status_code == 403, appealed.content
