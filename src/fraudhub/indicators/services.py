"""Writes of the indicator database: sightings, status transitions, decay, tombstones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.models import Organization
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.indicators import policy
from fraudhub.indicators.models import (
    Indicator,
    IndicatorSource,
    IndicatorStatus,
    Sighting,
    SightingKind,
    SourceKind,
)
from fraudhub.indicators.observing import Observation, indicators_observe_many
from fraudhub.indicators.transitions import (
    indicator_transition,
    set_confidence,
)


def _source(
    indicator: Indicator, kind: str, reference: str, actor: Actor,
    organization: Organization | None, now: datetime,
) -> IndicatorSource:
    source, _created = IndicatorSource.objects.get_or_create(
        indicator=indicator, kind=kind, reference=reference[:200],
        defaults={"organization": organization, "actor_label": actor.label[:200],
                  "created_at": now},
    )
    return source


def indicators_observe(
    *, actor: Actor, observations: Iterable[Observation], source_kind: str, reference: str,
    organization: Organization | None = None,
) -> list[Indicator]:
    """Record `seen` sightings (from a report, a partner...) that all come from ``reference``.
    Runs in the caller's transaction; see :func:`indicators_observe_many`."""
    return indicators_observe_many(actor=actor, observations=list(observations),
                                   source_kind=source_kind, reference=reference,
                                   organization=organization)


def _locked(values: Iterable[tuple[str, str]]) -> list[Indicator]:
    pairs = set(values)
    if not pairs:
        return []
    by_type: dict[str, set[str]] = {}
    for type_key, value in pairs:
        by_type.setdefault(type_key, set()).add(value)
    found: list[Indicator] = []
    for type_key, type_values in sorted(by_type.items()):
        found.extend(Indicator.objects.select_for_update().filter(
            type=type_key, value__in=sorted(type_values)).order_by("pk"))
    return found


def indicators_hold(*, values: Iterable[tuple[str, str]]) -> None:
    """Lock the indicators of `values` now, in the one order every writer takes them.

    For a transaction that changes them only after it has appended to the audit chain: the
    chain's head is locked until commit, and writers that hold indicators (sightings, imports)
    append last, so taking the indicators after the head closed a cycle.
    """
    _locked(values)


def indicators_confirm(
    *, actor: Actor, values: Iterable[tuple[str, str]], reference: str, source_kind: str,
    confidence: int = policy.CONFIRMED_CONFIDENCE,
) -> list[Indicator]:
    """A decision upheld (or an authority said so): these values are `scam`.

    Allowlisted values are left `safe` and reported back, so the reviewer sees the conflict.
    """
    now = timezone.now()
    skipped: list[Indicator] = []
    for indicator in _locked(values):
        if indicator.allowlisted:
            skipped.append(indicator)
            continue
        _source(indicator, source_kind, reference, actor, None, now)
        if indicator.removed_at is not None:
            indicator.removed_at = None
            audit_record(actor=actor, action="indicator.revive", object_type="indicator",
                         object_id=indicator.pk, old={"removed_by": indicator.removed_by},
                         new={"by": f"{source_kind}:{reference}"})
        set_confidence(indicator, max(confidence, indicator.confidence), now)
        indicator.save()
        indicator_transition(actor=actor, indicator=indicator, status=IndicatorStatus.SCAM,
                             reason=f"confirmed by {source_kind} {reference}")
    return skipped


def indicators_reject(
    *, actor: Actor, values: Iterable[tuple[str, str]], reference: str
) -> None:
    """A 'no violation' decision: a false-positive sighting lowers confidence.

    A value confirmed as scam by another decision stays `scam`; one that was only reported
    drops back to `suspicious`, or to `no_data` once nothing is left of its confidence.
    """
    now = timezone.now()
    for indicator in _locked(values):
        source = _source(indicator, SourceKind.DECISION, reference, actor, None, now)
        Sighting.objects.create(indicator=indicator, kind=SightingKind.FALSE_POSITIVE,
                                source=source, created_at=now)
        set_confidence(indicator, indicator.confidence - policy.FALSE_POSITIVE_PENALTY, now)
        indicator.save()
        if indicator.allowlisted or indicator.status == IndicatorStatus.SCAM:
            continue
        target = (IndicatorStatus.SUSPICIOUS if indicator.confidence > 0
                  else IndicatorStatus.NO_DATA)
        indicator_transition(actor=actor, indicator=indicator, status=target,
                             reason=f"not confirmed: {reference}")


def indicators_set_verifying(
    *, actor: Actor, values: Iterable[tuple[str, str]], verifying: bool, reference: str
) -> None:
    """A case naming these values is (or is no longer) under review."""
    frm, to = ((IndicatorStatus.SUSPICIOUS, IndicatorStatus.VERIFYING) if verifying
               else (IndicatorStatus.VERIFYING, IndicatorStatus.SUSPICIOUS))
    for indicator in _locked(values):
        if indicator.status == frm and not indicator.allowlisted:
            indicator_transition(actor=actor, indicator=indicator, status=to, reason=reference)


def indicator_remove(*, actor: Actor, indicator_id: int, reason: str) -> Indicator:
    """Tombstone: the value answers `no_data`, and who removed it and why are kept."""
    if not actor.has_perm(Perm.INDICATOR_MANAGE):
        raise PermissionDenied(_("You may not remove indicators."))
    if errors := nul_field_errors({"reason": reason}) or (
        {} if reason.strip() else {"reason": [_("Give the reason.")]}
    ):
        raise ValidationFailed(_("The removal is not valid."), field_errors=errors)
    now = timezone.now()
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().filter(pk=indicator_id).first()
        if indicator is None:
            raise NotFound(_("No such indicator."))
        if indicator.removed_at is not None:
            raise Conflict(_("Already removed."))
        indicator.removed_at = now
        indicator.removed_by = actor.label[:200]
        indicator.removed_reason = reason[:2000]
        indicator.save(update_fields=["removed_at", "removed_by", "removed_reason", "updated_at"])
        audit_record(actor=actor, action="indicator.remove", object_type="indicator",
                     object_id=indicator.pk, new={"reason": indicator.removed_reason})
        if indicator.status != IndicatorStatus.NO_DATA and not indicator.allowlisted:
            indicator_transition(actor=actor, indicator=indicator,
                                 status=IndicatorStatus.NO_DATA, reason=f"removed: {reason}")
    return indicator


def indicators_decay(*, actor: Actor, now: datetime | None = None, batch: int = 2000) -> int:
    """Recompute the confidence of values whose decay step is due; expire what reached 0."""
    now = now or timezone.now()
    changed = 0
    due = list(Indicator.objects.filter(decay_at__lte=now).order_by("decay_at")
               .values_list("pk", flat=True)[:batch])
    for pk in due:
        with transaction.atomic():
            indicator = Indicator.objects.select_for_update().get(pk=pk)
            if indicator.decay_at is None or indicator.decay_at > now:
                continue
            indicator.confidence = policy.decayed(
                indicator.base_confidence, changed_at=indicator.confidence_changed_at, now=now,
                type_key=indicator.type)
            indicator.decay_at = now + policy.DECAY_STEP if indicator.confidence > 0 else None
            indicator.save(update_fields=["confidence", "decay_at", "updated_at"])
            changed += 1
            if indicator.confidence == 0:
                Sighting.objects.create(indicator=indicator, kind=SightingKind.EXPIRED,
                                        created_at=now)
                if indicator.status != IndicatorStatus.NO_DATA and not indicator.allowlisted:
                    indicator_transition(actor=actor, indicator=indicator,
                                         status=IndicatorStatus.NO_DATA,
                                         reason="expired: lifetime of the evidence passed")
    return changed


def indicators_unconfirm(*, actor: Actor, values: Iterable[tuple[str, str]], reference: str,
                         still_current: set[str]) -> None:
    """The decision `reference` was reversed: drop what only it had confirmed.

    `still_current` holds the references (``decision:<id>``) of decisions still in force.
    """
    now = timezone.now()
    for indicator in _locked(values):
        if indicator.status != IndicatorStatus.SCAM or indicator.allowlisted:
            continue
        confirmations = set(indicator.sources.filter(
            kind__in=(SourceKind.DECISION, SourceKind.AUTHORITY)).values_list("kind", "reference"))
        other_support = any(
            kind == SourceKind.AUTHORITY or (ref != reference and ref in still_current)
            for kind, ref in confirmations
        )
        if other_support:
            continue
        set_confidence(indicator, policy.reported_confidence(indicator.reporter_count), now)
        indicator.save()
        indicator_transition(actor=actor, indicator=indicator, status=IndicatorStatus.SUSPICIOUS,
                             reason=f"{reference} reversed on appeal")
