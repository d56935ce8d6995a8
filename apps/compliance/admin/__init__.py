"""The officers' workspace in the Django admin: queues, the case page, filings, risk, audit."""

from apps.compliance.admin import alerts, cases, customers, filings, records

__all__ = ["alerts", "cases", "customers", "filings", "records"]
