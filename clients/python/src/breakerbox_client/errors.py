"""Typed errors: every refusal carries the API's ``code``, ``field`` and HTTP ``status``.

A connection failure is :class:`SidecarUnreachable`, never an answer: nothing in this package
reads a failure to reach the sidecar as "allowed".
"""

from __future__ import annotations


class BreakerboxError(Exception):
    """Base of every error of the client.

    ``code`` is the API's error code (``VALIDATION``, ``FORBIDDEN``, ``NOT_FOUND``, ...),
    ``field`` the field at fault when one is named, ``status`` the HTTP status (None when the
    client refused the call itself, or no answer came).
    """

    def __init__(self, message: str, *, code: str, field: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, status={self.status!r}, message={self.message!r})"


class ApiError(BreakerboxError):
    """An error answer of the sidecar (``{ error: { code, message, field? } }``)."""


class ValidationError(ApiError):
    """A value was refused (HTTP 400 ``VALIDATION``), by the sidecar or, for a float or a bool
    where a decimal belongs, by the client before sending (then ``status`` is None)."""


class AuthError(ApiError):
    """No token (401 ``UNAUTHORIZED``) or a wrong one (403 ``FORBIDDEN``), or a Host/Origin refusal."""


class NotFoundError(ApiError):
    """An unknown strategy or route (404 ``NOT_FOUND``)."""


class ConflictError(ApiError):
    """A refused operator action (409: ``RESET_NOT_ALLOWED``, ``INVALID_TOKEN``, ...)."""


class RateLimitedError(ApiError):
    """A route group's budget is spent (429 ``RATE_LIMITED``)."""


class UnavailableError(ApiError):
    """The sidecar answered 503 (``STORE_UNAVAILABLE``, ``RUNTIME_STOPPED``, ``TOO_MANY_STREAMS``)."""


class SidecarUnreachable(BreakerboxError, ConnectionError):
    """The sidecar could not be reached or gave no (readable) answer: state unknown, fail closed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="UNREACHABLE")


def error_for(status: int, code: str, message: str, field: str | None) -> ApiError:
    """The typed error of an error answer."""
    kind: type[ApiError]
    if status == 400:
        kind = ValidationError
    elif status in (401, 403):
        kind = AuthError
    elif status == 404:
        kind = NotFoundError
    elif status == 409:
        kind = ConflictError
    elif status == 429:
        kind = RateLimitedError
    elif status == 503:
        kind = UnavailableError
    else:
        kind = ApiError
    return kind(message, code=code, field=field, status=status)
