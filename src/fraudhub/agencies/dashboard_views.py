"""Accountability pages: the response document, the agency dashboard, the transparency report."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fraudhub.agencies.response_pdf import response_pdf_render
from fraudhub.agencies.selectors import agency_request_get
from fraudhub.core.decorators import actor_for, staff_required
from fraudhub.core.roles import Perm


def pdf_response(content: bytes, number: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    safe_number = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in number)
    response["Content-Disposition"] = f'attachment; filename="{safe_number}-response.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required(Perm.AGENCY_REQUEST_VIEW)
def response_pdf(request: HttpRequest, request_id: int) -> HttpResponse:
    found = agency_request_get(actor=actor_for(request), request_id=request_id)
    if found is None:
        raise Http404(_("No such request."))
    return pdf_response(response_pdf_render(request=found), found.number)
