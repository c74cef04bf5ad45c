from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from fraudhub.cases.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseStatus,
    Decision,
    Enforcement,
    EnforcementStatus,
    Queue,
)
from fraudhub.cases.schemas import (
    AppealDecisionIn,
    AppealOut,
    BadFaithIn,
    CaseDecisionOut,
    CaseDetailOut,
    CaseOut,
    CaseReportOut,
    DecisionIn,
    EnforcementOut,
    HistoryOut,
    IndicatorOut,
    OwnerAppealIn,
    ReporterOut,
)
from fraudhub.cases.selectors import (
    appeal_list,
    case_detail,
    case_list,
    enforcement_list,
)
from fraudhub.cases.services.appeals import (
    AppealDecisionInput,
    appeal_decide,
    appeal_file_by_owner_token,
    appeal_file_by_reporter,
    appeal_file_for_owner,
)
from fraudhub.cases.services.claims import case_claim, case_release
from fraudhub.cases.services.decisions import DecisionInput, decision_create
from fraudhub.cases.services.enforcement import enforcement_retry
from fraudhub.cases.services.reporters import reporter_mark_bad_faith
from fraudhub.cases.strikes import StrikeSummary, strike_summaries, strike_summary
from fraudhub.core.errors import NotFound, ValidationFailed
from fraudhub.core.http import authorize, needs, one_of
from fraudhub.core.roles import Perm
from fraudhub.reports.schemas import ReporterAppealIn

router = Router(tags=["cases"])
MAX_OFFSET = 1_000_000


class CaseFilter(Schema):
    queue: str | None = Field(None, json_schema_extra=one_of(Queue.values))
    status: str | None = Field(None, json_schema_extra=one_of(CaseStatus.values))
    limit: int = 100
    offset: int = 0


def case_out(case: Case, *, proposal: StrikeSummary | None = None) -> CaseOut:
    """`proposal`: the case's strike summary when the caller has it already (a page of cases
    reads them all at once); read here otherwise."""
    if proposal is None:
        proposal = strike_summary(target=case.target, now=timezone.now())
    return CaseOut(
        id=case.pk, target=case.target.display, target_value=case.target.canonical,
        target_kind=case.target.kind, platform=case.target.platform, queue=case.queue,
        status=case.status, priority=case.priority, report_count=case.report_count,
        reporter_count=case.reporter_count, fraud_type=case.fraud_type,
        opened_at=case.opened_at, due_at=case.due_at, claimed_by=case.claimed_by_label,
        claim_expires_at=case.claim_expires_at,
        proposed_outcome=proposal.proposed_outcome, proposed_days=proposal.proposed_days,
        proposal_reason=proposal.reason,
    )


# A webhook's error can quote the platform's answer at length: the first part tells what failed.
ENFORCEMENT_ERROR_SHOWN = 500


def enforcement_out(enforcement: Enforcement) -> EnforcementOut:
    return EnforcementOut(
        id=enforcement.pk, decision_id=enforcement.decision_id,
        case_id=enforcement.decision.case_id, action=enforcement.action,
        adapter=enforcement.adapter, status=enforcement.status, attempts=enforcement.attempts,
        next_attempt_at=enforcement.next_attempt_at, delivered_at=enforcement.delivered_at,
        last_error=enforcement.last_error[:ENFORCEMENT_ERROR_SHOWN])


def decision_out(decision: Decision, enforcements: list[Enforcement]) -> CaseDecisionOut:
    return CaseDecisionOut(
        id=decision.pk, outcome=decision.outcome, ground=decision.ground, facts=decision.facts,
        days=decision.days, ends_at=decision.ends_at, decided_by=decision.decided_by_label,
        decided_at=decision.decided_at, is_current=decision.is_current,
        statement_of_reasons=decision.statement,
        enforcements=[enforcement_out(e) for e in enforcements],
    )


@router.get("/cases", response=list[CaseOut], openapi_extra=needs(Perm.CASE_LIST, 422))
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> list[CaseOut]:
    authorize(request, Perm.CASE_LIST)
    errors: dict[str, list[str]] = {}
    if filters.queue and filters.queue not in Queue.values:
        errors["queue"] = [_("One of: %(v)s") % {"v": ", ".join(Queue.values)}]
    if filters.status and filters.status not in CaseStatus.values:
        errors["status"] = [_("One of: %(v)s") % {"v": ", ".join(CaseStatus.values)}]
    if not 1 <= filters.limit <= 500:
        errors["limit"] = [_("Between 1 and 500.")]
    if not 0 <= filters.offset <= MAX_OFFSET:
        errors["offset"] = [_("Between 0 and %(n)d.") % {"n": MAX_OFFSET}]
    if errors:
        raise ValidationFailed(_("Invalid filter."), field_errors=errors)
    cases = list(case_list(queue=filters.queue, status=filters.status, limit=filters.limit,
                           offset=filters.offset))
    proposals = strike_summaries(targets=[c.target for c in cases], now=timezone.now())
    return [case_out(c, proposal=proposals[c.target_id]) for c in cases]


@router.get("/cases/{case_id}", response=CaseDetailOut,
            openapi_extra=needs(Perm.CASE_VIEW, 404, 422))
def get_case(request: HttpRequest, case_id: int) -> CaseDetailOut:
    authorize(request, Perm.CASE_VIEW)
    detail = case_detail(case_id=case_id)
    if detail is None:
        raise NotFound(_("No such case."))
    evidence_by_report: dict[int, list[int]] = {}
    for item in detail.evidence:
        evidence_by_report.setdefault(item.report_id, []).append(item.pk)
    base = case_out(detail.case, proposal=detail.strikes).model_dump()
    return CaseDetailOut(
        **base,
        target_status=detail.case.target.platform_status,
        reports=[
            CaseReportOut(
                tracking_code=r.tracking_code, status=r.status, source=r.source,
                fraud_type=r.fraud_type, description=r.description, target_raw=r.target_raw,
                created_at=r.created_at, reporter_id=r.reporter_id,
                reporter_reputation=r.reporter.reputation if r.reporter else None,
                evidence_ids=evidence_by_report.get(r.pk, []),
            ) for r in detail.reports
        ],
        indicators=[IndicatorOut(type=t, value=v, reports=n) for t, v, n in detail.indicators],
        decisions=[decision_out(d, list(d.enforcements.all())) for d in detail.decisions],
        history=[
            HistoryOut(at=h.created_at, actor=h.actor_label, action=h.action, old=h.old, new=h.new)
            for h in detail.history
        ],
        strikes_30d=detail.strikes.strikes_short,
        strikes_90d=detail.strikes.strikes_long,
        temporary_locks=detail.strikes.temporary_locks,
    )


@router.post("/cases/{case_id}/claim", response=CaseOut,
             openapi_extra=needs(Perm.CASE_CLAIM, 404, 409, 422))
def claim_case(request: HttpRequest, case_id: int) -> CaseOut:
    actor = authorize(request, Perm.CASE_CLAIM)
    return case_out(case_claim(actor=actor, case_id=case_id))


@router.post("/cases/{case_id}/release", response=CaseOut,
             openapi_extra=needs(Perm.CASE_CLAIM, 404, 409, 422))
def release_case(request: HttpRequest, case_id: int) -> CaseOut:
    actor = authorize(request, Perm.CASE_CLAIM)
    return case_out(case_release(actor=actor, case_id=case_id))


@router.post("/cases/{case_id}/decision", response={201: CaseDecisionOut},
             openapi_extra=needs(Perm.CASE_DECIDE, 400, 404, 409, 413, 422))
def decide_case(
    request: HttpRequest, case_id: int, payload: DecisionIn
) -> Status[CaseDecisionOut]:
    actor = authorize(request, Perm.CASE_DECIDE)
    d = decision_create(actor=actor, case_id=case_id, data=DecisionInput(
        outcome=payload.outcome, ground=payload.ground, facts=payload.facts, days=payload.days,
        automated_detection=payload.automated_detection,
    ))
    return Status(201, decision_out(d, list(d.enforcements.order_by("created_at", "pk"))))


class EnforcementFilter(Schema):
    status: str | None = Field(None, json_schema_extra=one_of(EnforcementStatus.values))
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


@router.get("/enforcements", response=list[EnforcementOut],
            openapi_extra=needs(Perm.CASE_VIEW, 422), summary="Deliveries of decisions")
def list_enforcements(request: HttpRequest,
                      filters: Query[EnforcementFilter]) -> list[EnforcementOut]:
    """Deliveries of decisions to the platform, newest first; `status=given_up` lists those
    that stopped retrying and need a person."""
    authorize(request, Perm.CASE_VIEW)
    if filters.status is not None and filters.status not in EnforcementStatus.values:
        raise ValidationFailed(_("Unknown status."), field_errors={
            "status": [_("One of: %(all)s") % {"all": ", ".join(EnforcementStatus.values)}]})
    return [enforcement_out(e) for e in enforcement_list(
        status=filters.status, limit=filters.limit, offset=filters.offset)]


@router.post("/enforcements/{enforcement_id}/retry", response=EnforcementOut,
             openapi_extra=needs(Perm.CASE_DECIDE, 404, 409, 422),
             summary="Send a given-up delivery again")
def retry_enforcement(request: HttpRequest, enforcement_id: int) -> EnforcementOut:
    """Only a delivery that was given up (409 otherwise); it starts again from its first
    attempt, with the same idempotency key."""
    actor = authorize(request, Perm.CASE_DECIDE)
    return enforcement_out(enforcement_retry(actor=actor, enforcement_id=enforcement_id))


@router.post("/reporters/{reporter_id}/bad-faith", response=ReporterOut,
             openapi_extra=needs(Perm.REPORTER_MARK_BAD_FAITH, 400, 404, 413, 422))
def mark_bad_faith(request: HttpRequest, reporter_id: int, payload: BadFaithIn) -> ReporterOut:
    actor = authorize(request, Perm.REPORTER_MARK_BAD_FAITH)
    r = reporter_mark_bad_faith(actor=actor, reporter_id=reporter_id, reason=payload.reason,
                                days=payload.days)
    return ReporterOut(id=r.pk, reputation=r.reputation, upheld_count=r.upheld_count,
                       rejected_count=r.rejected_count, bad_faith_until=r.bad_faith_until)


def appeal_out(a: Appeal) -> AppealOut:
    return AppealOut(
        id=a.pk, case_id=a.case_id, decision_id=a.decision_id, appellant_kind=a.appellant_kind,
        status=a.status, statement=a.statement, filed_at=a.filed_at, decided_at=a.decided_at,
        reasons=a.reasons, new_decision_id=a.new_decision_id,
    )


OWNER_APPEAL_RULE = ("holder of a signed owner appeal token, or "
                     f"{Perm.APPEAL_FILE_FOR_OWNER.value} with a key of a platform organization")


@router.post("/appeals", response={201: AppealOut},
             openapi_extra=needs(OWNER_APPEAL_RULE, 400, 403, 404, 409, 413, 422, public=True))
def file_owner_appeal(request: HttpRequest, payload: OwnerAppealIn) -> Status[AppealOut]:
    if payload.token:
        actor = authorize(request, Perm.REPORT_CREATE)
        appeal = appeal_file_by_owner_token(actor=actor, token=payload.token,
                                            statement=payload.statement,
                                            contact_email=payload.contact_email,
                                            language=payload.language)
    elif payload.decision_id is not None:
        actor = authorize(request, Perm.APPEAL_FILE_FOR_OWNER)
        appeal = appeal_file_for_owner(actor=actor, decision_id=payload.decision_id,
                                       statement=payload.statement,
                                       contact_email=payload.contact_email,
                                       language=payload.language)
    else:
        raise ValidationFailed(_("Give the appeal token or the decision id."),
                               field_errors={"token": [_("Required.")]})
    return Status(201, appeal_out(appeal))


@router.post("/reports/{tracking_code}/appeal", response={201: AppealOut},
             openapi_extra=needs("holder of the report secret (X-Report-Secret)",
                                 400, 403, 404, 409, 413, 422, public=True))
def file_reporter_appeal(
    request: HttpRequest, tracking_code: str, payload: ReporterAppealIn,
    x_report_secret: str = Header(default="", alias="X-Report-Secret"),
) -> Status[AppealOut]:
    actor = authorize(request, Perm.REPORT_CREATE)
    appeal = appeal_file_by_reporter(actor=actor, tracking_code=tracking_code,
                                     secret=x_report_secret, statement=payload.statement)
    return Status(201, appeal_out(appeal))


@router.get("/appeals", response=list[AppealOut], openapi_extra=needs(Perm.CASE_LIST, 422))
def list_appeals(
    request: HttpRequest,
    status: Annotated[str | None, Field(
        json_schema_extra=one_of(["", *AppealStatus.values]),
        description="Empty for every status.")] = "open",
) -> list[AppealOut]:
    authorize(request, Perm.CASE_LIST)
    if status and status not in AppealStatus.values:
        raise ValidationFailed(_("Invalid filter."), field_errors={
            "status": [_("One of: %(v)s") % {"v": ", ".join(AppealStatus.values)}]})
    return [appeal_out(a) for a in appeal_list(status=status or None)[:500]]


@router.post("/appeals/{appeal_id}/decision", response=AppealOut,
             openapi_extra=needs(Perm.APPEAL_DECIDE, 400, 404, 409, 413, 422))
def decide_appeal(request: HttpRequest, appeal_id: int, payload: AppealDecisionIn) -> AppealOut:
    actor = authorize(request, Perm.APPEAL_DECIDE)
    appeal = appeal_decide(actor=actor, appeal_id=appeal_id, data=AppealDecisionInput(
        outcome=payload.outcome, reasons=payload.reasons,
        replacement_outcome=payload.replacement_outcome,
        replacement_ground=payload.replacement_ground,
        replacement_days=payload.replacement_days,
    ))
    return appeal_out(appeal)
