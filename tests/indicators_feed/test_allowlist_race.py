"""A value allowlisted while a report's sighting creates its indicator (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection, transaction

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.indicators import observing
from fraudhub.indicators.allowlists import allowlist_add
from fraudhub.indicators.models import AllowlistEntry, Indicator, IndicatorStatus, SourceKind
from fraudhub.indicators.observing import Observation, indicators_observe_many
from tests.threads import in_a_thread, wait_for_a_lock_wait

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 20.0
SYSTEM = Actor.system("test")
VALUE = "+84901230001"




def test_a_value_allowlisted_while_its_first_sighting_is_recorded_ends_up_safe(
    root: Any,
) -> None:
    inserted = threading.Event()
    go_on = threading.Event()
    original = observing._known_reporters

    def known_reporters_after_the_allowlisting(*args: Any, **kwargs: Any) -> Any:
        inserted.set()  # the sighting's transaction has inserted the new indicator
        go_on.wait(WAIT_SECONDS)
        return original(*args, **kwargs)

    def observe() -> list[Indicator]:
        with transaction.atomic():
            return indicators_observe_many(
                actor=SYSTEM, source_kind=SourceKind.REPORT,
                observations=[Observation(type="phone", value=VALUE, reporter_identity="ip:a",
                                          reference="FH-1")])

    observed: list[Any] = []
    added: list[Any] = []
    with mock.patch.object(observing, "_known_reporters", known_reporters_after_the_allowlisting):
        observing_thread = in_a_thread(observe, observed)
        assert inserted.wait(WAIT_SECONDS)
        adding = in_a_thread(lambda: allowlist_add(
            actor=Actor.for_user(root), raw_value=VALUE, type_key="phone",
            list_name="hotlines", label="Bank hotline"), added)
        wait_for_a_lock_wait(what="the allowlisting")
        go_on.set()
        observing_thread.join(WAIT_SECONDS)
        adding.join(WAIT_SECONDS)

    assert len(observed) == 1 and isinstance(observed[0], list), observed
    assert len(added) == 1 and isinstance(added[0], AllowlistEntry), added
    indicator = Indicator.objects.get(type="phone", value=VALUE)
    assert (indicator.status, indicator.allowlisted) == (IndicatorStatus.SAFE, True)
    assert audit_verify().ok


def test_shipped_lists_loaded_while_a_sighting_creates_one_of_their_values_end_up_safe() -> None:
    # The loading wrote each value's audit row (holding the chain's head) before inserting the
    # next value, and waited for the sighting's insert of it, which waited for that head:
    # deadlock, and housekeeping's round failed.
    from fraudhub.indicators.allowlists import allowlist_sync_shipped, shipped_entries

    last = shipped_entries()[-1]  # inserted after every other value's audit row
    inserted = threading.Event()
    go_on = threading.Event()
    original = observing._known_reporters

    def known_reporters_after_the_loading(*args: Any, **kwargs: Any) -> Any:
        inserted.set()
        go_on.wait(WAIT_SECONDS)
        return original(*args, **kwargs)

    def observe() -> list[Indicator]:
        with transaction.atomic():
            return indicators_observe_many(
                actor=SYSTEM, source_kind=SourceKind.REPORT,
                observations=[Observation(type=last.type, value=last.value,
                                          reporter_identity="ip:a", reference="FH-1")])

    observed: list[Any] = []
    loaded: list[Any] = []
    with mock.patch.object(observing, "_known_reporters", known_reporters_after_the_loading):
        observing_thread = in_a_thread(observe, observed)
        assert inserted.wait(WAIT_SECONDS)
        loading = in_a_thread(lambda: allowlist_sync_shipped(actor=SYSTEM), loaded)
        wait_for_a_lock_wait(what="the allowlisting")
        go_on.set()
        observing_thread.join(WAIT_SECONDS)
        loading.join(WAIT_SECONDS)

    assert len(observed) == 1 and isinstance(observed[0], list), observed
    assert loaded == [len(shipped_entries())]
    indicator = Indicator.objects.get(type=last.type, value=last.value)
    assert (indicator.status, indicator.allowlisted) == (IndicatorStatus.SAFE, True)
    assert not Indicator.objects.filter(allowlisted=True).exclude(
        status=IndicatorStatus.SAFE).exists()
    assert audit_verify().ok
