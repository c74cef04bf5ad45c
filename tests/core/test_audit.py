from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditVerification, audit_record, audit_verify
from fraudhub.core.models import AuditChainHead, AuditEntry, OrganizationKind
from fraudhub.core.services import organization_create

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


# --- tampering that once crashed `audit verify` or was misreported ---------------------------

TABLE = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: its timestamps take 'infinity' and years BC")
@pytest.mark.parametrize("value", ["infinity", "0044-03-15 BC", "20000-01-01"])
def test_a_timestamp_beyond_what_python_reads_names_its_entry(value: str) -> None:
    _write(1200)  # past the first chunk of rows read together
    _raw(f"UPDATE {TABLE} SET created_at = %s WHERE seq = %s", [value, 700])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 700, 699)
    assert "cannot be read back" in result.problem


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite's JSON columns refuse nesting this deep")
def test_json_nested_too_deeply_to_read_names_its_entry() -> None:
    _write(4)
    nested = "[" * 5000 + "]" * 5000
    _raw(f"UPDATE {TABLE} SET new = %s::jsonb WHERE seq = %s", [nested, 3])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_a_wiped_log_is_detected_when_what_it_recorded_still_exists() -> None:
    organization_create(actor=ACTOR, name="Bank", kind=OrganizationKind.PARTNER)
    _raw(f"DELETE FROM {TABLE}", [])
    _raw(f"DELETE FROM {HEAD}", [])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq) == (False, 1)
    assert "the entries were removed" in result.problem


def test_a_fresh_database_has_an_intact_empty_log() -> None:
    assert audit_verify() == AuditVerification(True, 0)


@pytest.mark.parametrize(("sql", "bad_seq", "problem"), [
    (f"DELETE FROM {HEAD}", None, "the chain head row is missing"),
    (f"UPDATE {HEAD} SET seq = seq - 2", 4, "the head was set back"),
    (f"UPDATE {HEAD} SET hash = repeat('0', 64)", None, "hash is not the last entry's"),
])
def test_an_edited_chain_head_is_named_for_what_was_done(sql: str, bad_seq: int | None,
                                                         problem: str) -> None:
    _write(5)
    _raw(sql, [])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq) == (False, bad_seq)
    assert problem in result.problem


def test_cli_says_broken_without_an_entry_when_the_head_is_gone(
        capsys: pytest.CaptureFixture[str]) -> None:
    _write(2)
    _raw(f"DELETE FROM {HEAD}", [])
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert "audit log BROKEN: the chain head row is missing" in capsys.readouterr().err


@pytest.mark.parametrize(("old", "new", "ip", "label"), [
    (None, {"tracking_code": "FH-AAAAA-BBBBB", "evidence": []}, "203.0.113.9", "anonymous"),
    ({"z": 1, "a": {"y": [1, 2.5, None], "b": "\"quoted\" \\ </script>"}}, None, None,
     "Nguyễn Văn A \u2028 \U0001f600"),
    ({"when": "2026-12-06T18:00:00+00:00"}, {"count": 10**20, "ok": True}, "2001:db8::1", ""),
])
def test_an_entry_is_hashed_exactly_as_verification_recomputes_it(
        old: dict[str, object] | None, new: dict[str, object] | None, ip: str | None,
        label: str) -> None:
    from fraudhub.core.audit import AuditSpec, audit_record_many, entry_digest

    actor = Actor(kind="system", system_label=label, ip=ip)
    with transaction.atomic():
        entries = audit_record_many(actor=actor, specs=[
            AuditSpec("thing.change", "thing", "7", old=old, new=new),
            AuditSpec("thing.other", "other thing", 8, old=new, new=old)])

    for entry in entries:
        assert entry.hash == entry_digest(
            seq=entry.seq, created_at=entry.created_at, actor_kind=entry.actor_kind,
            actor_id=entry.actor_id, actor_label=entry.actor_label, action=entry.action,
            object_type=entry.object_type, object_id=entry.object_id, old=entry.old,
            new=entry.new, ip=entry.ip, prev_hash=entry.prev_hash)
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="needs SQLite: its columns keep a text where a number belongs")
@pytest.mark.parametrize(("sql", "bad_seq"), [
    (f"UPDATE {TABLE} SET seq = 'abc' WHERE seq = 4", 4),
    (f"UPDATE {TABLE} SET created_at = 'garbage' WHERE seq = 3", 3),
    (f"UPDATE {TABLE} SET created_at = '' WHERE seq = 3", 3),
])
def test_a_column_edited_to_what_it_cannot_hold_names_its_entry(
        sql: str, bad_seq: int, capsys: pytest.CaptureFixture[str]) -> None:
    _write(5)
    _raw(sql, [])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq) == (False, bad_seq)
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert f"audit log BROKEN at entry {bad_seq}" in capsys.readouterr().err


@pytest.mark.parametrize("seq", [0, -5])
def test_an_entry_inserted_before_the_first_is_named_as_inserted(seq: int) -> None:
    _write(3)
    _raw(f"INSERT INTO {TABLE} (seq, created_at, actor_kind, actor_id, actor_label, action, "
         f"object_type, object_id, old, new, ip, prev_hash, hash) SELECT %s, created_at, "
         f"actor_kind, actor_id, actor_label, action, object_type, object_id, old, new, ip, "
         f"prev_hash, hash FROM {TABLE} WHERE seq = 1", [seq])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, seq, 0)
    assert "inserted" in result.problem and "missing" not in result.problem


def test_an_entry_with_numbers_a_json_column_rewrites_verifies() -> None:
    # PostgreSQL's jsonb keeps numbers as decimals: 1e+16 came back as 10000000000000000 and
    # -0.0 as 0.0, and an intact entry was reported as changed.
    with transaction.atomic():
        audit_record(actor=ACTOR, action="thing.score", object_type="thing", object_id=1,
                     old={"a": -0.0, "b": 1e16, "c": 1.5e300, "d": [2.5e-7, -1.25e22]},
                     new={"e": 0.1, "f": 123456789.125})
    assert audit_verify() == AuditVerification(True, 1)


# --- anchors: the head kept outside the database ---------------------------------------------


def _rewrite_from(seq: int, label: str) -> None:
    """What someone with SQL access does: edit an entry and recompute every hash after it,
    and the head's, so that the chain is whole again."""
    from fraudhub.core.audit import entry_digest

    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        if entry.seq == seq:
            entry.actor_label = label
        entry.prev_hash = prev
        entry.hash = entry_digest(
            seq=entry.seq, created_at=entry.created_at, actor_kind=entry.actor_kind,
            actor_id=entry.actor_id, actor_label=entry.actor_label, action=entry.action,
            object_type=entry.object_type, object_id=entry.object_id, old=entry.old,
            new=entry.new, ip=entry.ip, prev_hash=prev)
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label=entry.actor_label,
                                                      prev_hash=prev, hash=entry.hash)
        prev = entry.hash
    AuditChainHead.objects.filter(pk=1).update(hash=prev)


def test_a_log_rewritten_with_recomputed_hashes_fails_against_an_anchor_kept_before() -> None:
    from fraudhub.core.audit import audit_head

    _write(3)
    anchor = audit_head()
    assert anchor is not None and anchor.seq == 3
    _write(2)
    _rewrite_from(2, "mallory")

    assert audit_verify().ok  # as a chain, the rewritten log is whole
    result = audit_verify(anchors=[anchor])

    assert not result.ok
    assert result.first_bad_seq == 3
    assert "rewritten" in result.problem


def test_an_anchor_of_entries_that_were_removed_says_so() -> None:
    from fraudhub.core.audit import audit_head

    _write(4)
    anchor = audit_head()
    assert anchor is not None
    _raw(f"DELETE FROM {TABLE} WHERE seq = %s", [4])
    AuditChainHead.objects.filter(pk=1).update(
        seq=3, hash=AuditEntry.objects.get(seq=3).hash)

    result = audit_verify(anchors=[anchor])

    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "gone" in result.problem


def test_cli_prints_the_head_and_verifies_against_anchors(
        capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="empty"):
        call_command("audit", "head")
    _write(2)
    call_command("audit", "head")
    first = capsys.readouterr().out.strip().splitlines()[-1]
    _write(1)
    call_command("audit", "head")
    second = capsys.readouterr().out.strip().splitlines()[-1]
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(f"# kept by the DPO\n{first}  # Monday\n\n{second}\n", encoding="utf-8")

    call_command("audit", "verify", "--anchor", first, "--anchors-file", str(anchors))
    assert "3 entries verified, 3 anchors match" in capsys.readouterr().out

    _rewrite_from(1, "mallory")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", "--anchors-file", str(anchors))
    assert exit_info.value.code == 1
    assert "BROKEN at entry 2" in capsys.readouterr().err
    for bad in ("2:abc", "x:" + "0" * 64, "0:" + "0" * 64):
        with pytest.raises(CommandError, match="not an anchor"):
            call_command("audit", "verify", "--anchor", bad)
    with pytest.raises(CommandError, match="anchors-file"):
        call_command("audit", "verify", "--anchors-file", str(tmp_path / "missing.txt"))


@pytest.fixture
def anchor_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a worker that has not published an anchor yet."""
    from fraudhub.core import audit

    monkeypatch.setattr(audit, "_anchor_published_at", None)


def test_the_worker_publishes_the_head_to_its_log_and_the_witness_once_a_period(
        anchor_clock: None, settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    from django.core import mail

    from fraudhub.core import audit
    from fraudhub.core.housekeeping import run_housekeeping

    settings.FRAUDHUB_AUDIT_ANCHOR_EMAIL = "dpo@example.org"
    _write(3)

    with caplog.at_level("INFO", logger="fraudhub.audit"):
        first = run_housekeeping()
        head = audit.audit_head()  # housekeeping's own steps wrote entries before publishing
        again = run_housekeeping()
    assert head is not None and head.seq >= 3

    assert (first["audit_anchor_published"], again["audit_anchor_published"]) == (1, 0)
    assert [r.getMessage() for r in caplog.records if r.name == "fraudhub.audit"] == [
        f"audit head {head} (keep it: fraudhub audit verify --anchor {head})"]
    [sent] = mail.outbox
    assert sent.to == ["dpo@example.org"]
    assert f"fraudhub audit verify --anchor {head}" in sent.body
    assert audit_verify(anchors=[audit.audit_anchor_parse(sent.body.split("Anchor: ")[1]
                                                          .split()[0])]).ok


def test_no_anchor_is_published_when_turned_off_or_when_the_log_is_empty(
        anchor_clock: None, settings: Any) -> None:
    from django.core import mail

    from fraudhub.core.audit import audit_anchor_publish_when_due

    settings.FRAUDHUB_AUDIT_ANCHOR_EMAIL = "dpo@example.org"
    assert audit_anchor_publish_when_due() == 0  # nothing to anchor yet
    _write(1)
    settings.FRAUDHUB_AUDIT_ANCHOR_HOURS = 0
    assert audit_anchor_publish_when_due() == 0
    assert mail.outbox == []
