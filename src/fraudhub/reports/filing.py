"""Filing checked reports: each joins its target's open case, in one transaction per call.

`report_create` files one report through here and `report_create_many` a batch; both take the
same locks in the same order (see cases/services/intake.py), so a batch of a hundred reports
costs about as many statements as a single one. A call may carry reports of several callers
(`Submission`): concurrent single reports are filed together (reports/combined.py).

Evidence files are written before the transaction, so no lock waits for the disk, and removed
again when the filing is not kept: a storage that cannot take them (disk full, over quota, not
writable) fails the filing with EvidenceNotStored before anything of it is in the database.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fraudhub.cases.models import Case, ReportSource, Target
from fraudhub.cases.services.intake import (
    CaseClosedMeanwhile,
    CaseOpening,
    case_count_report,
    case_open_audit,
    cases_find_or_open,
    cases_hold,
    cases_save_counts,
    targets_get_or_create,
)
from fraudhub.cases.targets import CanonicalTarget
from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record_many
from fraudhub.core.jobs import enqueue
from fraudhub.core.models import OrganizationKind
from fraudhub.core.roles import Role
from fraudhub.core.uploads import UploadNotStored, uploads_remove, uploads_write
from fraudhub.indicators.extract import FoundIndicator, extract
from fraudhub.reports.evidence import CheckedEvidence
from fraudhub.reports.identity import reporter_identity
from fraudhub.reports.models import (
    Evidence,
    PendingReport,
    Report,
    Reporter,
    ReportIndicator,
    ReportStatus,
)

INDICATOR_VALUE_MAX = 512
REPORT_BATCH_MAX = 100  # reports per call of POST /api/v1/reports/batch, one transaction
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud
# A filing runs again when a tracking code clashes or a case it joins was decided meanwhile.
_FILING_ATTEMPTS = 5


@dataclass(frozen=True)
class PreparedReport:
    """A report that passed validation, with its target canonicalized and evidence checked."""

    target_kind: str
    target_raw: str
    canonical: CanonicalTarget
    fraud_type: str
    severity: int
    description: str
    language: str
    reporter_email: str
    reporter_name: str
    reporter_phone: str
    evidence: list[CheckedEvidence]


@dataclass(frozen=True)
class AcceptedAs:
    """What a reporter was answered when the report was accepted before being filed."""

    tracking_code: str
    secret_hash: str
    accepted_at: datetime


@dataclass(frozen=True)
class Submission:
    """A checked report and who files it; `accepted` when the reporter has its code already."""

    actor: Actor
    item: PreparedReport
    accepted: AcceptedAs | None = None


@dataclass(frozen=True)
class FiledReport:
    report: Report
    secret: str

    @property
    def tracking_code(self) -> str:
        return self.report.tracking_code

    @property
    def status(self) -> str:
        return self.report.status


class EvidenceNotStored(UploadNotStored):
    """The storage did not take a report's evidence files; none of them is left behind.

    Not a DomainError: filing may run in another caller's thread (a combined round), so the
    reporter's own service call turns it into StorageUnavailable, in the reporter's language.
    """


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tracking_code_new() -> str:
    # One read of the system's randomness, not one per character: each byte picks a symbol
    # without bias, 256 being a multiple of the alphabet's 32.
    body = "".join(_CODE_ALPHABET[byte % len(_CODE_ALPHABET)] for byte in secrets.token_bytes(10))
    return f"FH-{body[:5]}-{body[5:]}"


def _source_for(actor: Actor) -> str:
    org = actor.organization
    # The role alone is not the authority: an officer's user is not checked for an agency
    # when made (keys are), and one of no agency must not jump every citizen's queue.
    if actor.role == Role.AGENCY_OFFICER and org is not None and (
            org.kind == OrganizationKind.AGENCY):
        return ReportSource.AUTHORITY
    if org is not None and org.is_trusted_flagger:
        return ReportSource.TRUSTED_FLAGGER
    if actor.role == Role.PARTNER:
        return ReportSource.PARTNER
    return ReportSource.CITIZEN


def reporters_get_or_create(submissions: Sequence[Submission]) -> list[Reporter]:
    identities = [reporter_identity(s.actor) for s in submissions]
    actors = dict(zip(identities, (s.actor for s in submissions), strict=True))
    found = reporters_held(set(identities))
    missing = sorted(set(identities) - found.keys())
    if missing:
        Reporter.objects.bulk_create(
            [Reporter(identity=i, user=actors[i].user, organization=actors[i].organization)
             for i in missing],
            ignore_conflicts=True,  # a concurrent request created it: its row is the one
        )
        # All of them again, so that they are held in one statement, in id order.
        found = reporters_held(set(identities))
    return [found[identity] for identity in identities]


def reporters_held(identities: set[str]) -> dict[str, Reporter]:
    """The reporters with these identities, held until this filing commits.

    A bad-faith marking locks its reporter (FOR UPDATE) before the reporter's cases; filing
    took the cases first and met the reporter only when its report's foreign key was checked:
    the two deadlocked, and a report counted just before a marking committed stayed live after
    it. Read here FOR KEY SHARE (which a marking waits for and which decisions updating a
    reputation do not), either the marking waits for this filing and then closes its reports,
    or this filing waits for the marking and files them as suspended. SQLite runs one writing
    transaction at a time (IMMEDIATE), so there is nothing to order there.
    """
    if connection.vendor != "postgresql":
        return {r.identity: r for r in Reporter.objects.filter(identity__in=identities)}
    table = connection.ops.quote_name(Reporter._meta.db_table)
    held = Reporter.objects.raw(
        f"SELECT * FROM {table} WHERE identity = ANY(%s) ORDER BY id FOR KEY SHARE",  # noqa: S608
        [sorted(identities)])
    return {r.identity: r for r in held}


def _counted_pairs(reporters: Sequence[Reporter], cases: Iterable[Case],
                   filed: Sequence[Report]) -> set[tuple[int, int]]:
    """(reporter, case) pairs where the reporter had a report in the case before `filed`."""
    return set(
        Report.objects.filter(case_id__in={c.pk for c in cases},
                              reporter_id__in={r.pk for r in reporters})
        .exclude(pk__in=[r.pk for r in filed])
        .values_list("reporter_id", "case_id").distinct()
    )


def _indicators_of(report: Report, item: PreparedReport,
                   found: list[FoundIndicator]) -> list[ReportIndicator]:
    canonical = item.canonical
    return [ReportIndicator(report=report, type=canonical.indicator_type,
                            value=canonical.canonical, raw=item.target_raw[:512],
                            from_target=True)] + [
        ReportIndicator(report=report, type=f.type, value=f.value, raw=f.raw[:512])
        for f in found
        if (f.type, f.value) != (canonical.indicator_type, canonical.canonical)
        # a longer value cannot be stored whole, and a cut one would be a wrong value
        and len(f.value) <= INDICATOR_VALUE_MAX
    ]


def _insert_reports(reports: list[Report]) -> None:
    """Insert, with fresh tracking codes where none was handed out yet; a clash with an
    existing code fails the filing transaction, which _file runs again (a savepoint for so
    rare a case cost two statements a filing)."""
    fresh = [report for report in reports if not report.tracking_code]
    for report in fresh:
        report.tracking_code = tracking_code_new()
    # A code an accepted report holds (reports/inbox.py) is not in this table yet: taken here,
    # that report could never be filed under the code its reporter holds.
    held = set(PendingReport.objects.filter(tracking_code__in=[r.tracking_code for r in fresh])
               .values_list("tracking_code", flat=True)) if fresh else set()
    for report in fresh:
        while report.tracking_code in held:
            report.tracking_code = tracking_code_new()
    Report.objects.bulk_create(reports)


def _tracking_code_clash(exc: IntegrityError) -> bool:
    # PostgreSQL names the constraint and the key, SQLite the column: both say tracking_code.
    return "tracking_code" in str(exc)


def evidence_write(files: Sequence[CheckedEvidence]) -> list[Evidence]:
    """Write a report's evidence files: the rows to insert with the report, all or none.

    Raises EvidenceNotStored, having removed what it wrote, when the storage fails.
    """
    evidence = [Evidence(original_name=item.name, content_type=item.content_type,
                         extension=item.extension, size=len(item.content), sha256=item.sha256)
                for item in files]
    try:
        uploads_write([(row.file, item.name, item.content)
                       for row, item in zip(evidence, files, strict=True)])
    except UploadNotStored as exc:
        raise EvidenceNotStored(str(exc)) from exc
    return evidence


def evidence_remove(evidence: Iterable[Evidence]) -> None:
    uploads_remove(item.file for item in evidence)


@dataclass
class _Filing:
    """One report on its way in: what the transaction decided about it."""

    actor: Actor
    source: str
    item: PreparedReport
    found: list[FoundIndicator]
    secret: str  # empty when the reporter was answered before filing (`accepted`)
    accepted: AcceptedAs | None
    target: Target
    reporter: Reporter
    case: Case | None = None
    # The case.open audit row when this report opened its case, as the case stood then.
    opened_case: AuditSpec | None = None


def reports_file(
    *, actor: Actor, items: Sequence[PreparedReport]
) -> list[FiledReport | EvidenceNotStored]:
    """File for `actor`, in one transaction, every item whose evidence the storage takes.

    One outcome per item, in order: an item whose evidence cannot be stored is answered with
    its EvidenceNotStored and leaves nothing behind; the others are filed all or none.
    """
    outcomes: list[list[Evidence] | EvidenceNotStored] = []
    for item in items:
        try:
            outcomes.append(evidence_write(item.evidence))
        except EvidenceNotStored as exc:
            outcomes.append(exc)
    stored = [(Submission(actor=actor, item=item), written)
              for item, written in zip(items, outcomes, strict=True)
              if not isinstance(written, EvidenceNotStored)]
    filed = iter(_file([s for s, _w in stored], [w for _s, w in stored]) if stored else [])
    return [outcome if isinstance(outcome, EvidenceNotStored) else next(filed)
            for outcome in outcomes]


def submissions_file(*, submissions: Sequence[Submission]) -> list[FiledReport]:
    """File every submission, in order; all of them or none (one transaction).

    Raises EvidenceNotStored when the storage does not take a submission's evidence.
    """
    written: list[list[Evidence]] = []
    try:
        for submission in submissions:
            written.append(evidence_write(submission.item.evidence))
    except EvidenceNotStored:
        evidence_remove(chain.from_iterable(written))
        raise
    return _file(submissions, written)


def _file(submissions: Sequence[Submission],
          evidence: Sequence[list[Evidence]]) -> list[FiledReport]:
    """The filing transaction, with each submission's evidence rows, their files written.

    When it is not kept, neither are the files, which no row would name. A rollback of a
    caller's transaction around it (submission_file in an atomic block) comes too late for
    that: Django tells no one.
    """
    try:
        return submissions_file_stored(submissions=submissions, evidence=evidence)
    except BaseException:
        evidence_remove(chain.from_iterable(evidence))
        raise


def submissions_file_stored(*, submissions: Sequence[Submission],
                            evidence: Sequence[list[Evidence]]) -> list[FiledReport]:
    """File submissions whose evidence files are stored already; the files stay if it fails.

    All of them or none, in one transaction (run again when a case it joins was decided
    meanwhile or a fresh tracking code clashed).
    """
    for attempt in range(1, _FILING_ATTEMPTS + 1):
        try:
            return _file_in_transaction(submissions, evidence)
        except CaseClosedMeanwhile:
            if attempt == _FILING_ATTEMPTS:
                raise
        except IntegrityError as exc:
            if attempt == _FILING_ATTEMPTS or not _tracking_code_clash(exc):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _file_in_transaction(submissions: Sequence[Submission],
                         evidence: Sequence[list[Evidence]]) -> list[FiledReport]:
    # Extraction is pure CPU work: do it before taking any lock.
    found = [extract(s.item.description) for s in submissions]
    now = timezone.now()
    with transaction.atomic():
        targets = targets_get_or_create(canonicals=[s.item.canonical for s in submissions])
        reporters = reporters_get_or_create(submissions)
        filings = [
            _Filing(actor=s.actor, source=_source_for(s.actor), item=s.item, found=found[i],
                    secret="" if s.accepted else secrets.token_urlsafe(18), accepted=s.accepted,
                    target=targets[(s.item.canonical.indicator_type, s.item.canonical.canonical)],
                    reporter=reporters[i])
            for i, s in enumerate(submissions)
        ]
        counted = [f for f in filings if not _suspended(f.reporter, now)]
        opened = _find_cases(counted, now=now)
        reports = [_report_of(f, now=now) for f in filings]
        _insert_reports(reports)
        ReportIndicator.objects.bulk_create(
            [row for f, report in zip(filings, reports, strict=True)
             for row in _indicators_of(report, f.item, f.found)]
        )
        for report, rows in zip(reports, evidence, strict=True):
            for row in rows:
                row.report = report
        Evidence.objects.bulk_create(list(chain.from_iterable(evidence)))
        from fraudhub.reports.tasks import record_reports_indicators, send_report_receipts

        # The indicator database is fed by a job: the reporter's answer need not wait for it.
        enqueue(record_reports_indicators, report_ids=[r.pk for r in reports])
        with_email = [r.pk for r in reports if r.reporter_email]
        if with_email:
            enqueue(send_report_receipts, report_ids=with_email)
        # The locks other filings wait for, last: the cases, then the audit chain's head.
        _count_into_cases(counted, reports, opened=opened, now=now)
        for f, report in zip(filings, reports, strict=True):
            report.case = f.case  # the case as counted, not as found
        audit_record_many(actor=submissions[0].actor,
                          specs=_audit_specs(filings, reports, evidence))
    return [FiledReport(report=r, secret=f.secret) for f, r in zip(filings, reports, strict=True)]


def _suspended(reporter: Reporter, now: datetime) -> bool:
    return reporter.bad_faith_until is not None and reporter.bad_faith_until > now


def _find_cases(counted: list[_Filing], *, now: datetime) -> set[int]:
    """Give each counted filing its target's open case (opened if missing); the ids opened."""
    if not counted:
        return set()
    openings: dict[int, CaseOpening] = {}
    for f in counted:
        openings.setdefault(f.target.pk, CaseOpening(
            source=f.source, fraud_type=f.item.fraud_type, severity=f.item.severity))
    cases, opened = cases_find_or_open(targets=[f.target for f in counted], openings=openings,
                                       now=now)
    for f in counted:
        f.case = cases[f.target.pk]
    return opened


def _count_into_cases(counted: list[_Filing], reports: list[Report], *, opened: set[int],
                      now: datetime) -> None:
    """Hold the cases and count the reports in, as the cases stand now."""
    if not counted:
        return
    cases = cases_hold(list({f.case.pk: f.case for f in counted if f.case is not None}.values()))
    seen_pairs = _counted_pairs([f.reporter for f in counted], cases.values(), reports)
    for f in counted:
        assert f.case is not None
        case = cases[f.case.pk]
        pair = (f.reporter.pk, case.pk)
        first_of_new_case = case.pk in opened and case.report_count == 0
        case_count_report(
            case, source=f.source, fraud_type=f.item.fraud_type, severity=f.item.severity,
            new_reporter=pair not in seen_pairs, reporter_reputation=f.reporter.reputation,
            now=now, opened=first_of_new_case,
        )
        if first_of_new_case:
            f.opened_case = replace(case_open_audit(case), actor=f.actor)
        seen_pairs.add(pair)
        f.case = case
    cases_save_counts(list(cases.values()))


def _report_of(f: _Filing, *, now: datetime) -> Report:
    item = f.item
    accepted = f.accepted
    return Report(
        tracking_code=accepted.tracking_code if accepted else "",
        secret_hash=accepted.secret_hash if accepted else hash_secret(f.secret),
        target=f.target, target_kind=item.target_kind,
        target_raw=item.target_raw, platform=item.canonical.platform,
        fraud_type=item.fraud_type, description=item.description, language=item.language,
        source=f.source, reporter=f.reporter, reporter_email=item.reporter_email.strip()[:254],
        reporter_name=item.reporter_name.strip()[:200],
        reporter_phone=item.reporter_phone.strip()[:40], good_faith=True,
        status=ReportStatus.RECEIVED if f.case is not None else ReportStatus.SUSPENDED,
        case=f.case, created_at=accepted.accepted_at if accepted else now,
    )


def _audit_specs(filings: list[_Filing], reports: list[Report],
                 evidence: Sequence[list[Evidence]]) -> list[AuditSpec]:
    specs = []
    for f, report, files in zip(filings, reports, evidence, strict=True):
        if f.opened_case is not None:
            specs.append(f.opened_case)
        specs.append(AuditSpec(
            action="report.create", object_type="report", object_id=report.pk,
            new={"tracking_code": report.tracking_code, "target": f.target.canonical,
                 "case": report.case_id, "status": report.status, "source": f.source,
                 "fraud_type": report.fraud_type,
                 "evidence": [row.sha256 for row in files]},
            actor=f.actor,
        ))
    return specs
