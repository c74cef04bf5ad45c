"""Streaming export of the indicator database as CSV or JSON Lines (`fraudhub indicators export`).

The rows are read through a database iterator in chunks, so memory stays flat however large the
database is. The columns are those an import reads (``value``, ``type``, ``status``,
``confidence``, ``fraud_type``, ``source``, ``distribution``) followed by ``first_seen`` and
``last_seen`` (an import keeps them too) and ``reporters`` (which it ignores), and
``removed_at`` with removed values, whose rows an import refuses (a removal is not undone by
importing the export).
Several fraud types or sources are joined with ``|`` in CSV and are lists in JSON Lines. The
sources exported are the references of earlier imports; provenance of other kinds (reports,
decisions, authorities) stays in the database that holds it.

By default the export holds the values an import can take back: statuses ``scam``,
``suspicious``, ``verifying`` and ``safe``, without tombstoned (removed) values. So an export
imported into an empty database gives back the same values, statuses, confidences, fraud types,
distributions and import sources.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from fraudhub.core.actors import Actor
from fraudhub.core.errors import PermissionDenied, ValidationFailed
from fraudhub.core.roles import Perm
from fraudhub.indicators.importing import (
    FIELDS,
    IMPORT_STATUSES,
    MULTI_SEPARATOR,
    SEEN_FIELDS,
)
from fraudhub.indicators.models import (
    Distribution,
    Indicator,
    IndicatorSource,
    IndicatorStatus,
    SourceKind,
)
from fraudhub.indicators.types import TYPE_KEYS

DEFAULT_CHUNK = 5000
# After the fields an import reads: the sightings (an import keeps them) and the reporters.
AFTER_FIELDS = (*SEEN_FIELDS, "reporters")
_COLUMNS = ("pk", "value", "type", "status", "confidence", "fraud_types", "distribution",
            "first_seen", "last_seen", "reporter_count", "removed_at")


@dataclass(frozen=True)
class ExportFilter:
    statuses: Sequence[str] = ()  # empty: every status an import takes (all with removed ones)
    types: Sequence[str] = ()
    distributions: Sequence[str] = ()
    include_removed: bool = False

    def errors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, given, allowed in (("status", self.statuses, IndicatorStatus.values),
                                     ("type", self.types, TYPE_KEYS),
                                     ("distribution", self.distributions, Distribution.values)):
            unknown = [v for v in given if v not in allowed]
            if unknown:
                found[name] = [_("Unknown: %(v)s (one of %(all)s).") % {
                    "v": ", ".join(unknown), "all": ", ".join(allowed)}]
        return found


def export_columns(include_removed: bool = False) -> tuple[str, ...]:
    return (*FIELDS, *AFTER_FIELDS, *(("removed_at",) if include_removed else ()))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _chunked(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def indicators_export(*, actor: Actor, where: ExportFilter,
                      chunk_size: int = DEFAULT_CHUNK) -> Iterator[dict[str, Any]]:
    """The indicators matching ``where``, one dict per value (lists for several items)."""
    if not actor.has_perm(Perm.INDICATOR_MANAGE):
        raise PermissionDenied(_("You may not export indicators."))
    if errors := where.errors():
        raise ValidationFailed(_("The export filter is not valid."), field_errors=errors)
    query = Q()
    if where.statuses:
        query &= Q(status__in=list(where.statuses))
    elif not where.include_removed:
        query &= Q(status__in=list(IMPORT_STATUSES))
    if where.types:
        query &= Q(type__in=list(where.types))
    if where.distributions:
        query &= Q(distribution__in=list(where.distributions))
    if not where.include_removed:
        query &= Q(removed_at__isnull=True)
    rows = (Indicator.objects.filter(query).order_by("pk").values_list(*_COLUMNS)
            .iterator(chunk_size=chunk_size))
    for chunk in _chunked(rows, chunk_size):
        sources: dict[int, list[str]] = {}
        for pk, reference in IndicatorSource.objects.filter(
                indicator_id__in=[row[0] for row in chunk], kind=SourceKind.IMPORT
        ).order_by("pk").values_list("indicator_id", "reference"):
            sources.setdefault(pk, []).append(reference)
        for (pk, value, type_key, status, confidence, fraud_types, distribution, first_seen,
             last_seen, reporters, removed_at) in chunk:
            item: dict[str, Any] = {
                "value": value, "type": type_key, "status": status, "confidence": confidence,
                "fraud_type": list(fraud_types or []), "source": sources.get(pk, []),
                "distribution": distribution, "first_seen": _iso(first_seen),
                "last_seen": _iso(last_seen), "reporters": reporters,
            }
            if where.include_removed:
                item["removed_at"] = _iso(removed_at)
            yield item


def write_csv(items: Iterator[dict[str, Any]], out: IO[str], *, include_removed: bool = False
              ) -> int:
    columns = export_columns(include_removed)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for item in items:
        writer.writerow([MULTI_SEPARATOR.join(v) if isinstance(v, list) else
                         ("" if v is None else v) for v in (item[c] for c in columns)])
        count += 1
    return count


def write_jsonl(items: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count
