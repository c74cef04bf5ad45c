"""The outcome of each target of a request: by a case decision, a refusal, or a question back.

Asking the agency for more information pauses the target's clock; its answer resumes it and
moves the deadline out by the time spent waiting, so the platform is not held to account for
the agency's delay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fraudhub.agencies.models import (
    FINAL_OUTCOMES,
    AgencyRequest,
    ClockEvent,
    ClockEventKind,
    RefusalReason,
    RequestKind,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.agencies.services.rollup import request_status_refresh
from fraudhub.cases.machines import CASE_MACHINE
from fraudhub.cases.models import (
    OPEN_CASE_STATUSES,
    Case,
    CaseStatus,
    Decision,
    Outcome,
    ReportSource,
)
from fraudhub.cases.priority import SOURCE_RANK, due_for, reprioritize
from fraudhub.core.actors import Actor
from fraudhub.core.audit import AuditSpec, audit_record_many
from fraudhub.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fraudhub.core.jobs import enqueue
from fraudhub.core.roles import Perm
from fraudhub.core.text import nul_field_errors
from fraudhub.indicators.models import SourceKind
from fraudhub.indicators.services import indicators_confirm, indicators_reject
from fraudhub.indicators.types import REGISTRY
from fraudhub.reports.models import PENDING_REPORT_STATUSES

NOTE_MAX = 5_000
OPEN_TARGET_OUTCOMES = (TargetOutcome.PENDING, TargetOutcome.NEEDS_INFORMATION)

# Decision outcomes that do all a request of each kind asked; a milder measure is partial.
_FULL_MEASURES: dict[str, frozenset[str]] = {
    RequestKind.REMOVE_CONTENT: frozenset(
        {Outcome.REMOVE_CONTENT, Outcome.SUSPEND, Outcome.TERMINATE}),
    RequestKind.SUSPEND_ACCOUNT: frozenset({Outcome.SUSPEND, Outcome.TERMINATE}),
}


def outcome_for_decision(request_kind: str, decision_outcome: str) -> tuple[str, str]:
    """(target outcome, refusal reason) that a case decision gives a target of a request."""
    if decision_outcome == Outcome.NO_VIOLATION:
        return TargetOutcome.REFUSED, RefusalReason.CONTENT_LAWFUL
    full = _FULL_MEASURES.get(request_kind)
    if full is None or decision_outcome in full:
        return TargetOutcome.ACTIONED, ""
    return TargetOutcome.PARTIALLY_ACTIONED, ""


def _end_pause(item: RequestTarget, now: datetime) -> int:
    """Close a running pause: the deadline moves out by its length. Returns its seconds."""
    if item.paused_at is None:
        return 0
    waited = max(0, int((now - item.paused_at).total_seconds()))
    item.paused_seconds += waited
    item.deadline += timedelta(seconds=waited)
    item.paused_at = None
    return waited


def _handle(item: RequestTarget, *, actor: Actor, outcome: str, now: datetime,
            refusal_reason: str = "", note: str = "", decision: Decision | None = None
            ) -> AuditSpec:
    old = {"outcome": item.outcome}
    _end_pause(item, now)
    item.outcome = outcome
    item.refusal_reason = refusal_reason
    item.note = note
    item.decision = decision
    item.decided_by = actor.identity
    item.decided_by_label = actor.label[:200]
    item.handled_at = now
    item.save()
    ClockEvent.objects.create(
        request_id=item.request_id, target=item, kind=ClockEventKind.HANDLED, at=now,
        facts={"outcome": outcome, "refusal_reason": refusal_reason or ""},
    )
    return AuditSpec(
        action="agency_target.outcome", object_type="agency_request_target", object_id=item.pk,
        old=old,
        new={"outcome": outcome, "refusal_reason": refusal_reason or None,
             "decision": decision.pk if decision else None, "note": note[:500] or None,
             "within_deadline": item.within_deadline,
             "seconds_to_action": item.seconds_to_action},
    )


def _refresh_requests(actor: Actor, request_ids: set[int]) -> set[int]:
    """Recompute the requests' statuses; the ids of those whose agency is told it is done."""
    from fraudhub.agencies.tasks import send_request_update

    told = set()
    for request in AgencyRequest.objects.select_for_update().filter(
            pk__in=sorted(request_ids)).order_by("pk"):
        if request_status_refresh(actor=actor, request=request) and request.completed_at:
            enqueue(send_request_update, request_id=request.pk)
            told.add(request.pk)
    return told


def request_targets_on_decision(*, actor: Actor, decision: Decision) -> int:
    """A decision on a case settles the open request targets on it (decision transaction)."""
    items = list(RequestTarget.objects.select_for_update().select_related("request")
                 .filter(case_id=decision.case_id, outcome__in=OPEN_TARGET_OUTCOMES))
    if not items:
        return 0
    now = decision.decided_at
    specs = []
    for item in items:
        outcome, reason = outcome_for_decision(item.request.kind, decision.outcome)
        specs.append(_handle(item, actor=actor, outcome=outcome, now=now,
                             refusal_reason=reason, decision=decision))
    audit_record_many(actor=actor, specs=specs)
    # The values the authority named are indicators of the case as much as reported ones.
    values = {(i.indicator_type, i.canonical) for i in items if i.indicator_type in REGISTRY}
    reference = f"decision:{decision.pk}"
    if decision.outcome == Outcome.NO_VIOLATION:
        indicators_reject(actor=actor, values=values, reference=reference)
    else:
        indicators_confirm(actor=actor, values=values, reference=reference,
                           source_kind=SourceKind.DECISION)
    _refresh_requests(actor, {item.request_id for item in items})
    return len(items)


def request_targets_on_reversal(*, actor: Actor, old: Decision, new: Decision) -> int:
    """An appeal replaced ``old`` by ``new``: the targets it settled follow the new decision.

    Runs in the appeal's transaction. The time the target was first handled stays: the
    deadline was met (or not) by the first decision; what changes is what the agency is told.
    """
    items = list(RequestTarget.objects.select_for_update().select_related("request")
                 .filter(decision=old))
    if not items:
        return 0
    specs = []
    for item in items:
        previous = item.outcome
        outcome, reason = outcome_for_decision(item.request.kind, new.outcome)
        item.outcome = outcome
        item.refusal_reason = reason
        item.decision = new
        item.decided_by = actor.identity
        item.decided_by_label = actor.label[:200]
        item.save(update_fields=["outcome", "refusal_reason", "decision", "decided_by",
                                 "decided_by_label"])
        ClockEvent.objects.create(
            request_id=item.request_id, target=item, kind=ClockEventKind.HANDLED,
            at=new.decided_at,
            facts={"outcome": outcome, "refusal_reason": reason or "",
                   "reversed_decision": old.pk},
        )
        specs.append(AuditSpec(
            action="agency_target.reverse", object_type="agency_request_target",
            object_id=item.pk,
            old={"outcome": previous, "decision": old.pk},
            new={"outcome": outcome, "refusal_reason": reason or None, "decision": new.pk},
        ))
    audit_record_many(actor=actor, specs=specs)
    request_ids = {item.request_id for item in items}
    told = _refresh_requests(actor, request_ids)
    from fraudhub.agencies.tasks import send_request_update

    # The agency was told the outcome already; it is told of the change even when the
    # request's status stays the same.
    for request_id in sorted(request_ids - told):
        enqueue(send_request_update, request_id=request_id)
    return len(items)


def _release_case(actor: Actor, case: Case | None, now: datetime) -> AuditSpec | None:
    """A case no request holds any more: closed if nothing else is in it, else back in line."""
    if case is None or case.status not in OPEN_CASE_STATUSES:
        return None
    if case.request_targets.filter(outcome__in=OPEN_TARGET_OUTCOMES).exists():
        return None
    sources = set(case.reports.filter(status__in=PENDING_REPORT_STATUSES)
                  .values_list("source", flat=True))
    old = {"status": case.status, "queue": case.queue}
    if not sources:
        CASE_MACHINE.check(case.status, CaseStatus.CLOSED)
        case.status = CaseStatus.CLOSED
        case.claimed_by = case.claimed_by_label = ""
        case.claim_expires_at = None
    else:
        case.top_source = max(sources, key=lambda s: SOURCE_RANK[ReportSource(s)])
        case.due_at = due_for(case)
        reprioritize(case, now=now, source_raised=False)
    case.save()
    return AuditSpec(action="case.close" if not sources else "case.leave_authority",
                     object_type="case", object_id=case.pk, old=old,
                     new={"status": case.status, "queue": case.queue,
                          "why": "authority request settled without a decision"})


def _locked_target(actor: Actor, request_id: int, target_id: int) -> RequestTarget:
    from fraudhub.agencies.selectors import agency_request_visible

    request = agency_request_visible(actor=actor).filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("No such request."))
    item = (RequestTarget.objects.select_for_update().select_related("request")
            .filter(pk=target_id, request_id=request.pk).first())
    if item is None:
        raise NotFound(_("No such target in this request."))
    return item


@dataclass(frozen=True)
class TargetResponse:
    outcome: str  # refused, needs_information, actioned, partially_actioned
    refusal_reason: str = ""
    note: str = ""


def _validate_response(item: RequestTarget, data: TargetResponse) -> None:
    errors = nul_field_errors({"note": data.note, "refusal_reason": data.refusal_reason})
    if not errors:
        if data.outcome not in TargetOutcome.values or data.outcome == TargetOutcome.PENDING:
            errors["outcome"] = [_("One of: refused, needs_information, actioned, "
                                   "partially_actioned.")]
        elif data.outcome == TargetOutcome.REFUSED:
            if data.refusal_reason not in RefusalReason.values:
                errors["refusal_reason"] = [_("One of: %(r)s")
                                            % {"r": ", ".join(RefusalReason.values)}]
            elif data.refusal_reason == RefusalReason.OTHER and not data.note.strip():
                errors["note"] = [_("Explain the refusal.")]
        elif data.outcome == TargetOutcome.NEEDS_INFORMATION and not data.note.strip():
            errors["note"] = [_("Ask the agency what you need to know.")]
        elif data.outcome in (TargetOutcome.ACTIONED, TargetOutcome.PARTIALLY_ACTIONED):
            if item.request.kind in _FULL_MEASURES:
                errors["outcome"] = [_("Content is removed and accounts suspended by deciding "
                                       "the case; the decision sets this outcome.")]
            elif not data.note.strip():
                errors["note"] = [_("Say what was done or provided.")]
        if len(data.note) > NOTE_MAX:
            errors["note"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationFailed(_("The response is not valid."), field_errors=errors)


def request_target_respond(
    *, actor: Actor, request_id: int, target_id: int, data: TargetResponse
) -> RequestTarget:
    """A reviewer's answer on one target other than a case decision."""
    if not actor.has_perm(Perm.AGENCY_REQUEST_RESPOND):
        raise PermissionDenied(_("You may not answer authority requests."))
    now = timezone.now()
    with transaction.atomic():
        item = _locked_target(actor, request_id, target_id)
        _validate_response(item, data)
        if item.outcome in FINAL_OUTCOMES:
            raise Conflict(_("This target is settled already (%(o)s).")
                           % {"o": item.get_outcome_display()})
        if item.case_id is None:
            raise Conflict(_("The case of this target is still being opened; try again soon."))
        specs: list[AuditSpec] = []
        if data.outcome == TargetOutcome.NEEDS_INFORMATION:
            specs.append(_pause(item, actor=actor, question=data.note, now=now))
        else:
            specs.append(_handle(item, actor=actor, outcome=data.outcome, now=now,
                                 refusal_reason=data.refusal_reason, note=data.note))
            if (data.outcome == TargetOutcome.ACTIONED
                    and item.request.kind == RequestKind.LIST_INDICATORS
                    and item.indicator_type in REGISTRY):
                indicators_confirm(actor=actor, values=[(item.indicator_type, item.canonical)],
                                   reference=item.request.number,
                                   source_kind=SourceKind.AUTHORITY)
            case = Case.objects.select_for_update().filter(pk=item.case_id).first()
            released = _release_case(actor, case, now)
            if released is not None:
                specs.append(released)
        audit_record_many(actor=actor, specs=specs)
        _refresh_requests(actor, {item.request_id})
    return item


def _pause(item: RequestTarget, *, actor: Actor, question: str, now: datetime) -> AuditSpec:
    from fraudhub.agencies.tasks import send_information_request

    if item.outcome == TargetOutcome.NEEDS_INFORMATION:
        raise Conflict(_("The agency has been asked already; wait for its answer."))
    item.outcome = TargetOutcome.NEEDS_INFORMATION
    item.paused_at = now
    item.information_question = question
    item.information_answer = ""
    item.save()
    ClockEvent.objects.create(request_id=item.request_id, target=item,
                              kind=ClockEventKind.PAUSED, at=now, detail=question[:500])
    enqueue(send_information_request, target_id=item.pk)
    return AuditSpec(action="agency_target.ask_information",
                     object_type="agency_request_target", object_id=item.pk,
                     old={"outcome": TargetOutcome.PENDING},
                     new={"outcome": item.outcome, "question": question[:500]})


def request_target_answer(
    *, actor: Actor, request_id: int, target_id: int, answer: str
) -> RequestTarget:
    """The agency answers the question on a target: its clock runs again, later by the wait."""
    if not actor.has_perm(Perm.AGENCY_REQUEST_CREATE) and not actor.has_perm(
            Perm.AGENCY_REQUEST_RECORD):
        raise PermissionDenied(_("You may not answer for an agency."))
    errors = nul_field_errors({"answer": answer})
    if not errors and not answer.strip():
        errors["answer"] = [_("This field is required.")]
    elif len(answer) > NOTE_MAX:
        errors["answer"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationFailed(_("The answer is not valid."), field_errors=errors)
    now = timezone.now()
    with transaction.atomic():
        item = _locked_target(actor, request_id, target_id)
        if item.outcome != TargetOutcome.NEEDS_INFORMATION:
            raise Conflict(_("No question is waiting for an answer on this target."))
        waited = _end_pause(item, now)
        item.outcome = TargetOutcome.PENDING
        item.information_answer = answer
        item.save()
        case = Case.objects.select_for_update().filter(pk=item.case_id or 0).first()
        if case is not None and case.status in OPEN_CASE_STATUSES:
            case.due_at = _case_due(case, fallback=item.deadline)
            case.save(update_fields=["due_at"])
        ClockEvent.objects.create(request_id=item.request_id, target=item,
                                  kind=ClockEventKind.RESUMED, at=now,
                                  facts={"waited_hours": round(waited / 3600, 1)})
        audit_record_many(actor=actor, specs=[AuditSpec(
            action="agency_target.answer_information", object_type="agency_request_target",
            object_id=item.pk, old={"outcome": TargetOutcome.NEEDS_INFORMATION},
            new={"outcome": item.outcome, "paused_seconds": item.paused_seconds,
                 "deadline": item.deadline, "answer": answer[:500]},
        )])
        _refresh_requests(actor, {item.request_id})
    return item


def _case_due(case: Case, *, fallback: datetime) -> datetime:
    """The earliest deadline among the request targets still running on a case."""
    running: QuerySet[RequestTarget] = case.request_targets.filter(
        outcome=TargetOutcome.PENDING)
    deadlines = list(running.values_list("deadline", flat=True))
    return min(deadlines) if deadlines else fallback
