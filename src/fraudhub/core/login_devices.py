"""Device cookies: a browser that logged in to an account before keeps its own attempt budget.

The account-wide limit on login attempts (ratelimit.login_attempts_limit) stops a password being
guessed from many addresses, but it also let anyone who knows a reviewer's user name keep that
reviewer out, one cool-off window after another. A browser that has logged in to the account
carries a signed cookie naming it (and a random id of its own); its attempts are counted
against that id instead of the account, so an attack from elsewhere locks out only browsers the
account has never used (OWASP's "device cookies").
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "fraudhub_device"
_SALT = "fraudhub.core.login_devices"
MAX_AGE_SECONDS = 180 * 24 * 3600


def account_digest(username: str) -> str:
    """The account a login names, case-folded and hashed (the key does not grow with input)."""
    return hashlib.sha256(username.casefold().encode("utf-8", "replace")).hexdigest()[:32]


def login_device_of(request: HttpRequest, *, username: str) -> str | None:
    """The id of the device cookie this browser holds for ``username``, or None."""
    token = request.COOKIES.get(COOKIE_NAME, "")
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != account_digest(username):
        return None
    device = data.get("device")
    return device if isinstance(device, str) and device.isalnum() else None


def login_device_remember(response: HttpResponse, *, username: str) -> None:
    """After a successful login: this browser is a device of the account from now on."""
    token = signing.dumps({"account": account_digest(username),
                           "device": secrets.token_hex(16)}, salt=_SALT)
    response.set_cookie(COOKIE_NAME, token, max_age=MAX_AGE_SECONDS, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
