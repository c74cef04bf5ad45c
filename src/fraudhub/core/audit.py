"""The append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash; the chain head row is locked
by every append so two transactions can never both extend the same predecessor. Verification
recomputes the whole chain and names the first row that does not fit.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from fraudhub.core.actors import Actor
from fraudhub.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def _plain(value: Any) -> Any:
    """Reduce values to JSON primitives so the stored and the hashed form are the same."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


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
    every writer is held as briefly as possible.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change")
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    created_at = timezone.now().astimezone(UTC)
    entries: list[AuditEntry] = []
    seq, prev_hash = head.seq, head.hash
    for spec in specs:
        seq += 1
        by = spec.actor or actor
        fields: dict[str, Any] = {
            "seq": seq,
            "created_at": created_at,
            "actor_kind": by.kind,
            "actor_id": by.id,
            "actor_label": by.label[:200],
            "action": spec.action,
            "object_type": spec.object_type,
            "object_id": str(spec.object_id),
            "old": _plain(dict(spec.old) if spec.old is not None else None),
            "new": _plain(dict(spec.new) if spec.new is not None else None),
            "ip": _normalize_ip(by.ip),
            "prev_hash": prev_hash,
        }
        prev_hash = entry_digest(**fields)
        entries.append(AuditEntry(hash=prev_hash, **fields))
    AuditEntry.objects.bulk_create(entries)
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return entries


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def audit_verify() -> AuditVerification:
    """Recompute the chain; report the first entry that was edited, removed or inserted."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    with transaction.atomic():
        for entry in _entries():
            if entry.seq != expected_seq:
                return AuditVerification(
                    False, checked, expected_seq,
                    f"entry {expected_seq} is missing (next present is {entry.seq})",
                )
            if entry.prev_hash != expected_prev:
                return AuditVerification(
                    False, checked, entry.seq, "previous-hash link does not match"
                )
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
        head = AuditChainHead.objects.filter(pk=1).first()
        head_seq = head.seq if head else 0
        head_hash = head.hash if head else GENESIS_HASH
        if head_seq != checked or head_hash != expected_prev:
            return AuditVerification(
                False, checked, checked + 1 if head_seq > checked else head_seq,
                f"chain head says {head_seq} entries, {checked} found: the newest were removed",
            )
    return AuditVerification(True, checked)
