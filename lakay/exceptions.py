"""The one error hierarchy. Services raise these; entry points map them to 4xx responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApplicationError(Exception):
    """A refusal the caller can act on, with a stable ``code`` and structured ``details``."""

    status_code = 400
    default_code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = dict(details or {})


class NotFoundError(ApplicationError):
    status_code = 404
    default_code = "not_found"


class ConflictError(ApplicationError):
    """The request clashes with the current state (forbidden transition, duplicate with other content)."""

    status_code = 409
    default_code = "conflict"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class ServiceUnavailableError(ApplicationError):
    status_code = 503
    default_code = "service_unavailable"
