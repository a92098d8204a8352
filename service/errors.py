"""Domain errors: what went wrong, as the use cases say it, whoever called them.

Each carries a stable English ``code`` and a Chinese ``message`` for the people who
read it. The class says what kind of failure it is; ``service.http`` maps each class
to one HTTP status (the only place that does), the CLI prints the message.

``keep`` marks a refusal that is itself a record (a refused transition, a rejected
upload, a failed sign-in): its audit row is committed although the request fails.
"""
from __future__ import annotations


class DomainError(Exception):
    code = "error"
    keep = False

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None,
                 detail: dict | None = None, keep: bool | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.detail = {**(detail or {}), **({"field": field} if field else {})} or None
        if keep is not None:
            self.keep = keep


class BadRequest(DomainError):
    """The request itself is malformed (no file sent, a stale CSRF token)."""
    code = "bad_request"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    """Missing, or outside the caller's view: ids are no oracle."""
    code = "not_found"


class Conflict(DomainError):
    """The request is fine but the record's state does not allow it."""
    code = "conflict"


class Refused(Conflict):
    """A rule refused the step; the refusal is recorded and kept."""
    code = "refused"
    keep = True


class Invalid(DomainError):
    """A value does not fit its contract."""
    code = "invalid"


class TooLarge(Invalid):
    code = "too_large"


class Unsupported(Invalid):
    code = "unsupported_type"


class Throttled(DomainError):
    code = "too_many_requests"


class Busy(DomainError):
    """The service cannot take the request right now (the parsing workers or the database are
    busy): the caller may retry shortly (503 with ``Retry-After``)."""
    code = "busy"


class Broken(DomainError):
    """Configuration the service relies on is broken (an invalid rubric file): not the caller's fault."""
    code = "internal_error"
