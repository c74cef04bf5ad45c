"""Appeals: filed by the account owner or the reporter, decided by a different senior reviewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.agencies.services.outcomes import request_targets_on_reversal
from fraudhub.cases.machines import APPEAL_MACHINE, CASE_MACHINE
from fraudhub.cases.models import (
    Appeal,
    AppealStatus,
    AppellantKind,
    Case,
    CaseStatus,
    Decision,
    EnforcementAction,
    Outcome,
    Queue,
    Strike,
)
from fraudhub.cases.services.claims import claim_is_held
from fraudhub.cases.services.decisions import (
    DecisionInput,
    adjust_reputation,
    is_violation,
    make_decision,
    notify_reporters,
    refuse_reporters_named,
    set_report_outcomes,
    validate_decision,
)
from fraudhub.cases.services.enforcement import APPEAL_SIGNING_SALT, enforcement_schedule
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.db import retry_deadlocks
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.jobs import enqueue
from fraudhub.core.models import OrganizationKind
from fraudhub.core.roles import Perm, Role
from fraudhub.core.text import nul_field_errors
from fraudhub.indicators.feeds import case_indicators_hold, decision_reversed
from fraudhub.reports.models import Report, ReportStatus
from fraudhub.reports.selectors import report_get_with_secret
from fraudhub.taxonomy.selectors import NO_VIOLATION_GROUND

STATEMENT_MAX = 5_000
# An owner's signed appeal link stays valid as long as the appeal window.
_TOKEN_MAX_AGE = timedelta(days=400)


def _check_statement(statement: str) -> str:
    if errors := nul_field_errors({"statement": statement}):
        raise ValidationFailed(_("The statement is not valid."), field_errors=errors)
    if not statement.strip():
        raise ValidationFailed(_("Explain why the decision is wrong."),
                               field_errors={"statement": [_("This field is required.")]})
    if len(statement) > STATEMENT_MAX:
        raise ValidationFailed(_("The statement is too long."),
                               field_errors={"statement": [_("At most %(n)d characters.")
                                                           % {"n": STATEMENT_MAX}]})
    return statement


def _file(
    *, actor: Actor, decision: Decision, kind: str, statement: str, report: Report | None,
    contact_email: str, language: str,
) -> Appeal:
    now = timezone.now()
    if not decision.is_current:
        raise Conflict(_("This decision has already been replaced."))
    if now > decision.decided_at + timedelta(days=settings.FRAUDHUB_APPEAL_WINDOW_DAYS):
        raise Conflict(_("The time to appeal this decision has passed."))
    if kind == AppellantKind.OWNER and not is_violation(decision.outcome):
        raise Conflict(_("There is nothing to appeal: no action was taken."))
    if kind == AppellantKind.REPORTER and is_violation(decision.outcome):
        raise Conflict(_("Reporters may appeal only a 'no violation' decision."))
    _check_contact_email(contact_email)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=decision.case_id)
        # Again under the case's lock, which a reversal holds: the decision read before it
        # may have been replaced meanwhile (an appeal against it would reopen a decided case
        # for a decision no longer in force, and reversing it fail on its replacement).
        if not Decision.objects.filter(pk=decision.pk, is_current=True).exists():
            raise Conflict(_("This decision has already been replaced."))
        # One review on appeal per decision for an owner (per report for a reporter): a decision
        # upheld on appeal could otherwise be sent back to the queue by the same link, again
        # and again. A reversed one is no longer current (refused above).
        reviewed = Appeal.objects.filter(decision=decision, appellant_kind=kind).exclude(
            status=AppealStatus.OPEN)
        if kind == AppellantKind.REPORTER:
            reviewed = reviewed.filter(report=report)
        if reviewed.exists():
            raise Conflict(_("This decision was already reviewed on appeal; it cannot be "
                             "appealed again."))
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    decision=decision, case=case, appellant_kind=kind, report=report,
                    statement=statement, contact_email=contact_email[:254], filed_at=now,
                    language=language if language in ("vi", "en") else "vi",
                )
        except IntegrityError as exc:
            raise Conflict(_("An appeal against this decision is already open.")) from exc
        old = {"status": case.status, "queue": case.queue}
        if case.status == CaseStatus.DECIDED:
            CASE_MACHINE.check(case.status, CaseStatus.APPEALED)
            case.status = CaseStatus.APPEALED
        case.queue = Queue.APPEALS
        case.due_at = now + timedelta(hours=settings.FRAUDHUB_COMPLAINT_DEADLINE_HOURS)
        case.save(update_fields=["status", "queue", "due_at"])
        audit_record(actor=actor, action="appeal.file", object_type="appeal", object_id=appeal.pk,
                     old=old, new={"decision": decision.pk, "appellant": kind,
                                   "case_status": case.status, "queue": case.queue})
    return appeal


def _check_contact_email(contact_email: str) -> None:
    if not contact_email:
        return
    try:
        EmailValidator()(contact_email)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("The e-mail address is not valid."), field_errors={
            "contact_email": [_("Enter a valid e-mail address.")]}) from exc


def decision_for_owner_token(*, token: str) -> Decision | None:
    """The decision an owner's signed appeal link is about, or None for a bad link."""
    try:
        data = signing.loads(token, salt=APPEAL_SIGNING_SALT, max_age=_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    decision_id = data.get("decision") if isinstance(data, dict) else None
    if type(decision_id) is not int:  # signed by us, so never; but not a 500 if it were
        return None
    return Decision.objects.select_related("case__target").filter(pk=decision_id).first()


def appeal_file_by_owner_token(
    *, actor: Actor, token: str, statement: str, contact_email: str = "", language: str = "vi"
) -> Appeal:
    decision = decision_for_owner_token(token=token)
    if decision is None:
        raise NotFound(_("This appeal link is not valid."))
    return _file(actor=actor, decision=decision, kind=AppellantKind.OWNER,
                 statement=_check_statement(statement), report=None, contact_email=contact_email,
                 language=language)


def appeal_file_for_owner(
    *, actor: Actor, decision_id: int, statement: str, contact_email: str = "",
    language: str = "vi",
) -> Appeal:
    """A platform forwards its user's appeal through the API."""
    if not actor.has_perm(Perm.APPEAL_FILE_FOR_OWNER) or not _speaks_for_owners(actor):
        raise PermissionDenied(_("You may not file appeals for account owners."))
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise NotFound(_("No such decision."))
    return _file(actor=actor, decision=decision, kind=AppellantKind.OWNER,
                 statement=_check_statement(statement), report=None, contact_email=contact_email,
                 language=language)


def _speaks_for_owners(actor: Actor) -> bool:
    """Whether `actor` may appeal for the owners of accounts: the platform whose accounts the
    decisions enforce (a key of a platform organization), or FraudHub's own staff and system.

    The partner role alone is not enough: any bank's or telco's key could appeal decisions on
    accounts it has nothing to do with, filling the appeals queue, and the answers to a walk
    over decision ids (201, 409 "no action was taken", 404) told every decision's outcome.
    """
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return True
    organization = actor.organization
    return organization is not None and organization.kind == OrganizationKind.PLATFORM


def appeal_file_by_reporter(
    *, actor: Actor, tracking_code: str, secret: str, statement: str
) -> Appeal:
    report = report_get_with_secret(tracking_code=tracking_code, secret=secret)
    if report is None or (report.pk is not None and report.case_id is None):
        raise NotFound(_("No report with this code and secret."))
    # A report accepted and not filed yet (pk None) has no case, hence no decision.
    decision = (Decision.objects.filter(case_id=report.case_id, is_current=True).last()
                if report.case_id is not None else None)
    if decision is None:
        raise Conflict(_("The report has not been decided yet."))
    return _file(actor=actor, decision=decision, kind=AppellantKind.REPORTER,
                 statement=_check_statement(statement), report=report,
                 contact_email=report.reporter_email, language=report.language)


@dataclass(frozen=True)
class AppealDecisionInput:
    outcome: str  # "upheld" or "reversed"
    reasons: str
    # When reversing: the decision that replaces the old one (owner appeals default to
    # "no violation"; a reporter's successful appeal must say what action to take).
    replacement_outcome: str | None = None
    replacement_ground: str | None = None
    replacement_days: int | None = None


@retry_deadlocks
def appeal_decide(*, actor: Actor, appeal_id: int, data: AppealDecisionInput) -> Appeal:
    if not actor.has_perm(Perm.APPEAL_DECIDE):
        raise PermissionDenied(_("Only senior reviewers decide appeals."))
    if data.outcome not in (AppealStatus.UPHELD, AppealStatus.REVERSED):
        raise ValidationFailed(_("The outcome is upheld or reversed."),
                               field_errors={"outcome": [_("upheld or reversed")]})
    if data.outcome == AppealStatus.UPHELD and (
            data.replacement_outcome or data.replacement_ground
            or data.replacement_days is not None):
        raise ValidationFailed(
            _("A decision that is upheld is not replaced."),
            field_errors={"replacement_outcome": [_("Only when the decision is reversed.")]})
    if errors := nul_field_errors({"reasons": data.reasons}):
        raise ValidationFailed(_("The reasons are not valid."), field_errors=errors)
    if not data.reasons.strip():
        raise ValidationFailed(_("Give the reasons for the appeal decision."),
                               field_errors={"reasons": [_("This field is required.")]})
    now = timezone.now()
    with transaction.atomic():
        appeal = (Appeal.objects.select_for_update().select_related("decision", "case__target")
                  .filter(pk=appeal_id).first())
        if appeal is None:
            raise NotFound(_("No such appeal."))
        case = Case.objects.select_for_update().select_related("target").get(pk=appeal.case_id)
        old_decision = appeal.decision
        if old_decision.decided_by == actor.identity:
            raise PermissionDenied(_("An appeal is decided by a different reviewer than the "
                                     "one who took the decision."))
        if not claim_is_held(case, actor):
            raise Conflict(_("Claim the case before deciding its appeal."))
        refuse_reporters_named(field="reasons", text=data.reasons, case=case)
        APPEAL_MACHINE.check(appeal.status, data.outcome)
        new_decision: Decision | None = None
        if data.outcome == AppealStatus.REVERSED:
            new_decision = _reverse(actor=actor, appeal=appeal, case=case, data=data, now=now)
        appeal.status = data.outcome
        appeal.reasons = data.reasons
        appeal.decided_by = actor.identity
        appeal.decided_by_label = actor.label[:200]
        appeal.decided_at = now
        appeal.new_decision = new_decision
        appeal.save()
        still_open = Appeal.objects.filter(case=case, status=AppealStatus.OPEN).exists()
        if not still_open:
            CASE_MACHINE.check(case.status, CaseStatus.DECIDED)
            case.status = CaseStatus.DECIDED
        case.claimed_by = ""
        case.claimed_by_label = ""
        case.claim_expires_at = None
        case.save()
        audit_record(
            actor=actor, action="appeal.decide", object_type="appeal", object_id=appeal.pk,
            old={"status": AppealStatus.OPEN, "decision": old_decision.pk},
            new={"status": appeal.status,
                 "new_decision": new_decision.pk if new_decision else None},
        )
        if appeal.contact_email:
            from fraudhub.cases.tasks import send_appeal_outcome

            enqueue(send_appeal_outcome, appeal_id=appeal.pk)
    return appeal


def _reverse(
    *, actor: Actor, appeal: Appeal, case: Case, data: AppealDecisionInput, now: datetime
) -> Decision:
    old = appeal.decision
    if appeal.appellant_kind == AppellantKind.OWNER:
        outcome = data.replacement_outcome or Outcome.NO_VIOLATION
    else:
        outcome = data.replacement_outcome or ""
        if not is_violation(outcome) or not outcome:
            raise ValidationFailed(
                _("Reversing a 'no violation' decision needs the action to take."),
                field_errors={"replacement_outcome": [_("Choose an action.")]},
            )
    ground_key = data.replacement_ground or (
        NO_VIOLATION_GROUND if not is_violation(outcome) else old.ground
    )
    replacement = DecisionInput(outcome=outcome, ground=ground_key,
                                facts=f"Appeal {appeal.pk} reversed decision {old.pk}: "
                                      f"{data.reasons}",
                                days=data.replacement_days)
    ground = validate_decision(replacement, case.target)
    # Reports, then the indicators they feed, then the audit chain's head: the order of a
    # decision and of recording the reports' sightings (the indicators first made a reversal
    # and a sightings job that were behind each other deadlock).
    decided_reports = list(
        Report.objects.select_for_update().filter(
            case=case, status__in=(ReportStatus.ACTIONED, ReportStatus.NO_VIOLATION)
        ).order_by("pk")
    )
    case_indicators_hold(case=case)
    old.is_current = False
    old.save(update_fields=["is_current"])
    Strike.objects.filter(decision=old).update(active=False)
    new = make_decision(actor=actor, case=case, data=replacement, ground=ground, now=now,
                        supersedes=old)
    if is_violation(old.outcome):
        enforcement_schedule(actor=actor, decision=old, action=EnforcementAction.REVERT,
                             explanation=f"Decision {old.pk} reversed on appeal: {data.reasons}")
    if is_violation(new.outcome):
        enforcement_schedule(actor=actor, decision=new, action=EnforcementAction.APPLY)
    if is_violation(old.outcome) != is_violation(new.outcome):
        reporter_ids = {r.reporter_id for r in decided_reports if r.reporter_id}
        adjust_reputation(reporter_ids, upheld=is_violation(old.outcome), undo=True)
        adjust_reputation(reporter_ids, upheld=is_violation(new.outcome))
    set_report_outcomes(actor=actor, reports=decided_reports, outcome=new.outcome, now=now)
    decision_reversed(actor=actor, old=old, new=new)
    request_targets_on_reversal(actor=actor, old=old, new=new)
    audit_record(actor=actor, action="decision.reverse", object_type="decision",
                 object_id=old.pk, old={"is_current": True, "outcome": old.outcome},
                 new={"is_current": False, "replaced_by": new.pk, "outcome": new.outcome})
    notify_reporters(decided_reports, new)
    return new
