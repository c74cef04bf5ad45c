"""Public pages: file a report, follow it with its secret, appeal a decision."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fraudhub.cases.services.appeals import (
    appeal_file_by_owner_token,
    appeal_file_by_reporter,
    decision_for_owner_token,
)
from fraudhub.cases.targets import display_in_language, target_in_mail
from fraudhub.core.decorators import actor_for
from fraudhub.core.errors import DomainError, NotFound
from fraudhub.reports.confirmation import report_email_confirm, report_for_confirm_token
from fraudhub.reports.forms import (
    OwnerAppealForm,
    ReporterAppealForm,
    ReportForm,
    SecretForm,
    StatusLookupForm,
)
from fraudhub.reports.selectors import (
    decision_view,
    report_decision_view,
    report_get_with_secret,
)
from fraudhub.reports.services import report_create
from fraudhub.taxonomy.selectors import fraud_type_get


def _error_response(
    request: HttpRequest, template: str, context: dict[str, Any], exc: DomainError
) -> HttpResponse:
    response = render(request, template, context, status=exc.status_code)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _language() -> str:
    return (get_language() or "vi")[:2]


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    # The check page links here with what was checked: ?target_kind=phone&target=...
    initial = {key: request.GET[key][:2048] for key in ("target_kind", "target", "platform")
               if request.GET.get(key)}
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "reports/report_form.html", {"form": form}, status=422)
        try:
            filed = report_create(actor=actor_for(request),
                                  data=form.report_input(language=_language()))
        except DomainError as exc:
            form.add_domain_error(exc)
            return _error_response(request, "reports/report_form.html", {"form": form}, exc)
        # Rendered, not redirected: the secret exists only in this response.
        return render(request, "reports/report_created.html", {
            "report": filed.report, "secret": filed.secret,
        }, status=201)
    return render(request, "reports/report_form.html", {"form": form})


def _status_context(
    request: HttpRequest, tracking_code: str, secret: str
) -> dict[str, Any] | None:
    report = report_get_with_secret(tracking_code=tracking_code, secret=secret)
    if report is None:
        return None
    fraud_type = fraud_type_get(key=report.fraud_type)
    return {
        "report": report,
        "secret": secret,
        "fraud_type_name": fraud_type.name() if fraud_type else report.fraud_type,
        "decision": report_decision_view(report=report),
    }


def _not_found_message() -> str:
    # The same answer for a wrong code and a wrong secret: codes are not enumerable.
    return _("No report with this tracking code and secret. Check both and try again.")


@never_cache
@require_http_methods(["GET", "POST"])
def report_status_lookup(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["tracking_code"].strip().upper()
        context = _status_context(request, code, form.cleaned_data["secret"])
        if context is not None:
            context["appeal_form"] = ReporterAppealForm(initial={"secret": context["secret"]})
            return render(request, "reports/report_status.html", context)
        form.add_error(None, _not_found_message())
        return render(request, "reports/status_lookup.html", {"form": form}, status=404)
    status = 422 if form.errors else 200
    return render(request, "reports/status_lookup.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest, tracking_code: str) -> HttpResponse:
    # The secret is read from a form POST only: in the address (?secret=) it would stay in
    # access logs, proxies' logs and the browser's history.
    form = SecretForm(request.POST if "secret" in request.POST else None)
    if form.is_bound and form.is_valid():
        context = _status_context(request, tracking_code, form.cleaned_data["secret"])
        if context is not None:
            context["appeal_form"] = ReporterAppealForm(initial={"secret": context["secret"]})
            return render(request, "reports/report_status.html", context)
        form.add_error(None, _not_found_message())
        return render(request, "reports/status_secret.html",
                      {"form": form, "tracking_code": tracking_code}, status=404)
    status = 422 if form.errors else 200
    return render(request, "reports/status_secret.html",
                  {"form": form, "tracking_code": tracking_code}, status=status)


@never_cache
@require_POST
def report_appeal(request: HttpRequest, tracking_code: str) -> HttpResponse:
    form = ReporterAppealForm(request.POST)
    secret = request.POST.get("secret", "")
    exc: DomainError | None = None
    if form.is_valid():
        try:
            appeal_file_by_reporter(
                actor=actor_for(request), tracking_code=tracking_code,
                secret=form.cleaned_data["secret"], statement=form.cleaned_data["statement"],
            )
        except DomainError as error:
            exc = error
            form.add_domain_error(error)
    context = _status_context(request, tracking_code, secret)
    if context is None:
        return render(request, "reports/status_secret.html", {
            "form": SecretForm(), "tracking_code": tracking_code,
            "error": _not_found_message(),
        }, status=404)
    if exc is None and not form.errors:
        context["appeal_filed"] = True
        context["appeal_form"] = None
        return render(request, "reports/report_status.html", context, status=201)
    context["appeal_form"] = form
    if exc is not None:
        return _error_response(request, "reports/report_status.html", context, exc)
    return render(request, "reports/report_status.html", context, status=422)


@never_cache
@require_http_methods(["GET", "POST"])
def owner_appeal(request: HttpRequest, token: str) -> HttpResponse:
    form = OwnerAppealForm(request.POST or None)
    decision = decision_for_owner_token(token=token)
    context: dict[str, Any] = {
        "form": form, "token": token, "link_invalid": decision is None,
        "decision": decision_view(decision, reporter_side=False) if decision else None,
        "target": display_in_language(decision.case.target) if decision else "",
    }
    if decision is None:
        return render(request, "reports/owner_appeal.html", context, status=404)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "reports/owner_appeal.html", context, status=422)
        try:
            appeal = appeal_file_by_owner_token(
                actor=actor_for(request), token=token,
                statement=form.cleaned_data["statement"],
                contact_email=form.cleaned_data["contact_email"].strip(),
                language=get_language() or "vi",
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            context["link_invalid"] = isinstance(exc, NotFound)
            return _error_response(request, "reports/owner_appeal.html", context, exc)
        return render(request, "reports/owner_appeal_filed.html", {"appeal": appeal},
                      status=201)
    return render(request, "reports/owner_appeal.html", context)



@never_cache
@require_http_methods(["GET", "POST"])
def report_confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a receipt: a page with a button, since mail scanners open every link."""
    template = "reports/confirm_email.html"
    try:
        report = report_for_confirm_token(token=token)
    except DomainError as exc:
        return _error_response(request, template, {"error": exc.message}, exc)
    # Whoever holds the mailbox sees this page, not necessarily who wrote the report: like the
    # receipt, it names a phone, account or wallet, and of anything else (a link, a text) only
    # its kind, so that nobody gets a link of their choosing shown under FraudHub's name.
    context: dict[str, Any] = {"report": report, "token": token, **target_in_mail(
        kind=report.target.kind, display=display_in_language(report.target))}
    if request.method == "POST":
        try:
            done = report_email_confirm(actor=actor_for(request), token=token)
        except DomainError as exc:
            return _error_response(request, template, {**context, "error": exc.message}, exc)
        context.update(confirmed=True, confirmed_before=done.confirmed_before,
                       suspended=done.suspended)
    return render(request, template, context)
