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
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change")
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    created_at = timezone.now().astimezone(UTC)
    # Microsecond precision is what both databases keep, so the hash survives a round trip.
    created_at = created_at.replace(microsecond=created_at.microsecond)
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "created_at": created_at,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_label": actor.label[:200],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "old": _plain(dict(old) if old is not None else None),
        "new": _plain(dict(new) if new is not None else None),
        "ip": _normalize_ip(actor.ip),
        "prev_hash": head.hash,
    }
    digest = entry_digest(**fields)
    entry = AuditEntry.objects.create(hash=digest, **fields)
    head.seq = entry.seq
    head.hash = digest
    head.save(update_fields=["seq", "hash"])
    return entry


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
