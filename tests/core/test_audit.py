from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record, audit_verify
from fraudhub.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def _write(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=ACTOR, action="thing.change", object_type="thing", object_id=i,
                         old={"v": i, "text": "ä <b>"}, new={"v": i + 1, "when": None})


def test_intact_chain_verifies_and_links_each_entry_to_the_previous() -> None:
    _write(5)
    result = audit_verify()
    assert result.ok and result.checked == 5
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


def test_audit_record_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        # pytest-django wraps the test in a transaction; leave it to prove the guard.
        connection.in_atomic_block = False
        try:
            audit_record(actor=ACTOR, action="x", object_type="x", object_id=1)
        finally:
            connection.in_atomic_block = True


def _raw(sql: str, params: Sequence[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_edited_row_is_detected_and_named() -> None:
    _write(4)
    table = AuditEntry._meta.db_table
    _raw(f"UPDATE {table} SET actor_label = %s WHERE seq = %s", ["mallory", 3])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_seq == 3
    assert "changed" in result.problem


def test_edited_json_value_is_detected() -> None:
    _write(3)
    entry = AuditEntry.objects.get(seq=2)
    AuditEntry.objects.filter(pk=entry.pk).update(new={"v": 999, "when": None})
    assert audit_verify().first_bad_seq == 2


def test_deleted_middle_row_is_detected() -> None:
    _write(4)
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [2])
    result = audit_verify()
    assert not result.ok and result.first_bad_seq == 2


def test_deleted_newest_row_is_detected_through_the_chain_head() -> None:
    _write(3)
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [3])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_seq == 3


def test_recomputed_hash_after_edit_breaks_the_next_link() -> None:
    """A forger who rewrites an entry and its hash still breaks the following entry."""
    _write(3)
    entry = AuditEntry.objects.get(seq=2)
    from fraudhub.core.audit import entry_digest

    forged = entry_digest(
        seq=2, created_at=entry.created_at, actor_kind=entry.actor_kind, actor_id=entry.actor_id,
        actor_label="mallory", action=entry.action, object_type=entry.object_type,
        object_id=entry.object_id, old=entry.old, new=entry.new, ip=entry.ip,
        prev_hash=entry.prev_hash,
    )
    AuditEntry.objects.filter(pk=entry.pk).update(actor_label="mallory", hash=forged)
    assert audit_verify().first_bad_seq == 3


def test_cli_verify_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    _write(2)
    call_command("audit", "verify")
    assert "2 entries verified" in capsys.readouterr().out
    AuditEntry.objects.filter(seq=1).update(action="other.action")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert "entry 1" in capsys.readouterr().err
