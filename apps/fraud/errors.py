"""Errors of the fraud domain."""

from __future__ import annotations

from lakay.exceptions import ApplicationError, ConflictError


class TransactionConflictError(ConflictError):
    """A transaction id that is already known arrived with different content."""

    default_code = "transaction_conflict"


class UnsupportedCurrencyError(ApplicationError):
    default_code = "unsupported_currency"


class AlertTransitionError(ConflictError):
    """The alert is not in a status that allows this change (or changed meanwhile)."""

    default_code = "invalid_alert_transition"
