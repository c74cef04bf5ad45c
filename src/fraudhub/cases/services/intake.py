"""Attaching new reports to the one open case of their targets.

Every writer here runs inside its caller's transaction and takes its row locks in one order
(targets, then cases by target id, then the audit head last), so concurrent intake requests,
single or batched, wait for each other but never deadlock. A filing finds or opens its cases
first and holds them only at the end (`cases_hold`), after its reports are written: filings of
one busy case wait for each other only for counting and the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from fraudhub.cases.models import OPEN_CASE_STATUSES, Case, CaseStatus, ReportSource, Target
from fraudhub.cases.priority import due_for, higher_source, reprioritize
from fraudhub.cases.targets import CanonicalTarget
from fraudhub.core.audit import AuditSpec
from fraudhub.core.bulk import rows_update

TargetKey = tuple[str, str]  # (indicator_type, canonical)


def _targets_by_key(keys: Iterable[TargetKey]) -> dict[TargetKey, Target]:
    keys = set(keys)
    rows = Target.objects.filter(
        indicator_type__in={k[0] for k in keys}, canonical__in={k[1] for k in keys}
    )
    return {key: t for t in rows if (key := (t.indicator_type, t.canonical)) in keys}


def targets_get_or_create(*, canonicals: Sequence[CanonicalTarget]) -> dict[TargetKey, Target]:
    """The target of each canonical form, created where missing (one read when all exist)."""
    wanted = {(c.indicator_type, c.canonical): c for c in canonicals}
    found = _targets_by_key(wanted)
    missing = sorted(key for key in wanted if key not in found)
    if missing:
        # A concurrent request may insert the same target: its row wins and ours is skipped.
        Target.objects.bulk_create(
            [Target(kind=wanted[key].kind, indicator_type=key[0], canonical=key[1],
                    display=wanted[key].display, platform=wanted[key].platform)
             for key in missing],
            ignore_conflicts=True,
        )
        found.update(_targets_by_key(missing))
    return found


def target_get_or_create(*, canonical: CanonicalTarget) -> Target:
    return targets_get_or_create(canonicals=[canonical])[
        (canonical.indicator_type, canonical.canonical)]


@dataclass(frozen=True)
class CaseOpening:
    """What a new case starts from: the first report about its target."""

    source: str
    fraud_type: str
    severity: int


def _open_cases(target_ids: Iterable[int]) -> dict[int, Case]:
    rows = Case.objects.filter(target_id__in=set(target_ids), status__in=OPEN_CASE_STATUSES)
    return {case.target_id: case for case in rows}


def cases_find_or_open(
    *, targets: Sequence[Target], openings: dict[int, CaseOpening], now: datetime
) -> tuple[dict[int, Case], set[int]]:
    """The open case of each target, by target id, opening those missing; and the opened ids.

    The cases found are not locked: new reports can reference them while other filings of the
    same cases run, and `cases_hold` takes them, last, to count the reports in. Cases are
    opened in target order, which keeps two filings naming the same targets from deadlocking.
    """
    by_target = {t.pk: t for t in targets}
    cases = _open_cases(by_target)
    to_open = []
    for target_id in sorted(by_target.keys() - cases.keys()):
        opening = openings[target_id]
        case = Case(target=by_target[target_id], status=CaseStatus.OPEN,
                    fraud_type=opening.fraud_type, max_severity=opening.severity,
                    top_source=opening.source, opened_at=now)
        case.due_at = due_for(case)
        to_open.append(case)
    opened: set[int] = set()
    if to_open:
        try:
            with transaction.atomic():
                Case.objects.bulk_create(to_open)
            opened = {case.pk for case in to_open}
            cases.update((case.target_id, case) for case in to_open)
        except IntegrityError:
            # Another filing opened one of these cases meanwhile: take each one by one.
            opened = _open_one_by_one(to_open)
            cases.update(_open_cases(c.target_id for c in to_open))
    for case in cases.values():
        case.target = by_target[case.target_id]
    return cases, opened


class CaseClosedMeanwhile(Exception):
    """A case found open by `cases_find_or_open` was decided before `cases_hold` took it."""


def cases_hold(cases: Sequence[Case]) -> dict[int, Case]:
    """Lock `cases` (found or opened by this transaction) and read them as they are now.

    The lock does not conflict with the key share lock each new report takes on its case, so
    filings of the same case wait for one another only here, at the end of their transaction,
    and a decision waits for the reports already inserted. Raises CaseClosedMeanwhile when a
    case is no longer open: the filing runs again and opens a new one.
    """
    by_id = {case.pk: case for case in cases}
    held = {case.pk: case for case in Case.objects.select_for_update(no_key=True)
            .filter(pk__in=by_id).order_by("target_id")}
    for pk, case in by_id.items():
        fresh = held.get(pk)
        if fresh is None or fresh.status not in OPEN_CASE_STATUSES:
            raise CaseClosedMeanwhile(pk)
        fresh.target = case.target
    return held


def _open_one_by_one(to_open: list[Case]) -> set[int]:
    opened = set()
    for case in to_open:
        case.pk = None
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            opened.add(case.pk)
        except IntegrityError:
            continue
    return opened


def case_count_report(
    case: Case, *, source: str, fraud_type: str, severity: int, new_reporter: bool,
    reporter_reputation: int, now: datetime, opened: bool,
) -> None:
    """Count one more report into `case` (in memory; `cases_save_counts` writes them)."""
    case.report_count += 1
    if new_reporter:
        case.reporter_count += 1
        case.reputation_total += reporter_reputation
    if severity > case.max_severity:
        case.max_severity = severity
        case.fraud_type = fraud_type
    raised = higher_source(case.top_source, source) != case.top_source
    case.top_source = higher_source(case.top_source, source)
    reprioritize(case, now=now, source_raised=opened or raised)


_COUNTED_FIELDS = ["report_count", "reporter_count", "reputation_total", "max_severity",
                   "fraud_type", "top_source", "priority", "queue", "due_at"]


def cases_save_counts(cases: Sequence[Case]) -> None:
    """Write the counted fields of `cases` (locked or opened by this transaction)."""
    rows_update(objects=cases, fields=_COUNTED_FIELDS)


def case_open_audit(case: Case) -> AuditSpec:
    """The audit record of a case opened by `cases_find_or_open`, for the caller to append."""
    return AuditSpec(
        action="case.open", object_type="case", object_id=case.pk,
        new={"target": case.target.canonical, "queue": case.queue, "due_at": case.due_at},
    )


def case_open_for_authority(
    *, target: Target, fraud_type: str, severity: int, due_at: datetime, now: datetime
) -> tuple[Case, bool]:
    """The open case of `target` in the authority queue, due no later than `due_at`.

    An authority's request joins a case citizens opened already (their reports stay counted);
    the case moves to the authority queue and its deadline is pulled in, never pushed out.
    Runs inside the caller's transaction, which writes the audit rows.
    """
    case = (
        Case.objects.select_for_update()
        .filter(target=target, status__in=OPEN_CASE_STATUSES)
        .first()
    )
    created = False
    if case is None:
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    target=target, status=CaseStatus.OPEN, fraud_type=fraud_type,
                    max_severity=severity, top_source=ReportSource.AUTHORITY, opened_at=now,
                    due_at=due_at,
                )
                created = True
        except IntegrityError:
            case = Case.objects.select_for_update().get(
                target=target, status__in=OPEN_CASE_STATUSES
            )
    if severity > case.max_severity:
        case.max_severity = severity
        case.fraud_type = fraud_type
    case.top_source = ReportSource.AUTHORITY
    reprioritize(case, now=now, source_raised=False)
    case.due_at = due_at if created else min(case.due_at, due_at)
    case.save(update_fields=["max_severity", "fraud_type", "top_source", "priority", "queue",
                             "due_at"])
    return case, created
