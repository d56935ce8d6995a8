"""Fraud in the admin: the alert queue (analysts work it here), the live queue, scores, labels."""

from apps.fraud.admin import alerts, records

__all__ = ["alerts", "records"]
