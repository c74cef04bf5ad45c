"""The import and export commands and the files they write: a clear error before any work, never
a traceback, and never the input file overwritten."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fraudhub.indicators.importing import RowError
from fraudhub.indicators.management.commands.indicators import jsonl_rows
from fraudhub.indicators.models import Indicator

from .helpers import run, summary_of, write_csv

pytestmark = pytest.mark.django_db


def feed(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "feed.csv", [("not a value", "phone", "", "", "", "", ""),
                                             ("0912 345 678", "phone", "scam", "", "", "", "")])


def test_the_rejects_file_may_not_be_the_file_being_imported(tmp_path: Path) -> None:
    path = feed(tmp_path)
    before = path.read_bytes()
    with pytest.raises(CommandError, match="overwrite the file being imported"):
        run("import", str(path), "--rejects", str(tmp_path / "." / "feed.csv"))
    assert path.read_bytes() == before
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(("rejects", "message"), [
    ("{tmp}/no/such/dir/r.csv", "no directory"), ("{tmp}", "is a directory")])
def test_a_rejects_file_that_cannot_be_written_is_refused_before_importing(
    tmp_path: Path, rejects: str, message: str,
) -> None:
    with pytest.raises(CommandError, match=message):
        run("import", str(feed(tmp_path)), "--rejects", rejects.format(tmp=tmp_path))
    assert not Indicator.objects.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(),
                    reason="needs /dev/full (Linux) to stand for a full disk")
def test_a_full_disk_under_the_rejects_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write /dev/full: No space left"):
        run("import", str(feed(tmp_path)), "--rejects", "/dev/full")


def test_a_line_nested_too_deeply_is_a_rejected_row_and_the_rest_imports(tmp_path: Path) -> None:
    rows = list(jsonl_rows(io.BytesIO(b'{"value": "a"}\n' + b"[" * 3000 + b"]" * 3000 + b"\n")))
    assert rows == [(1, {"value": "a"}), (2, RowError("not valid JSON: nested too deeply"))]
    path = tmp_path / "deep.jsonl"
    path.write_bytes(b'{"value": "0912 345 678", "status": "scam"}\n' + b"[" * 3000
                     + b"]" * 3000 + b"\n")
    assert (summary_of(run("import", str(path)))["imported"]) == "1"


def test_a_source_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--source is not valid UTF-8"):
        run("import", str(feed(tmp_path)), "--source", "feed\udcff")


@pytest.mark.parametrize(("output", "message"), [
    ("{tmp}/no/such/dir/x.csv", "no directory"), ("{tmp}", "is a directory")])
def test_an_export_that_cannot_be_written_is_a_clear_error(tmp_path: Path, output: str,
                                                           message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("indicators", "export", "--output", output.format(tmp=tmp_path),
                     stdout=io.StringIO(), stderr=io.StringIO())
