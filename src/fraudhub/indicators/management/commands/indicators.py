"""`fraudhub indicators import|export`: files in and out of the indicator database.

This module only reads and writes files; what a row does is decided by
:func:`fraudhub.indicators.importing.indicators_import`, what is exported by
:func:`fraudhub.indicators.exporting.indicators_export`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fraudhub.core.actors import Actor
from fraudhub.core.errors import DomainError
from fraudhub.core.text import has_unpaired_surrogate
from fraudhub.indicators.exporting import (
    ExportFilter,
    indicators_export,
    write_csv,
    write_jsonl,
)
from fraudhub.indicators.importing import (
    DEFAULT_BATCH,
    FIELDS,
    INFORMATIONAL_FIELDS,
    MULTI_SEPARATOR,
    SEEN_FIELDS,
    ImportSummary,
    RowError,
    RowInput,
    indicators_import,
)
from fraudhub.indicators.models import Distribution, IndicatorStatus
from fraudhub.indicators.types import TYPE_KEYS

MAX_LINE_BYTES = 8192  # a longer line is not an indicator row
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
REJECT_COLUMNS = ("line", "reason", *FIELDS, *SEEN_FIELDS)


# --- reading files -------------------------------------------------------------------------


_PEEK_BYTES = 1 << 16


class _Reread(io.RawIOBase):
    """``handle`` read again from its start, its first bytes taken from ``head``; with
    ``cr_only``, a file whose lines end in CR alone (as old Mac programs write them) read with
    LF: every line reader here splits at LF only, so the whole file was one line (a crash in the
    CSV reader). Bytes are read through one for one, so offsets and sizes stay the file's."""

    def __init__(self, head: bytes, handle: BinaryIO, *, cr_only: bool) -> None:
        self.head = head
        self.handle = handle
        self.cr_only = cr_only

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data, self.head = self.head[:len(buffer)], self.head[len(buffer):]
        if not data:
            data = self.handle.read(len(buffer))
        if self.cr_only:
            data = data.replace(b"\r", b"\n")
        buffer[:len(data)] = data
        return len(data)


def with_line_ends(handle: BinaryIO) -> BinaryIO:
    """``handle``, read as a file with LF line ends when its first 64 KiB end lines in CR alone."""
    head = handle.read(_PEEK_BYTES)
    cr_only = b"\r" in head and b"\n" not in head
    return io.BufferedReader(_Reread(head, handle, cr_only=cr_only), buffer_size=_PEEK_BYTES)


def physical_lines(handle: BinaryIO) -> Iterator[tuple[int, str | RowError]]:
    """``(line number, text)`` of each line, or a RowError for a line that cannot be a row:
    longer than MAX_LINE_BYTES (skipped without being held in memory), not UTF-8, or with NUL.
    Lines end in LF, CRLF or, through the whole file, CR alone."""
    handle = with_line_ends(handle)
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = handle.readline(1 << 16)
            yield number, RowError(f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, RowError(f"not valid UTF-8 (byte {exc.start + 1} of the line)")
            continue
        if "\x00" in text:
            yield number, RowError("contains a NUL byte")
            continue
        yield number, text


def jsonl_rows(handle: BinaryIO) -> Iterator[tuple[int, RowInput]]:
    for number, text in physical_lines(handle):
        if isinstance(text, RowError):
            yield number, text
            continue
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except ValueError as exc:
            yield number, RowError(f"not valid JSON: {getattr(exc, 'msg', str(exc))}")
            continue
        except RecursionError:
            yield number, RowError("not valid JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield number, RowError("not a JSON object")
            continue
        yield number, record


class CsvRows:
    """Records of a CSV file with a header row, numbered by the line where each starts."""

    def __init__(self, handle: BinaryIO) -> None:
        self.lines = physical_lines(handle)
        self.errors: deque[tuple[int, RowError]] = deque()
        self.start: int | None = None
        self.record_lines: list[tuple[int, str]] = []  # those the record being read spans
        # Lines swallowed by an unclosed quote are read again at most this many times a file:
        # a file of such quotes would otherwise be read again and again (quadratic).
        self.replays_left = 100
        self.header: list[str] = []

    def _good_lines(self, replay: list[tuple[int, str]] | None = None) -> Iterator[str]:
        lines: Iterator[tuple[int, str | RowError]] = (
            itertools.chain(replay, self.lines) if replay else self.lines)
        for number, text in lines:
            if isinstance(text, RowError):
                self.errors.append((number, text))
                continue
            if self.start is None:
                self.start = number
                self.record_lines = []
            self.record_lines.append((number, text))
            yield text

    def read_header(self, reader: Iterator[list[str]]) -> None:
        try:
            for record in reader:
                self.start = None
                if any(cell.strip() for cell in record):
                    self.header = [cell.strip().lower() for cell in record]
                    break
        except csv.Error as exc:
            raise CommandError(f"the CSV header is not valid CSV: {exc}") from exc
        read = (*FIELDS, *SEEN_FIELDS)
        unknown = [n for n in self.header if n not in read and n not in INFORMATIONAL_FIELDS]
        if "value" not in self.header or unknown or len(set(self.header)) != len(self.header):
            raise CommandError(
                f"the CSV header must name a `value` column and only these, once each: "
                f"{', '.join(read)} (ignored: {', '.join(INFORMATIONAL_FIELDS)}); found "
                f"{', '.join(self.header) or 'nothing'}")

    def __iter__(self) -> Iterator[tuple[int, RowInput]]:
        reader = csv.reader(self._good_lines(), strict=True)
        self.read_header(reader)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield from self._drain()
                consumed = self.record_lines
                number = self._take_start()
                if len(consumed) > 1 and self.replays_left > 0:
                    # A quote opened and never closed swallows every line after it: the rows
                    # there are read again, on their own, rather than lost with this one.
                    self.replays_left -= 1
                    yield number, RowError(
                        f"not valid CSV: {exc} (a quote opened on this line is not closed; "
                        f"the {len(consumed) - 1} line(s) after it are read on their own)")
                    reader = csv.reader(self._good_lines(consumed[1:]), strict=True)
                elif len(consumed) > 1:
                    yield number, RowError(
                        f"not valid CSV: {exc} (a quote opened on this line is not closed; "
                        f"lines {number} to {consumed[-1][0]} were not read: too many such "
                        "quotes in this file to read the lines after each again)")
                else:
                    yield number, RowError(f"not valid CSV: {exc}")
                continue
            yield from self._drain()
            number = self._take_start()
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(self.header):
                yield number, RowError(f"expected {len(self.header)} columns, found {len(record)}")
                continue
            yield number, {name: cell for name, cell in zip(self.header, record, strict=True)
                           if cell != ""}
        yield from self._drain()

    def _take_start(self) -> int:
        number, self.start = self.start or 0, None
        return number

    def _drain(self) -> Iterator[tuple[int, RowError]]:
        while self.errors:
            yield self.errors.popleft()


# --- files written -------------------------------------------------------------------------

_T = TypeVar("_T")


def _text_of(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (Python keeps them as surrogates) become
    U+FFFD, which can be stored and printed."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _check_writable(path: Path, *, what: str, reading: Path | None = None) -> None:
    """Refuse before any work a file that cannot be written, or is the one being read."""
    if reading is not None and path.resolve() == reading.resolve():
        raise CommandError(f"the {what} would overwrite the file being imported: {path}")
    if path.is_dir():
        raise CommandError(f"the {what} is a directory: {path}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CommandError(f"no directory {parent} for the {what} {path}")
    if not os.access(path if path.exists() else parent, os.W_OK):
        raise CommandError(f"cannot write the {what} {path}: permission denied")


_IMPORT_STAYS = (" What was imported before stays; importing the same file again changes "
                 "nothing more.")


def _writing(path: Path, work: Callable[[], _T], *, after: str = "") -> _T:
    """``work()``, with a failure to write ``path`` (a full disk, say) as a clear error."""
    try:
        return work()
    except OSError as exc:
        if exc.filename not in (None, str(path)):
            raise
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}.{after}") from exc


# --- rejects and progress ------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = MULTI_SEPARATOR.join(str(item) for item in value)
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text.replace("\x00", "\\0")[:1000]


class RejectsFile:
    """CSV of rejected rows: line, reason and the row's fields (opened at the first reject; an
    older rejects file at the same path is overwritten, so it always describes the last run)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: TextIO | None = None
        self.writer: Any = None

    def _open(self) -> None:
        # A rejected row may hold what UTF-8 cannot (half of a surrogate pair from a JSON
        # escape): it is written as its escape, so the file shows what the row carried.
        self.handle = self.path.open("w", encoding="utf-8", errors="backslashreplace",
                                     newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(REJECT_COLUMNS)

    def __call__(self, line: int, reason: str, record: Mapping[str, object]) -> None:
        if self.handle is None:
            self._open()
        self.writer.writerow([line, reason, *(_cell(record.get(name))
                                              for name in (*FIELDS, *SEEN_FIELDS))])

    def close(self) -> None:
        if self.handle is None and self.path.exists():
            self._open()  # no rejects this time: leave no stale ones
        if self.handle is not None:
            self.handle.close()


class ProgressBar:
    """A one-line progress bar on a terminal: bytes read of the file, rows, rows/s and ETA."""

    def __init__(self, out: TextIO, total: int, position: Any, interval: float = 0.25) -> None:
        self.out, self.total, self.position, self.interval = out, max(1, total), position, interval
        self.started = time.monotonic()
        self.shown = 0.0

    def __call__(self, summary: ImportSummary, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.shown < self.interval:
            return
        self.shown = now
        done = min(1.0, self.position() / self.total) if not final else 1.0
        elapsed = max(1e-6, now - self.started)
        eta = elapsed * (1 - done) / done if done > 0 else 0.0
        bar = "#" * int(done * 30)
        self.out.write(f"\r{done:6.1%} [{bar:<30}] {summary.read:,} rows  "
                       f"{summary.read / elapsed:,.0f} rows/s  rejected {summary.rejected:,}  "
                       f"ETA {int(eta) // 60}:{int(eta) % 60:02d} ")
        self.out.flush()

    def close(self, summary: ImportSummary) -> None:
        self(summary, final=True)
        self.out.write("\n")
        self.out.flush()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- the command ---------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Import indicators from CSV or JSON Lines, or export them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV (with a header row) or JSON Lines file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--format", choices=("csv", "jsonl"),
                         help="default: from the file's extension")
        imp.add_argument("--rejects", type=Path, help="default: FILE.rejects.csv")
        imp.add_argument("--source", default="",
                         help="provenance of rows without a source (default: the file's name)")
        imp.add_argument("--batch", type=int, default=DEFAULT_BATCH,
                         help="rows per transaction (default %(default)s)")
        imp.add_argument("--jobs", type=int, default=1,
                         help="processes that normalize rows while this one writes "
                              "(default %(default)s: all in this process)")
        imp.add_argument("--no-progress", action="store_true",
                         help="no progress bar (it is shown only on a terminal anyway)")
        exp = sub.add_parser("export", help="export indicators (streamed)")
        exp.add_argument("--format", choices=("csv", "jsonl"), default="csv")
        exp.add_argument("--status", action="append", default=[], choices=IndicatorStatus.values)
        exp.add_argument("--type", action="append", default=[], choices=TYPE_KEYS)
        exp.add_argument("--distribution", action="append", default=[],
                         choices=Distribution.values)
        exp.add_argument("--include-removed", action="store_true",
                         help="also removed (tombstoned) values, with a removed_at column")
        exp.add_argument("--output", default="-", help="a file, or - for standard output")
        exp.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self._import(options)
            else:
                self._export(options)
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"not a file: {path}" if path.exists() else f"no such file: {path}")
        fmt = options["format"] or FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(f"cannot tell the format of {path.name}; give --format csv|jsonl")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        rejects = RejectsFile(options["rejects"] or path.with_name(path.name + ".rejects.csv"))
        _check_writable(rejects.path, what="rejects file", reading=path)
        if has_unpaired_surrogate(options["source"]):
            raise CommandError("--source is not valid UTF-8 text")
        source = (options["source"] or _text_of(path.name))[:200]
        digest = file_sha256(path)
        with path.open("rb") as handle:
            rows = CsvRows(handle) if fmt == "csv" else jsonl_rows(handle)
            bar = None
            if not options["no_progress"] and sys.stderr.isatty():
                bar = ProgressBar(sys.stderr, path.stat().st_size, handle.tell)

            def run() -> ImportSummary:
                return indicators_import(
                    actor=Actor.system("import"), rows=rows, source_default=source,
                    rejects_writer=rejects, file_sha256=digest, file_name=_text_of(path.name),
                    batch_size=options["batch"], progress=bar, workers=options["jobs"])

            try:
                summary = _writing(rejects.path, run, after=_IMPORT_STAYS)
            finally:
                _writing(rejects.path, rejects.close, after=_IMPORT_STAYS)
            if bar is not None:
                bar.close(summary)
        self._print_summary(summary, rejects.path)

    def _print_summary(self, summary: ImportSummary, rejects: Path) -> None:
        for label, value in (("read", summary.read), ("imported", summary.imported),
                             ("updated", summary.updated), ("unchanged", summary.unchanged),
                             ("rejected", summary.rejected),
                             ("status changes", summary.status_changes),
                             ("higher status kept", summary.status_kept)):
            self.stdout.write(f"{label + ':':20}{value:>12,}")
        self.stdout.write(f"{'seconds:':20}{summary.seconds:>12,.1f}")
        self.stdout.write(f"{'rows/s:':20}{summary.rows_per_second:>12,.0f}")
        if summary.rejected:
            self.stdout.write(f"rejected rows, with line numbers and reasons: {rejects}")

    def _export(self, options: dict[str, Any]) -> None:
        where = ExportFilter(statuses=options["status"], types=options["type"],
                             distributions=options["distribution"],
                             include_removed=options["include_removed"])
        items = indicators_export(actor=Actor.system("export"), where=where,
                                  chunk_size=max(1, options["chunk_size"]))
        out: IO[str]
        if options["output"] == "-":
            out = self.stdout  # type: ignore[assignment]  # OutputWrapper is file-like
            try:
                self._write(items, out, options)
            except BrokenPipeError:
                # The reader stopped (`| head`): nothing is wrong, and nothing more to say.
                sys.stdout = None  # no flush error at exit
            return
        target = Path(options["output"])
        _check_writable(target, what="output file")

        def write() -> int:
            with target.open("w", encoding="utf-8", newline="") as out:
                return self._write(items, out, options)

        count = _writing(target, write)
        self.stderr.write(f"exported {count:,} indicators to {options['output']}")

    @staticmethod
    def _write(items: Iterator[dict[str, Any]], out: IO[str], options: dict[str, Any]) -> int:
        if options["format"] == "jsonl":
            return write_jsonl(items, out)
        return write_csv(items, out, include_removed=options["include_removed"])
