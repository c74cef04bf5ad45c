"""Deciding a case: the decision, its statement of reasons, its effects and its notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.agencies.services.outcomes import request_targets_on_decision
from fraudhub.cases.machines import CASE_MACHINE, REPORT_MACHINE
from fraudhub.cases.models import (
    ACCOUNT_KINDS,
    Case,
    CaseStatus,
    Decision,
    EnforcementAction,
    Outcome,
    Strike,
    Target,
)
from fraudhub.cases.reporter_mentions import (
    ReporterContacts,
    names_a_name,
    names_a_phone,
    names_an_email,
)
from fraudhub.cases.services.claims import claim_is_held
from fraudhub.cases.services.enforcement import enforcement_schedule
from fraudhub.cases.statements import build_statement
from fraudhub.cases.strikes import LOCK_DAYS
from fraudhub.core.actors import Actor
from fraudhub.core.audit import audit_record
from fraudhub.core.db import retry_deadlocks
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.jobs import enqueue
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.indicators.feeds import case_indicators_hold, decision_feeds_indicators
from fraudhub.reports.models import PENDING_REPORT_STATUSES, Report, Reporter, ReportStatus
from fraudhub.taxonomy.selectors import NO_VIOLATION_GROUND, PolicyGround, policy_ground_get

FACTS_MAX = 5_000
REPUTATION_STEP = 5


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    ground: str
    facts: str
    days: int | None = None
    automated_detection: bool = False
    automated_decision: bool = False


def validate_decision(data: DecisionInput, target: Target) -> PolicyGround:
    errors: dict[str, list[str]] = nul_field_errors({"facts": data.facts, "ground": data.ground})
    if errors:
        raise ValidationFailed(_("The decision is not valid."), field_errors=errors)
    if data.outcome not in Outcome.values:
        errors["outcome"] = [_("Unknown outcome; one of: %(o)s") % {"o": ", ".join(Outcome.values)}]
    ground = policy_ground_get(key=data.ground)
    if ground is None:
        errors["ground"] = [_("Unknown policy ground %(g)s.") % {"g": data.ground[:64]}]
    elif data.outcome == Outcome.NO_VIOLATION and ground.key != NO_VIOLATION_GROUND:
        errors["ground"] = [_("A 'no violation' decision takes the ground %(g)s.")
                            % {"g": NO_VIOLATION_GROUND}]
    elif data.outcome != Outcome.NO_VIOLATION and ground.key == NO_VIOLATION_GROUND:
        errors["ground"] = [_("Name the policy or law that was violated.")]
    if not data.facts.strip():
        errors["facts"] = [_("State the facts and circumstances relied on.")]
    elif len(data.facts) > FACTS_MAX:
        errors["facts"] = [_("At most %(n)d characters.") % {"n": FACTS_MAX}]
    if data.outcome == Outcome.SUSPEND:
        low, high = (settings.FRAUDHUB_TEMPORARY_LOCK_MIN_DAYS,
                     settings.FRAUDHUB_TEMPORARY_LOCK_MAX_DAYS)
        if data.days is None or not low <= data.days <= high:
            errors["days"] = [_("A suspension lasts %(low)d to %(high)d days.")
                              % {"low": low, "high": high}]
    elif data.days is not None:
        errors["days"] = [_("Days apply only to a suspension.")]
    if data.outcome in (Outcome.SUSPEND, Outcome.TERMINATE) and target.kind not in ACCOUNT_KINDS:
        errors["outcome"] = [_("Only accounts, pages and groups can be suspended or terminated.")]
    if errors or ground is None:
        raise ValidationFailed(_("The decision is not valid."), field_errors=errors)
    return ground


def refuse_reporters_named(*, field: str, text: str, case: Case) -> None:
    """ValidationFailed when ``text`` names a reporter of ``case``: by e-mail address, phone
    number (in any spelling) or full name (see fraudhub.cases.reporter_mentions).

    The facts of a decision (and an appeal's reasons) go word for word into the statement of
    reasons: to the account's owner, the platform and every reporter. Who notified is not
    theirs to know (EU DSA Art. 17(3)(b) leaves the notifier out unless needed), and a
    reporter named to the scammer they reported is a reporter in danger. The messages say
    what kind of contact was found, never the reporter's value: the reviewer sees it in the
    text they wrote.
    """
    # One query for a case of thousands of reports, each distinct contact read once.
    contacts = ReporterContacts.of(
        Report.objects.filter(case=case)
        .exclude(reporter_email="", reporter_phone="", reporter_name="")
        .values_list("reporter_email", "reporter_phone", "reporter_name").distinct()
    )
    found = []
    if names_an_email(text, contacts):
        found.append(_("This names a reporter's e-mail address. It is shown to the account's "
                       "owner, the platform and every reporter: leave reporters out."))
    if names_a_phone(text, contacts):
        found.append(_("This names a reporter's phone number. It is shown to the account's "
                       "owner, the platform and every reporter: leave reporters out."))
    if names_a_name(text, contacts):
        found.append(_("This names a reporter by name. It is shown to the account's "
                       "owner, the platform and every reporter: leave reporters out."))
    if found:
        raise ValidationFailed(found[0], field_errors={field: found})


def is_violation(outcome: str) -> bool:
    return outcome != Outcome.NO_VIOLATION


def make_decision(
    *,
    actor: Actor,
    case: Case,
    data: DecisionInput,
    ground: PolicyGround,
    now: datetime,
    supersedes: Decision | None = None,
) -> Decision:
    """Create the decision row with its statement (inside the caller's transaction)."""
    ends_at = now + timedelta(days=data.days) if data.days else None
    appeal_until = now + timedelta(days=settings.FRAUDHUB_APPEAL_WINDOW_DAYS)
    decision = Decision.objects.create(
        case=case, outcome=data.outcome, ground=ground.key, facts=data.facts,
        days=data.days, ends_at=ends_at, automated_detection=data.automated_detection,
        automated_decision=data.automated_decision, decided_by=actor.identity,
        decided_by_label=actor.label[:200], decided_at=now, supersedes=supersedes,
        statement=build_statement(
            target=case.target, outcome=data.outcome, ground=ground, facts=data.facts,
            fraud_type=case.fraud_type, source=case.top_source, decided_at=now, ends_at=ends_at,
            automated_detection=data.automated_detection,
            automated_decision=data.automated_decision, appeal_until=appeal_until,
            supersedes_decision=supersedes.pk if supersedes else None,
        ),
    )
    if is_violation(data.outcome) and case.target.kind in ACCOUNT_KINDS:
        Strike.objects.create(target=case.target, decision=decision, created_at=now)
    return decision


def adjust_reputation(reporter_ids: set[int], *, upheld: bool, undo: bool = False) -> None:
    """Upheld reports raise a reporter's standing, rejected ones lower it (clamped 0-100)."""
    if not reporter_ids:
        return
    step = REPUTATION_STEP if upheld else -REPUTATION_STEP
    if undo:
        step = -step
    counter = "upheld_count" if upheld else "rejected_count"
    Reporter.objects.filter(pk__in=reporter_ids).update(
        reputation=Greatest(0, Least(100, F("reputation") + step)),
        **{counter: F(counter) + (-1 if undo else 1)},
    )


def set_report_outcomes(
    *, actor: Actor, reports: list[Report], outcome: str, now: datetime
) -> None:
    new_status = ReportStatus.ACTIONED if is_violation(outcome) else ReportStatus.NO_VIOLATION
    for report in reports:
        if report.status == new_status:
            continue
        REPORT_MACHINE.check(report.status, new_status)
        report.status = new_status
        report.closed_at = now
    Report.objects.bulk_update(reports, ["status", "closed_at"])


def notify_reporters(reports: list[Report], decision: Decision) -> None:
    from fraudhub.reports.tasks import send_decision_notice

    for report in reports:
        if report.reporter_email:
            enqueue(send_decision_notice, report_id=report.pk, decision_id=decision.pk)


@retry_deadlocks
def decision_create(*, actor: Actor, case_id: int, data: DecisionInput) -> Decision:
    if not actor.has_perm(Perm.CASE_DECIDE):
        raise PermissionDenied(_("You may not decide cases."))
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("target").filter(pk=case_id).first()
        if case is None:
            raise NotFound(_("No such case."))
        ground = validate_decision(data, case.target)
        refuse_reporters_named(field="facts", text=data.facts, case=case)
        if case.status != CaseStatus.IN_REVIEW:
            raise Conflict(_("This case is %(s)s; only a case in review can be decided.")
                           % {"s": case.get_status_display()})
        if not claim_is_held(case, actor):
            raise Conflict(_("Claim the case before deciding it."))
        decision = make_decision(actor=actor, case=case, data=data, ground=ground, now=now)
        CASE_MACHINE.check(case.status, CaseStatus.DECIDED)
        case.status = CaseStatus.DECIDED
        case.decided_at = now
        case.claimed_by = ""
        case.claimed_by_label = ""
        case.claim_expires_at = None
        case.save()
        reports = list(
            Report.objects.select_for_update().filter(case=case, status__in=PENDING_REPORT_STATUSES)
        )
        set_report_outcomes(actor=actor, reports=reports, outcome=data.outcome, now=now)
        adjust_reputation({r.reporter_id for r in reports if r.reporter_id},
                          upheld=is_violation(data.outcome))
        # The indicators it changes before the audit chain's head (see indicators_hold).
        case_indicators_hold(case=case)
        audit_record(
            actor=actor, action="decision.create", object_type="case", object_id=case.pk,
            old={"status": CaseStatus.IN_REVIEW},
            new={"status": case.status, "decision": decision.pk, "outcome": data.outcome,
                 "ground": ground.key, "days": data.days, "reports": len(reports)},
        )
        if is_violation(data.outcome):
            enforcement_schedule(actor=actor, decision=decision, action=EnforcementAction.APPLY)
        decision_feeds_indicators(actor=actor, decision=decision)
        request_targets_on_decision(actor=actor, decision=decision)
        notify_reporters(reports, decision)
    return decision


__all__ = ["LOCK_DAYS", "DecisionInput", "decision_create"]
