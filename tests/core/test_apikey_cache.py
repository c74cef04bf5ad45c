"""The per-process memory of API keys: fewer reads, and revocations still take effect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fraudhub.agencies.services.organizations import trusted_flagger_suspend
from fraudhub.core import apikey_cache
from fraudhub.core.models import ApiKey, Organization, OrganizationKind
from fraudhub.core.roles import Role
from fraudhub.core.selectors import apikey_authenticate
from fraudhub.core.services import apikey_create, apikey_revoke, organization_create
from tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(apikey_cache.time, "monotonic", fake)
    return fake


def _partner_key(org: Organization | None = None) -> tuple[str, ApiKey]:
    issued = apikey_create(actor=SYSTEM, name="bank", role=Role.PARTNER, organization=org)
    return issued.raw_key, issued.api_key


def _key_reads(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries
               if "core_apikey" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT"))


def test_a_known_key_is_read_from_the_database_once(clock: FakeClock) -> None:
    raw, key = _partner_key()
    with CaptureQueriesContext(connection) as queries:
        first = apikey_authenticate(raw_key=raw)
        second = apikey_authenticate(raw_key=raw)
    assert first is not None and second is not None
    assert first.pk == second.pk == key.pk
    assert _key_reads(queries) == 1


def test_the_key_is_read_again_after_the_configured_seconds(
        clock: FakeClock, settings: Any) -> None:
    settings.FRAUDHUB_API_KEY_CACHE_SECONDS = 5
    raw, _key = _partner_key()
    apikey_authenticate(raw_key=raw)
    clock.now += 4.9
    with CaptureQueriesContext(connection) as queries:
        apikey_authenticate(raw_key=raw)
    assert _key_reads(queries) == 0
    clock.now += 0.2
    with CaptureQueriesContext(connection) as queries:
        apikey_authenticate(raw_key=raw)
    assert _key_reads(queries) == 1


def test_revocation_through_the_service_is_seen_at_once(clock: FakeClock) -> None:
    raw, key = _partner_key()
    assert apikey_authenticate(raw_key=raw) is not None
    apikey_revoke(actor=SYSTEM, api_key_id=key.pk)
    assert apikey_authenticate(raw_key=raw) is None


def test_revocation_by_another_process_is_seen_within_the_window(
        clock: FakeClock, settings: Any) -> None:
    settings.FRAUDHUB_API_KEY_CACHE_SECONDS = 5
    raw, key = _partner_key()
    assert apikey_authenticate(raw_key=raw) is not None
    # Another server process revoked it: this process's memory is not told.
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert apikey_authenticate(raw_key=raw) is not None
    clock.now += 5
    assert apikey_authenticate(raw_key=raw) is None


def test_zero_seconds_turns_the_memory_off(clock: FakeClock, settings: Any) -> None:
    settings.FRAUDHUB_API_KEY_CACHE_SECONDS = 0
    raw, key = _partner_key()
    assert apikey_authenticate(raw_key=raw) is not None
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert apikey_authenticate(raw_key=raw) is None


def test_a_remembered_key_still_expires_on_time(clock: FakeClock) -> None:
    issued = apikey_create(actor=SYSTEM, name="short", role=Role.PARTNER,
                           expires_at=timezone.now() + timedelta(seconds=30))
    found = apikey_authenticate(raw_key=issued.raw_key)
    assert found is not None
    found.expires_at = timezone.now() - timedelta(seconds=1)  # its moment has come
    assert apikey_authenticate(raw_key=issued.raw_key) is None


def test_unknown_keys_are_not_remembered(clock: FakeClock) -> None:
    raw, _key = _partner_key()
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert apikey_authenticate(raw_key=forged) is None
    assert apikey_cache._entries == {}


def test_a_change_of_trusted_flagger_standing_is_seen_at_once(clock: FakeClock) -> None:
    org = organization_create(actor=SYSTEM, name="Anti-scam NGO", kind=OrganizationKind.NGO,
                              is_trusted_flagger=True)
    raw, _key = _partner_key(org)
    before = apikey_authenticate(raw_key=raw)
    assert before is not None and before.organization is not None
    assert before.organization.is_trusted_flagger is True
    trusted_flagger_suspend(actor=SYSTEM, organization_id=org.pk, reason="accuracy too low")
    after = apikey_authenticate(raw_key=raw)
    assert after is not None and after.organization is not None
    assert after.organization.is_trusted_flagger is False
