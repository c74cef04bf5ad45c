"""Delisting on the web: the owner's request form, and the reviewers' queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fraudhub.core.decorators import actor_for, staff_required
from fraudhub.core.errors import DomainError
from fraudhub.core.forms import DomainErrorForm, Textarea
from fraudhub.core.roles import Perm
from fraudhub.indicators.delisting import DelistingInput, delisting_decide, delisting_request_create
from fraudhub.indicators.models import DelistingRequest, DelistingStatus
from fraudhub.reports.evidence import EvidenceUpload
from fraudhub.reports.forms import MultipleFileField, MultipleFileInput


class DelistingForm(DomainErrorForm):
    value = forms.CharField(
        label=_("The listed number, account, link or profile"), max_length=2048,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}))
    requester_name = forms.CharField(label=_("Your name or your organization"), max_length=200)
    requester_email = forms.CharField(
        label=_("Your e-mail"), max_length=254, help_text=_("The answer is sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    statement = forms.CharField(
        label=_("Why should it not be listed?"), max_length=5_000,
        help_text=_("For example: the number was assigned to you recently, or the account "
                    "was hijacked and has been recovered."),
        widget=Textarea(attrs={"rows": 6}))
    evidence = MultipleFileField(
        label=_("Evidence (images or PDF, up to 5 files)"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))

    def delisting_input(self) -> DelistingInput:
        data = self.cleaned_data
        return DelistingInput(
            value=data["value"], requester_name=data["requester_name"],
            requester_email=data["requester_email"].strip(), statement=data["statement"],
            language=(get_language() or "vi")[:2],
            evidence=[EvidenceUpload(name=f.name or "", content=f.read())
                      for f in data.get("evidence") or []],
        )


class DelistingDecisionForm(DomainErrorForm):
    accept = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1",
        choices=[("1", _("Accept: remove it from the database")),
                 ("0", _("Reject: the listing stands"))])
    reasons = forms.CharField(label=_("Reasons (sent to the requester)"), max_length=5_000,
                              widget=Textarea(attrs={"rows": 3}))


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            exc: DomainError | None = None, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=exc.status_code if exc else status)
    if exc is not None and exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def delisting_new(request: HttpRequest) -> HttpResponse:
    form = DelistingForm(request.POST or None, request.FILES or None,
                         initial={"value": request.GET.get("value", "")[:2048]})
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return _render(request, "indicators/delisting_form.html", context, status=422)
        try:
            created = delisting_request_create(actor=actor_for(request),
                                               data=form.delisting_input())
        except DomainError as exc:
            form.add_domain_error(exc)
            return _render(request, "indicators/delisting_form.html", context, exc)
        return render(request, "indicators/delisting_done.html", {"delisting": created},
                      status=201)
    return _render(request, "indicators/delisting_form.html", context)


def _pending() -> QuerySet[DelistingRequest]:
    """The oldest requests waiting, with their values and evidence (the page lists both)."""
    return (DelistingRequest.objects.select_related("indicator")
            .prefetch_related("evidence").filter(status=DelistingStatus.OPEN)
            .order_by("created_at")[:200])


def _decision_prefix(request_id: int) -> str:
    return f"delisting-{request_id}"


def _queue_context(failed: DelistingDecisionForm | None = None,
                   failed_id: int | None = None) -> dict[str, Any]:
    """The waiting requests, each with its own decision form: the one whose decision failed
    keeps what the reviewer typed and its errors, the others are empty (one shared form showed
    a request's reasons and errors under every request)."""
    rows = [(item, failed if item.pk == failed_id and failed is not None
             else DelistingDecisionForm(prefix=_decision_prefix(item.pk)))
            for item in _pending()]
    return {"rows": rows, "form": failed, "failed_id": failed_id}


@staff_required(Perm.INDICATOR_MANAGE)
@require_http_methods(["GET"])
def delisting_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "console/delisting.html", _queue_context())


@staff_required(Perm.INDICATOR_MANAGE)
@require_POST
def delisting_decision(request: HttpRequest, request_id: int) -> HttpResponse:
    form = DelistingDecisionForm(request.POST, prefix=_decision_prefix(request_id))
    status = 422
    if form.is_valid():
        try:
            delisting_decide(actor=actor_for(request), request_id=request_id,
                             accept=form.cleaned_data["accept"],
                             reasons=form.cleaned_data["reasons"])
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status_code  # 404 no such request, 409 decided already
        else:
            return redirect("delisting_queue")
    return render(request, "console/delisting.html", _queue_context(form, request_id),
                  status=status)
