"""Accountability pages: the response document, the agency dashboard, the transparency report."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fraudhub.agencies.dashboard_forms import StatsFilterForm
from fraudhub.agencies.response_pdf import response_pdf_render
from fraudhub.agencies.selectors import agencies_list, agency_request_get
from fraudhub.agencies.stats import (
    AccountabilityStats,
    agency_dashboard_stats,
    stats_csv,
    transparency_stats,
)
from fraudhub.core.actors import Actor
from fraudhub.core.decorators import actor_for, staff_required
from fraudhub.core.roles import Perm


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in text)


def pdf_response(content: bytes, number: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(number)}-response.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(text: str, filename: str) -> HttpResponse:
    # A byte-order mark so that spreadsheets read the Vietnamese names as UTF-8.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(filename)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def response_pdf(request: HttpRequest, request_id: int) -> HttpResponse:
    found = agency_request_get(actor=actor_for(request), request_id=request_id)
    if found is None:
        raise Http404(_("No such request."))
    return pdf_response(response_pdf_render(request=found), found.number)


def _figures_page(request: HttpRequest, actor: Actor, *, staff: bool, template: str,
                  csv_name: str, transparency: bool) -> HttpResponse:
    form = StatsFilterForm(request.GET or None, agencies=agencies_list() if staff else None)
    stats: AccountabilityStats | None = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        agency = data.get("agency")
        select = transparency_stats if transparency else agency_dashboard_stats
        stats = select(actor=actor, date_from=data.get("date_from"),
                       date_to=data.get("date_to"), agency_id=agency.pk if agency else None)
        if request.GET.get("format") == "csv":
            return csv_response(stats_csv(stats), csv_name)
    query = request.GET.copy()
    query["format"] = "csv"
    status = 200 if stats is not None else 422
    return render(request, template, {"form": form, "stats": stats,
                                      "csv_query": query.urlencode()}, status=status)


@require_safe
@staff_required(Perm.AGENCY_DASHBOARD_READ)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return _figures_page(request, actor, staff=actor.has_perm(Perm.AGENCY_REQUEST_VIEW_ALL),
                         template="agencies/stats_dashboard.html", csv_name="agency-dashboard.csv",
                         transparency=False)


@require_safe
@staff_required(Perm.TRANSPARENCY_READ)
def transparency(request: HttpRequest) -> HttpResponse:
    return _figures_page(request, actor_for(request), staff=True,
                         template="agencies/stats_transparency.html",
                         csv_name="transparency-authority-orders.csv", transparency=True)
