from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Answer 413 before Django reads a body larger than FRAUDHUB_MAX_BODY_BYTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "invalid Content-Length"}, status=400)
        if length > settings.FRAUDHUB_MAX_BODY_BYTES:
            message = _("The request is too large (limit %(limit)d bytes).") % {
                "limit": settings.FRAUDHUB_MAX_BODY_BYTES
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "payload_too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
