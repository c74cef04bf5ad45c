"""An import that raises a value's status while a decision on a case naming it is taken
(PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from fraudhub.cases.models import Decision
from fraudhub.cases.services import decisions
from fraudhub.cases.services.claims import case_claim
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.indicators import importing
from fraudhub.indicators.feeds import reports_indicators_record
from fraudhub.indicators.models import Indicator, IndicatorStatus
from tests.cases.helpers import file_report
from tests.threads import in_a_thread, lock_waits

from .helpers import run, write_csv

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite runs one writing transaction at a time"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 20.0
SETTLE_SECONDS = 3.0
PHONE = "+84912345678"  # named by file_report's description




def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_an_import_and_a_decision_on_the_same_value_wait_for_each_other(
    tmp_path: Path, reviewer_actor: Actor,
) -> None:
    filed = file_report()
    reports_indicators_record(report_ids=[filed.report.pk])
    case_id = filed.report.case_id
    assert case_id is not None
    case_claim(actor=reviewer_actor, case_id=case_id)
    assert Indicator.objects.get(type="phone", value=PHONE).status == IndicatorStatus.VERIFYING
    feed = write_csv(tmp_path / "feed.csv", [(PHONE, "phone", "scam", "95", "", "feed-a", "")])

    import_holds_values = threading.Event()
    decision_audited = threading.Event()
    original_update = importing.update_existing
    original_audit = decisions.audit_record

    def update_once_the_decision_audited_or_waits(*args: Any, **kwargs: Any) -> int:
        import_holds_values.set()  # the batch has locked the value
        assert _until(lambda: decision_audited.is_set() or lock_waits() > 0, WAIT_SECONDS)
        return original_update(*args, **kwargs)

    def audit_and_let_the_import_wait(*args: Any, **kwargs: Any) -> Any:
        entry = original_audit(*args, **kwargs)  # the decision holds the chain's head now
        decision_audited.set()
        # Before the fix, the import now waits for the head; the decision then asked for the
        # value the import holds (deadlock). After it, the import has committed already.
        _until(lambda: lock_waits() > 0, SETTLE_SECONDS)
        return entry

    imported: list[Any] = []
    decided: list[Any] = []
    with (mock.patch.object(importing, "update_existing",
                            update_once_the_decision_audited_or_waits),
          mock.patch.object(decisions, "audit_record", audit_and_let_the_import_wait)):
        importing_thread = in_a_thread(lambda: run("import", str(feed)), imported)
        assert import_holds_values.wait(WAIT_SECONDS)
        deciding = in_a_thread(lambda: decision_create(
            actor=reviewer_actor, case_id=case_id, data=DecisionInput(
                outcome="label", ground="scam_fraud", facts="The account asks for deposits.")),
            decided)
        importing_thread.join(WAIT_SECONDS)
        deciding.join(WAIT_SECONDS)

    assert len(imported) == 1 and isinstance(imported[0], str), imported
    assert len(decided) == 1 and isinstance(decided[0], Decision), decided
    assert Indicator.objects.get(type="phone", value=PHONE).status == IndicatorStatus.SCAM
    assert audit_verify().ok
