"""`fraudhub indicators export`: filters, streaming, and the round trip through an import."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import GeneratorType

import pytest
from django.core.management.base import CommandError

from fraudhub.core.actors import Actor
from fraudhub.core.errors import PermissionDenied, ValidationFailed
from fraudhub.indicators.exporting import ExportFilter, indicators_export
from fraudhub.indicators.models import Indicator
from fraudhub.indicators.services import indicator_remove
from tests.conftest import SYSTEM

from .helpers import (
    HEADER,
    get,
    read_rejects,
    run,
    snapshot,
    summary_of,
    wipe_indicators,
    write_csv,
)

pytestmark = pytest.mark.django_db

ROWS = [
    ("0912 345 678", "phone", "scam", "95", "investment_stock_crypto", "feed-a|feed-b", "public"),
    ("0912 345 679", "phone", "suspicious", "35", "", "", "partners"),
    ("STK 0071000123456 Vietcombank", "", "verifying", "50", "", "", "internal"),
    ("hxxps://Ex[.]com/login", "", "scam", "", "phishing_links_ads|fake_brandname_sms", "", ""),
    ("t.me/Abc", "", "safe", "", "", "", ""),
    ("Abc@Example.com", "email", "suspicious", "", "romance_scam", "", "public"),
]


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    path = write_csv(tmp_path / "feed.csv", ROWS)
    assert summary_of(run("import", str(path)))["imported"] == str(len(ROWS))
    return path


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _export(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / name
    run("export", "--output", str(out), *args)
    return out


def _data(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """What a round trip keeps: everything, first and last sightings included."""
    return rows


def test_export_writes_what_an_import_reads(loaded: Path, tmp_path: Path) -> None:
    rows = _csv(_export(tmp_path, "all.csv"))
    assert list(rows[0]) == ["value", "type", "status", "confidence", "fraud_type", "source",
                             "distribution", "first_seen", "last_seen", "reporters"]
    assert rows[0] == {**rows[0], "value": "+84912345678", "type": "phone", "status": "scam",
                       "confidence": "95", "fraud_type": "investment_stock_crypto",
                       "source": "feed-a|feed-b", "distribution": "public", "reporters": "0"}
    assert rows[0]["first_seen"].startswith(str(get("+84912345678").first_seen.date()))
    assert [r["value"] for r in rows] == [
        "+84912345678", "+84912345679", "970436:0071000123456", "https://ex.com/login",
        "telegram:abc", "abc@example.com"]
    assert rows[3]["fraud_type"] == "phishing_links_ads|fake_brandname_sms"
    assert rows[3]["source"] == "feed.csv"


def test_export_filters(loaded: Path, tmp_path: Path) -> None:
    def values(*args: str) -> list[str]:
        return [r["value"] for r in _csv(_export(tmp_path, "f.csv", *args))]

    assert values("--status", "scam") == ["+84912345678", "https://ex.com/login"]
    assert values("--status", "scam", "--status", "safe") == [
        "+84912345678", "https://ex.com/login", "telegram:abc"]
    assert values("--type", "phone", "--type", "email") == [
        "+84912345678", "+84912345679", "abc@example.com"]
    assert values("--distribution", "internal") == ["970436:0071000123456"]
    assert values("--type", "phone", "--distribution", "partners", "--status",
                  "suspicious") == ["+84912345679"]
    assert values("--status", "no_data") == []
    with pytest.raises(CommandError):
        run("export", "--status", "deleted")


def test_removed_values_are_left_out_unless_asked_for(loaded: Path, tmp_path: Path) -> None:
    removed = get("+84912345679")
    indicator_remove(actor=SYSTEM, indicator_id=removed.pk, reason="owner proved it")
    assert "+84912345679" not in [r["value"] for r in _csv(_export(tmp_path, "a.csv"))]
    rows = {r["value"]: r for r in _csv(_export(tmp_path, "b.csv", "--include-removed"))}
    assert len(rows) == len(ROWS)
    assert rows["+84912345679"]["status"] == "no_data"
    assert rows["+84912345679"]["removed_at"].startswith(str(get("+84912345679").removed_at
                                                         .date()))  # type: ignore[union-attr]
    assert rows["+84912345678"]["removed_at"] == ""



def test_an_archive_with_removed_values_does_not_list_them_again(loaded: Path, tmp_path: Path
                                                                 ) -> None:
    indicator_remove(actor=SYSTEM, indicator_id=get("+84912345679").pk, reason="owner proved it")
    archive = _export(tmp_path, "archive.csv", "--include-removed")
    wipe_indicators()  # another node, or this one rebuilt from its archive
    summary = summary_of(run("import", str(archive)))
    assert (summary["imported"], summary["rejected"]) == (str(len(ROWS) - 1), "1")
    rejects = read_rejects(tmp_path / "archive.csv.rejects.csv")
    assert [r["value"] for r in rejects] == ["+84912345679"]
    assert rejects[0]["reason"].startswith("removed_at: removed at the source on ")
    assert not Indicator.objects.filter(value="+84912345679").exists()
    # Even with a status edited back in, a row that says it was removed stays out.
    edited = write_csv(tmp_path / "edited.csv",
                       [("+84912345679", "phone", "scam", "", "", "", "", "2026-12-01")],
                       header=(*HEADER, "removed_at"))
    assert summary_of(run("import", str(edited)))["rejected"] == "1"
    assert not Indicator.objects.filter(value="+84912345679").exists()


def test_csv_round_trip_gives_the_same_data(loaded: Path, tmp_path: Path) -> None:
    first = _export(tmp_path, "first.csv")
    before = snapshot()
    again = summary_of(run("import", str(first)))  # into the same database: nothing changes
    assert (again["imported"], again["updated"], again["rejected"]) == ("0", "0", "0")
    assert snapshot() == before
    wipe_indicators()  # into an empty database: the same values come back
    assert summary_of(run("import", str(first)))["imported"] == str(len(ROWS))
    second = _export(tmp_path, "second.csv")
    assert _data(_csv(second)) == _data(_csv(first))


def test_jsonl_round_trip_gives_the_same_data(loaded: Path, tmp_path: Path) -> None:
    first = _export(tmp_path, "first.jsonl", "--format", "jsonl")
    items = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert items[0]["fraud_type"] == ["investment_stock_crypto"]
    assert items[0]["source"] == ["feed-a", "feed-b"]
    wipe_indicators()
    assert summary_of(run("import", str(first)))["imported"] == str(len(ROWS))
    second = _export(tmp_path, "second.jsonl", "--format", "jsonl")
    assert [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()] == (
        items)


def test_export_streams_in_chunks_to_standard_output(loaded: Path) -> None:
    items = indicators_export(actor=SYSTEM, where=ExportFilter(), chunk_size=2)
    assert isinstance(items, GeneratorType)
    assert len(list(items)) == len(ROWS)
    out = run("export", "--format", "jsonl", "--chunk-size", "1")
    assert [json.loads(line)["value"] for line in out.splitlines()][:2] == [
        "+84912345678", "+84912345679"]
    assert run("export").splitlines()[0].startswith("value,type,status,")


def test_export_needs_the_right_to_manage_indicators(loaded: Path) -> None:
    with pytest.raises(PermissionDenied):
        list(indicators_export(actor=Actor.anonymous(), where=ExportFilter()))
    with pytest.raises(ValidationFailed):
        list(indicators_export(actor=SYSTEM, where=ExportFilter(types=["fax"])))
