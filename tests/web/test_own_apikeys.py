"""The console page "My API keys": a person makes and revokes the keys that act as them.

A key that decides acts as its holder, so the holder makes it (with the password typed again),
nobody else sees it, and every key made or revoked is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fraudhub.cases.models import Case
from fraudhub.cases.services.appeals import appeal_file_by_reporter
from fraudhub.core.actors import Actor
from fraudhub.core.models import ApiKey, AuditEntry, Organization, OrganizationKind, User
from fraudhub.core.roles import Role, permissions_for_role
from fraudhub.core.services import OWN_APIKEY_MAX_DAYS, apikey_create, organization_create
from tests.api.helpers import APPEALS, CASES
from tests.cases.helpers import decide
from tests.conftest import SYSTEM, ApiClient, default_agency, logged_in_client, make_user
from tests.web.conftest import PASSWORD, file_web_report
from tests.web.test_accessibility import (
    by_id,
    first_autofocused,
    label_text,
    parse,
    title_of,
    visible_controls,
)

pytestmark = pytest.mark.django_db

PAGE = "/console/api-keys/"
NEW = "/console/api-keys/new"
RAW_KEY = re.compile(r"fh_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}")


def make_key(client: Client, name: str = "desk script", **fields: Any) -> Any:
    return client.post(NEW, {"name": name, "expires_days": "30", "password": PASSWORD,
                             **fields})


def raw_key_of(response: Any) -> str:
    [raw] = set(RAW_KEY.findall(response.content.decode()))
    return raw


def revoke_url(key: ApiKey) -> str:
    return f"/console/api-keys/{key.pk}/revoke"


def test_the_page_lists_the_own_keys_only(
        reviewer: User, reviewer2: User, login_verified: Callable[[User], Client]) -> None:
    own = apikey_create(actor=SYSTEM, name="my triage tool", role=Role.REVIEWER,
                        holder=reviewer).api_key
    apikey_create(actor=SYSTEM, name="colleague tool", role=Role.REVIEWER, holder=reviewer2)
    apikey_create(actor=SYSTEM, name="bank feed", role=Role.PARTNER)

    response = login_verified(reviewer).get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "my triage tool" in page and f"fh_{own.prefix}_" in page
    assert "colleague tool" not in page and "bank feed" not in page
    assert f'href="{PAGE}"' in page  # the header names the page


def test_a_key_made_on_the_page_is_shown_once_and_acts_as_its_maker(
        login_verified: Callable[[User], Client]) -> None:
    platform = organization_create(actor=SYSTEM, name="Platform T&S",
                                   kind=OrganizationKind.PLATFORM)
    person = make_user(Role.REVIEWER, "lan", org=platform)
    client = login_verified(person)

    response = make_key(client)

    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"]
    raw = raw_key_of(response)
    assert "shown only this once" in response.content.decode()
    key = ApiKey.objects.get()
    assert (key.name, key.role, key.scopes, key.holder, key.organization, key.created_by) == (
        "desk script", Role.REVIEWER, [], person, platform, person)
    assert key.expires_at is not None
    assert abs(key.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    listed = client.get(PAGE).content.decode()
    assert f"fh_{key.prefix}_" in listed and raw not in listed
    assert "messages" not in response.cookies and raw not in str(dict(client.session))

    file_web_report()
    case = Case.objects.get()
    claimed = ApiClient(raw).post(f"{CASES}/{case.pk}/claim")
    assert claimed.status_code == 200, claimed.content
    case.refresh_from_db()
    assert case.claimed_by == f"user:{person.pk}"

    created = AuditEntry.objects.get(action="apikey.create")
    assert (created.actor_kind, created.actor_id, created.actor_label, created.ip) == (
        "user", str(person.pk), "lan", "192.0.2.50")
    assert created.object_id == str(key.pk)
    assert {k: (created.new or {})[k] for k in ("name", "role", "holder", "organization",
                                                 "scopes", "prefix")} == {
        "name": "desk script", "role": Role.REVIEWER, "holder": person.pk,
        "organization": platform.pk, "scopes": [], "prefix": key.prefix}
    claim = AuditEntry.objects.get(action="case.claim")
    assert claim.actor_label == "lan (apikey:desk script)"


def test_a_key_made_on_the_page_is_the_same_person_for_the_four_eyes_rule(
        senior: User, senior2: User, login_verified: Callable[[User], Client]) -> None:
    filed = file_web_report()
    case = Case.objects.get()
    decide(Actor.for_user(senior), case, outcome="no_violation")  # in the console, as senior
    appeal = appeal_file_by_reporter(actor=Actor.anonymous(ip="203.0.113.9"),
                                     tracking_code=filed.report.tracking_code,
                                     secret=filed.secret, statement="It is a scam.")
    own = ApiClient(raw_key_of(make_key(login_verified(senior))))
    colleague = ApiClient(raw_key_of(make_key(login_verified(senior2))))
    decision = {"outcome": "upheld", "reasons": "Nothing shows a scam."}

    assert own.post(f"{CASES}/{case.pk}/claim").status_code == 200
    refused = own.post(f"{APPEALS}/{appeal.pk}/decision", decision)
    assert own.post(f"{CASES}/{case.pk}/release").status_code == 200
    assert colleague.post(f"{CASES}/{case.pk}/claim").status_code == 200
    decided = colleague.post(f"{APPEALS}/{appeal.pk}/decision", decision)

    assert refused.status_code == 403, refused.content
    assert decided.status_code == 200, decided.content
    assert AuditEntry.objects.get(action="appeal.decide").actor_label == (
        "senior2 (apikey:desk script)")


def test_a_wrong_password_makes_no_key(
        reviewer: User, login_verified: Callable[[User], Client]) -> None:
    client = login_verified(reviewer)

    response = make_key(client, password="not my password")

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-summary"' in page and "The password is not correct." in page
    assert "not my password" not in page  # a password is never written back into the form
    assert not RAW_KEY.search(page)
    assert not ApiKey.objects.exists()
    assert not AuditEntry.objects.filter(action="apikey.create").exists()


def test_a_refused_form_opens_on_its_summary_in_the_readers_language(
        reviewer: User, login_verified: Callable[[User], Client]) -> None:
    client = login_verified(reviewer)
    client.cookies["django_language"] = "vi"

    nodes = parse(make_key(client, name="", password="").content.decode())

    assert title_of(nodes) == "Lỗi: Khóa API của tôi · FraudHub"
    assert first_autofocused(nodes) == "error-summary"
    assert [node.inner_text() for node in nodes if node.tag == "h1"] == ["Khóa API của tôi"]
    links = {node.attrs["href"] for node in by_id(nodes, "error-summary").walk()
             if node.tag == "a"}
    assert links == {"#id_name", "#id_password"}
    labels = [label_text(nodes, control) for control in visible_controls(nodes)]
    assert labels == ["Tên khóa (bắt buộc)", "Hết hạn sau (số ngày)",
                      "Mật khẩu của bạn (bắt buộc)"]


def test_a_password_is_needed_and_the_expiry_has_bounds(
        reviewer: User, login_verified: Callable[[User], Client]) -> None:
    client = login_verified(reviewer)

    missing = client.post(NEW, {"name": "x", "expires_days": "30"})
    too_long = make_key(client, expires_days=str(OWN_APIKEY_MAX_DAYS + 1))
    zero = make_key(client, expires_days="0")
    unnamed = make_key(client, name="   ")

    for response in (missing, too_long, zero, unnamed):
        assert response.status_code == 422
        assert 'id="error-summary"' in response.content.decode()
    assert not ApiKey.objects.exists()
    never = make_key(client, expires_days="")
    assert never.status_code == 200
    assert ApiKey.objects.get().expires_at is None


def test_guessing_the_password_on_the_page_locks_out_as_a_login_does(
        reviewer: User, login_verified: Callable[[User], Client]) -> None:
    client = login_verified(reviewer)
    for _attempt in range(5):
        response = make_key(client, password="guess")
    assert response.status_code == 429
    right = make_key(client)

    assert right.status_code == 429
    assert not ApiKey.objects.exists()


def test_revoking_an_own_key_stops_it_at_once(
        reviewer: User, login_verified: Callable[[User], Client]) -> None:
    client = login_verified(reviewer)
    api = ApiClient(raw_key_of(make_key(client)))
    assert api.get(CASES).status_code == 200
    key = ApiKey.objects.get()

    response = client.post(revoke_url(key))

    assert response.status_code == 303
    assert response["Location"] == PAGE
    assert api.get(CASES).status_code == 401
    key.refresh_from_db()
    assert key.revoked_at is not None
    revoked = AuditEntry.objects.get(action="apikey.revoke")
    assert (revoked.actor_kind, revoked.actor_label, revoked.object_id) == (
        "user", "reviewer", str(key.pk))
    page = client.get(PAGE).content.decode()
    assert "is revoked" in page and "Revoked" in page
    assert f'action="{revoke_url(key)}"' not in page  # nothing left to revoke
    assert client.post(revoke_url(key)).status_code == 303  # again: nothing changes
    assert AuditEntry.objects.filter(action="apikey.revoke").count() == 1


def test_another_persons_key_is_not_found(
        reviewer: User, reviewer2: User, login_verified: Callable[[User], Client]) -> None:
    others = apikey_create(actor=SYSTEM, name="colleague tool", role=Role.REVIEWER,
                           holder=reviewer2)
    keyless = apikey_create(actor=SYSTEM, name="bank feed", role=Role.PARTNER)
    client = login_verified(reviewer)

    for key in (others.api_key, keyless.api_key):
        assert client.post(revoke_url(key)).status_code == 404
    assert client.post("/console/api-keys/999999/revoke").status_code == 404
    assert client.get(revoke_url(others.api_key)).status_code == 405

    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
    assert ApiClient(others.raw_key).get(CASES).status_code == 200
    assert not AuditEntry.objects.filter(action="apikey.revoke").exists()


def _person_of(role: str) -> User:
    org: Organization | None = None
    if role == Role.AGENCY_OFFICER:
        org = default_agency()
    return make_user(role, f"someone-{role}", org=org)


# Who opens the page and makes a key there: every role a key gives anything (the public
# permissions are anybody's without a key).
PAGE_MATRIX = [(Role.CITIZEN, False), (Role.REVIEWER, True), (Role.SENIOR_REVIEWER, True),
               (Role.AGENCY_OFFICER, True), (Role.PARTNER, True), (Role.ADMIN, True)]


@pytest.mark.parametrize(("role", "allowed"), PAGE_MATRIX)
def test_the_page_is_for_every_role_a_key_gives_something(
        role: str, allowed: bool, settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    person = _person_of(role)
    client = logged_in_client(person)

    listed, made = client.get(PAGE), make_key(client)

    assert listed.status_code == (200 if allowed else 403)
    assert made.status_code == (200 if allowed else 403)
    assert (f'href="{PAGE}"' in client.get("/").content.decode()) is allowed
    if allowed:
        key = ApiKey.objects.get()
        assert (key.role, key.holder, key.organization) == (role, person, person.organization)
        api = ApiClient(raw_key_of(made))
        assert api.get("/api/v1/taxonomy").status_code == 200
        assert Actor.for_api_key(key).perms == permissions_for_role(role)
    else:
        assert not ApiKey.objects.exists()


def test_the_page_wants_a_login_and_the_second_factor() -> None:
    assert Client().get(PAGE)["Location"] == f"/accounts/login/?next={PAGE}"
    password_only = Client(REMOTE_ADDR="192.0.2.80")
    make_user(Role.SENIOR_REVIEWER, "half")
    assert password_only.post("/accounts/login/", {"username": "half", "password": PASSWORD}
                              ).status_code == 302
    for response in (password_only.get(PAGE), make_key(password_only)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/setup/")
    assert not ApiKey.objects.exists()


def test_a_key_is_made_and_revoked_with_the_csrf_token_only(
        reviewer: User, settings: Any) -> None:
    settings.FRAUDHUB_REQUIRE_2FA = False
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.81")
    client.force_login(reviewer)
    key = apikey_create(actor=SYSTEM, name="mine", role=Role.REVIEWER, holder=reviewer).api_key

    assert make_key(client).status_code == 403
    assert client.post(revoke_url(key)).status_code == 403

    assert ApiKey.objects.get().revoked_at is None
