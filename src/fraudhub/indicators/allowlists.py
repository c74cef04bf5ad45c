"""Allowlists (warning lists): shipped data files plus entries admins add."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.roles import Perm
from fraudhub.indicators.models import AllowlistEntry, Indicator, IndicatorStatus
from fraudhub.indicators.transitions import indicator_transition, match_key_for
from fraudhub.indicators.types import InvalidIndicator, canonicalize

logger = logging.getLogger(__name__)
SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "allowlists"


@dataclass(frozen=True)
class ShippedEntry:
    list_name: str
    type: str
    value: str
    label: str


def shipped_entries() -> list[ShippedEntry]:
    entries = []
    for path in sorted(SHIPPED_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                type_key, value = canonicalize(row["value"], row["type"])
                entries.append(ShippedEntry(path.stem, type_key, value, row["label"]))
    return entries


def _safe_indicator(type_key: str, value: str) -> tuple[Indicator, bool]:
    """The value's indicator, locked, or made `safe` (then True). It writes no audit row: a
    caller holds every value it changes before it appends to the audit chain, since a sighting
    creating the same value meanwhile appends to the chain before it commits, and its insert
    is waited for here."""
    indicator = Indicator.objects.select_for_update().filter(type=type_key, value=value).first()
    if indicator is not None:
        return indicator, False
    now = timezone.now()
    try:
        with transaction.atomic():
            return Indicator.objects.create(
                type=type_key, value=value, match_key=match_key_for(type_key, value),
                status=IndicatorStatus.SAFE, allowlisted=True, confidence=100,
                base_confidence=100, confidence_changed_at=now, first_seen=now, last_seen=now,
            ), True
    except IntegrityError:
        # A sighting created the value meanwhile (its insert waited for here): its row is
        # turned safe by _turn_safe.
        return Indicator.objects.select_for_update().get(type=type_key, value=value), False


def _turn_safe(actor: Actor, indicator: Indicator, created: bool, why: str) -> None:
    """The audit of _safe_indicator's work, and an existing indicator turned `safe`."""
    if created:
        audit_record(actor=actor, action="indicator.create", object_type="indicator",
                     object_id=indicator.pk,
                     new={"type": indicator.type, "value": indicator.value,
                          "status": IndicatorStatus.SAFE, "source": why})
        return
    if not indicator.allowlisted:
        indicator.allowlisted = True
        indicator.save(update_fields=["allowlisted", "updated_at"])
    if indicator.status != IndicatorStatus.SAFE:
        indicator_transition(actor=actor, indicator=indicator, status=IndicatorStatus.SAFE,
                             reason=why, override_allowlist=True)


def _mark_safe(actor: Actor, type_key: str, value: str, why: str) -> None:
    """The value's indicator, made or turned `safe` (lookups read indicators only)."""
    indicator, created = _safe_indicator(type_key, value)
    _turn_safe(actor, indicator, created, why)


def allowlist_sync_shipped(*, actor: Actor) -> int:
    """Load the shipped lists (idempotent); returns how many entries were added.

    Every new value's indicator is held (locked or inserted) before the first audit row: the
    audit rows written between the inserts held the chain's head while a later insert waited
    for a sighting's, which waited for that head (deadlock).
    """
    held: list[tuple[ShippedEntry, Indicator, bool]] = []
    with transaction.atomic():
        for entry in sorted(shipped_entries(), key=lambda e: (e.type, e.value)):
            _obj, created = AllowlistEntry.objects.get_or_create(
                type=entry.type, value=entry.value,
                defaults={"list_name": entry.list_name, "label": entry.label, "shipped": True,
                          "added_by": actor.label[:200]},
            )
            if created:
                held.append((entry, *_safe_indicator(entry.type, entry.value)))
        for entry, indicator, made in held:
            _turn_safe(actor, indicator, made, f"allowlist {entry.list_name}")
        if held:
            audit_record(actor=actor, action="allowlist.sync", object_type="allowlist",
                         object_id="shipped", new={"added": len(held)})
    return len(held)


def allowlist_add(
    *, actor: Actor, raw_value: str, type_key: str | None, list_name: str, label: str
) -> AllowlistEntry:
    if not actor.has_perm(Perm.ALLOWLIST_MANAGE):
        raise PermissionDenied(_("Only administrators edit allowlists."))
    try:
        found_type, value = canonicalize(raw_value, type_key)
    except InvalidIndicator as exc:
        raise ValidationFailed(_("Not a valid value."), field_errors={"value": [str(exc)]}) from exc
    with transaction.atomic():
        entry, _created = AllowlistEntry.objects.update_or_create(
            type=found_type, value=value,
            defaults={"list_name": list_name[:64], "label": label[:200], "active": True,
                      "added_by": actor.label[:200]},
        )
        # The value's indicator before the audit chain: a sighting creating the same value
        # meanwhile appends to the chain before it commits, and its insert is waited for here.
        _mark_safe(actor, found_type, value, f"allowlist {list_name}")
        audit_record(actor=actor, action="allowlist.add", object_type="allowlist",
                     object_id=entry.pk, new={"type": found_type, "value": value,
                                              "list": list_name})
    return entry


def indicator_override_allowlist(*, actor: Actor, indicator_id: int, reason: str) -> Indicator:
    """An admin lists an allowlisted value as scam anyway (e.g. a hijacked official page)."""
    if not actor.has_perm(Perm.ALLOWLIST_MANAGE):
        raise PermissionDenied(_("Only administrators override allowlists."))
    if not reason.strip() or "\x00" in reason:
        raise ValidationFailed(_("Give the reason."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().filter(pk=indicator_id).first()
        if indicator is None:
            raise NotFound(_("No such indicator."))
        AllowlistEntry.objects.filter(type=indicator.type, value=indicator.value).update(
            active=False)
        indicator.allowlisted = False
        indicator.save(update_fields=["allowlisted", "updated_at"])
        audit_record(actor=actor, action="allowlist.override", object_type="indicator",
                     object_id=indicator.pk, old={"allowlisted": True},
                     new={"allowlisted": False, "reason": reason[:500]})
        indicator_transition(actor=actor, indicator=indicator, status=IndicatorStatus.SCAM,
                             reason=f"allowlist overridden: {reason}", override_allowlist=True)
    return indicator
