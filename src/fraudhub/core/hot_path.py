"""GET /api/v1/lookup past the middleware that does nothing for it.

The public lookup is the busiest request of a national node, and much of what a Django request
costs is the middleware chain rather than the lookup: measured with bench/lookup.py's server
(100,000 indicators), a lookup took 432-467 µs of server CPU through the whole chain and
409-431 µs here, where /healthz took 324-355 µs. Of the thirteen other middleware of ``MIDDLEWARE``,
only four do anything for a GET of the API without a body: Security (the HTTPS redirect; the
security headers), Locale (the caller's language; ``Vary`` and ``Content-Language``), Common
(the host check, refused user agents; ``Content-Length``) and XFrameOptions (its header). The
rest pass such a request on untouched: WhiteNoise serves only its static files, the size and
text checks look at bodies, the session, login, OTP and message middleware skip the API
(core.middleware.MACHINE_PATH_PREFIXES), CSRF checks only unsafe methods (and the API's views
are exempt), and Axes answers only requests that tried to log in.

So :class:`HotPathMiddleware`, first in ``MIDDLEWARE``, answers such a request itself: it calls
those four middleware's own ``process_request`` and ``process_response`` methods (Django's code,
not a copy of it), in the order the chain would, and between them the view the URLconf routes
the path to. It stays inside Django's request handler, so the request and response objects,
the request_started and request_finished signals (which close stale database connections) and
the logging of 4xx and 5xx answers are the usual ones. Anything unusual goes down the whole
chain: another method, a body, a request one of the four middleware answers early (a redirect
to HTTPS, a refused host or user agent).

It was written against one ``MIDDLEWARE``, :data:`REVIEWED_MIDDLEWARE`: with any other list it
passes every request on (and warns once at start), since a middleware added, removed or
reordered may act on the lookup in a way this module does not know.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import ResolverMatch, resolve

logger = logging.getLogger(__name__)

# Paths answered here, for GET only; the URLconf says which view answers each.
HOT_GET_PATHS = frozenset({"/api/v1/lookup"})

REVIEWED_MIDDLEWARE = (
    "fraudhub.core.hot_path.HotPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "fraudhub.core.middleware.RequestSizeLimitMiddleware",
    "fraudhub.core.middleware.RequestTextMiddleware",
    "fraudhub.core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fraudhub.core.middleware.AuthenticationMiddleware",
    "fraudhub.core.middleware.OTPMiddleware",
    "fraudhub.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
)

# Headers that make a request more than a plain GET: a body (the size and text checks and
# Django's form parsing read these), or a body sent in chunks.
_BODY_HEADERS = ("CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_TRANSFER_ENCODING")


def hot_path_enabled() -> bool:
    """Whether this deployment answers the hot paths before the middleware chain."""
    if not settings.FRAUDHUB_HOT_PATH:
        return False
    if tuple(settings.MIDDLEWARE) != REVIEWED_MIDDLEWARE:
        logger.warning(
            "MIDDLEWARE is not the list fraudhub.core.hot_path was reviewed against: GET "
            "/api/v1/lookup goes through the whole chain (review REVIEWED_MIDDLEWARE there)")
        return False
    # A view run in a transaction per request is wrapped by the handler's URL dispatch, and a
    # CSRF token kept in the session would be read from a session the API never has.
    return not (settings.CSRF_USE_SESSIONS
                or any(db.get("ATOMIC_REQUESTS") for db in settings.DATABASES.values()))


class HotPathMiddleware:
    """Answers GET of :data:`HOT_GET_PATHS` with the hooks of the middleware that act on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = hot_path_enabled()
        # Instances of their own, as the chain makes its own: their hooks keep no state
        # between requests (only settings read at construction).
        self.security = SecurityMiddleware(get_response)
        self.locale = LocaleMiddleware(get_response)
        self.common = CommonMiddleware(get_response)
        self.xframe = XFrameOptionsMiddleware(get_response)
        self._routes: dict[str, ResolverMatch] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (self.enabled and request.path_info in HOT_GET_PATHS and request.method == "GET"
                and self._plain(request) and self._passes(request)):
            return self.get_response(request)
        match = self._route(request.path_info)
        request.resolver_match = match
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Exception as exc:  # as the handler's own wrapper of the view does
            response = cast(HttpResponse, response_for_exception(request, exc))
        # In the chain's order: the last middleware's process_response runs first.
        response = self.xframe.process_response(request, response)
        response = self.common.process_response(request, response)
        response = cast(HttpResponse, self.locale.process_response(request, response))
        return self.security.process_response(request, response)

    @staticmethod
    def _plain(request: HttpRequest) -> bool:
        """No body, and no CSRF cookie (which CsrfViewMiddleware would check, and renew when it
        is malformed): the request the four middleware's hooks fully stand for."""
        meta = request.META
        if any(meta.get(name) not in (None, "", "0") for name in _BODY_HEADERS):
            return False
        return "HTTP_COOKIE" not in meta or settings.CSRF_COOKIE_NAME not in request.COOKIES

    def _passes(self, request: HttpRequest) -> bool:
        """The request hooks, in the chain's order; False when one would answer it early."""
        try:
            for process_request in (self.security.process_request,
                                    self.locale.process_request,
                                    self.common.process_request):
                if process_request(request) is not None:
                    return False
        except Exception:  # a refused host or user agent: the chain answers it, as always
            return False
        return True

    def _route(self, path: str) -> ResolverMatch:
        match = self._routes.get(path)
        if match is None:
            match = self._routes[path] = resolve(path)
        return match
