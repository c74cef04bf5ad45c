"""The append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash; the chain head row is locked
by every append so two transactions can never both extend the same predecessor. Verification
recomputes the whole chain and names the first row that does not fit.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import math
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fraudhub.core.actors import Actor
from fraudhub.core.models import ApiKey, AuditChainHead, AuditEntry, Organization

GENESIS_HASH = "0" * 64


def _stored_float(text: str) -> float | int:
    """A JSON number as a PostgreSQL jsonb column gives it back: there numbers are decimals, so
    a float of 1e16 or more (always whole) returns as an int and -0.0 as 0.0. Hashing what the
    column will return keeps an intact entry verifying on every database."""
    number = float(text)
    if number == 0:
        return 0.0
    if abs(number) >= 1e16 and math.isfinite(number):
        return int(Decimal(text))
    return number


def _plain(value: Any) -> Any:
    """Reduce values to JSON primitives so the stored and the hashed form are the same."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder), parse_float=_stored_float)


def _normalize_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def entry_digest(
    *,
    seq: int,
    created_at: datetime,
    actor_kind: str,
    actor_id: str,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    old: Any,
    new: Any,
    ip: str | None,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "old": old,
        "new": new,
        "ip": ip,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditSpec:
    """One change to record; `audit_record_many` appends several under one chain lock.

    `actor` names who made this change when one transaction records changes of several
    people (intake files concurrent callers' reports together); by default it is the caller's.
    """

    action: str
    object_type: str
    object_id: object
    old: Mapping[str, Any] | None = None
    new: Mapping[str, Any] | None = None
    actor: Actor | None = None


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction that makes the change it records."""
    return audit_record_many(
        actor=actor, specs=[AuditSpec(action, object_type, object_id, old, new)]
    )[0]


def audit_record_many(*, actor: Actor, specs: list[AuditSpec]) -> list[AuditEntry]:
    """Append entries in order under one lock of the chain head.

    Busy write paths call this last, just before their commit, so the lock that serializes
    every writer is held as briefly as possible: everything of an entry but its place in the
    chain (sequence number, time, previous hash) is prepared before the lock is taken.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change")
    prepared = [_PreparedEntry.of(spec, spec.actor or actor) for spec in specs]
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    created_at = timezone.now().astimezone(UTC)
    stamp = _json(created_at.isoformat(timespec="microseconds"))
    entries: list[AuditEntry] = []
    seq, prev_hash = head.seq, head.hash
    for entry in prepared:
        seq += 1
        digest = entry.digest(seq=seq, stamp=stamp, prev_hash=prev_hash)
        entries.append(AuditEntry(seq=seq, created_at=created_at, prev_hash=prev_hash,
                                  hash=digest, **entry.fields))
        prev_hash = digest
    AuditEntry.objects.bulk_create(entries)
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return entries


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class _PreparedEntry:
    """An entry's fields and its digest's JSON text around the parts the chain decides.

    The digest hashes the entry as one JSON object with sorted keys (see entry_digest):
    `created_at` falls between the actor's and the object's keys, `prev_hash` and `seq` come
    last, so the text is `before` + time + `after` + chain, the same bytes entry_digest hashes.
    """

    fields: dict[str, Any]
    before: str
    after: str

    @classmethod
    def of(cls, spec: AuditSpec, by: Actor) -> _PreparedEntry:
        fields: dict[str, Any] = {
            "actor_kind": by.kind,
            "actor_id": by.id,
            "actor_label": by.label[:200],
            "action": spec.action,
            "object_type": spec.object_type,
            "object_id": str(spec.object_id),
            "old": _plain(dict(spec.old) if spec.old is not None else None),
            "new": _plain(dict(spec.new) if spec.new is not None else None),
            "ip": _normalize_ip(by.ip),
        }
        actor_part = _json({k: fields[k] for k in ("action", "actor_id", "actor_kind",
                                                   "actor_label")})
        object_part = _json({k: fields[k] for k in ("ip", "new", "object_id", "object_type",
                                                    "old")})
        return cls(fields=fields, before=actor_part[:-1] + ',"created_at":',
                   after="," + object_part[1:-1])

    def digest(self, *, seq: int, stamp: str, prev_hash: str) -> str:
        encoded = f'{self.before}{stamp}{self.after},"prev_hash":{_json(prev_hash)},"seq":{seq}}}'
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


_CHUNK = 500


@dataclass(frozen=True)
class _Unreadable:
    """A row the database or the JSON decoder cannot read back: edited beyond its columns."""

    seq: int | None  # None: the sequence number itself is not a number
    error: str


def _read(rows: QuerySet[AuditEntry]) -> list[AuditEntry] | str:
    """The rows, or why they cannot be read (in a savepoint: the transaction goes on)."""
    try:
        with transaction.atomic():
            return list(rows)
    except (DatabaseError, RecursionError, ValueError, OverflowError) as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def _entries() -> Iterator[AuditEntry | _Unreadable]:
    """Every entry in order, by chunks; in a chunk that cannot be read, each row on its own, so
    that the first unreadable one is named."""
    last = None
    while True:
        chunk = AuditEntry.objects.order_by("seq")
        if last is not None:
            chunk = chunk.filter(seq__gt=last)
        found = list(chunk.values_list("seq", flat=True)[:_CHUNK])
        if not found:
            return
        # SQLite keeps what an edit wrote, a text or a fraction where the number was.
        seqs = [seq for seq in found if type(seq) is int]
        if seqs:
            rows = _read(chunk.filter(seq__lte=seqs[-1]))
            if isinstance(rows, list):
                yield from (row for row in rows if type(row.seq) is int)
            else:
                for seq in seqs:
                    one = _read(AuditEntry.objects.filter(seq=seq))
                    if isinstance(one, list):
                        yield from one
                    else:
                        yield _Unreadable(seq, one)
        if len(seqs) < len(found):
            odd = next(seq for seq in found if type(seq) is not int)
            yield _Unreadable(None, f"its sequence number is not a whole number: {odd!r}"[:200])
            return
        last = seqs[-1]


def _made_by_audited_services() -> int:
    """Rows that only audited services create: with none of the log left, it was wiped."""
    return ApiKey.objects.count() + Organization.objects.count()


@dataclass(frozen=True)
class AuditAnchor:
    """An entry's hash written down outside the database (``seq:hash``).

    The chain proves that no entry was changed without recomputing every later hash, but whoever
    can write SQL can recompute them, and the head with them. A head read out now and kept
    elsewhere (an e-mail, a transparency report, another system) pins everything up to it:
    ``fraudhub audit verify --anchor`` fails once any of it was rewritten.
    """

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


_ANCHOR = re.compile(r"([1-9][0-9]{0,18}):([0-9a-f]{64})")


def audit_anchor_parse(text: str) -> AuditAnchor:
    """``seq:hash`` as printed by ``fraudhub audit head``; ValueError when it is not one."""
    found = _ANCHOR.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(f"not an anchor (SEQ:SHA256 as printed by 'fraudhub audit head'): "
                         f"{text.strip()[:80]!r}")
    return AuditAnchor(int(found[1]), found[2])


def audit_head() -> AuditAnchor | None:
    """The newest entry's anchor, None while the log is empty."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    return AuditAnchor(head.seq, head.hash)


def audit_verify(*, anchors: Sequence[AuditAnchor] = ()) -> AuditVerification:
    """Recompute the chain; report the first entry that was edited, removed or inserted.

    Each anchor's entry must still carry the anchored hash: a log rewritten with recomputed
    hashes is whole as a chain, but not the one that was anchored.
    """
    result = _verify_chain()
    if not result.ok:
        return result
    for anchor in sorted(anchors, key=lambda a: a.seq):
        stored = AuditEntry.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
        if stored is None:
            return AuditVerification(
                False, result.checked, anchor.seq,
                f"anchored entry {anchor.seq} is gone: the log holds {result.checked} entries")
        if stored != anchor.hash:
            return AuditVerification(
                False, result.checked, anchor.seq,
                f"entry {anchor.seq} is not the anchored one ({anchor.hash[:12]}…): the log was "
                f"rewritten up to it, hashes recomputed")
    return result


def _verify_chain() -> AuditVerification:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    with transaction.atomic():
        for entry in _entries():
            if isinstance(entry, _Unreadable):
                seq = entry.seq if entry.seq is not None else expected_seq
                return AuditVerification(False, checked, seq,
                                         f"the entry cannot be read back ({entry.error})")
            if entry.seq < expected_seq:  # only before the first: sequence numbers are unique
                return AuditVerification(
                    False, checked, entry.seq,
                    f"entry {entry.seq} was inserted: the log starts at entry 1",
                )
            if entry.seq != expected_seq:
                return AuditVerification(
                    False, checked, expected_seq,
                    f"entry {expected_seq} is missing (next present is {entry.seq})",
                )
            if entry.prev_hash != expected_prev:
                return AuditVerification(
                    False, checked, entry.seq, "previous-hash link does not match"
                )
            if entry.created_at is None:  # SQLite: a time Django cannot parse reads as None
                return AuditVerification(False, checked, entry.seq,
                                         "the entry cannot be read back (its time is not a time)")
            recomputed = entry_digest(
                seq=entry.seq,
                created_at=entry.created_at,
                actor_kind=entry.actor_kind,
                actor_id=entry.actor_id,
                actor_label=entry.actor_label,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                old=entry.old,
                new=entry.new,
                ip=entry.ip,
                prev_hash=entry.prev_hash,
            )
            if recomputed != entry.hash:
                return AuditVerification(False, checked, entry.seq, "content was changed")
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
        return _check_head(checked, expected_prev)


def _check_head(checked: int, last_hash: str) -> AuditVerification:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            return AuditVerification(False, checked, None, "the chain head row is missing")
        if made := _made_by_audited_services():
            return AuditVerification(
                False, 0, 1, f"the log and its head are gone although {made} API keys and "
                "organizations, each made with an entry, exist: the entries were removed")
        return AuditVerification(True, 0)
    if head.seq > checked:
        return AuditVerification(
            False, checked, checked + 1,
            f"chain head says {head.seq} entries, {checked} found: the newest were removed")
    if head.seq < checked:
        return AuditVerification(
            False, checked, head.seq + 1,
            f"chain head says {head.seq} entries, {checked} found: the head was set back")
    if head.hash != last_hash:
        return AuditVerification(False, checked, None,
                                 "the chain head's hash is not the last entry's")
    return AuditVerification(True, checked)


_anchor_published_at: float | None = None
anchor_logger = logging.getLogger("fraudhub.audit")


def audit_anchor_publish_when_due() -> int:
    """Publish the head once every FRAUDHUB_AUDIT_ANCHOR_HOURS per process: 1 when it did.

    An anchor helps only where the database's administrators cannot change it: the worker's log
    (shipped off the machine in most deployments) and, when FRAUDHUB_AUDIT_ANCHOR_EMAIL is set,
    a mail to that witness. A failed mail is tried again at the next housekeeping round.
    """
    global _anchor_published_at
    every = settings.FRAUDHUB_AUDIT_ANCHOR_HOURS * 3600
    if every <= 0 or (_anchor_published_at is not None
                      and time.monotonic() - _anchor_published_at < every):
        return 0
    head = audit_head()
    if head is None:
        return 0
    anchor_logger.info("audit head %s (keep it: fraudhub audit verify --anchor %s)", head, head)
    if settings.FRAUDHUB_AUDIT_ANCHOR_EMAIL:
        site = settings.FRAUDHUB_BASE_URL
        send_mail(
            subject=f"FraudHub audit anchor {head.seq}",
            message=(f"The audit log of {site} holds {head.seq} entries; the newest one's hash "
                     f"is {head.hash}.\n\nAnchor: {head}\n\nKeep this message. To check later "
                     f"that no entry up to it was changed or removed:\n"
                     f"  fraudhub audit verify --anchor {head}\n"),
            from_email=None, recipient_list=[settings.FRAUDHUB_AUDIT_ANCHOR_EMAIL])
    _anchor_published_at = time.monotonic()
    return 1
