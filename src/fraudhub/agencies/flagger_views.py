"""The console page of trusted flaggers: standing of each, grant and suspend the status.

Every page and action needs admin:trusted_flagger:manage; the services audit every change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from fraudhub.agencies.forms import FlaggerGrantForm, FlaggerSuspendForm
from fraudhub.agencies.selectors import trusted_flagger_standings
from fraudhub.agencies.services.organizations import (
    trusted_flagger_grant,
    trusted_flagger_suspend,
)
from fraudhub.core.decorators import actor_for, staff_required
from fraudhub.core.errors import DomainError, NotFound
from fraudhub.core.roles import Perm


def _render(
    request: HttpRequest, *, status: int = 200, error: str = "",
    grant_form: FlaggerGrantForm | None = None,
    suspend_form: tuple[int, FlaggerSuspendForm] | None = None,
) -> HttpResponse:
    rows = []
    for standing in trusted_flagger_standings():
        org = standing.organization
        form = None
        if org.is_trusted_flagger:
            if suspend_form is not None and suspend_form[0] == org.pk:
                form = suspend_form[1]
            else:
                form = FlaggerSuspendForm(prefix=f"org{org.pk}")
        rows.append((standing, form))
    context: dict[str, Any] = {
        "rows": rows,
        "grant_form": grant_form or FlaggerGrantForm(),
        "error": error,
    }
    return render(request, "console/flaggers.html", context, status=status)


def _back() -> HttpResponse:
    response = redirect("portal:flaggers")
    response.status_code = 303
    return response


@never_cache
@require_safe
@staff_required(Perm.TRUSTED_FLAGGER_MANAGE)
def flaggers(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
@staff_required(Perm.TRUSTED_FLAGGER_MANAGE)
def flagger_grant(request: HttpRequest) -> HttpResponse:
    """Grant from the select of any organization, or again to a suspended flagger (its own
    button posts `organization` too)."""
    form = FlaggerGrantForm(request.POST)
    if not form.is_valid():
        return _render(request, status=422, grant_form=form)
    try:
        org = trusted_flagger_grant(actor=actor_for(request),
                                    organization_id=int(form.cleaned_data["organization"]))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404(exc.message) from exc
        form.add_domain_error(exc)
        return _render(request, status=exc.status_code, grant_form=form, error=exc.message)
    messages.success(request, _("%(name)s is now a trusted flagger.") % {"name": org.name})
    return _back()


@require_POST
@staff_required(Perm.TRUSTED_FLAGGER_MANAGE)
def flagger_suspend(request: HttpRequest, organization_id: int) -> HttpResponse:
    form = FlaggerSuspendForm(request.POST, prefix=f"org{organization_id}")
    if not form.is_valid():
        return _render(request, status=422, suspend_form=(organization_id, form))
    try:
        org = trusted_flagger_suspend(actor=actor_for(request), organization_id=organization_id,
                                      reason=form.cleaned_data["reason"])
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404(exc.message) from exc
        form.add_domain_error(exc)
        return _render(request, status=exc.status_code, suspend_form=(organization_id, form),
                       error=exc.message)
    messages.success(request, _("The trusted-flagger status of %(name)s is suspended.")
                     % {"name": org.name})
    return _back()
