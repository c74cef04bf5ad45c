"""Accountability over the API: the response document, the dashboard, the transparency report."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from fraudhub.agencies.dashboard_schemas import StatsFilter, StatsOut, stats_out
from fraudhub.agencies.dashboard_views import csv_response, pdf_response
from fraudhub.agencies.response_pdf import response_pdf_render
from fraudhub.agencies.selectors import agency_request_get
from fraudhub.agencies.stats import agency_dashboard_stats, stats_csv, transparency_stats
from fraudhub.core.errors import NotFound, ValidationFailed
from fraudhub.core.http import authorize, needs
from fraudhub.core.roles import Perm

router = Router(tags=["agencies"])

PDF_ANSWER = {200: {"description": "The response document", "content": {"application/pdf": {}}}}
CSV_ANSWER = {200: {"description": "The figures as CSV", "content": {"text/csv": {}}}}


def _with_answer(extra: dict[str, Any], answer: dict[int, Any]) -> dict[str, Any]:
    """``needs(...)`` with the success answer of an operation that returns a file."""
    return {**extra, "responses": {**answer, **extra["responses"]}}


def _check_period(filters: StatsFilter) -> None:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(_("The period is not valid."), field_errors={
            "date_to": [_("The last day comes before the first.")]})


@router.get("/agency/requests/{request_id}/response.pdf",
            openapi_extra=_with_answer(needs(Perm.AGENCY_REQUEST_VIEW, 404, 422), PDF_ANSWER))
def response_document(request: HttpRequest, request_id: int) -> HttpResponse:
    """The response document (PDF) of a request: every target, its outcome and timing."""
    actor = authorize(request, Perm.AGENCY_REQUEST_VIEW)
    found = agency_request_get(actor=actor, request_id=request_id)
    if found is None:
        raise NotFound(_("No such request."))
    return pdf_response(response_pdf_render(request=found), found.number)


@router.get("/agency/dashboard", response=StatsOut,
            openapi_extra=needs(Perm.AGENCY_DASHBOARD_READ, 422))
def dashboard(request: HttpRequest, filters: Query[StatsFilter]) -> StatsOut:
    """Requests by status, targets handled and within the deadline, median and p90 time to
    action, by kind, fraud type and month: the own agency's (platform staff: every agency's)."""
    actor = authorize(request, Perm.AGENCY_DASHBOARD_READ)
    _check_period(filters)
    return stats_out(agency_dashboard_stats(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to,
        agency_id=filters.agency_id))


@router.get("/agency/dashboard.csv",
            openapi_extra=_with_answer(needs(Perm.AGENCY_DASHBOARD_READ, 422), CSV_ANSWER))
def dashboard_csv(request: HttpRequest, filters: Query[StatsFilter]) -> HttpResponse:
    """The dashboard's figures as CSV, one row per breakdown."""
    actor = authorize(request, Perm.AGENCY_DASHBOARD_READ)
    _check_period(filters)
    stats = agency_dashboard_stats(actor=actor, date_from=filters.date_from,
                                   date_to=filters.date_to, agency_id=filters.agency_id)
    return csv_response(stats_csv(stats), "agency-dashboard.csv")


@router.get("/agency/transparency", response=StatsOut,
            openapi_extra=needs(Perm.TRANSPARENCY_READ, 422))
def transparency(request: HttpRequest, filters: Query[StatsFilter]) -> StatsOut:
    """Platform-wide: orders of authorities by kind and agency, median time to acknowledge and
    to comply (EU DSA Art. 15)."""
    actor = authorize(request, Perm.TRANSPARENCY_READ)
    _check_period(filters)
    return stats_out(transparency_stats(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to,
        agency_id=filters.agency_id))
