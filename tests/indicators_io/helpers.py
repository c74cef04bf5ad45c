"""Helpers of the import/export tests: files, snapshots of the indicator tables."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from fraudhub.core.models import AuditEntry
from fraudhub.indicators.models import Indicator, IndicatorSource, Sighting

HEADER = ("value", "type", "status", "confidence", "fraud_type", "source", "distribution")


def write_csv(path: Path, rows: Sequence[Sequence[str]],
              header: tuple[str, ...] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def summary_of(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        label, sep, value = line.partition(":")
        if sep and value.strip():
            found[label.strip()] = value.strip().replace(",", "")
    return found


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot() -> dict[str, Any]:
    """Everything an import may touch (audit rows except the imports' own)."""
    return {
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "sources": list(IndicatorSource.objects.order_by("pk").values()),
        "sightings": list(Sighting.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.exclude(action="indicators.import")
                      .order_by("seq").values_list("seq", "action", "object_id")),
    }


def get(value: str) -> Indicator:
    return Indicator.objects.get(value=value)


def wipe_indicators() -> None:
    """An empty indicator database (tests only: nothing is ever deleted in FraudHub)."""
    Sighting.objects.all().delete()
    IndicatorSource.objects.all().delete()
    Indicator.objects.all().delete()
