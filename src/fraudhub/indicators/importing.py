"""Bulk import of indicators (rows of CSV or JSON Lines files, parsed by `fraudhub indicators`).

Rows are read, normalized and written in batches, each in its own transaction, so that an import
of ten million rows neither holds one huge transaction nor keeps the audit chain locked for its
whole length. In every batch:

- each row is normalized (``canonicalize``); a row that does not normalize, names an unknown
  type, status, fraud type or distribution, or would list an allowlisted or removed value goes
  to the rejects with its line number and the reason;
- the rows of one value are applied in file order to what the database holds;
- new values are inserted in bulk (see :mod:`fraudhub.indicators.importing_store`: COPY on
  PostgreSQL, ``executemany`` on SQLite), each with an ``import`` source and a ``seen``
  sighting;
- a value already there is touched only when the row brings something new: a source (a source
  row and a sighting; ``last_seen`` moves), a fraud type, a higher confidence, or a more serious
  status, which goes through ``indicator_transition`` and is audited. An import never lowers a
  status (that takes a reviewer's decision or a removal) and never changes the distribution of
  a value that exists.

Re-importing the same file therefore changes nothing. One audit row records the import, also an
interrupted one (``"interrupted": true``, with what the committed batches did).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.pool import AsyncResult
from typing import Protocol

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import PermissionDenied
from fraudhub.core.roles import Perm
from fraudhub.core.text import ascii_digits, has_unpaired_surrogate
from fraudhub.indicators import policy
from fraudhub.indicators.importing_store import (
    Existing,
    Key,
    NewValue,
    Update,
    allowlisted_keys,
    existing_indicators,
    insert_indicators,
    insert_sources,
    refresh_statistics,
    update_existing,
)
from fraudhub.indicators.machines import INDICATOR_MACHINE
from fraudhub.indicators.models import Distribution, IndicatorStatus
from fraudhub.indicators.transitions import match_key_for
from fraudhub.indicators.types import TYPE_KEYS, InvalidIndicator, canonicalize
from fraudhub.taxonomy.selectors import fraud_type_get

DEFAULT_BATCH = 5000
MAX_RAW_LENGTH = 2048
MAX_VALUE_LENGTH = 512  # Indicator.value
MAX_SOURCE_LENGTH = 200  # IndicatorSource.reference
MULTI_SEPARATOR = "|"  # several fraud types or sources in one CSV cell

FIELDS = ("value", "type", "status", "confidence", "fraud_type", "source", "distribution")
# Columns an export adds for people to read, and the `line` and `reason` of a rejects file (so a
# corrected rejects file imports as it is): ignored.
INFORMATIONAL_FIELDS = ("first_seen", "last_seen", "reporters", "removed_at", "line", "reason")
_KNOWN_FIELDS = frozenset(FIELDS) | frozenset(INFORMATIONAL_FIELDS)
# Plain strings: reading an enum member or `Choices.values` costs more than the rest of a row.
IMPORT_STATUSES: tuple[str, ...] = tuple(str(s) for s in (
    IndicatorStatus.SCAM, IndicatorStatus.SUSPICIOUS, IndicatorStatus.VERIFYING,
    IndicatorStatus.SAFE))
_SUSPICIOUS, _SAFE, _SCAM = (str(IndicatorStatus.SUSPICIOUS), str(IndicatorStatus.SAFE),
                             str(IndicatorStatus.SCAM))
_DISTRIBUTIONS: tuple[str, ...] = tuple(str(d) for d in Distribution.values)
_PUBLIC = str(Distribution.PUBLIC)
# How serious a status is: an import only ever raises it.
STATUS_RANK: dict[str, int] = {
    IndicatorStatus.NO_DATA: 0, IndicatorStatus.SAFE: 1, IndicatorStatus.SUSPICIOUS: 2,
    IndicatorStatus.VERIFYING: 2, IndicatorStatus.SCAM: 3,
}

logger = logging.getLogger(__name__)


def default_confidence(status: str) -> int:
    """Confidence of a row that gives none."""
    if status == _SCAM:
        return policy.CONFIRMED_CONFIDENCE
    if status == _SAFE:
        return 100
    return policy.reported_confidence(1)


@dataclass(frozen=True)
class RowError:
    """A line the file parser could not read (bad JSON, NUL byte, over-long line...)."""

    reason: str


RowInput = Mapping[str, object] | RowError


class RejectsWriter(Protocol):
    def __call__(self, line: int, reason: str, record: Mapping[str, object]) -> None: ...


@dataclass
class ImportSummary:
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    status_changes: int = 0
    status_kept: int = 0  # rows whose status was below the one the value already had
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def counts(self) -> dict[str, int | float]:
        return {**asdict(self), "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows_per_second, 1)}


class RowRejected(ValueError):
    """Why a row is not imported."""


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    type: str
    value: str
    status: str
    confidence: int
    fraud_types: tuple[str, ...]
    sources: tuple[str, ...]
    distribution: str
    index: int  # in its batch

    @property
    def key(self) -> Key:
        return (self.type, self.value)


# --- one row ---------------------------------------------------------------------------------


def _text(record: Mapping[str, object], name: str) -> str | None:
    raw = record.get(name)
    if raw is None:
        return None
    if type(raw) is not str:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise RowRejected(f"{name}: expected text, got {type(raw).__name__}")
        raw = str(raw)
    if "\x00" in raw:
        raise RowRejected(f"{name}: contains a NUL byte")
    if has_unpaired_surrogate(raw):
        raise RowRejected(f"{name}: contains half of a UTF-16 surrogate pair, which is not text")
    return raw.strip() or None


def _many(record: Mapping[str, object], name: str) -> list[str]:
    raw = record.get(name)
    if isinstance(raw, list):
        if not all(isinstance(item, str) for item in raw):
            raise RowRejected(f"{name}: expected text or a list of text")
        items: list[str] = [str(item) for item in raw]
        if any("\x00" in item for item in items):
            raise RowRejected(f"{name}: contains a NUL byte")
        if any(has_unpaired_surrogate(item) for item in items):
            raise RowRejected(f"{name}: contains half of a UTF-16 surrogate pair, which is not "
                              "text")
    else:
        text = _text(record, name)
        items = text.split(MULTI_SEPARATOR) if text else []
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def _confidence(record: Mapping[str, object], status: str) -> int:
    raw = record.get("confidence")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default_confidence(status)
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and ascii_digits(raw.strip()) and len(raw.strip()) <= 3:
        value = int(raw.strip())
    else:
        raise RowRejected(f"confidence: {str(raw)[:20]!r} is not a whole number from 0 to 100")
    if not 0 <= value <= 100:
        raise RowRejected(f"confidence: {value} is out of range (0 to 100)")
    return value


def _choice(record: Mapping[str, object], name: str, allowed: Sequence[str], default: str) -> str:
    value = (_text(record, name) or default).lower()
    if value not in allowed:
        raise RowRejected(f"{name}: unknown {name} {value[:40]!r} (one of {', '.join(allowed)})")
    return value


def read_row(line: int, record: Mapping[str, object], source_default: str, index: int = 0
             ) -> ImportRow:
    """One input record as a normalized row; raises RowRejected with the reason."""
    if not _KNOWN_FIELDS.issuperset(record):
        unknown = sorted(set(record) - _KNOWN_FIELDS)
        raise RowRejected("unknown field(s): " + ", ".join(str(name)[:40] for name in unknown))
    removed = _text(record, "removed_at")
    if removed is not None:
        # A tombstone of the node that exported it (`export --include-removed`): listing it here
        # would undo that node's removal (a delisted owner's number listed again).
        raise RowRejected(f"removed_at: removed at the source on {removed[:40]}; a removed "
                          "value is not imported")
    raw = _text(record, "value")
    if raw is None:
        raise RowRejected("value: missing")
    if len(raw) > MAX_RAW_LENGTH:
        raise RowRejected(f"value: longer than {MAX_RAW_LENGTH} characters")
    type_key = _text(record, "type")
    if type_key is not None:
        type_key = _choice(record, "type", TYPE_KEYS, "")
    status = _choice(record, "status", IMPORT_STATUSES, _SUSPICIOUS)
    distribution = _choice(record, "distribution", _DISTRIBUTIONS, _PUBLIC)
    confidence = _confidence(record, status)
    fraud_types = _many(record, "fraud_type")
    for key in fraud_types:
        if fraud_type_get(key=key) is None:
            raise RowRejected(f"fraud_type: unknown fraud type {key[:60]!r}")
    sources = _many(record, "source") or [source_default]
    if any(len(source) > MAX_SOURCE_LENGTH for source in sources):
        raise RowRejected(f"source: longer than {MAX_SOURCE_LENGTH} characters")
    try:
        found_type, value = canonicalize(raw, type_key)
    except InvalidIndicator as exc:
        raise RowRejected(f"value: {str(exc) or 'not valid'} ({type_key or 'type guessed'}: "
                          f"{raw[:80]!r})") from exc
    if len(value) > MAX_VALUE_LENGTH:
        raise RowRejected(f"value: longer than {MAX_VALUE_LENGTH} characters once normalized")
    return ImportRow(line, found_type, value, status, confidence, tuple(fraud_types),
                     tuple(sources), distribution, index)


def read_batch(items: Sequence[tuple[int, RowInput]], source_default: str
               ) -> list[ImportRow | str]:
    """Each item as a normalized row or the reason it is rejected (also run in a worker
    process: normalizing is most of an import's work, and it needs no database)."""
    found: list[ImportRow | str] = []
    for index, (line, item) in enumerate(items):
        if isinstance(item, RowError):
            found.append(item.reason)
            continue
        try:
            found.append(read_row(line, item, source_default, index))
        except RowRejected as exc:
            found.append(str(exc))
    return found


# --- folding rows into values ----------------------------------------------------------------


@dataclass(slots=True)
class _Target:
    """One value of a batch: what the database holds and what the rows add to it."""

    key: Key
    existing: Existing | None
    allowlisted: bool
    status: str = IndicatorStatus.NO_DATA
    confidence: int = 0
    fraud_types: list[str] = field(default_factory=list)
    distribution: str = Distribution.PUBLIC
    known_sources: set[str] = field(default_factory=set)
    new_sources: list[str] = field(default_factory=list)
    accepted: bool = False  # a new value with an accepted row: to insert
    confidence_changed: bool = False

    @classmethod
    def of(cls, key: Key, existing: Existing | None, allowlisted: bool) -> _Target:
        target = cls(key, existing, allowlisted or bool(existing and existing.allowlisted))
        if existing is not None:
            target.status, target.confidence = existing.status, existing.confidence
            target.fraud_types = list(existing.fraud_types)
            target.known_sources = set(existing.import_sources)
        return target

    def apply(self, row: ImportRow, summary: ImportSummary) -> None:
        """Fold one row in; raises RowRejected when the row may not change this value."""
        if self.existing is not None and self.existing.removed:
            raise RowRejected(f"removed from the database {self.existing.removed}; an import "
                              "does not list it again")
        if self.allowlisted and row.status != _SAFE:
            raise RowRejected(f"on an allowlist of official values: an import does not list it "
                              f"as {row.status} (an administrator can override the allowlist)")
        sources = [s for s in row.sources if s not in self.known_sources]
        self.known_sources.update(sources)
        if self.existing is None and not self.accepted:
            self.accepted = True
            self.status, self.confidence = row.status, row.confidence
            self.distribution = row.distribution
            self.fraud_types.extend(row.fraud_types)
            self.new_sources.extend(sources)
            summary.imported += 1
            return
        raises = STATUS_RANK[row.status] > STATUS_RANK[self.status]
        if raises and row.status not in INDICATOR_MACHINE.allowed(self.status):
            raise RowRejected(f"status: an indicator cannot go from {self.status} to "
                              f"{row.status}")
        types = [t for t in row.fraud_types if t not in self.fraud_types]
        higher = row.confidence > self.confidence
        if raises:
            self.status = row.status
        elif row.status != self.status:
            summary.status_kept += 1
        if higher:
            self.confidence, self.confidence_changed = row.confidence, True
        self.fraud_types.extend(types)
        self.new_sources.extend(sources)
        if raises or higher or types or sources:
            summary.updated += 1
        else:
            summary.unchanged += 1


def _new_value(target: _Target) -> NewValue:
    type_key, value = target.key
    return NewValue(type_key, value, match_key_for(type_key, value), target.status,
                    target.confidence, target.fraud_types, target.distribution,
                    target.allowlisted)


# --- the service -----------------------------------------------------------------------------


def _batches(rows: Iterable[tuple[int, RowInput]], size: int
             ) -> Iterator[list[tuple[int, RowInput]]]:
    batch: list[tuple[int, RowInput]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Importer:
    actor: Actor
    source_default: str
    rejects_writer: RejectsWriter
    summary: ImportSummary = field(default_factory=ImportSummary)
    items: Sequence[tuple[int, RowInput]] = ()

    def reject(self, line: int, record: Mapping[str, object], reason: str) -> None:
        self.summary.rejected += 1
        self.rejects_writer(line, reason, record)

    def batch(self, items: Sequence[tuple[int, RowInput]], read: list[ImportRow | str]) -> None:
        self.items = items
        rows: list[ImportRow] = []
        for (line, item), result in zip(items, read, strict=True):
            self.summary.read += 1
            if isinstance(result, str):
                self.reject(line, item if not isinstance(item, RowError) else {}, result)
            else:
                rows.append(result)
        if rows:
            with transaction.atomic():
                self._write(rows)

    def reject_row(self, row: ImportRow, reason: str) -> None:
        item = self.items[row.index][1]
        self.reject(row.line, item if not isinstance(item, RowError) else {}, reason)

    def _targets(self, rows: list[ImportRow], summary: ImportSummary,
                 on_reject: Callable[[ImportRow, str], None]) -> list[_Target]:
        keys = list(dict.fromkeys(row.key for row in rows))
        existing = existing_indicators(keys)
        allowlisted = allowlisted_keys(k for k in keys if k not in existing)
        targets = {key: _Target.of(key, existing.get(key), key in allowlisted) for key in keys}
        for row in rows:
            try:
                targets[row.key].apply(row, summary)
            except RowRejected as exc:
                on_reject(row, str(exc))
        return list(targets.values())

    def _write(self, rows: list[ImportRow]) -> None:
        now = timezone.now()
        targets = self._targets(rows, self.summary, self.reject_row)
        created = [t for t in targets if t.existing is None and t.accepted]
        ids = insert_indicators([_new_value(t) for t in created], now=now)
        pairs = [(ids[t.key], ref) for t in created if t.key in ids for ref in t.new_sources]
        updated = [t for t in targets if t.existing is not None]
        lost = {t.key for t in created if t.key not in ids}
        if lost:
            # Inserted by another writer since the batch looked (PostgreSQL): add to those as to
            # any existing value; their rows were counted already, and a row that may not change
            # them now (a concurrent allowlisting) is left out.
            updated += self._targets([r for r in rows if r.key in lost], ImportSummary(),
                                     lambda row, why: None)
        pairs += [(t.existing.pk, ref) for t in updated if t.existing is not None
                  for ref in t.new_sources]
        insert_sources(pairs, actor_label=self.actor.label[:200], now=now)
        self.summary.status_changes += update_existing(
            [Update(t.existing, t.status, t.confidence if t.confidence_changed else None,
                    t.fraud_types, bool(t.new_sources))
             for t in updated if t.existing is not None],
            actor=self.actor, reason=f"import {self.source_default}", now=now)


def indicators_import(
    *, actor: Actor, rows: Iterable[tuple[int, RowInput]], source_default: str,
    rejects_writer: RejectsWriter, file_sha256: str = "", file_name: str = "",
    batch_size: int = DEFAULT_BATCH, progress: Callable[[ImportSummary], None] | None = None,
    workers: int = 1,
) -> ImportSummary:
    """Import ``(line number, record)`` rows; see the module's documentation. With
    ``workers`` > 1, that many processes normalize rows while this one writes."""
    if not actor.has_perm(Perm.INDICATOR_MANAGE):
        raise PermissionDenied(_("You may not import indicators."))
    if not 0 < len(source_default) <= MAX_SOURCE_LENGTH or "\x00" in source_default:
        raise ValueError(f"the default source needs 1 to {MAX_SOURCE_LENGTH} characters")
    importer = _Importer(actor, source_default, rejects_writer)
    summary = importer.summary
    started = time.perf_counter()
    analyzed_at = 0  # rows written when the planner's statistics were last refreshed
    try:
        for items, read in _read_ahead(_batches(rows, max(1, batch_size)), source_default,
                                       workers):
            importer.batch(items, read)
            written = summary.imported + summary.updated
            if written - analyzed_at >= max(batch_size, analyzed_at):  # at 1, 2, 4, 8... batches
                refresh_statistics()
                analyzed_at = written
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary)
    except BaseException:
        if summary.read:  # what the committed batches did is on record, as far as possible
            try:
                _audit(actor, summary, started, source_default, file_sha256, file_name,
                       interrupted=True)
            except Exception:  # the interruption's own cause is the error to show
                logger.exception("the interrupted import could not be audited")
        raise
    if summary.imported + summary.updated > analyzed_at:
        refresh_statistics()
    _audit(actor, summary, started, source_default, file_sha256, file_name)
    return summary


Batch = list[tuple[int, RowInput]]


def _read_ahead(batches: Iterator[Batch], source_default: str, workers: int
                ) -> Iterator[tuple[Batch, list[ImportRow | str]]]:
    """Batches with their rows normalized: here, or by ``workers`` processes (forked, without
    database connections) a few batches ahead while this one writes."""
    if workers <= 1:
        for items in batches:
            yield items, read_batch(items, source_default)
        return
    if not connections["default"].in_atomic_block:
        connections.close_all()  # the children need no connection of the parent's
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[tuple[Batch, AsyncResult[list[ImportRow | str]]]] = deque()
        for items in batches:
            pending.append((items, pool.apply_async(read_batch, (items, source_default))))
            if len(pending) > workers + 1:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def _audit(actor: Actor, summary: ImportSummary, started: float, source: str, sha256: str,
           file_name: str, interrupted: bool = False) -> None:
    summary.seconds = time.perf_counter() - started
    new: dict[str, object] = {**summary.counts(), "source": source, "file": file_name[:200]}
    if interrupted:
        new["interrupted"] = True
    with transaction.atomic():
        audit_record(actor=actor, action="indicators.import", object_type="import",
                     object_id=sha256 or "-", new=new)
