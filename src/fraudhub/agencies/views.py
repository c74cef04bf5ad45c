"""The agency portal: an officer files and follows the own agency's requests; platform staff
see every agency's, record letters and calls, and answer target by target.

Every page needs `agency:request:view`; what an actor may see is the selectors' business
(another agency's request answers 404). Every POST redirects after success (303); a target's
form carries the page of targets it is on (`?page=N` on its address), and is answered there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fraudhub.agencies.clock_display import TargetClock, request_level, target_clock
from fraudhub.agencies.forms import (
    RESPONSE_FORMS,
    AnswerForm,
    AskForm,
    DocumentForm,
    MappedErrorForm,
    RecordForm,
    RefuseForm,
    RequestForm,
)
from fraudhub.agencies.models import (
    AgencyRequest,
    RequestKind,
    RequestStatus,
    RequestTarget,
    TargetOutcome,
)
from fraudhub.agencies.selectors import (
    agency_request_clock_facts,
    agency_request_get,
    agency_request_list,
    agency_request_target_page,
)
from fraudhub.agencies.services.outcomes import (
    OPEN_TARGET_OUTCOMES,
    request_target_answer,
    request_target_respond,
)
from fraudhub.agencies.services.requests import (
    agency_request_attach_document,
    agency_request_create,
)
from fraudhub.agencies.timeline import agency_request_timeline
from fraudhub.core.actors import Actor
from fraudhub.core.decorators import actor_for, staff_required
from fraudhub.core.errors import DomainError, NotFound
from fraudhub.core.roles import Perm
from fraudhub.core.text import ascii_digits
from fraudhub.taxonomy.selectors import fraud_type_get

LIST_PAGE = 50
TARGET_PAGE = 200
# The newest clock events shown on a request's page (a 10,000-target request has 30,000).
TIMELINE_EVENTS = 500
# Kinds whose targets staff settle on this page; removal and suspension are case decisions.
RECORDABLE_KINDS = (RequestKind.PROVIDE_INFORMATION, RequestKind.LIST_INDICATORS)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, min(int(raw), 10**6)) if ascii_digits(raw) and len(raw) <= 7 else 1


def _may_file(actor: Actor) -> bool:
    return actor.has_perm(Perm.AGENCY_REQUEST_CREATE) or actor.has_perm(
        Perm.AGENCY_REQUEST_RECORD)


@dataclass(frozen=True)
class ListRow:
    request: AgencyRequest
    level: str
    next_deadline: datetime | None


@never_cache
@require_safe
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def request_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    status = request.GET.get("status", "")
    error = ""
    if status and status not in RequestStatus.values:
        error = _("Unknown status; showing every request.")
        status = ""
    page = _page_number(request)
    rows, total = agency_request_list(actor=actor, status=status, limit=LIST_PAGE,
                                      offset=(page - 1) * LIST_PAGE)
    facts = agency_request_clock_facts(request_ids=[r.pk for r in rows])
    now = timezone.now()
    items = []
    for item in rows:
        next_deadline, waiting = facts.get(item.pk, (None, 0))
        items.append(ListRow(request=item, next_deadline=next_deadline,
                             level=request_level(item, next_deadline, waiting, now)))
    return render(request, "agencies/portal/list.html", {
        "rows": items, "total": total, "status": status, "error": error, "now": now,
        "statuses": RequestStatus.choices, "page": page,
        "has_next": page * LIST_PAGE < total, "has_previous": page > 1,
        "can_file": _may_file(actor),
        "is_staff_view": actor.has_perm(Perm.AGENCY_REQUEST_VIEW_ALL),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def request_new(request: HttpRequest) -> HttpResponse:
    """Officers file (agency:request:create); staff record a letter or call on an agency's
    behalf (desk:agency_request:record) with the same form."""
    actor = actor_for(request)
    on_behalf = actor.has_perm(Perm.AGENCY_REQUEST_RECORD)
    if not on_behalf and not actor.has_perm(Perm.AGENCY_REQUEST_CREATE):
        raise PermissionDenied(Perm.AGENCY_REQUEST_CREATE.value)
    form = RequestForm(request.POST or None, request.FILES or None, on_behalf=on_behalf)
    context: dict[str, Any] = {"form": form, "on_behalf": on_behalf}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "agencies/portal/request_form.html", context, status=422)
        try:
            filed = agency_request_create(actor=actor, data=form.request_input())
        except DomainError as exc:
            form.add_domain_error(exc)
            return render(request, "agencies/portal/request_form.html", context,
                          status=exc.status_code)
        message = _("Request %(number)s was received.") % {"number": filed.number}
        if filed.rejected_rows:
            message += " " + _("%(n)d target rows could not be accepted; see below.") % {
                "n": len(filed.rejected_rows)}
        messages.success(request, message)
        return _see(filed.pk)
    return render(request, "agencies/portal/request_form.html", context)


def _see(request_id: int, *, page: int = 1, target_id: int | None = None) -> HttpResponse:
    """The request's page again; after an answer on a target, the page of targets it was sent
    from, at that target (staff working through page 12 of a long request stay there).

    The page is read as a number only (`_page_number`), never as an address given by the
    form, so the redirect can only lead to this request's own page.
    """
    url = reverse("portal:request", kwargs={"request_id": request_id})
    if page > 1:
        url += f"?page={page}"
    if target_id is not None:
        url += f"#target-{target_id}"
    response = redirect(url)
    response.status_code = 303
    return response


def _page_query(page: int) -> str:
    """What a target's form adds to its address to come back to the page it is on."""
    return f"?page={page}" if page > 1 else ""


def _visible_or_404(actor: Actor, request_id: int) -> AgencyRequest:
    found = agency_request_get(actor=actor, request_id=request_id)
    if found is None:
        raise Http404(_("No such request."))
    return found


def _prefix(target_id: int, action: str) -> str:
    """Each form of each target has its own field names and ids on the page."""
    return f"t{target_id}-{action}"


@dataclass
class TargetRow:
    item: RequestTarget
    clock: TargetClock
    decision_label: str
    answer_form: AnswerForm | None = None
    refuse_form: RefuseForm | None = None
    ask_form: AskForm | None = None
    record_form: RecordForm | None = None
    error: str = ""


def _render_request(
    request: HttpRequest, request_id: int, *, status: int = 200, error: str = "",
    bound: tuple[int, str, MappedErrorForm] | None = None,
    document_form: DocumentForm | None = None,
) -> HttpResponse:
    actor = actor_for(request)
    agency_request = _visible_or_404(actor, request_id)
    now = timezone.now()
    page = _page_number(request)
    may_answer = _may_file(actor)
    may_respond = actor.has_perm(Perm.AGENCY_REQUEST_RESPOND)
    recordable = agency_request.kind in RECORDABLE_KINDS
    rows = []
    shown = False
    for item in agency_request_target_page(request=agency_request, offset=(page - 1) * TARGET_PAGE,
                                           limit=TARGET_PAGE):
        row = TargetRow(item=item, clock=target_clock(item, now),
                        decision_label=item.decision.get_outcome_display()
                        if item.decision else "")
        if may_answer and item.outcome == TargetOutcome.NEEDS_INFORMATION:
            row.answer_form = AnswerForm(prefix=_prefix(item.pk, "answer"))
        if may_respond and item.outcome in OPEN_TARGET_OUTCOMES:
            row.refuse_form = RefuseForm(prefix=_prefix(item.pk, "refuse"))
            if item.outcome == TargetOutcome.PENDING:
                row.ask_form = AskForm(prefix=_prefix(item.pk, "ask"))
            if recordable:
                row.record_form = RecordForm(prefix=_prefix(item.pk, "record"))
        if bound is not None and bound[0] == item.pk:
            action, form = bound[1], bound[2]
            setattr(row, f"{action}_form", form)
            row.error = "; ".join(str(e) for e in form.non_field_errors())
            shown = True
        rows.append(row)
    if bound is not None and not shown and not error:
        # The target is on another page of the list: say what went wrong at the top.
        error = "; ".join(str(e) for errors in bound[2].errors.values() for e in errors)
    fraud_type = fraud_type_get(key=agency_request.fraud_type)
    context = {
        "req": agency_request,
        "rows": rows,
        "timeline": agency_request_timeline(request=agency_request, limit=TIMELINE_EVENTS),
        "fraud_type_name": fraud_type.name() if fraud_type else agency_request.fraud_type,
        "page": page,
        "page_query": _page_query(page),
        "has_next": page * TARGET_PAGE < agency_request.target_count,
        "has_previous": page > 1,
        "document_form": document_form or (DocumentForm() if may_answer else None),
        "may_respond": may_respond,
        "can_view_cases": actor.has_perm(Perm.CASE_VIEW),
        "error": error,
        "now": now,
    }
    return render(request, "agencies/portal/request_detail.html", context, status=status)


@never_cache
@require_safe
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    return _render_request(request, request_id)


@never_cache
@require_safe
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def document_download(request: HttpRequest, request_id: int) -> FileResponse:
    """The signed document, always as an attachment, only to those who see the request."""
    agency_request = _visible_or_404(actor_for(request), request_id)
    if not agency_request.legal_document:
        raise Http404(_("This request has no signed document yet."))
    response = FileResponse(agency_request.legal_document.open("rb"), as_attachment=True,
                            filename=f"{agency_request.number}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _failed(request: HttpRequest, request_id: int, exc: DomainError, **kwargs: Any
            ) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    return _render_request(request, request_id, status=exc.status_code, **kwargs)


@require_POST
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def document_upload(request: HttpRequest, request_id: int) -> HttpResponse:
    """agency:request:create (the own agency's) or desk:agency_request:record."""
    actor = actor_for(request)
    _visible_or_404(actor, request_id)
    if not _may_file(actor):
        raise PermissionDenied(Perm.AGENCY_REQUEST_CREATE.value)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_request(request, request_id, status=422, document_form=form)
    try:
        agency_request_attach_document(actor=actor, request_id=request_id,
                                       content=form.cleaned_data["document"])
    except DomainError as exc:
        form.add_domain_error(exc)
        return _failed(request, request_id, exc, document_form=form)
    messages.success(request, _("The signed document was received."))
    return _see(request_id)


@require_POST
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def target_answer(request: HttpRequest, request_id: int, target_id: int) -> HttpResponse:
    """agency:request:create (the own agency's) or desk:agency_request:record."""
    actor = actor_for(request)
    _visible_or_404(actor, request_id)
    if not _may_file(actor):
        raise PermissionDenied(Perm.AGENCY_REQUEST_CREATE.value)
    form = AnswerForm(request.POST, prefix=_prefix(target_id, "answer"))
    if not form.is_valid():
        return _render_request(request, request_id, status=422,
                               bound=(target_id, "answer", form))
    try:
        request_target_answer(actor=actor, request_id=request_id, target_id=target_id,
                              answer=form.cleaned_data["answer"])
    except DomainError as exc:
        form.add_domain_error(exc)
        return _failed(request, request_id, exc, bound=(target_id, "answer", form))
    messages.success(request, _("Thank you; the platform's clock runs again for this target."))
    return _see(request_id, page=_page_number(request), target_id=target_id)


@require_POST
@staff_required(Perm.AGENCY_REQUEST_RESPOND)
def target_respond(request: HttpRequest, request_id: int, target_id: int, action: str
                   ) -> HttpResponse:
    """Refuse a target, ask the agency for information, or record an answer given."""
    actor = actor_for(request)
    _visible_or_404(actor, request_id)
    form_class = RESPONSE_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=_prefix(target_id, action))
    if not form.is_valid():
        return _render_request(request, request_id, status=422, bound=(target_id, action, form))
    try:
        item = request_target_respond(actor=actor, request_id=request_id, target_id=target_id,
                                      data=form.response())
    except DomainError as exc:
        form.add_domain_error(exc)
        return _failed(request, request_id, exc, bound=(target_id, action, form))
    messages.success(request, _("Target %(line)d: %(outcome)s.")
                     % {"line": item.line, "outcome": item.get_outcome_display()})
    return _see(request_id, page=_page_number(request), target_id=target_id)
