"""The database side of indicator imports: batch reads under lock and bulk writes.

Kept apart from :mod:`fraudhub.indicators.importing` (which decides what each row does) because
it is where the two databases differ. PostgreSQL loads through COPY into staging tables and one
``INSERT ... ON CONFLICT DO NOTHING`` (which also survives a concurrent writer). SQLite takes
plain ``executemany`` INSERTs (Django's ``bulk_create`` costs several times more per row)
inside the batch's transaction, which on SQLite holds the write lock from its start
(``transaction_mode: IMMEDIATE``), so what the batch read is still true when it writes, and the
ids above the highest one before the INSERT are the batch's own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection

from fraudhub.core.actors import Actor
from fraudhub.indicators import policy
from fraudhub.indicators.models import (
    AllowlistEntry,
    Indicator,
    IndicatorSource,
    Sighting,
    SightingKind,
    SourceKind,
)
from fraudhub.indicators.services import indicator_transition

Key = tuple[str, str]  # (type, canonical value)
_IN_CHUNK = 2000  # values per IN (...) list
_BULK = 500  # rows per UPDATE of bulk_update


@dataclass(slots=True)
class Existing:
    """An indicator as a batch found it (locked until the batch commits)."""

    pk: int
    status: str
    confidence: int
    base_confidence: int
    confidence_changed_at: datetime
    decay_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    fraud_types: list[str]
    allowlisted: bool
    removed: str  # "" unless tombstoned, else when and by whom
    import_sources: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Update:
    """What an import brings to an existing indicator."""

    existing: Existing
    status: str
    confidence: int | None  # None: unchanged
    fraud_types: list[str]
    seen: bool  # a new source given without last_seen: last_seen moves to now
    first_seen: datetime | None = None  # earlier than the one held; None: unchanged
    last_seen: datetime | None = None  # later than the one held; None: unchanged

    @property
    def changes_fields(self) -> bool:
        return (self.seen or self.confidence is not None or self.first_seen is not None
                or self.last_seen is not None or self.fraud_types != self.existing.fraud_types)


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _by_type(keys: Iterable[Key]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for type_key, value in keys:
        grouped[type_key].append(value)
    return sorted(grouped.items())  # one lock order for every writer


def existing_indicators(keys: Iterable[Key]) -> dict[Key, Existing]:
    """The indicators of ``keys`` that exist, locked, with the references of their imports."""
    found: dict[Key, Existing] = {}
    for type_key, values in _by_type(keys):
        for chunk in _chunks(values):
            rows = (Indicator.objects.select_for_update().filter(type=type_key, value__in=chunk)
                    .order_by("pk").values_list(
                        "pk", "value", "status", "confidence", "base_confidence",
                        "confidence_changed_at", "decay_at", "first_seen", "last_seen",
                        "fraud_types", "allowlisted", "removed_at", "removed_by"))
            for (pk, value, status, conf, base, changed, decay, first, last, types, allow,
                 removed_at, removed_by) in rows:
                removed = (f"on {removed_at:%Y-%m-%d} by {removed_by or 'unknown'}"
                           if removed_at is not None else "")
                found[(type_key, value)] = Existing(pk, status, conf, base, changed, decay,
                                                    first, last, list(types or []), allow,
                                                    removed)
    by_pk = {item.pk: item for item in found.values()}
    for chunk in _chunks(list(by_pk)):
        for pk, reference in IndicatorSource.objects.filter(
                indicator_id__in=chunk, kind=SourceKind.IMPORT).values_list("indicator_id",
                                                                            "reference"):
            by_pk[pk].import_sources.add(reference)
    return found


def allowlisted_keys(keys: Iterable[Key]) -> set[Key]:
    """Keys with an active allowlist entry (normally they also have a `safe` indicator)."""
    found: set[Key] = set()
    for type_key, values in _by_type(keys):
        for chunk in _chunks(values):
            found.update((type_key, v) for v in AllowlistEntry.objects.filter(
                type=type_key, value__in=chunk, active=True).values_list("value", flat=True))
    return found


@dataclass(frozen=True, slots=True)
class NewValue:
    """A value the database does not hold yet, as the rows of a batch make it."""

    type: str
    value: str
    match_key: str
    status: str
    confidence: int
    fraud_types: list[str]
    distribution: str
    allowlisted: bool
    first_seen: datetime | None = None  # None: now
    last_seen: datetime | None = None


_INDICATOR_COLUMNS = ("type", "value", "match_key", "status", "confidence", "base_confidence",
                      "confidence_changed_at", "decay_at", "first_seen", "last_seen",
                      "fraud_types", "reporter_count", "distribution", "allowlisted",
                      "removed_by", "removed_reason", "updated_at")
_SOURCE_COLUMNS = ("indicator_id", "kind", "reference", "actor_label", "created_at")


def _indicator_rows(values: list[NewValue], now: Any, decay_at: Any,
                    adapt: Callable[[datetime], Any]) -> Iterator[tuple[Any, ...]]:
    """Rows in _INDICATOR_COLUMNS order, with ``now`` and ``decay_at`` already adapted (and
    the values' own dates adapted by ``adapt``)."""
    for v in values:
        first = adapt(v.first_seen) if v.first_seen is not None else now
        last = adapt(v.last_seen) if v.last_seen is not None else now
        yield (v.type, v.value, v.match_key, v.status, v.confidence, v.confidence, now,
               decay_at if v.confidence else None, first, last, json.dumps(v.fraud_types), 0,
               v.distribution, v.allowlisted, "", "", now)


def _same(moment: datetime) -> datetime:
    return moment


def _insert_postgres(values: list[NewValue], now: datetime) -> dict[Key, int]:
    table = Indicator._meta.db_table
    columns = ", ".join(_INDICATOR_COLUMNS)
    with connection.cursor() as cursor:
        # ON COMMIT DROP, and dropped first in case the caller's transaction runs several
        # batches (a test, or an import inside a larger transaction).
        cursor.execute("DROP TABLE IF EXISTS pg_temp.fh_import_indicator")
        cursor.execute(f"CREATE TEMP TABLE fh_import_indicator ON COMMIT DROP AS "  # noqa: S608
                       f"SELECT {columns} FROM {table} WITH NO DATA")
        with cursor.copy(f"COPY fh_import_indicator ({columns}) FROM STDIN") as copy:
            for row in _indicator_rows(values, now, now + policy.DECAY_STEP, _same):
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                       "FROM fh_import_indicator ON CONFLICT (type, value) DO NOTHING "
                       "RETURNING id, type, value")
        return {(type_key, value): pk for pk, type_key, value in cursor.fetchall()}


def _insert_sqlite(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
                   ) -> int:
    """executemany INSERT; returns the highest id before it. Only sound while the transaction
    holds SQLite's write lock (the batch's IMMEDIATE transaction), so every id above is ours."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        before: int = cursor.fetchone()[0]
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})", list(rows))
    return before


def _require_write_lock() -> None:
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        raise RuntimeError("bulk import writes need PostgreSQL, or SQLite inside a transaction")


def insert_indicators(values: list[NewValue], *, now: datetime) -> dict[Key, int]:
    """Insert new values; their ids by key. A value another writer inserted since the batch
    looked (possible on PostgreSQL only) is missing from the answer."""
    if not values:
        return {}
    if connection.vendor == "postgresql":
        return _insert_postgres(values, now)
    _require_write_lock()
    table = Indicator._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    before = _insert_sqlite(table, _INDICATOR_COLUMNS, _indicator_rows(
        values, adapt(now), adapt(now + policy.DECAY_STEP), adapt))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, type, value FROM {table} WHERE id > %s",  # noqa: S608
                       [before])
        return {(type_key, value): pk for pk, type_key, value in cursor.fetchall()}


def insert_sources(pairs: list[tuple[int, str]], *, actor_label: str, now: datetime) -> None:
    """An `import` source and a `seen` sighting per new (indicator id, reference)."""
    if not pairs:
        return
    sources, sightings = IndicatorSource._meta.db_table, Sighting._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.fh_import_source")
            cursor.execute("CREATE TEMP TABLE fh_import_source (indicator_id bigint, "
                           "reference varchar(200)) ON COMMIT DROP")
            with cursor.copy("COPY fh_import_source (indicator_id, reference) FROM STDIN") as cp:
                for pair in pairs:
                    cp.write_row(pair)
            cursor.execute(
                f"WITH made AS (INSERT INTO {sources} "  # noqa: S608
                "(indicator_id, kind, reference, organization_id, actor_label, created_at) "
                "SELECT indicator_id, %s, reference, NULL, %s, %s FROM fh_import_source "
                "ON CONFLICT (indicator_id, kind, reference) DO NOTHING "
                "RETURNING id, indicator_id) "
                f"INSERT INTO {sightings} (indicator_id, kind, source_id, reporter_identity, "
                "created_at) SELECT indicator_id, %s, id, '', %s FROM made",
                [SourceKind.IMPORT, actor_label, now, SightingKind.SEEN, now])
        return
    _require_write_lock()
    at = connection.ops.adapt_datetimefield_value(now)
    before = _insert_sqlite(sources, _SOURCE_COLUMNS, (
        (pk, SourceKind.IMPORT, reference, actor_label, at) for pk, reference in pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sightings} (indicator_id, kind, source_id, "  # noqa: S608
            f"reporter_identity, created_at) SELECT indicator_id, %s, id, '', created_at "
            f"FROM {sources} WHERE id > %s", [SightingKind.SEEN, before])


def update_existing(updates: list[Update], *, actor: Actor, reason: str, now: datetime) -> int:
    """Write what an import brings to existing indicators; returns how many statuses changed
    (each through ``indicator_transition``, so each is audited)."""
    changed: list[Indicator] = []
    for update in updates:
        old = update.existing
        if not update.changes_fields:
            continue
        indicator = Indicator(
            pk=old.pk, confidence=old.confidence, base_confidence=old.base_confidence,
            confidence_changed_at=old.confidence_changed_at, decay_at=old.decay_at,
            first_seen=update.first_seen or old.first_seen,
            last_seen=max(now if update.seen else old.last_seen, update.last_seen or old.last_seen),
            fraud_types=update.fraud_types, updated_at=now)
        if update.confidence is not None:
            indicator.confidence = indicator.base_confidence = update.confidence
            indicator.confidence_changed_at = now
            indicator.decay_at = now + policy.DECAY_STEP if update.confidence else None
        changed.append(indicator)
    Indicator.objects.bulk_update(
        changed, ["confidence", "base_confidence", "confidence_changed_at", "decay_at",
                  "first_seen", "last_seen", "fraud_types", "updated_at"], batch_size=_BULK)
    raised = {u.existing.pk: u.status for u in updates if u.status != u.existing.status}
    for indicator in Indicator.objects.filter(pk__in=list(raised)).order_by("pk"):
        indicator_transition(actor=actor, indicator=indicator, status=raised[indicator.pk],
                             reason=reason)
    return len(raised)


def refresh_statistics() -> None:
    """Fresh planner statistics during and after a bulk load (PostgreSQL).

    Without them (autovacuum off, or not round yet) the planner prices ``value IN (...)`` of a
    few hundred values as most of the table and reads the table whole: every batch of an import
    (and every bulk lookup) would scan ever more rows. ANALYZE samples a fixed number of rows,
    so it takes about a second whatever the size. SQLite's planner trusts its indexes without
    statistics.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Indicator, IndicatorSource, Sighting):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
