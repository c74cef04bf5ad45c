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
  row and a sighting; ``last_seen`` moves to now unless the row says when it was last seen), an
  earlier ``first_seen`` or a later ``last_seen``, a fraud type, a higher confidence, or a more
  serious status, which goes through ``indicator_transition`` and is audited. An import never
  lowers a status (that takes a reviewer's decision or a removal) and never changes the
  distribution of a value that exists.

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
from datetime import datetime
from multiprocessing.pool import AsyncResult
from typing import Protocol

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import PermissionDenied
from fraudhub.core.roles import Perm
from fraudhub.indicators.importing_rows import (
    FIELDS,
    IMPORT_STATUSES,
    INFORMATIONAL_FIELDS,
    MAX_SOURCE_LENGTH,
    MULTI_SEPARATOR,
    SEEN_FIELDS,
    ImportRow,
    RowError,
    RowInput,
    RowRejected,
    read_batch,
)
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

DEFAULT_BATCH = 5000
__all__ = ["FIELDS", "IMPORT_STATUSES", "INFORMATIONAL_FIELDS", "MULTI_SEPARATOR", "SEEN_FIELDS",
           "ImportSummary", "RowError", "RowInput", "indicators_import"]
_SAFE = str(IndicatorStatus.SAFE)
# How serious a status is: an import only ever raises it.
STATUS_RANK: dict[str, int] = {
    IndicatorStatus.NO_DATA: 0, IndicatorStatus.SAFE: 1, IndicatorStatus.SUSPICIOUS: 2,
    IndicatorStatus.VERIFYING: 2, IndicatorStatus.SCAM: 3,
}

logger = logging.getLogger(__name__)


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
    # The earliest first and latest last sighting the rows give (a value held: only where they
    # move its own dates out).
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    # A row without last_seen (of a new value, or with a new source of one held): the import
    # is its sighting, now. A row with last_seen says when its source saw the value last.
    seen_now: bool = False

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
            self.first_seen = row.first_seen or row.last_seen
            self.last_seen = row.last_seen
            self.seen_now = row.last_seen is None
            summary.imported += 1
            return
        seen_changed = self._widen_seen(row)
        if row.last_seen is None and (self.existing is None or sources):
            self.seen_now = True
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
        if raises or higher or types or sources or seen_changed:
            summary.updated += 1
        else:
            summary.unchanged += 1


    def _widen_seen(self, row: ImportRow) -> bool:
        """Take the row's dates where they reach out of those held; whether any did."""
        held_first = self.first_seen or (self.existing.first_seen if self.existing else None)
        held_last = self.last_seen or (self.existing.last_seen if self.existing else None)
        first = row.first_seen or row.last_seen
        changed = False
        if first is not None and (held_first is None or first < held_first):
            self.first_seen, changed = first, True
        if row.last_seen is not None and (held_last is None or row.last_seen > held_last):
            self.last_seen, changed = row.last_seen, True
        return changed


def _new_value(target: _Target, now: datetime) -> NewValue:
    type_key, value = target.key
    last_seen = None if target.seen_now else target.last_seen
    first_seen = target.first_seen
    if first_seen is not None and first_seen > (last_seen or now):
        # A first sighting a few hours ahead (a source's clock or time zone; a day is allowed)
        # and none given last: seen first when seen last, now.
        first_seen = last_seen
    return NewValue(type_key, value, match_key_for(type_key, value), target.status,
                    target.confidence, target.fraud_types, target.distribution,
                    target.allowlisted, first_seen, last_seen)


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
        ids = insert_indicators([_new_value(t, now) for t in created], now=now)
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
                    t.fraud_types, t.seen_now, t.first_seen, t.last_seen)
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
