"""The reviewer console: queues, the case page and the actions taken on it.

Every action re-renders the case page (htmx swaps its #case-page part in place); on success it
redirects to it, so a reload never repeats a decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from fraudhub.agencies.clock_display import span_level, target_clock
from fraudhub.agencies.selectors import request_targets_for_case
from fraudhub.cases.forms import AppealDecisionForm, BadFaithForm, DecisionForm
from fraudhub.cases.models import AppealStatus, Case, Outcome, Queue
from fraudhub.cases.selectors import (
    ACTIVE_STATUSES,
    appeal_in_case,
    case_detail,
    case_list,
    enforcement_get,
    evidence_get,
    queue_counts,
    reporter_in_case,
)
from fraudhub.cases.services.appeals import appeal_decide
from fraudhub.cases.services.claims import CLAIMABLE, case_claim, case_release, claim_is_held
from fraudhub.cases.services.decisions import decision_create
from fraudhub.cases.services.enforcement import enforcement_retry
from fraudhub.cases.services.reporters import reporter_mark_bad_faith
from fraudhub.cases.statement_display import statement_rows
from fraudhub.core.decorators import actor_for, staff_required
from fraudhub.core.errors import DomainError
from fraudhub.core.roles import Perm
from fraudhub.taxonomy.selectors import fraud_type_get, policy_ground_get


@dataclass(frozen=True)
class QueueRow:
    case: Case
    fraud_type_name: str
    # "ok" (> half the time left), "warn", "late" (overdue); authority cases have four
    # levels: ok, warn50 (half the time used), warn80 (80% used), late.
    time_class: str
    overdue: bool
    claimed_by: str


def _case_time_class(case: Case, now: datetime) -> str:
    if case.queue == Queue.AUTHORITY:
        return span_level(case.opened_at, case.due_at, now)
    return _time_class(case.opened_at, case.due_at, now)


def _time_class(opened_at: datetime, due_at: datetime, now: datetime) -> str:
    total = (due_at - opened_at).total_seconds()
    left = (due_at - now).total_seconds()
    if left <= 0:
        return "late"
    if total <= 0 or left / total > 0.5:
        return "ok"
    return "warn"


def _claim_label(case: Case, now: datetime) -> str:
    if case.claimed_by and case.claim_expires_at and case.claim_expires_at > now:
        return case.claimed_by_label
    return ""


def _fraud_type_name(key: str) -> str:
    fraud_type = fraud_type_get(key=key)
    return fraud_type.name() if fraud_type else key


@require_safe
@staff_required(Perm.CASE_LIST)
def queue(request: HttpRequest) -> HttpResponse:
    counts = queue_counts()
    selected = request.GET.get("queue", "")
    if selected not in Queue.values:
        # Open on the first queue that has work in it rather than an empty tab.
        selected = next((q for q in Queue.values if counts.get(q)), Queue.STANDARD)
    now = timezone.now()
    rows = [
        QueueRow(case=case, fraud_type_name=_fraud_type_name(case.fraud_type),
                 time_class=_case_time_class(case, now),
                 overdue=case.due_at <= now, claimed_by=_claim_label(case, now))
        for case in case_list(queue=selected)
    ]
    tabs = [(value, label, counts.get(value, 0)) for value, label in Queue.choices]
    return render(request, "console/queue.html",
                  {"tabs": tabs, "selected": selected, "rows": rows, "now": now})


# What the steps of a case's history are called on its page (the audit log's keys, "case.open",
# are for machines; the page keeps each key in the step's title for whoever checks the log).
_HISTORY_STEPS = {
    "case.open": gettext_lazy("Case opened"),
    "case.claim": gettext_lazy("Claimed"),
    "case.release": gettext_lazy("Released"),
    "case.claim_expired": gettext_lazy("Claim expired"),
    "decision.create": gettext_lazy("Decided"),
    "case.close": gettext_lazy("Case closed"),
}


def _history_step(action: str) -> str:
    return str(_HISTORY_STEPS.get(action, action))


def _history_summary(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    old, new = old or {}, new or {}
    parts = []
    for key in sorted(set(old) | set(new)):
        if key in old and key in new and old[key] != new[key]:
            parts.append(f"{key}: {old[key]} → {new[key]}")
        elif key in new:
            parts.append(f"{key}: {new[key]}")
    return "; ".join(parts)


def _render_case(
    request: HttpRequest,
    case_id: int,
    *,
    status: int = 200,
    error: str = "",
    decision_form: DecisionForm | None = None,
    appeal_forms: dict[int, AppealDecisionForm] | None = None,
    bad_faith_forms: dict[int, BadFaithForm] | None = None,
) -> HttpResponse:
    detail = case_detail(case_id=case_id)
    if detail is None:
        raise Http404(_("No such case."))
    actor = actor_for(request)
    case = detail.case
    now = timezone.now()
    proposal = detail.strikes
    if decision_form is None:
        decision_form = DecisionForm(initial={
            "outcome": proposal.proposed_outcome or "",
            "days": proposal.proposed_days,
        })
    appeal_forms = appeal_forms or {}
    can_decide_appeals = actor.has_perm(Perm.APPEAL_DECIDE)
    open_appeals = []
    for appeal in detail.appeals:
        form = None
        if appeal.status == AppealStatus.OPEN and can_decide_appeals:
            form = appeal_forms.get(appeal.pk) or AppealDecisionForm(prefix=f"appeal-{appeal.pk}")
        open_appeals.append((appeal, form))
    bad_faith_forms = bad_faith_forms or {}
    evidence_by_report: dict[int, list[Any]] = {}
    for item in detail.evidence:
        evidence_by_report.setdefault(item.report_id, []).append(item)
    reports = [
        (report, evidence_by_report.get(report.pk, []), _fraud_type_name(report.fraud_type),
         bad_faith_forms.get(report.reporter_id or 0)
         or BadFaithForm(prefix=f"reporter-{report.reporter_id}"))
        for report in detail.reports
    ]
    decisions = []
    for decision in detail.decisions:
        ground = policy_ground_get(key=decision.ground)
        decisions.append((decision, ground.name() if ground else decision.ground,
                          statement_rows(decision.statement)))
    context = {
        "detail": detail,
        "case": case,
        "target": case.target,
        "fraud_type_name": _fraud_type_name(case.fraud_type),
        "claim_held": claim_is_held(case, actor),
        "claimable": case.status in CLAIMABLE,
        "active": case.status in ACTIVE_STATUSES,
        "claimed_by": _claim_label(case, now),
        "proposal": proposal,
        "proposed_label": Outcome(proposal.proposed_outcome).label
        if proposal.proposed_outcome else "",
        "time_class": _case_time_class(case, now),
        "now": now,
        "authority_rows": [(item, target_clock(item, now))
                           for item in request_targets_for_case(case_id=case.pk)],
        "overdue": case.due_at <= now,
        "reports": reports,
        "decisions": decisions,
        "appeals": open_appeals,
        "history": [(entry, _history_step(entry.action), _history_summary(entry.old, entry.new))
                    for entry in detail.history],
        "decision_form": decision_form,
        "can_claim": actor.has_perm(Perm.CASE_CLAIM),
        "can_decide": actor.has_perm(Perm.CASE_DECIDE),
        "can_mark_bad_faith": actor.has_perm(Perm.REPORTER_MARK_BAD_FAITH),
        "can_view_evidence": actor.has_perm(Perm.EVIDENCE_VIEW),
        "error": error,
    }
    return render(request, "console/case_detail.html", context, status=status)


@require_safe
@staff_required(Perm.CASE_VIEW)
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, case_id)


def _done(request: HttpRequest, case_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    # 303 so the browser (or htmx) follows with a GET of the case page.
    response = redirect("console:case", case_id=case_id)
    response.status_code = 303
    return response


@require_POST
@staff_required(Perm.CASE_CLAIM)
def claim(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = case_claim(actor=actor_for(request), case_id=case_id)
    except DomainError as exc:
        return _render_case(request, case_id, status=exc.status_code, error=exc.message)
    until = timezone.localtime(case.claim_expires_at).strftime("%H:%M") \
        if case.claim_expires_at else ""
    return _done(request, case_id, _("You claimed this case until %(until)s.") % {"until": until})


@require_POST
@staff_required(Perm.CASE_CLAIM)
def release(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case_release(actor=actor_for(request), case_id=case_id)
    except DomainError as exc:
        return _render_case(request, case_id, status=exc.status_code, error=exc.message)
    return _done(request, case_id, _("You released this case back to the queue."))


@require_POST
@staff_required(Perm.CASE_DECIDE)
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case_id, status=422, decision_form=form)
    try:
        decision = decision_create(actor=actor_for(request), case_id=case_id,
                                   data=form.decision_input())
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render_case(request, case_id, status=exc.status_code, decision_form=form)
    return _done(request, case_id, _("Decision recorded: %(outcome)s.")
                 % {"outcome": decision.get_outcome_display()})


@require_POST
@staff_required(Perm.APPEAL_DECIDE)
def decide_appeal(request: HttpRequest, case_id: int, appeal_id: int) -> HttpResponse:
    if not appeal_in_case(appeal_id=appeal_id, case_id=case_id):
        raise Http404(_("No such appeal."))
    form = AppealDecisionForm(request.POST, prefix=f"appeal-{appeal_id}")
    if not form.is_valid():
        return _render_case(request, case_id, status=422, appeal_forms={appeal_id: form})
    try:
        appeal = appeal_decide(actor=actor_for(request), appeal_id=appeal_id,
                               data=form.appeal_input())
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render_case(request, case_id, status=exc.status_code,
                            appeal_forms={appeal_id: form})
    return _done(request, case_id, _("Appeal decided: %(status)s.")
                 % {"status": appeal.get_status_display()})


@require_POST
@staff_required(Perm.REPORTER_MARK_BAD_FAITH)
def mark_bad_faith(request: HttpRequest, case_id: int, reporter_id: int) -> HttpResponse:
    if not reporter_in_case(reporter_id=reporter_id, case_id=case_id):
        raise Http404(_("No such reporter in this case."))
    form = BadFaithForm(request.POST, prefix=f"reporter-{reporter_id}")
    if not form.is_valid():
        return _render_case(request, case_id, status=422, bad_faith_forms={reporter_id: form})
    try:
        reporter_mark_bad_faith(actor=actor_for(request), reporter_id=reporter_id,
                                reason=form.cleaned_data["reason"],
                                days=form.cleaned_data["days"])
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render_case(request, case_id, status=exc.status_code,
                            bad_faith_forms={reporter_id: form})
    return _done(request, case_id,
                 _("The reporter is marked as acting in bad faith; their pending reports "
                   "are closed."))


@require_POST
@staff_required(Perm.CASE_DECIDE)
def retry_enforcement(request: HttpRequest, case_id: int, enforcement_id: int) -> HttpResponse:
    if enforcement_get(enforcement_id=enforcement_id, case_id=case_id) is None:
        raise Http404(_("No such delivery."))
    try:
        enforcement_retry(actor=actor_for(request), enforcement_id=enforcement_id)
    except DomainError as exc:
        return _render_case(request, case_id, status=exc.status_code, error=exc.message)
    return _done(request, case_id, _("The delivery to the platform starts again."))


_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


@require_safe
@staff_required(Perm.EVIDENCE_VIEW)
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = evidence_get(evidence_id=evidence_id)
    if evidence is None:
        raise Http404(_("No such evidence."))
    # The name keeps the uploader's wording but always ends in the extension of the sniffed
    # content, so a PNG called "x.html" cannot be opened as a page once saved.
    stem = _UNSAFE_NAME.sub("_", PurePath(evidence.original_name).stem)[:80].strip("._")
    filename = f"{stem or 'evidence'}-{evidence.pk}.{evidence.extension}"
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=filename,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
