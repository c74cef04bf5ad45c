"""`fraudhub indicators import`: good and bad rows, CSV and JSON Lines, idempotence, audit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_verify
from fraudhub.core.errors import PermissionDenied
from fraudhub.core.models import AuditEntry
from fraudhub.indicators import importing, policy
from fraudhub.indicators.allowlists import allowlist_add
from fraudhub.indicators.importing import RowInput, indicators_import
from fraudhub.indicators.models import Indicator, IndicatorStatus, Sighting, SightingKind
from fraudhub.indicators.services import indicator_remove
from tests.conftest import SYSTEM

from .helpers import (
    get,
    read_rejects,
    run,
    snapshot,
    summary_of,
    write_csv,
    write_jsonl,
)

pytestmark = pytest.mark.django_db

GOOD = [
    ("0912 345 678", "phone", "scam", "95", "investment_stock_crypto", "feed-a", "public"),
    ("STK 0071000123456 Vietcombank", "bank_account", "suspicious", "", "", "", ""),
    ("hxxps://Ex[.]com/login", "", "verifying", "50", "phishing_links_ads|fake_brandname_sms",
     "", "partners"),
    ("t.me/Abc", "", "scam", "80", "telegram_otp_theft", "feed-b", "internal"),
    ("0x52908400098527886E0F7030069857D2E4169EE7", "", "suspicious", "40", "", "", ""),
    ("Abc@Example.com", "email", "safe", "", "", "", ""),
    ("facebook.com/profile.php?id=1000123", "", "", "", "", "", ""),
    ("evil-shop.com.vn", "domain", "SCAM", "", "", "", ""),
]
BAD = [  # (row, expected reason fragment)
    (("not a value at all", "", "", "", "", "", ""), "value: not a recognised"),
    (("x", "phone", "scam", "", "", "", ""), "value: not a valid phone number"),
    (("0912345679", "fax", "", "", "", "", ""), "type: unknown type 'fax'"),
    (("0912345679", "", "weird", "", "", "", ""), "status: unknown status 'weird'"),
    (("0912345679", "", "no_data", "", "", "", ""), "status: unknown status 'no_data'"),
    (("0912345679", "", "", "101", "", "", ""), "confidence: 101 is out of range"),
    (("0912345679", "", "", "high", "", "", ""), "confidence: 'high' is not a whole number"),
    (("0912345679", "", "", "", "crypto_mining", "", ""), "fraud_type: unknown fraud type"),
    (("0912345679", "", "", "", "", "", "world"), "distribution: unknown distribution"),
    (("0912345679", "", "", "", "", "s" * 201, ""), "source: longer than 200"),
    (("", "phone", "", "", "", "", ""), "value: missing"),
]


def _file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "feed.csv", [*GOOD, *(row for row, _ in BAD)])


def test_csv_good_rows_go_in_and_bad_rows_go_to_rejects_with_line_and_reason(
        tmp_path: Path) -> None:
    path = _file(tmp_path)
    with path.open("ab") as handle:  # lines a CSV parser must not choke on
        handle.write(b"0912345670,phone,scam,,,,\x00,\n")  # NUL byte: line 21
        handle.write(b"0912345671," + b"9" * 9000 + b",,,,,\n")  # over-long: line 22
        handle.write(b"0912345672,phone,\xff\xfe,,,,\n")  # not UTF-8: line 23
        handle.write(b"0912345673,phone\n")  # too few columns: line 24
    summary = summary_of(run("import", str(path)))
    assert summary["read"] == str(len(GOOD) + len(BAD) + 4)
    assert summary["imported"] == str(len(GOOD))
    assert summary["rejected"] == str(len(BAD) + 4)
    rejects = read_rejects(tmp_path / "feed.csv.rejects.csv")
    assert [int(r["line"]) for r in rejects] == list(range(10, 25))
    for reject, (row, reason) in zip(rejects, BAD, strict=False):
        assert reason in reject["reason"], reject
        assert reject["value"] == row[0]
    assert [r["reason"] for r in rejects[-4:]] == [
        "contains a NUL byte", "line longer than 8192 bytes",
        "not valid UTF-8 (byte 18 of the line)", "expected 7 columns, found 2"]
    assert audit_verify().ok


def test_imported_values_keep_status_confidence_distribution_fraud_types_and_sources(
        tmp_path: Path) -> None:
    run("import", str(_file(tmp_path)))
    phone = get("+84912345678")
    assert (phone.type, phone.status, phone.confidence, phone.base_confidence) == (
        "phone", "scam", 95, 95)
    assert phone.fraud_types == ["investment_stock_crypto"]
    assert phone.distribution == "public"
    assert phone.match_key == "+84912345678"
    assert phone.decay_at is not None and phone.decay_at > phone.confidence_changed_at
    assert phone.first_seen == phone.last_seen == phone.confidence_changed_at
    assert list(phone.sources.values_list("kind", "reference", "actor_label")) == [
        ("import", "feed-a", "system:import")]
    assert Sighting.objects.filter(indicator=phone, kind=SightingKind.SEEN).count() == 1
    account = get("970436:0071000123456")  # defaults: suspicious, public, the file's name
    assert (account.status, account.confidence, account.distribution) == (
        "suspicious", policy.reported_confidence(1), "public")
    assert account.match_key == "0071000123456"
    assert list(account.sources.values_list("reference", flat=True)) == ["feed.csv"]
    url = get("https://ex.com/login")
    assert (url.type, url.status, url.distribution) == ("url", "verifying", "partners")
    assert url.fraud_types == ["phishing_links_ads", "fake_brandname_sms"]
    assert get("telegram:abc").distribution == "internal"
    assert get("abc@example.com").status == "safe"
    assert get("abc@example.com").confidence == 100
    assert get("evil-shop.com.vn").confidence == policy.CONFIRMED_CONFIDENCE


def test_type_is_guessed_when_the_type_column_is_empty(tmp_path: Path) -> None:
    run("import", str(_file(tmp_path)))
    assert get("https://ex.com/login").type == "url"
    assert get("telegram:abc").type == "social_account"
    assert get("eth:0x52908400098527886e0f7030069857d2e4169ee7").type == "crypto_wallet"
    assert get("facebook:1000123").type == "social_account"


def test_jsonl_import_reads_lists_and_rejects_unreadable_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", [
        {"value": "0912 345 678", "status": "scam", "confidence": 70,
         "fraud_type": ["romance_scam", "investment_stock_crypto"], "source": ["a", "b"]},
        {"value": "t.me/Abc", "type": "social_account", "distribution": "partners"},
        {"value": "0912345679", "confidence": True},
        {"value": "0912345679", "colour": "red"},
        {"value": ["0912345679"]},
    ])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n\n[1, 2]\n")
    summary = summary_of(run("import", str(path)))
    assert (summary["imported"], summary["rejected"]) == ("2", "5")
    phone = get("+84912345678")
    assert (phone.status, phone.confidence) == ("scam", 70)
    assert phone.fraud_types == ["romance_scam", "investment_stock_crypto"]
    assert sorted(phone.sources.values_list("reference", flat=True)) == ["a", "b"]
    assert Sighting.objects.filter(indicator=phone).count() == 2
    assert get("telegram:abc").distribution == "partners"
    rejects = read_rejects(tmp_path / "feed.jsonl.rejects.csv")
    assert [(r["line"], r["reason"].split(":")[0]) for r in rejects] == [
        ("3", "confidence"), ("4", "unknown field(s)"), ("5", "value"), ("6", "not valid JSON"),
        ("8", "not a JSON object")]


def test_jsonl_rows_with_half_a_surrogate_pair_are_rejected_and_written_escaped(
    tmp_path: Path,
) -> None:
    # "\ud800" is a valid JSON escape that decodes to no text: it once stopped the import.
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"value": "https://example.com/\\ud800", "type": "url", "status": "scam"}\n'
        '{"value": "0912345678", "status": "scam", "source": "feed-\\udc00"}\n'
        '{"value": "0912 345 679", "status": "scam", "fraud_type": ["romance_scam"]}\n'
        '{"value": "https://example.com/\\ud83d\\ude00", "type": "url", "status": "scam"}\n',
        encoding="utf-8")
    summary = summary_of(run("import", str(path)))
    assert (summary["imported"], summary["rejected"]) == ("2", "2")
    assert get("+84912345679").status == "scam"
    assert get("https://example.com/%F0%9F%98%80").status == "scam"
    rejects = read_rejects(tmp_path / "feed.jsonl.rejects.csv")
    assert [(r["line"], r["reason"].split(":")[0], r["value"], r["source"]) for r in rejects] == [
        ("1", "value", "https://example.com/\\ud800", ""),
        ("2", "source", "0912345678", "feed-\\udc00")]


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = _file(tmp_path)
    first = summary_of(run("import", str(path)))
    before = snapshot()
    again = summary_of(run("import", str(path)))
    assert snapshot() == before
    assert again["imported"] == again["updated"] == again["status changes"] == "0"
    assert again["unchanged"] == first["imported"]
    assert again["rejected"] == first["rejected"]
    # the same values under another file name: a new source each, nothing else
    other = tmp_path / "copy.csv"
    other.write_bytes(path.read_bytes())
    third = summary_of(run("import", str(other)))
    # rows naming their own source (feed-a, feed-b) bring nothing new
    assert (third["updated"], third["unchanged"]) == (str(len(GOOD) - 2), "2")
    account = get("970436:0071000123456")
    assert sorted(account.sources.values_list("reference", flat=True)) == ["copy.csv",
                                                                          "feed.csv"]
    assert account.sightings.count() == 2
    assert account.last_seen > account.first_seen
    assert account.status == "suspicious"


def test_existing_values_are_raised_never_lowered(tmp_path: Path) -> None:
    run("import", str(write_csv(tmp_path / "a.csv", [
        ("0912345678", "phone", "suspicious", "30", "", "s", ""),
        ("0912345679", "phone", "scam", "90", "romance_scam", "s", "internal"),
    ])))
    out = summary_of(run("import", str(write_csv(tmp_path / "b.csv", [
        ("0912345678", "phone", "scam", "60", "lottery_tips", "s", ""),
        ("0912345679", "phone", "suspicious", "20", "lottery_tips", "s", "public"),
    ]))))
    assert (out["updated"], out["status changes"], out["higher status kept"]) == ("2", "1", "1")
    raised = get("+84912345678")
    assert (raised.status, raised.confidence, raised.fraud_types) == (
        "scam", 60, ["lottery_tips"])
    kept = get("+84912345679")
    assert (kept.status, kept.confidence, kept.distribution) == ("scam", 90, "internal")
    assert kept.fraud_types == ["romance_scam", "lottery_tips"]
    # same source reference "s": no second source, no second sighting
    assert kept.sources.count() == 1 and kept.sightings.count() == 1
    change = AuditEntry.objects.get(action="indicator.status")
    assert change.object_id == str(raised.pk)
    assert change.old == {"status": "suspicious"}
    assert change.new == {"status": "scam", "reason": "import b.csv"}
    assert change.actor_label == "system:import"


def test_allowlisted_value_is_never_listed_as_scam(tmp_path: Path) -> None:
    allowlist_add(actor=SYSTEM, raw_value="1900545413", type_key="phone",
                  list_name="vn_bank_hotlines", label="Vietcombank hotline")
    path = write_csv(tmp_path / "a.csv", [
        ("1900545413", "phone", "scam", "99", "", "", ""),
        ("1900 54 54 13", "phone", "suspicious", "", "", "", ""),
        ("1900545413", "phone", "safe", "", "", "", ""),
    ])
    out = summary_of(run("import", str(path)))
    assert (out["rejected"], out["updated"]) == ("2", "1")
    hotline = get("+841900545413")
    assert (hotline.status, hotline.allowlisted) == ("safe", True)
    rejects = read_rejects(tmp_path / "a.csv.rejects.csv")
    assert [r["line"] for r in rejects] == ["2", "3"]
    assert "on an allowlist of official values" in rejects[0]["reason"]
    assert "as scam" in rejects[0]["reason"]


def test_removed_value_is_not_listed_again(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [("0912345678", "phone", "scam", "", "", "", "")])
    run("import", str(path))
    indicator_remove(actor=SYSTEM, indicator_id=get("+84912345678").pk, reason="owner proved")
    again = write_csv(tmp_path / "b.csv", [("0912345678", "phone", "scam", "", "", "", "")])
    assert summary_of(run("import", str(again)))["rejected"] == "1"
    assert "removed from the database on" in read_rejects(tmp_path / "b.csv.rejects.csv")[0][
        "reason"]
    assert get("+84912345678").status == IndicatorStatus.NO_DATA


def test_one_audit_row_per_import_with_counts_and_file_digest(tmp_path: Path) -> None:
    path = _file(tmp_path)
    run("import", str(path))
    entry = AuditEntry.objects.get(action="indicators.import")
    assert entry.object_type == "import"
    assert entry.object_id == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.actor_label == "system:import"
    assert entry.new is not None
    assert {k: entry.new[k] for k in ("read", "imported", "updated", "unchanged", "rejected",
                                      "source", "file")} == {
        "read": len(GOOD) + len(BAD), "imported": len(GOOD), "updated": 0, "unchanged": 0,
        "rejected": len(BAD), "source": "feed.csv", "file": "feed.csv"}
    # imports create values without one audit row each
    assert not AuditEntry.objects.filter(action="indicator.create").exists()
    assert audit_verify().ok


def _rows(count: int, fail_at: int | None = None) -> Iterator[tuple[int, RowInput]]:
    for n in range(count):
        if n == fail_at:
            raise OSError("disk gone")
        yield n + 2, {"value": f"+849123{n:05d}", "type": "phone", "status": "scam"}


def test_service_in_batches_with_worker_processes_and_interruption() -> None:
    rejected: list[tuple[int, str]] = []
    summary = indicators_import(
        actor=Actor.system("import"), rows=_rows(25), source_default="gen",
        rejects_writer=lambda line, reason, record: rejected.append((line, reason)),
        batch_size=4, workers=2)
    assert (summary.read, summary.imported, rejected) == (25, 25, [])
    seen: list[int] = []
    with pytest.raises(OSError):
        indicators_import(actor=Actor.system("import"), rows=_rows(40, fail_at=30),
                          source_default="gen2", rejects_writer=lambda *a: None, batch_size=10,
                          progress=lambda s: seen.append(s.read))
    assert seen == [10, 20, 30]
    interrupted = AuditEntry.objects.filter(action="indicators.import").order_by("seq").last()
    assert interrupted is not None and interrupted.new is not None
    assert interrupted.new["interrupted"] is True and interrupted.new["read"] == 30
    assert get("+84912300020").sources.count() == 2  # the committed batches stay
    assert get("+84912300029").sources.count() == 1


def test_an_interruption_is_shown_even_when_it_cannot_be_audited(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    def cannot_audit(*args: object, **kwargs: object) -> None:
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(importing, "_audit", cannot_audit)
    with pytest.raises(OSError):  # the cause of the interruption, not the audit's failure
        indicators_import(actor=Actor.system("import"), rows=_rows(20, fail_at=10),
                          source_default="gen3", rejects_writer=lambda *a: None, batch_size=5)
    assert "the interrupted import could not be audited" in caplog.text


def test_only_indicator_managers_import() -> None:
    with pytest.raises(PermissionDenied):
        indicators_import(actor=Actor.anonymous(), rows=[], source_default="x",
                          rejects_writer=lambda *a: None)


def test_command_checks_its_input(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="header"):
        run("import", str(write_csv(tmp_path / "h.csv", [("1",)], header=("valeu",))))
    with pytest.raises(CommandError, match="format"):
        run("import", str(write_csv(tmp_path / "h.txt", [])))
    broken_header = tmp_path / "q.csv"
    broken_header.write_bytes(b'"value"x,type\n0912345678,phone\n')
    with pytest.raises(CommandError, match="header is not valid CSV"):
        run("import", str(broken_header))
    with pytest.raises(CommandError, match="no such file"):
        run("import", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="not a file"):
        run("import", str(tmp_path))
    path = write_csv(tmp_path / "data.txt", [("0912345678", "", "", "", "", "", "")])
    rejects = tmp_path / "out" / "r.csv"
    rejects.parent.mkdir()
    rejects.write_text("stale\n")
    out = summary_of(run("import", str(path), "--format", "csv", "--source", "partner X",
                         "--rejects", str(rejects), "--batch", "1"))
    assert (out["imported"], out["rejected"]) == ("1", "0")
    assert rejects.read_text().splitlines() == [
        "line,reason,value,type,status,confidence,fraud_type,source,distribution,first_seen,"
        "last_seen"]
    assert list(get("+84912345678").sources.values_list("reference", flat=True)) == [
        "partner X"]
    assert get("+84912345678").first_seen <= timezone.now()


def test_postgres_planner_statistics_are_fresh_after_an_import(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: a freshly loaded table without statistics is read whole")
    run("import", str(_file(tmp_path)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s",
                       [Indicator._meta.db_table])
        row = cursor.fetchone()
    assert row is not None and row[0] >= len(GOOD)


SEEN_HEADER = ("value", "type", "first_seen", "last_seen")


def _seen(value: str) -> tuple[str, str]:
    indicator = get(value)
    return indicator.first_seen.isoformat(), indicator.last_seen.isoformat()


def test_first_and_last_sightings_of_a_feed_are_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "seen.csv", [
        ("0912345601", "phone", "2025-03-01", "2025-06-01T08:30:00+07:00"),
        ("0912345602", "phone", "2025-03-01", ""),  # seen since, and now by this import
        ("0912345603", "phone", "", "2025-06-01"),  # first seen when last seen
    ], header=SEEN_HEADER)
    before = timezone.now()

    assert summary_of(run("import", str(path)))["imported"] == "3"

    assert _seen("+84912345601") == ("2025-03-01T00:00:00+00:00", "2025-06-01T01:30:00+00:00")
    first, last = _seen("+84912345602")
    assert first == "2025-03-01T00:00:00+00:00" and last >= before.isoformat()
    assert _seen("+84912345603") == ("2025-06-01T00:00:00+00:00",) * 2


def test_a_feed_widens_the_sightings_of_a_value_held_and_is_idempotent(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [("0912345604", "phone", "2025-03-01", "2025-06-01")],
              header=SEEN_HEADER)
    run("import", str(tmp_path / "a.csv"))
    path = write_csv(tmp_path / "b.csv", [
        ("0912345604", "phone", "2024-12-24", "2025-05-01"),  # earlier first, last inside
        ("0912 345 604", "phone", "2025-04-01", "2025-09-30"),  # later last
    ], header=SEEN_HEADER)

    first = summary_of(run("import", str(path)))
    again = summary_of(run("import", str(path)))

    assert (first["updated"], again["updated"], again["unchanged"]) == ("2", "0", "2")
    assert _seen("+84912345604") == ("2024-12-24T00:00:00+00:00", "2025-09-30T00:00:00+00:00")


@pytest.mark.parametrize(("first_seen", "last_seen", "reason"), [
    ("yesterday", "", "first_seen: 'yesterday' is not a date"),
    ("1999-12-31", "", "first_seen: 1999-12-31 is before the year 2000"),
    ("", "2999-01-01", "last_seen: 2999-01-01 is in the future"),
    ("2025-06-02", "2025-06-01", "last_seen: before first_seen"),
])
def test_dates_that_cannot_be_sightings_are_rejected(
        tmp_path: Path, first_seen: str, last_seen: str, reason: str) -> None:
    path = write_csv(tmp_path / "bad.csv", [("0912345605", "phone", first_seen, last_seen)],
                     header=SEEN_HEADER)

    assert summary_of(run("import", str(path)))["rejected"] == "1"

    [row] = read_rejects(path.with_name(path.name + ".rejects.csv"))
    assert row["reason"].startswith(reason)
    assert row["first_seen"] == first_seen and row["last_seen"] == last_seen
    assert not Indicator.objects.filter(value="+84912345605").exists()


def test_a_first_sighting_slightly_ahead_never_follows_the_last(tmp_path: Path) -> None:
    ahead = (timezone.now() + timedelta(hours=5)).isoformat()  # within the day allowed
    path = write_csv(tmp_path / "ahead.csv", [("0912345606", "phone", ahead, "")],
                     header=SEEN_HEADER)

    assert summary_of(run("import", str(path)))["imported"] == "1"

    indicator = get("+84912345606")
    assert indicator.first_seen <= indicator.last_seen <= timezone.now()
