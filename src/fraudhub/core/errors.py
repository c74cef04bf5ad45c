"""Domain errors raised by services; the API and views turn them into 4xx (or 503) answers."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    # Seconds after which the same request may succeed (sent as Retry-After); None when only
    # a changed request can.
    retry_after: int | None = None

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_error"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"
    retry_after: int

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageUnavailable(DomainError):
    """Files of the request could not be stored (disk full, over quota, not writable...).

    Nothing of the request was kept; the same request may succeed once the storage is fixed.
    """

    status_code = 503
    code = "storage_unavailable"
    retry_after: int

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidTransition(Conflict):
    code = "invalid_transition"
