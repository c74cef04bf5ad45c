"""Reading one row of an import: each field checked and normalized, or the reason it is not.

Also run in the worker processes of ``indicators import --jobs``: it needs no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from fraudhub.core.text import ascii_digits, has_unpaired_surrogate
from fraudhub.indicators import policy
from fraudhub.indicators.importing_store import Key
from fraudhub.indicators.models import Distribution, IndicatorStatus
from fraudhub.indicators.types import TYPE_KEYS, InvalidIndicator, canonicalize
from fraudhub.taxonomy.selectors import fraud_type_get

MAX_RAW_LENGTH = 2048
MAX_VALUE_LENGTH = 512  # Indicator.value
MAX_SOURCE_LENGTH = 200  # IndicatorSource.reference
MULTI_SEPARATOR = "|"  # several fraud types or sources in one CSV cell

FIELDS = ("value", "type", "status", "confidence", "fraud_type", "source", "distribution")
# When the source saw the value first and last (an export of another node carries them): kept,
# so that shared data does not all read "first seen today". Dates or ISO 8601 times.
SEEN_FIELDS = ("first_seen", "last_seen")
# Columns an export adds for people to read, and the `line` and `reason` of a rejects file (so a
# corrected rejects file imports as it is): ignored.
INFORMATIONAL_FIELDS = ("reporters", "removed_at", "line", "reason")
_KNOWN_FIELDS = frozenset(FIELDS) | frozenset(SEEN_FIELDS) | frozenset(INFORMATIONAL_FIELDS)
SEEN_FIRST = datetime(2000, 1, 1, tzinfo=UTC)
SEEN_SKEW = timedelta(days=1)  # clocks and time zones of the sources
# Plain strings: reading an enum member or `Choices.values` costs more than the rest of a row.
IMPORT_STATUSES: tuple[str, ...] = tuple(str(s) for s in (
    IndicatorStatus.SCAM, IndicatorStatus.SUSPICIOUS, IndicatorStatus.VERIFYING,
    IndicatorStatus.SAFE))
_SUSPICIOUS, _SAFE, _SCAM = (str(IndicatorStatus.SUSPICIOUS), str(IndicatorStatus.SAFE),
                             str(IndicatorStatus.SCAM))
_DISTRIBUTIONS: tuple[str, ...] = tuple(str(d) for d in Distribution.values)
_PUBLIC = str(Distribution.PUBLIC)


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
    first_seen: datetime | None = None
    last_seen: datetime | None = None

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


def _seen(record: Mapping[str, object], name: str) -> datetime | None:
    text = _text(record, name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            raise RowRejected(f"{name}: {text[:40]!r} is not a date or an ISO 8601 time "
                              "(2025-11-01, 2025-11-01T08:30:00+07:00)") from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if moment < SEEN_FIRST:
        raise RowRejected(f"{name}: {text[:40]} is before the year 2000")
    if moment > timezone.now() + SEEN_SKEW:
        raise RowRejected(f"{name}: {text[:40]} is in the future")
    return moment


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
    first_seen, last_seen = _seen(record, "first_seen"), _seen(record, "last_seen")
    if first_seen is not None and last_seen is not None and last_seen < first_seen:
        raise RowRejected("last_seen: before first_seen")
    return ImportRow(line, found_type, value, status, confidence, tuple(fraud_types),
                     tuple(sources), distribution, index, first_seen, last_seen)


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


