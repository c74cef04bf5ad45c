"""Who is acting on a web request, and the gate in front of every staff page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django_otp import user_has_device

from fraudhub.core.actors import Actor
from fraudhub.core.http import client_ip
from fraudhub.core.roles import SECOND_FACTOR_ROLES, Perm, key_added_permissions

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def actor_for(request: HttpRequest) -> Actor:
    """The actor behind a browser request: the logged-in user, or an anonymous citizen.

    A session still owing its second factor acts as an anonymous citizen: a reviewer's
    password alone must not show the public pages what the role may see (indicators of
    `internal` distribution on /check/) nor file reports as an agency's officer.
    """
    ip = client_ip(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not second_factor_missing(request):
        return Actor.for_user(user, ip=ip)
    return Actor.anonymous(ip=ip)


def session_actor(request: HttpRequest) -> Actor:
    """The logged-in user as the actor, verified or not: for the login and 2FA pages only,
    which act for a person half-way through logging in."""
    return Actor.for_user(request.user, ip=client_ip(request))  # type: ignore[arg-type]


def second_factor_required(user: Any) -> bool:
    """Whether this user's web session counts only once a TOTP code has been entered."""
    return bool(
        settings.FRAUDHUB_REQUIRE_2FA
        and user.is_authenticated
        and getattr(user, "role", "") in SECOND_FACTOR_ROLES
    )


def second_factor_missing(request: HttpRequest) -> bool:
    user = request.user
    if not second_factor_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def second_factor_url(request: HttpRequest) -> str:
    """Where to send a user who still owes a second factor: verify, or enrol a first device."""
    name = "2fa_verify" if user_has_device(request.user, confirmed=True) else "2fa_setup"
    return resolve_url(name)


def staff_required(perm: Perm) -> Callable[[View], View]:
    """Login, then a verified second factor where the rule applies, then `perm` -- or 403.

    An unverified session is sent to the 2FA page rather than refused, because a reviewer who
    just typed the password is half-way through logging in, not an intruder.
    """
    return _staff_gate(lambda actor: actor.has_perm(perm), refusal=perm.value)


def key_holder_required(view: View) -> View:
    """:func:`staff_required` for the pages of a person's own API keys: open to a role a key
    gives something a call without one has not (roles.key_added_permissions)."""
    return _staff_gate(lambda actor: bool(key_added_permissions(actor.role)),
                       refusal="a role whose keys carry more than the public permissions")(view)


def _staff_gate(allows: Callable[[Actor], bool], *, refusal: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
            if second_factor_missing(request):
                return redirect_to_login(request.get_full_path(), second_factor_url(request))
            if not allows(actor_for(request)):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
