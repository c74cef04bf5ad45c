"""The console page "My API keys": a person's own keys, made and revoked by that person.

A key that may decide acts as its holder (the four-eyes rule compares people), so it is made by
the holder here -- or by an operator with `fraudhub apikey create --user` -- never by an
administrator for someone else. Making one asks for the account's password again: a session
left open or stolen must not mint a key that outlives it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import auth, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from fraudhub.core.actors import Actor
from fraudhub.core.decorators import actor_for, key_holder_required
from fraudhub.core.errors import DomainError, NotFound, RateLimited
from fraudhub.core.forms import OwnApiKeyForm
from fraudhub.core.login_devices import login_device_of
from fraudhub.core.models import ApiKey
from fraudhub.core.ratelimit import login_attempts_limit
from fraudhub.core.selectors import apikeys_held_by
from fraudhub.core.services import apikey_create_own, apikey_revoke_own

_TOO_MANY_ATTEMPTS = gettext_lazy("Too many password attempts for this account. "
                                  "Try again in %(s)d seconds.")


def _permissions(api_key: ApiKey) -> list[str]:
    """What the key may do now: its role's permissions, narrowed to its scopes and to its
    holder's present role (as every call with it is)."""
    return sorted(p.value for p in Actor.for_api_key(api_key).perms)


def _render(request: HttpRequest, *, form: OwnApiKeyForm | None = None, status: int = 200,
            error: str = "") -> HttpResponse:
    context: dict[str, Any] = {
        "keys": [(key, _permissions(key))
                 for key in apikeys_held_by(user=request.user)],  # type: ignore[arg-type]
        "now": timezone.now(),
        "form": form or OwnApiKeyForm(),
        "error": error,
    }
    return render(request, "console/apikeys.html", context, status=status)


@never_cache
@require_safe
@key_holder_required
def apikey_list(request: HttpRequest) -> HttpResponse:
    return _render(request)


def _password_confirmed(request: HttpRequest, password: str) -> bool:
    """Whether ``password`` is the logged-in person's, checked as a login is: counted by the
    account-wide attempt limit and by django-axes (whose lockout answers for the page), so that
    a stolen session cannot guess it here without end."""
    username = request.user.get_username()
    login_attempts_limit(username=username, message=_TOO_MANY_ATTEMPTS,
                         device=login_device_of(request, username=username))
    user = auth.authenticate(request=request, username=username, password=password)
    return user is not None and user.pk == request.user.pk


@sensitive_post_parameters("password")
@never_cache
@require_POST
@key_holder_required
def apikey_new(request: HttpRequest) -> HttpResponse:
    form = OwnApiKeyForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=422)
    try:
        if not _password_confirmed(request, form.cleaned_data["password"]):
            form.add_error("password", _("The password is not correct."))
            return _render(request, form=form, status=422)
        issued = apikey_create_own(actor=actor_for(request), name=form.cleaned_data["name"],
                                   expires_days=form.cleaned_data["expires_days"])
    except RateLimited as exc:
        response = _render(request, form=form, status=exc.status_code, error=exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render(request, form=form, status=exc.status_code)
    # Shown on this answer alone: never put in a redirect, a message or the session.
    return render(request, "console/apikey_created.html",
                  {"api_key": issued.api_key, "raw_key": issued.raw_key,
                   "permissions": _permissions(issued.api_key)})


@require_POST
@key_holder_required
def apikey_revoke(request: HttpRequest, api_key_id: int) -> HttpResponse:
    try:
        api_key: ApiKey = apikey_revoke_own(actor=actor_for(request), api_key_id=api_key_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("The key %(name)s (%(prefix)s) is revoked: it no longer "
                                "works.") % {"name": api_key.name, "prefix": api_key.prefix})
    response = redirect("apikeys")
    response.status_code = 303
    return response
