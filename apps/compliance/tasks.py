"""Scheduled compliance jobs (thin: call a service)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from apps.compliance.services.cases import case_escalate_overdue
from apps.compliance.services.risk import risk_mark_reviews_due, risk_recompute_stale


@shared_task(name="compliance.risk_recompute_stale")
def risk_recompute_stale_task() -> int:
    """Re-rate customers whose risk inputs changed since their last rating."""
    return risk_recompute_stale(limit=2000)


@shared_task(name="compliance.risk_reviews_due")
def risk_reviews_due_task() -> int:
    """Customers whose periodic review date passed are queued for a new rating."""
    return risk_mark_reviews_due(on=timezone.localdate())


@shared_task(name="compliance.cases_escalate_overdue")
def cases_escalate_overdue_task() -> int:
    """Escalate active cases past their operating SLA."""
    return case_escalate_overdue()
