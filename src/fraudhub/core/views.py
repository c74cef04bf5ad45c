from __future__ import annotations

import logging
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from fraudhub.core.decorators import (
    actor_for,
    second_factor_missing,
    second_factor_url,
    session_actor,
)
from fraudhub.core.errors import RateLimited, ValidationFailed
from fraudhub.core.forms import LoginForm, TokenForm
from fraudhub.core.login_devices import login_device_of, login_device_remember
from fraudhub.core.ratelimit import login_attempts_limit
from fraudhub.core.roles import Perm
from fraudhub.core.services import otp_device_confirm, otp_device_pending

logger = logging.getLogger(__name__)
_TOO_MANY_ATTEMPTS = gettext_lazy("Too many login attempts for this account.")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The page of a form refused by the CSRF check (CSRF_FAILURE_VIEW): Django's own is in
    English whatever the language, unstyled and written for developers. Rendered with the
    request, so the header and the language switch work and a new token cookie is set for the
    next try."""
    return render(request, "403_csrf.html", status=403)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def _next_url(request: HttpRequest) -> str:
    """The page to return to after logging in; only ever a page of this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    # Where the role works, known before the second factor is given (actor_for would be
    # anonymous until then).
    actor = session_actor(request) if request.user.is_authenticated else actor_for(request)
    if actor.has_perm(Perm.CASE_LIST):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    if actor.has_perm(Perm.AGENCY_REQUEST_VIEW):
        return resolve_url("portal:list")  # an agency's officer: the own requests
    return resolve_url("home")


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            login_attempts_limit(
                username=form.cleaned_data["username"], message=_TOO_MANY_ATTEMPTS,
                device=login_device_of(request, username=form.cleaned_data["username"]))
        except RateLimited as refused:
            logger.warning("login attempts limit reached for an account (user name %r)",
                           form.cleaned_data["username"][:150])
            response = render(request, "core/locked_out.html",
                              {"account_wide": True,
                               "retry_minutes": -(-refused.retry_after // 60)}, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        user = auth.authenticate(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            auth.login(request, user)
            next_url = _next_url(request)
            if second_factor_missing(request):
                response = redirect(_with_next(second_factor_url(request), next_url))
            else:
                response = HttpResponseRedirect(next_url)
            login_device_remember(response, username=form.cleaned_data["username"])
            return response
        if getattr(request, "axes_locked_out", False):
            # AxesMiddleware replaces this answer with core/locked_out.html; rendering it here
            # too keeps the page right should the middleware ever be left out.
            return render(request, "core/locked_out.html", status=429)
        # One message for an unknown user and a wrong password: names are not enumerable.
        error = _("The user name or password is not correct.")
    status = 401 if error else 422 if form.is_bound else 200
    return render(request, "core/login.html",
                  {"form": form, "error": error, "next": request.GET.get("next", "")},
                  status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("home")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def twofa_verify(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect(_with_next(resolve_url("2fa_setup"), _next_url(request)))
    form = TokenForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        verified = verify_token(request.user, device.persistent_id, form.cleaned_data["code"])
        if verified is not None:
            otp_login(request, verified)
            return HttpResponseRedirect(_next_url(request))
        error = (_("The code is not correct. Wait for a new code and try again.") if allowed
                 else _("Too many wrong codes. Wait a little before trying again."))
        status = 401
    elif form.is_bound:
        status = 422  # not a code at all: refused like every other form
    return render(request, "core/2fa_verify.html",
                  {"form": form, "error": error, "next": _next_url(request)}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def twofa_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        return redirect(_with_next(resolve_url("2fa_verify"), _next_url(request)))
    actor = session_actor(request)
    device = otp_device_pending(actor=actor, user=request.user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_device_confirm(actor=actor, device_id=device.pk,
                                        token=form.cleaned_data["code"])
        except ValidationFailed as exc:
            error = exc.message
            status = 401
        else:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
    elif form.is_bound:
        status = 422  # not a code at all: refused like every other form
    uri = device.config_url
    return render(request, "core/2fa_setup.html", {
        "form": form,
        "error": error,
        "next": _next_url(request),
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=5, border=2),
        "secret": b32encode(device.bin_key).decode("ascii"),
        "otpauth_uri": uri,
    }, status=status)
