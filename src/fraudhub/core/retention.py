"""How long personal contact data is kept, and its erasure (GDPR Art. 5(1)(e), storage
limitation; Vietnam's Decree 13/2023/ND-CP on personal data protection).

Contact data is taken for the mail that follows a report, an appeal or a delisting request:
receipts, the e-mail confirmation link, decision and reversal notices, appeal and delisting
outcomes. Once nothing it serves can change any more, and a grace period of
FRAUDHUB_CONTACT_RETENTION_DAYS has passed (for mail still being retried and questions that
follow an answer), the fields are emptied. The rows stay: reports, appeals and requests with
their statuses and reasons, the keyed reporter identities and their reputation.

Every kind of contact data has its one rule here, in RULES; housekeeping erases what is due
once a day (`personal_data_erase_when_due`) and `fraudhub retention erase` does it on demand.
FRAUDHUB_CONTACT_RETENTION_DAYS = 0 turns erasure off.

Not covered, on purpose: staff accounts' e-mail addresses (kept while the account exists),
organizations' and agency officers' work addresses on authority requests (part of the
official record of the request), and the free text people write (a description may name
someone; it is evidence the decisions rest on).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fraudhub.cases.models import Appeal, AppealStatus, CaseStatus, Decision
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.indicators.models import DelistingRequest, DelistingStatus
from fraudhub.reports.models import PENDING_REPORT_STATUSES, Report

# Rows erased per transaction (and named by one audit entry).
ERASE_BATCH = 500
# Housekeeping runs every minute; a day's wait before erasing costs nothing (the grace period
# is counted in days) and keeps the queries below off the database the rest of the time.
ERASE_EVERY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class RetentionRule:
    """One kind of contact data: where it is, and which rows may lose it at a cutoff."""

    kind: str
    model: type[models.Model]
    # The contact fields emptied, and the field that records when.
    fields: tuple[str, ...]
    erased_at_field: str
    # Rows holding any of `fields` whose retention ended before `cutoff` (now minus the grace
    # period); the appeal window is read from the settings.
    due: Callable[[datetime], QuerySet[Any]]
    # What the data is kept for, in a line (docs/operations.md, retention, says it at length).
    kept_while: str


def _holding(model: type[models.Model], fields: tuple[str, ...]) -> QuerySet[Any]:
    """Rows in which any of `fields` is not empty (an erased row is read no more)."""
    return model._default_manager.exclude(**{field: "" for field in fields})


def _report_contacts_due(cutoff: datetime) -> QuerySet[Report]:
    """A report's contacts serve its receipt and confirmation link while it is pending, then
    the notices of every decision on its case: a decision can be appealed for
    FRAUDHUB_APPEAL_WINDOW_DAYS (by the owner, or by any reporter of the case, whatever the
    status of their own report), and a reversal on appeal notifies the reporters again and
    starts a new window for its new decision. So they go once the report is final, its case
    decided or closed, no appeal on the case open, and the current decision's window, the
    last appeal decision and the report's closing all lie a grace period back.

    Authority requests read no reporter contact; a case an authority still holds is open,
    which keeps its reports' contacts anyway. Superseded decisions cannot be appealed, so only
    current ones count.
    """
    window = timedelta(days=settings.FRAUDHUB_APPEAL_WINDOW_DAYS)
    appeal_held = Appeal.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(status=AppealStatus.OPEN) | Q(decided_at__gt=cutoff))
    still_appealable = Decision.objects.filter(
        case_id=OuterRef("case_id"), is_current=True, decided_at__gt=cutoff - window)
    return (_holding(Report, REPORT_FIELDS)
            .exclude(status__in=PENDING_REPORT_STATUSES)
            # A report suspended at intake never had a closing time: it was final when filed.
            .filter(Q(closed_at__lte=cutoff) | Q(closed_at__isnull=True, created_at__lte=cutoff))
            .filter(Q(case__isnull=True)
                    | Q(case__status__in=(CaseStatus.DECIDED, CaseStatus.CLOSED)))
            .exclude(Exists(appeal_held))
            .exclude(Exists(still_appealable)))


def _appeal_contact_due(cutoff: datetime) -> QuerySet[Appeal]:
    """An appellant's address serves the mail with the appeal's outcome; an appeal is decided
    once (upheld or reversed), and a new appeal carries its own address."""
    return (_holding(Appeal, APPEAL_FIELDS).exclude(status=AppealStatus.OPEN)
            .filter(decided_at__lte=cutoff))


def _delisting_contacts_due(cutoff: datetime) -> QuerySet[DelistingRequest]:
    """A requester's name and address serve the mail with the decision; a request is decided
    once (accepted or rejected)."""
    return (_holding(DelistingRequest, DELISTING_FIELDS).exclude(status=DelistingStatus.OPEN)
            .filter(decided_at__lte=cutoff))


REPORT_FIELDS = ("reporter_email", "reporter_name", "reporter_phone")
APPEAL_FIELDS = ("contact_email",)
DELISTING_FIELDS = ("requester_name", "requester_email")

RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        kind="report", model=Report, fields=REPORT_FIELDS, erased_at_field="contacts_erased_at",
        due=_report_contacts_due,
        kept_while="the report is pending, its case open or under appeal, or a decision on "
                   "its case can still be appealed; then the grace period"),
    RetentionRule(
        kind="appeal", model=Appeal, fields=APPEAL_FIELDS, erased_at_field="contact_erased_at",
        due=_appeal_contact_due,
        kept_while="the appeal is open; then the grace period after its decision"),
    RetentionRule(
        kind="delisting", model=DelistingRequest, fields=DELISTING_FIELDS,
        erased_at_field="contacts_erased_at", due=_delisting_contacts_due,
        kept_while="the delisting request is open; then the grace period after its decision"),
)


def retention_cutoff(now: datetime) -> datetime | None:
    """Contact data whose retention ended before this is erased; None when erasure is off."""
    days = settings.FRAUDHUB_CONTACT_RETENTION_DAYS
    return now - timedelta(days=days) if days > 0 else None


def personal_data_due_counts(*, now: datetime) -> dict[str, int]:
    """How many rows of each kind would lose their contact data at `now` (all 0 when off)."""
    cutoff = retention_cutoff(now)
    return {rule.kind: rule.due(cutoff).count() if cutoff is not None else 0 for rule in RULES}


def personal_data_erase_due(*, actor: Actor, now: datetime) -> dict[str, int]:
    """Empty the contact fields whose retention ended; how many rows of each kind.

    A batch of rows per transaction, each batch with one audit entry naming the rows and the
    fields that held something, never what they held (the audit log is kept for good). The
    rows are locked and checked again before they are written; rows locked elsewhere are left
    for the next run. Nothing filed meanwhile can make a due row needed again: its appeal
    windows ended a grace period ago, so no appeal against its case's decisions can be filed.
    """
    cutoff = retention_cutoff(now)
    erased = {rule.kind: 0 for rule in RULES}
    if cutoff is None:
        return erased
    for rule in RULES:
        after = 0
        while True:
            batch = list(rule.due(cutoff).filter(pk__gt=after).order_by("pk")
                         .values_list("pk", flat=True)[:ERASE_BATCH])
            if not batch:
                break
            after = batch[-1]
            erased[rule.kind] += _erase_batch(rule, batch, actor=actor, now=now, cutoff=cutoff)
    return erased


def _erase_batch(rule: RetentionRule, pks: list[int], *, actor: Actor, now: datetime,
                 cutoff: datetime) -> int:
    manager = rule.model._default_manager
    with transaction.atomic():
        locked = list(manager.select_for_update(skip_locked=True).filter(pk__in=pks)
                      .order_by("pk").values_list("pk", flat=True))
        rows = list(rule.due(cutoff).filter(pk__in=locked).order_by("pk")
                    .values_list("pk", *rule.fields))
        if not rows:
            return 0
        held = {pk: [field for field, value in zip(rule.fields, values, strict=True) if value]
                for pk, *values in rows}
        manager.filter(pk__in=held).update(
            **{field: "" for field in rule.fields}, **{rule.erased_at_field: now})
        audit_record(
            actor=actor, action="personal_data.erase", object_type=rule.kind,
            object_id=f"{rows[0][0]}-{rows[-1][0]}",
            new={"erased": {str(pk): fields for pk, fields in held.items()},
                 "retention_days": settings.FRAUDHUB_CONTACT_RETENTION_DAYS})
    return len(held)


_last_erasure: float | None = None


def personal_data_erase_when_due() -> int:
    """Erase (personal_data_erase_due) once a day per process; the rows erased."""
    global _last_erasure
    if settings.FRAUDHUB_CONTACT_RETENTION_DAYS <= 0 or (
            _last_erasure is not None and time.monotonic() - _last_erasure < ERASE_EVERY_SECONDS):
        return 0
    _last_erasure = time.monotonic()
    done = personal_data_erase_due(actor=Actor.system("retention"), now=timezone.now())
    return sum(done.values())


def forget_last_erasure() -> None:
    """The next housekeeping round erases (tests, and a worker told to start afresh)."""
    global _last_erasure
    _last_erasure = None
