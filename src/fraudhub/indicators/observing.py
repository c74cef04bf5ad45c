"""Sightings of many values at once: what every report, authority request and partner feeds in.

A report brings its target and the values found in its text, a batch of reports or an authority
request hundreds of them. Recording them one at a time cost some fifteen statements a value
(lock, create, source, "is this reporter new", sighting, update, two audit appends); here a call
costs a fixed handful of statements whatever its size, with the same rows and audit entries as
one value at a time would leave.

Locks are taken in one order -- existing indicators by type and id, new ones inserted sorted by
type and value -- so two calls on overlapping values wait for each other instead of
deadlocking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record_many
from fraudhub.core.bulk import rows_update
from fraudhub.core.models import Organization
from fraudhub.indicators import policy
from fraudhub.indicators.models import (
    AllowlistEntry,
    Indicator,
    IndicatorSource,
    IndicatorStatus,
    Sighting,
    SightingKind,
    SourceKind,
)
from fraudhub.indicators.transitions import (
    UNCONFIRMED,
    indicator_transition_spec,
    match_key_for,
    set_confidence,
)

_FIELDS_CHANGED_BY_A_SIGHTING = ["last_seen", "reporter_count", "fraud_types", "status",
                                 "base_confidence", "confidence", "confidence_changed_at",
                                 "decay_at", "updated_at"]


@dataclass(frozen=True)
class Observation:
    type: str
    value: str
    fraud_type: str = ""
    reporter_identity: str = ""
    reference: str = ""  # what it came from (a report's tracking code); else the call's


Key = tuple[str, str]


def _lock_existing(keys: Sequence[Key]) -> dict[Key, Indicator]:
    by_type: dict[str, list[str]] = {}
    for type_key, value in keys:
        by_type.setdefault(type_key, []).append(value)
    found: dict[Key, Indicator] = {}
    for type_key, values in sorted(by_type.items()):
        for indicator in (Indicator.objects.select_for_update()
                          .filter(type=type_key, value__in=values).order_by("pk")):
            found[(indicator.type, indicator.value)] = indicator
    return found


def _new_indicator(key: Key, allowlisted: bool, now: datetime) -> Indicator:
    type_key, value = key
    return Indicator(
        type=type_key, value=value, match_key=match_key_for(type_key, value),
        status=IndicatorStatus.SAFE if allowlisted else IndicatorStatus.NO_DATA,
        allowlisted=allowlisted, confidence_changed_at=now, first_seen=now, last_seen=now,
    )


def _create_missing(missing: Sequence[Key], now: datetime) -> tuple[dict[Key, Indicator],
                                                                    set[Key]]:
    """The missing values' rows, locked, and which of them this call created."""
    if not missing:
        return {}, set()
    allowed: set[Key] = set()
    for type_key in sorted({t for t, _v in missing}):
        values = [v for t, v in missing if t == type_key]
        allowed.update((type_key, v) for v in AllowlistEntry.objects.filter(
            type=type_key, value__in=values, active=True).values_list("value", flat=True))
    try:
        with transaction.atomic():
            Indicator.objects.bulk_create(
                [_new_indicator(key, key in allowed, now) for key in sorted(missing)])
        created = set(missing)
    except IntegrityError:
        # Another transaction created some of them since we looked: take each on its own.
        created = set()
        for key in sorted(missing):
            try:
                with transaction.atomic():
                    _new_indicator(key, key in allowed, now).save(force_insert=True)
                created.add(key)
            except IntegrityError:
                pass
    return _lock_existing(missing), created


def _sources(indicators: dict[Key, Indicator], wanted: set[tuple[Key, str]], *, kind: str,
             actor: Actor, organization: Organization | None,
             now: datetime) -> dict[tuple[Key, str], IndicatorSource]:
    """One source row per (indicator, reference), made when missing."""
    ids = {indicators[key].pk: key for key, _ref in wanted}
    references = {ref for _key, ref in wanted}
    found = {(ids[s.indicator_id], s.reference): s for s in IndicatorSource.objects.filter(
        indicator_id__in=list(ids), kind=kind, reference__in=list(references))
        if (ids[s.indicator_id], s.reference) in wanted}
    missing = sorted(wanted - found.keys())
    if missing:
        IndicatorSource.objects.bulk_create(
            [IndicatorSource(indicator=indicators[key], kind=kind, reference=ref,
                             organization=organization, actor_label=actor.label[:200],
                             created_at=now) for key, ref in missing],
            ignore_conflicts=True)  # a concurrent call made the same source: its row will do
        refetch = {indicators[key].pk for key, _ref in missing}
        found.update({(ids[s.indicator_id], s.reference): s
                      for s in IndicatorSource.objects.filter(
                          indicator_id__in=list(refetch), kind=kind,
                          reference__in=list({ref for _key, ref in missing}))
                      if (ids[s.indicator_id], s.reference) in wanted})
    return found


def _known_reporters(indicators: dict[Key, Indicator],
                     identities: set[str]) -> set[tuple[int, str]]:
    if not identities:
        return set()
    return set(Sighting.objects.filter(
        indicator_id__in=[i.pk for i in indicators.values()], kind=SightingKind.SEEN,
        reporter_identity__in=list(identities)).values_list("indicator_id", "reporter_identity"))


def indicators_observe_many(
    *, actor: Actor, observations: Sequence[Observation], source_kind: str, reference: str = "",
    organization: Organization | None = None,
) -> list[Indicator]:
    """Record a `seen` sighting for every observation. Runs in the caller's transaction.

    A value nobody reported before becomes `suspicious`; more distinct reporters raise its
    confidence. Allowlisted and tombstoned values keep their status: a report does not list an
    official hotline, nor relist a value its owner had delisted, until a reviewer confirms it.
    Answers the indicator of each observation, in order.
    """
    if not observations:
        return []
    now = timezone.now()
    keys = sorted({(o.type, o.value) for o in observations})
    indicators = _lock_existing(keys)
    made, created = _create_missing([k for k in keys if k not in indicators], now)
    indicators.update(made)
    refs = [(o.reference or reference)[:200] for o in observations]
    sources = _sources(indicators, {((o.type, o.value), ref) for o, ref in
                                    zip(observations, refs, strict=True)},
                       kind=source_kind, actor=actor, organization=organization, now=now)
    counted = _known_reporters(indicators, {o.reporter_identity for o in observations
                                            if o.reporter_identity})
    sightings: list[Sighting] = []
    specs: list[AuditSpec] = []
    for observation, ref in zip(observations, refs, strict=True):
        key = (observation.type, observation.value)
        indicator = indicators[key]
        identity = observation.reporter_identity
        sightings.append(Sighting(indicator=indicator, kind=SightingKind.SEEN,
                                  source=sources[(key, ref)], reporter_identity=identity[:100],
                                  created_at=now))
        indicator.last_seen = now
        if identity and (indicator.pk, identity[:100]) not in counted:
            indicator.reporter_count += 1
            counted.add((indicator.pk, identity[:100]))
        if observation.fraud_type and observation.fraud_type not in indicator.fraud_types:
            indicator.fraud_types = [*indicator.fraud_types, observation.fraud_type]
        if indicator.status in UNCONFIRMED and indicator.removed_at is None:
            set_confidence(indicator, policy.reported_confidence(indicator.reporter_count), now)
        if key in created:
            created.discard(key)  # its first observation announces it
            specs.append(AuditSpec(
                action="indicator.create", object_type="indicator", object_id=indicator.pk,
                new={"type": indicator.type, "value": indicator.value,
                     "status": indicator.status, "source": f"{source_kind}:{ref}"}))
        if indicator.status == IndicatorStatus.NO_DATA and indicator.removed_at is None:
            spec = indicator_transition_spec(indicator=indicator,
                                             status=IndicatorStatus.SUSPICIOUS,
                                             reason=f"reported ({source_kind} {ref})")
            if spec is not None:
                specs.append(spec)
    Sighting.objects.bulk_create(sightings)
    for indicator in indicators.values():
        indicator.updated_at = now
    rows_update(objects=list(indicators.values()), fields=_FIELDS_CHANGED_BY_A_SIGHTING)
    if specs:
        audit_record_many(actor=actor, specs=specs)
    return [indicators[(o.type, o.value)] for o in observations]


def sightings_reattribute(*, reference: str, old_identity: str, new_identity: str,
                          now: datetime) -> list[int]:
    """Move the `seen` sightings recorded from one report (its tracking code) from one reporter
    identity to another, keeping each value's count of distinct reporters true. Runs in the
    caller's transaction; answers the ids of the indicators whose sightings moved.

    Used when a reporter confirms the e-mail address of a report filed under its connection:
    the connection may have reported the value in other reports too (it keeps counting), the
    address may have reported it before (it is not counted twice).
    """
    moved = Sighting.objects.filter(
        kind=SightingKind.SEEN, reporter_identity=old_identity[:100],
        source__reference=reference, source__kind__in=[SourceKind.REPORT, SourceKind.AUTHORITY])
    ids = set(moved.values_list("indicator_id", flat=True))
    if not ids or old_identity == new_identity:
        return []
    indicators = list(Indicator.objects.select_for_update().filter(pk__in=ids)
                      .order_by("type", "pk"))
    seen = Sighting.objects.filter(indicator_id__in=ids, kind=SightingKind.SEEN)
    new_counted_before = set(seen.filter(reporter_identity=new_identity[:100])
                             .values_list("indicator_id", flat=True))
    Sighting.objects.filter(pk__in=list(moved.values_list("pk", flat=True))).update(
        reporter_identity=new_identity[:100])
    old_still_counted = set(seen.filter(reporter_identity=old_identity[:100])
                            .values_list("indicator_id", flat=True))
    for indicator in indicators:
        change = ((0 if indicator.pk in old_still_counted else -1)
                  + (0 if indicator.pk in new_counted_before else 1))
        if change == 0:
            continue
        indicator.reporter_count = max(0, indicator.reporter_count + change)
        if indicator.status in UNCONFIRMED and indicator.removed_at is None:
            set_confidence(indicator, policy.reported_confidence(indicator.reporter_count), now)
        indicator.updated_at = now
    rows_update(objects=indicators, fields=["reporter_count", "base_confidence", "confidence",
                                            "confidence_changed_at", "decay_at", "updated_at"])
    return sorted(ids)
