"""The HTTP edge shared by every app's API router: who is calling, and errors as JSON."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security.http import HttpAuthBase

from fraudhub.core.actors import Actor, key_permissions
from fraudhub.core.errors import DomainError, PermissionDenied
from fraudhub.core.roles import PERSONAL_PERMS, Perm
from fraudhub.core.selectors import apikey_authenticate

logger = logging.getLogger(__name__)
# How long a client is asked to wait after the database failed its request.
DATABASE_RETRY_AFTER_SECONDS = 5


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind FRAUDHUB_TRUST_X_FORWARDED_FOR proxies
    the address the outermost one added to X-Forwarded-For.

    Never the leftmost entry, which the client writes itself: it would choose its own rate-limit
    counter and the address the audit log keeps.
    """
    proxies = settings.FRAUDHUB_TRUST_X_FORWARDED_FOR
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote


def login_client_ip(request: HttpRequest) -> str:
    """client_ip for django-axes, which counts failed logins per address (a string)."""
    return client_ip(request) or ""


class ActorAuth(HttpAuthBase):
    """Bearer API keys; a request without one acts as an anonymous citizen.

    A header that names a bad, revoked or expired key is refused (401) rather than silently
    downgraded, so a client with a broken key finds out at once.
    """

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Actor:
        # META, not request.headers, which copies every header into a dict first (~8 µs).
        header = request.META.get("HTTP_AUTHORIZATION", "")
        ip = client_ip(request)
        if not header:
            return Actor.anonymous(ip=ip)
        scheme, _sep, raw_key = header.partition(" ")
        if scheme.lower() != "bearer" or not raw_key.strip():
            raise AuthenticationError(401, "use Authorization: Bearer <api key>")
        api_key = apikey_authenticate(raw_key=raw_key.strip())
        if api_key is None:
            raise AuthenticationError(401, "unknown, revoked or expired API key")
        return Actor.for_api_key(api_key, ip=ip)


def authorize(request: HttpRequest, perm: Perm) -> Actor:
    """The calling actor, if it holds `perm`; otherwise 401 (anonymous) or 403."""
    actor = request.auth  # type: ignore[attr-defined]
    if not isinstance(actor, Actor):
        raise AuthenticationError(401, "authentication required")
    if not actor.has_perm(perm):
        if not actor.is_authenticated:
            raise AuthenticationError(401, "authentication required")
        key = actor.api_key
        if (key is not None and key.holder_id is None and perm in PERSONAL_PERMS
                and perm in key_permissions(role=key.role, scopes=key.scopes)):
            raise PermissionDenied(_(
                "This API key acts for no person, and %(perm)s is done by a person: make a "
                "key of your own under My API keys in the console (or ask an operator for "
                "one: fraudhub apikey create --user).")
                % {"perm": perm.value})
        raise PermissionDenied(_("Your role may not do this (requires %(perm)s).")
                               % {"perm": perm.value})
    return actor


class ErrorOut(Schema):
    """The body of every error answer of the API (see install_error_handlers)."""

    detail: str = Field(description="What went wrong, in the caller's language.")
    code: str = Field(description=(
        "bad_request, invalid_text, error (400); unauthenticated (401); forbidden (403); "
        "not_found (404); conflict, invalid_transition (409); payload_too_large (413); "
        "validation_error (422); rate_limited (429); database_unavailable, "
        "storage_unavailable (503)."))
    errors: dict[str, list[str]] = Field(default_factory=dict, description=(
        "Messages by field, named by its path in the request (`legal_basis.date`, "
        "`items.3.value`); left out when the error is not about particular fields."))


ERROR_SCHEMA_REF = "#/components/schemas/ErrorOut"
_RETRY_AFTER = {"Retry-After": {"description": "Seconds after which the same request may succeed.",
                                "schema": {"type": "integer"}}}
# Every error status an operation may document, with what it means across the API.
ERROR_ANSWERS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("The body cannot be read: not JSON (`error`), an unpaired UTF-16 surrogate "
          "(`invalid_text`), or a form not in UTF-8 (`bad_request`).", {}),
    401: ("The Authorization header is not `Bearer <api key>` or names an unknown, revoked or "
          "expired key; or the operation needs a key and none was sent (`unauthenticated`).",
          {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}),
    403: ("The caller may not do this (`forbidden`): its role or its API key's scopes lack the "
          "permission in `x-permission`, or a rule of the operation refuses it.", {}),
    404: ("No such object, or none the caller may see (`not_found`).", {}),
    409: ("The object's state does not allow this now (`conflict`, `invalid_transition`).", {}),
    413: ("The body, or a file in it, is larger than allowed (`payload_too_large`).", {}),
    422: ("The request is not valid (`validation_error`); `errors` names the fields.", {}),
    429: ("Rate limit or API key quota used up (`rate_limited`); retry after Retry-After.",
          _RETRY_AFTER),
    503: ("The database is unavailable or busy (`database_unavailable`), or uploaded files "
          "cannot be stored (`storage_unavailable`); retry after Retry-After.", _RETRY_AFTER),
}
# What any operation may answer: a bad key, and a database that is down.
_ALWAYS = (401, 503)


def needs(rule: Perm | str, *errors: int, public: bool | None = None) -> dict[str, Any]:
    """OpenAPI annotation of an operation: the permission it requires, its error answers and
    whether anonymous callers may call it.

    ``rule`` is the permission that ``authorize`` checks (then 403 is documented and the
    operation is public when anonymous callers hold it), or the rule in words of an operation
    that decides itself (list 403 in ``errors`` if it may answer it, and say ``public``).
    ``errors`` are the operation's other error statuses: 400/413/422 with a body, 404 for an
    object it names, 409 where it raises Conflict, 429 where it is rate limited; 401 and 503
    are documented on every operation.
    """
    statuses = {*_ALWAYS, *errors}
    if isinstance(rule, Perm):
        statuses.add(403)
        if public is None:
            public = Actor.anonymous().has_perm(rule)
    unknown = statuses - ERROR_ANSWERS.keys()
    if unknown:
        raise ValueError(f"no documented error answer for {sorted(unknown)}")
    responses: dict[int, Any] = {}
    for status in sorted(statuses):
        description, headers = ERROR_ANSWERS[status]
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}},
            **({"headers": headers} if headers else {}),
        }
    extra: dict[str, Any] = {
        "x-permission": rule.value if isinstance(rule, Perm) else rule,
        "responses": responses,
    }
    if public:
        # ninja adds this to the operation's [{"ActorAuth": []}]: the key is optional.
        extra["security"] = [{}]
    return extra


def one_of(values: Iterable[object]) -> dict[str, Any]:
    """``json_schema_extra`` listing the values a field takes (``enum``), for the OpenAPI
    document only: the services check the field and answer 422 with their own message."""
    return {"enum": list(values)}


# The escape of a UTF-16 surrogate, the only way one reaches a body that must be valid UTF-8.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class UnpairedSurrogate(ValueError):
    """A JSON string with half of a UTF-16 surrogate pair: not text."""


class JsonParser(Parser):
    """ninja's parser, refusing what Python's json module lets through but nothing can store.

    ``"\\ud800"`` alone decodes to a str that cannot be encoded: it passed validation, then
    failed (500) wherever it was written to the database, escaped into a URL or sent back.
    A pair (an emoji's ``"\\ud83d\\ude00"``) is one character and passes.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _SURROGATE_ESCAPE.search(request.body):
            try:
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError as exc:
                raise UnpairedSurrogate(str(exc)) from exc
        return data


def _error(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, code: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _loc_to_field(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja prefixes locations with the parameter source ("body", "query"...) and the schema
    # argument name; the caller only cares about the field path inside its own payload.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for err in exc.errors:
            field = _loc_to_field(err.get("loc", ()))
            msg = str(err.get("msg", "invalid"))
            errors.setdefault(field, []).append(msg)
        return _error(api, request, 422, _("The request is not valid."), "validation_error",
                      errors)

    @api.exception_handler(DomainError)
    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = _error(api, request, exc.status_code, exc.message, exc.code,
                          exc.field_errors or None)
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(OperationalError)
    def on_database_unavailable(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        # Unreachable, restarting, or the statement cancelled (statement_timeout, lock_timeout):
        # the write services' transactions rolled back and the same call may succeed soon.
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
        response = _error(api, request, 503, _(
            "The database is unavailable or busy. Try again shortly."),
            "database_unavailable")
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = str(exc.message) if getattr(exc, "message", None) else "authentication required"
        response = _error(api, request, 401, detail, "unauthenticated")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, UnpairedSurrogate):  # raised by JsonParser, wrapped by ninja
            return _error(api, request, 400, _(
                "The request contains an unpaired UTF-16 surrogate (an escape from \\ud800 to "
                "\\udfff without its other half), which is not text."), "invalid_text")
        return _error(api, request, exc.status_code, str(exc.message), "error")


def direct_get_view(api: NinjaAPI, operation: Callable[[HttpRequest], HttpResponse], *,
                    route: str) -> Callable[[HttpRequest], HttpResponse]:
    """A plain Django view that answers GET with ``operation`` (a ninja operation of ``route``
    that takes no parsed parameters) and hands every other method to ninja's view of the route.

    For the busiest public endpoint: ninja's dispatch (its checks, its temporary response, its
    signature handling) was about 80 µs of a 540 µs lookup, measured in process. The operation stays
    registered with ninja, which documents it in OpenAPI; the caller is authenticated by the
    same ActorAuth and errors go through the API's own exception handlers, so the answers are
    exactly ninja's.
    """
    authenticate = ActorAuth()
    other_methods: list[Callable[..., HttpResponse]] = []

    def ninja_view() -> Callable[..., HttpResponse]:
        if not other_methods:
            urls: list[Any] = api.urls[0]
            other_methods.extend(pattern.callback for pattern in urls
                                 if str(pattern.pattern) == route)
            if not other_methods:
                raise LookupError(f"no API route {route!r}")
        return other_methods[0]

    @csrf_exempt  # as ninja's own views: an API key, not a session, authenticates
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method != "GET":
            return ninja_view()(request, **kwargs)
        try:
            request.auth = authenticate(request)  # type: ignore[attr-defined]
            return operation(request)
        except Exception as exc:  # the API's handlers answer what they know; others re-raise
            return api.on_exception(request, exc)

    return view
