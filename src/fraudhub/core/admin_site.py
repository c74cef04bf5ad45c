"""Django's admin site, behind the second factor (installed by FraudHubAdminConfig)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import reverse

from fraudhub.core.decorators import second_factor_missing, second_factor_url
from fraudhub.core.roles import Role

_PATTERN_LOOKUPS = ("__regex", "__iregex")
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


class SecondFactorAdminSite(admin.AdminSite):
    """Django's admin behind the same login as the console: password, then the TOTP code.

    The stock admin has a login form of its own that asks for the password only, and let in
    any staff session, verified or not: an administrator's password alone opened every page
    here (API keys of any role, users' roles, the audit log).
    """

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin page, refusing pattern lookups in its address (400).

        Django's admin lets any of a model's fields be filtered by any lookup named in the
        address; an invalid pattern (``?pk__regex=(``) reached the database and failed the page
        with a 500. The admin's own filters never write one.
        """
        wrapped = super().admin_view(view, cacheable)

        @functools.wraps(wrapped)
        def refusing_patterns(request: HttpRequest, *args: Any, **kwargs: Any
                              ) -> HttpResponseBase:
            if any(key.endswith(_PATTERN_LOOKUPS) for key in request.GET):
                return HttpResponseBadRequest("Pattern lookups are not available here.")
            return wrapped(request, *args, **kwargs)

        return cast(_View, refusing_patterns)

    def has_permission(self, request: HttpRequest) -> bool:
        # The role decides, as everywhere else: Django's is_staff and is_superuser stay set on
        # an administrator moved to another role on the user page (and can be set on anybody),
        # and alone they opened the audit log and the API keys to a reviewer or a citizen --
        # the latter with the password only, owing no second factor.
        return (super().has_permission(request)
                and getattr(request.user, "role", "") == Role.ADMIN
                and not second_factor_missing(request))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None
              ) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index",
                                                                   current_app=self.name)
        if request.user.is_authenticated and second_factor_missing(request):
            return redirect_to_login(next_url, second_factor_url(request))
        return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))
